import { showRequest } from '#shared/domain/requests/show-request.ts';
import { requestStepRoute } from '#shared/http/requests.ts';
import { requestAnswer } from '#shared/http/views/requests.ts';

export const handler = requestStepRoute(async (deps, { principal, requestId }) => ({
  statusCode: 200,
  body: requestAnswer(await showRequest(deps, { principal, requestId }), deps.clock.now()),
}));
