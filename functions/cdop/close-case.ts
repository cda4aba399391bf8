import { closeCdopCase } from '#shared/domain/cdop/close-case.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { closeCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = caseRoute(async (deps, { event, principal, call }) => {
  const result = await closeCdopCase(deps, {
    principal,
    caseId: caseIdOf(event),
    analysis: parseJsonBody(event, apiOperations.CloseCdopCase.body).analysis,
    call,
  });
  return { statusCode: 200, body: closeCdopCaseAnswerOf(result, deps.clock.now()) };
});
