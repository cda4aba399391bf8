import { fetchCasePack } from '#shared/domain/cdop/fetch-pack.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { getPanelPackAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.GetPanelPack, caseDependencies, async (deps, call) => {
  const fetched = await fetchCasePack(deps, {
    principal: call.principal,
    caseId: call.pathId('caseId', 'cdop-case'),
  });
  return { answer: getPanelPackAnswerOf(fetched), audited: fetched.audited };
});
