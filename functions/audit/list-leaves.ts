import { listAuditLeaves } from '#shared/domain/audit/audit-proofs.ts';
import { auditReadDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** One page of the log, audited as an export. */
export const handler = signedOperation(
  operations.ListAuditLeaves,
  auditReadDependencies,
  async (deps, call) => {
    const { page, audited } = await listAuditLeaves(deps, {
      principal: call.principal,
      from: call.query.from ?? 0,
      limit: call.query.limit ?? 100,
    });
    return { answer: page, audited };
  },
);
