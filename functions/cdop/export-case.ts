import { exportCdopCase } from '#shared/domain/cdop/export-case.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { exportCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.ExportCdopCase, caseDependencies, async (deps, call) => {
  const exported = await exportCdopCase(deps, {
    principal: call.principal,
    caseId: call.pathId('caseId', 'cdop-case'),
    version: call.query.version,
  });
  return { answer: exportCdopCaseAnswerOf(exported), audited: exported.audited };
});
