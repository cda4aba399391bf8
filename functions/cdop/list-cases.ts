import { listCdopCases } from '#shared/domain/cdop/list-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { caseRoute } from '#shared/http/cdop.ts';
import { listCdopCasesAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal }) => {
  const { status } = parseQuery(event, apiOperations.ListCdopCases.query);
  return {
    statusCode: 200,
    body: listCdopCasesAnswerOf(await listCdopCases(deps, { principal, status }), deps.clock.now()),
  };
});
