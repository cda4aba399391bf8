import { answerIgChild } from '#shared/domain/ig/child.ts';
import { childDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igChildAnswerOf } from '#shared/http/views/ig.ts';

/** Every entry that touched one child, across the footprints of the references given; audited with the references only as given. */
export const handler = signedOperation(operations.GetIgChild, childDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgChild(deps, {
    principal: call.principal,
    subjectRefs: call.query.subjectRef,
  });
  return { answer: igChildAnswerOf(answer), audited };
});
