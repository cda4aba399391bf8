import { answerIgPlacements } from '#shared/domain/ig/placements.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igPlacementsAnswerOf } from '#shared/http/views/ig.ts';

/** Requests about children placed out of borough. */
export const handler = signedOperation(operations.GetIgPlacements, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgPlacements(deps, { principal: call.principal, ...call.query });
  return { answer: igPlacementsAnswerOf(answer), audited };
});
