import { addClientKey } from '#shared/domain/registry/manage-client-keys.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { keyManagementFromEnvironment } from '#shared/http/key-management.ts';
import { pathId } from '#shared/http/path-ids.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = keyManagementFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => {
  const body = parseJsonBody(event, apiOperations.AddClientKey.body);
  const key = await addClientKey(deps, {
    principal: context.principal,
    clientId: pathId(event.pathParameters, 'clientId', 'client'),
    jwk: body.jwk,
    ...(body.notBefore === undefined ? {} : { notBefore: body.notBefore }),
    ...(body.notAfter === undefined ? {} : { notAfter: body.notAfter }),
  });
  return { statusCode: 201, body: { key } };
});
