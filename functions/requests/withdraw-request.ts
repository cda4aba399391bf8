import { withdrawRequest } from '#shared/domain/requests/withdraw-request.ts';
import { requestStepRoute } from '#shared/http/requests.ts';
import { requestAnswer } from '#shared/http/views/requests.ts';

export const handler = requestStepRoute(async (deps, { event: _event, ...input }) => ({
  statusCode: 200,
  body: requestAnswer(await withdrawRequest(deps, input), deps.clock.now()),
}));
