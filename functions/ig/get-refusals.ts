import { answerIgRefusals } from '#shared/domain/ig/refusals.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igRefusalsAnswerOf } from '#shared/http/views/ig.ts';

/** Engine refusals and declines, by pair and reason code. */
export const handler = signedOperation(operations.GetIgRefusals, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgRefusals(deps, {
    principal: call.principal,
    ...call.query,
    codes: 'all',
  });
  return { answer: igRefusalsAnswerOf(answer), audited };
});
