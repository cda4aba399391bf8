import { escalateChallenge } from '#shared/domain/challenges/escalate-challenge.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { challengeAnswerOf } from '#shared/http/views/challenges.ts';

export const handler = signedOperation(
  operations.EscalateChallenge,
  requestDependencies,
  async (deps, call) => {
    const escalated = await escalateChallenge(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      n: Number(call.pathId('n', 'challenge')),
      call: call.idempotentCall,
      escalation: call.body,
    });
    return { answer: challengeAnswerOf(escalated, deps.clock.now()), audited: escalated.audited };
  },
);
