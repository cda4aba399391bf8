import { getConsistencyProof } from '#shared/domain/audit/audit-proofs.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { auditReadsFromEnvironment, parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = auditReadsFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => ({
  statusCode: 200,
  body: await getConsistencyProof(deps, {
    principal: context.principal,
    ...parseQuery(event, apiOperations.GetConsistencyProof.query),
  }),
}));
