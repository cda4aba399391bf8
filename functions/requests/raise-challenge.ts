import { raiseChallenge } from '#shared/domain/challenges/raise-challenge.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { challengeAnswerOf } from '#shared/http/views/challenges.ts';

export const handler = signedOperation(operations.RaiseChallenge, requestDependencies, async (deps, call) => {
  const raised = await raiseChallenge(deps, {
    principal: call.principal,
    requestId: call.pathId('requestId', 'request'),
    call: call.idempotentCall,
    challenge: call.body,
  });
  return { answer: challengeAnswerOf(raised, deps.clock.now()), audited: raised.audited };
});
