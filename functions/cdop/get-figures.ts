import { cdopFigures } from '#shared/domain/cdop/manage-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { caseRoute } from '#shared/http/cdop.ts';

export const handler = caseRoute((deps, { event, principal }) => {
  const query = parseQuery(event, apiOperations.GetCdopFigures.query);
  return cdopFigures(deps, { principal, year: Number(query.year), for: query.for });
});
