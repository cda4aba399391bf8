import { listRequests } from '#shared/domain/requests/list-requests.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { requestsFromEnvironment } from '#shared/http/requests.ts';
import { signedRoute } from '#shared/http/signed-route.ts';
import { requestListAnswer } from '#shared/http/views/requests.ts';

const auth = authenticationFromEnvironment();
const deps = requestsFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => {
  const { limit, ...filter } = parseQuery(event, apiOperations.ListRequests.query);
  const listed = await listRequests(deps, {
    principal: context.principal,
    filter: { ...filter, limit: limit ?? 50 },
  });
  return { statusCode: 200, body: requestListAnswer(listed, deps.clock.now()) };
});
