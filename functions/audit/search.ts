import { searchAuditLog } from '#shared/domain/audit/search.ts';
import { auditReadDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** One page of a scoped search of the sequenced log, itself audited as `audit.search`. */
export const handler = signedOperation(operations.SearchAudit, auditReadDependencies, async (deps, call) => {
  const { cursor, limit, ...filter } = call.query;
  const { answer, audited } = await searchAuditLog(deps, {
    principal: call.principal,
    filter,
    cursor: cursor ?? 0,
    limit: limit ?? 100,
  });
  return { answer, audited };
});
