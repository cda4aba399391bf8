import { showRequest } from '#shared/domain/requests/show-request.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { requestAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(operations.GetRequest, requestDependencies, async (deps, call) => {
  const shown = await showRequest(deps, {
    principal: call.principal,
    requestId: call.pathId('requestId', 'request'),
  });
  return { answer: requestAnswerOf(shown, deps.clock.now()), audited: shown.audited };
});
