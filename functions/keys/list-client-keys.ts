import { listClientKeys } from '#shared/domain/registry/manage-client-keys.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { pathId } from '#shared/http/path-ids.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();

export const handler = signedRoute(auth, async (event) => ({
  statusCode: 200,
  body: {
    keys: await listClientKeys(auth, { clientId: pathId(event.pathParameters, 'clientId', 'client') }),
  },
}));
