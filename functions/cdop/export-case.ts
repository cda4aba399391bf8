import { exportCdopCase } from '#shared/domain/cdop/manage-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';

export const handler = caseRoute((deps, { event, principal }) =>
  exportCdopCase(deps, {
    principal,
    caseId: caseIdOf(event),
    version: parseQuery(event, apiOperations.ExportCdopCase.query).version,
  }),
);
