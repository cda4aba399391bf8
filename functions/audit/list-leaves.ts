import { listAuditLeaves } from '#shared/domain/audit/audit-proofs.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { auditReadsFromEnvironment, parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = auditReadsFromEnvironment(auth);

/** One page of the log, audited as an export. */
export const handler = signedRoute(auth, async (event, context) => {
  const query = parseQuery(event, apiOperations.ListAuditLeaves.query);
  return {
    statusCode: 200,
    body: await listAuditLeaves(deps, {
      principal: context.principal,
      from: query.from ?? 0,
      limit: query.limit ?? 100,
    }),
  };
});
