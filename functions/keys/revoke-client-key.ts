import { revokeClientKey } from '#shared/domain/registry/manage-client-keys.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { keyManagementFromEnvironment } from '#shared/http/key-management.ts';
import { pathId } from '#shared/http/path-ids.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = keyManagementFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => ({
  statusCode: 200,
  body: {
    key: await revokeClientKey(deps, {
      principal: context.principal,
      clientId: pathId(event.pathParameters, 'clientId', 'client'),
      kid: pathId(event.pathParameters, 'kid', 'client-key'),
    }),
  },
}));
