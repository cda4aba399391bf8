import { answerIgRequests } from '#shared/domain/ig/requests.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igRequestsAnswerOf } from '#shared/http/views/ig.ts';

/** Requests by period and group: counts, approval rate, response times. */
export const handler = signedOperation(operations.GetIgRequests, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgRequests(deps, { principal: call.principal, ...call.query });
  return { answer: igRequestsAnswerOf(answer), audited };
});
