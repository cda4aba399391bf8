import type { Release } from '#shared/domain/requests/manage-requests.ts';
import { releaseShare } from '#shared/domain/requests/manage-requests.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { requestStepRoute } from '#shared/http/requests.ts';

export const handler = requestStepRoute((deps, { event, ...input }) => {
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
  return releaseShare(deps, { ...input, release });
});
