import { createAgreement } from '#shared/domain/agreements/manage-agreements.ts';
import { agreementsFromEnvironment, agreementView } from '#shared/http/agreements.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = agreementsFromEnvironment(auth);

export const handler = signedRoute(auth, async (event, context) => {
  const body = parseJsonBody(event, apiOperations.CreateAgreement.body, 'INVALID_AGREEMENT');
  const agreement = await createAgreement(deps, {
    principal: context.principal,
    ...(body.id === undefined ? {} : { id: body.id }),
    content: body.content,
  });
  return { statusCode: 201, body: { agreement: agreementView(agreement, deps.clock.now()) } };
});
