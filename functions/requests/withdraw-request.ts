import { withdrawRequest } from '#shared/domain/requests/withdraw-request.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { requestAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(
  operations.WithdrawRequest,
  requestDependencies,
  async (deps, call) => {
    const withdrawn = await withdrawRequest(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      call: call.idempotentCall,
    });
    return { answer: requestAnswerOf(withdrawn, deps.clock.now()), audited: withdrawn.audited };
  },
);
