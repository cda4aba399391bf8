import { recordOutcome } from '#shared/domain/challenges/record-outcome.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { challengeAnswerOf } from '#shared/http/views/challenges.ts';

export const handler = signedOperation(
  operations.RecordChallengeOutcome,
  requestDependencies,
  async (deps, call) => {
    const { decision, ...outcome } = call.body;
    const resolved = await recordOutcome(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      n: Number(call.pathId('n', 'challenge')),
      call: call.idempotentCall,
      outcome,
      decision,
    });
    return { answer: challengeAnswerOf(resolved, deps.clock.now()), audited: resolved.audited };
  },
);
