import { listRequests } from '#shared/domain/requests/manage-requests.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { requestsFromEnvironment } from '#shared/http/requests.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = requestsFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => {
  const { limit, ...filter } = parseQuery(event, apiOperations.ListRequests.query);
  return {
    statusCode: 200,
    body: await listRequests(deps, {
      principal: context.principal,
      filter: { ...filter, limit: limit ?? 50 },
    }),
  };
});
