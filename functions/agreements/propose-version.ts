import { proposeVersion } from '#shared/domain/agreements/manage-agreements.ts';
import { agreementsFromEnvironment } from '#shared/http/agreements.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { pathId } from '#shared/http/path-ids.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = agreementsFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => {
  const body = parseJsonBody(event, apiOperations.ProposeAgreementVersion.body, 'INVALID_AGREEMENT');
  const version = await proposeVersion(deps, {
    principal: context.principal,
    agreementId: pathId(event.pathParameters, 'agreementId', 'agreement'),
    content: body.content,
  });
  return { statusCode: 201, body: { version } };
});
