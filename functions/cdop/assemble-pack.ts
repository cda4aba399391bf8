import { assembleCasePack } from '#shared/domain/cdop/assemble-pack.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { assemblePanelPackAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.AssemblePanelPack, caseDependencies, async (deps, call) => {
  const assembled = await assembleCasePack(deps, {
    principal: call.principal,
    caseId: call.pathId('caseId', 'cdop-case'),
    call: call.idempotentCall,
  });
  return { answer: assemblePanelPackAnswerOf(assembled), audited: assembled.audited };
});
