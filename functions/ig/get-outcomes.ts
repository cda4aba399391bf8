import { answerIgOutcomes } from '#shared/domain/ig/outcomes.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igOutcomesAnswerOf } from '#shared/http/views/ig.ts';

/** Whether requesters got an outcome, and how long it took. */
export const handler = signedOperation(operations.GetIgOutcomes, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgOutcomes(deps, { principal: call.principal, ...call.query });
  return { answer: igOutcomesAnswerOf(answer), audited };
});
