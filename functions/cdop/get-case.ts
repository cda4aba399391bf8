import { showCdopCase } from '#shared/domain/cdop/show-case.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { getCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.GetCdopCase, caseDependencies, async (deps, call) => {
  const shown = await showCdopCase(deps, {
    principal: call.principal,
    caseId: call.pathId('caseId', 'cdop-case'),
  });
  return { answer: getCdopCaseAnswerOf(shown, deps.clock.now()), audited: shown.audited };
});
