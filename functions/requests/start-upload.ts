import { startUpload } from '#shared/domain/requests/start-upload.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { requestStepRoute } from '#shared/http/requests.ts';
import { uploadAnswer } from '#shared/http/views/requests.ts';

export const handler = requestStepRoute(async (deps, { event, ...input }) => {
  const started = await startUpload(deps, {
    ...input,
    declared: parseJsonBody(event, apiOperations.StartShareUpload.body),
  });
  return { statusCode: 201, body: uploadAnswer(started) };
});
