import { answerIgConsentNotSought } from '#shared/domain/ig/consent-not-sought.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igConsentNotSoughtAnswerOf } from '#shared/http/views/ig.ts';

/** Requests where consent was not sought, by Sch 1 para 18(2) reason. */
export const handler = signedOperation(
  operations.GetIgConsentNotSought,
  igDependencies,
  async (deps, call) => {
    const { answer, audited } = await answerIgConsentNotSought(deps, {
      principal: call.principal,
      ...call.query,
    });
    return { answer: igConsentNotSoughtAnswerOf(answer), audited };
  },
);
