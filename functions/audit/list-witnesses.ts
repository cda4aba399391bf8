import { listWitnesses } from '#shared/domain/registry/witnesses.ts';
import { witnessDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** The registered witnesses of the audit log, for audit readers. */
export const handler = signedOperation(
  operations.ListAuditWitnesses,
  witnessDependencies,
  async (deps, call) => ({
    answer: { witnesses: await listWitnesses(deps, call.principal) },
    audited: [],
  }),
);
