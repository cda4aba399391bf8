import { answerIgOutstanding } from '#shared/domain/ig/outstanding.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igOutstandingAnswerOf } from '#shared/http/views/ig.ts';

/** What each responder owes now, due and overdue. */
export const handler = signedOperation(operations.GetIgOutstanding, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgOutstanding(deps, { principal: call.principal, ...call.query });
  return { answer: igOutstandingAnswerOf(answer), audited };
});
