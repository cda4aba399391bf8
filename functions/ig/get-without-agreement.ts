import { answerIgRefusals } from '#shared/domain/ig/refusals.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igRefusalsAnswerOf } from '#shared/http/views/ig.ts';

/** Refusals for want of an agreement in force. */
export const handler = signedOperation(
  operations.GetIgWithoutAgreement,
  igDependencies,
  async (deps, call) => {
    const { answer, audited } = await answerIgRefusals(deps, {
      principal: call.principal,
      ...call.query,
      codes: 'without-agreement',
    });
    return { answer: igRefusalsAnswerOf(answer), audited };
  },
);
