import { listCdopCases } from '#shared/domain/cdop/manage-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { caseRoute } from '#shared/http/cdop.ts';

export const handler = caseRoute((deps, { event, principal }) =>
  listCdopCases(deps, { principal, status: parseQuery(event, apiOperations.ListCdopCases.query).status }),
);
