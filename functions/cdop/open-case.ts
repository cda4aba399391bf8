import { openCdopCase } from '#shared/domain/cdop/open-case.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { caseRoute } from '#shared/http/cdop.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { openCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

/** Opens a CDOP case on notification of a death, or passes it on to the CDOP of the child's residence. */
export const handler = caseRoute(async (deps, { event, principal, call }) => {
  const result = await openCdopCase(deps, {
    principal,
    notification: parseJsonBody(event, apiOperations.OpenCdopCase.body).notification,
    call,
  });
  return {
    statusCode: result.kind === 'opened' ? 201 : 200,
    body: openCdopCaseAnswerOf(result, deps.clock.now()),
  };
});
