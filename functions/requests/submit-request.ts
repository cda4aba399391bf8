import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { requestAnswerOf } from '#shared/http/views/requests.ts';

/** Judges and, when permitted, records a data request with the signed request that asked for it. */
export const handler = signedOperation(operations.SubmitRequest, requestDependencies, async (deps, call) => {
  const submitted = await submitRequest(deps, {
    principal: call.principal,
    body: call.body,
    signed: call.signedCopy,
    call: call.idempotentCall,
  });
  return { answer: requestAnswerOf(submitted, deps.clock.now()), audited: submitted.audited };
});
