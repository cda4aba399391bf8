import { discloseIgChild } from '#shared/domain/ig/disclose-child.ts';
import { childDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igDisclosureAnswerOf } from '#shared/http/views/ig.ts';

/** The subject access report of one child: restricted entries withheld and counted; audited with the references only as given. */
export const handler = signedOperation(
  operations.GetIgChildDisclosure,
  childDependencies,
  async (deps, call) => {
    const { answer, audited } = await discloseIgChild(deps, {
      principal: call.principal,
      subjectRefs: call.query.subjectRef,
    });
    return { answer: igDisclosureAnswerOf(answer), audited };
  },
);
