import { answerIgPastReview } from '#shared/domain/ig/past-review.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igPastReviewAnswerOf } from '#shared/http/views/ig.ts';

/** Requests under agreement versions past their review date. */
export const handler = signedOperation(operations.GetIgPastReview, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgPastReview(deps, { principal: call.principal, ...call.query });
  return { answer: igPastReviewAnswerOf(answer), audited };
});
