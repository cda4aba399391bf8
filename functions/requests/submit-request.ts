import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { idempotentCallOf, requestsFromEnvironment, signedCopyOf } from '#shared/http/requests.ts';
import { signedRoute } from '#shared/http/signed-route.ts';
import { requestAnswer } from '#shared/http/views/requests.ts';

const auth = authenticationFromEnvironment();
const deps = requestsFromEnvironment(auth);

/** Judges and, when permitted, records a data request with the signed request that asked for it. */
export const handler = signedRoute(auth, async (event, context) => {
  const submitted = await submitRequest(deps, {
    principal: context.principal,
    body: parseJsonBody(event, apiOperations.SubmitRequest.body),
    signed: signedCopyOf(event),
    call: idempotentCallOf(event, context.principal),
  });
  return { statusCode: 201, body: requestAnswer(submitted, deps.clock.now()) };
});
