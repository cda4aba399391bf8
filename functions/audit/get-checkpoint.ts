import { getCheckpoint } from '#shared/domain/audit/audit-proofs.ts';
import { auditArchiveReadDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** The latest signed checkpoint, or the archived one of `?size=N`; 404 NOT_FOUND when none was published. */
export const handler = signedOperation(
  operations.GetAuditCheckpoint,
  auditArchiveReadDependencies,
  async (deps, call) => ({
    answer: await getCheckpoint(deps, { principal: call.principal, ...call.query }),
    audited: [],
  }),
);
