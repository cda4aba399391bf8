import { cdopFigures } from '#shared/domain/cdop/case-figures.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { caseRoute } from '#shared/http/cdop.ts';
import { getCdopFiguresAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal }) => {
  const query = parseQuery(event, apiOperations.GetCdopFigures.query);
  const result = await cdopFigures(deps, { principal, year: Number(query.year), for: query.for });
  return { statusCode: 200, body: getCdopFiguresAnswerOf(result) };
});
