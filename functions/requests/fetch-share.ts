import { fetchShare } from '#shared/domain/requests/fetch-share.ts';
import { requestStepRoute } from '#shared/http/requests.ts';
import { fetchAnswer } from '#shared/http/views/requests.ts';

export const handler = requestStepRoute(async (deps, { event: _event, ...input }) => ({
  statusCode: 200,
  body: fetchAnswer(await fetchShare(deps, input)),
}));
