import { type Release, releaseShare } from '#shared/domain/requests/release-share.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { requestStepRoute } from '#shared/http/requests.ts';
import { requestAnswer } from '#shared/http/views/requests.ts';

export const handler = requestStepRoute(async (deps, { event, ...input }) => {
  const body = parseJsonBody(event, apiOperations.ReleaseShare.body);
  const release: Release =
    'uploadId' in body
      ? { kind: 'upload', uploadId: body.uploadId, dataCategories: body.dataCategories }
      : {
          kind: 'inline',
          content: Buffer.from(body.content, 'base64'),
          sha256: body.sha256,
          contentType: body.contentType,
          dataCategories: body.dataCategories,
        };
  return {
    statusCode: 200,
    body: requestAnswer(await releaseShare(deps, { ...input, release }), deps.clock.now()),
  };
});
