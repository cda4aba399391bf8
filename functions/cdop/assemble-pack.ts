import { assembleCasePack } from '#shared/domain/cdop/assemble-pack.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { assemblePanelPackAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal, call }) => ({
  statusCode: 201,
  body: assemblePanelPackAnswerOf(await assembleCasePack(deps, { principal, caseId: caseIdOf(event), call })),
}));
