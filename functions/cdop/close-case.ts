import { closeCdopCase } from '#shared/domain/cdop/close-case.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { closeCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.CloseCdopCase, caseDependencies, async (deps, call) => {
  const closed = await closeCdopCase(deps, {
    principal: call.principal,
    caseId: call.pathId('caseId', 'cdop-case'),
    analysis: call.body.analysis,
    call: call.idempotentCall,
  });
  return { answer: closeCdopCaseAnswerOf(closed, deps.clock.now()), audited: closed.audited };
});
