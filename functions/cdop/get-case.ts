import { showCdopCase } from '#shared/domain/cdop/show-case.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { getCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal }) => ({
  statusCode: 200,
  body: getCdopCaseAnswerOf(
    await showCdopCase(deps, { principal, caseId: caseIdOf(event) }),
    deps.clock.now(),
  ),
}));
