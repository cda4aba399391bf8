import { type Release, releaseShare } from '#shared/domain/requests/manage-requests.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.ReleaseShare, requestDependencies, (deps, call) =>
  answeredInScope(() => {
    const { body } = call;
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
    return releaseShare(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      call: call.idempotentCall,
      release,
    });
  }),
);
