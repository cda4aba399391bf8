import { decideRequest } from '#shared/domain/requests/decide-request.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { requestStepRoute } from '#shared/http/requests.ts';
import { requestAnswer } from '#shared/http/views/requests.ts';

export const handler = requestStepRoute(async (deps, { event, ...input }) => {
  const decided = await decideRequest(deps, {
    ...input,
    decision: parseJsonBody(event, apiOperations.DecideRequest.body),
  });
  return { statusCode: 200, body: requestAnswer(decided, deps.clock.now()) };
});
