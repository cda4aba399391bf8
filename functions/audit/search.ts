import { searchAuditLog } from '#shared/domain/audit/search.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { auditReadsFromEnvironment, parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = auditReadsFromEnvironment(auth);

/** One page of a scoped search of the sequenced log, itself audited as `audit.search`. */
export const handler = signedRoute(auth, async (event, context) => {
  const { cursor, limit, ...filter } = parseQuery(event, apiOperations.SearchAudit.query);
  return {
    statusCode: 200,
    body: await searchAuditLog(deps, {
      principal: context.principal,
      filter,
      cursor: cursor ?? 0,
      limit: limit ?? 100,
    }),
  };
});
