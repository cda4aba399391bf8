import { fetchCasePack } from '#shared/domain/cdop/fetch-pack.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { getPanelPackAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal }) => ({
  statusCode: 200,
  body: getPanelPackAnswerOf(await fetchCasePack(deps, { principal, caseId: caseIdOf(event) })),
}));
