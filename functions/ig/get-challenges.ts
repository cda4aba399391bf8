import { answerIgChallenges } from '#shared/domain/ig/challenges.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igChallengesAnswerOf } from '#shared/http/views/ig.ts';

/** Challenges of requests' answers and their outcomes, by pair and month. */
export const handler = signedOperation(operations.GetIgChallenges, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgChallenges(deps, { principal: call.principal, ...call.query });
  return { answer: igChallengesAnswerOf(answer), audited };
});
