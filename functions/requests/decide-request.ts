import { decideRequest } from '#shared/domain/requests/decide-request.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { requestAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(operations.DecideRequest, requestDependencies, async (deps, call) => {
  const decided = await decideRequest(deps, {
    principal: call.principal,
    requestId: call.pathId('requestId', 'request'),
    call: call.idempotentCall,
    decision: call.body,
  });
  return { answer: requestAnswerOf(decided, deps.clock.now()), audited: decided.audited };
});
