import { revokeClientKey } from '#shared/domain/registry/manage-client-keys.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { keyManagementFromEnvironment, pathParameter } from '#shared/http/key-management.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = keyManagementFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => ({
  statusCode: 200,
  body: {
    key: await revokeClientKey(deps, {
      principal: context.principal,
      clientId: pathParameter(event.pathParameters, 'clientId'),
      kid: pathParameter(event.pathParameters, 'kid'),
    }),
  },
}));
