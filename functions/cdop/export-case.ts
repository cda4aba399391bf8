import { exportCdopCase } from '#shared/domain/cdop/export-case.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { exportCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal }) => {
  const { version } = parseQuery(event, apiOperations.ExportCdopCase.query);
  return {
    statusCode: 200,
    body: exportCdopCaseAnswerOf(await exportCdopCase(deps, { principal, caseId: caseIdOf(event), version })),
  };
});
