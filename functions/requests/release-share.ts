import { type Release, releaseShare } from '#shared/domain/requests/release-share.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { requestAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(operations.ReleaseShare, requestDependencies, async (deps, call) => {
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
  const released = await releaseShare(deps, {
    principal: call.principal,
    requestId: call.pathId('requestId', 'request'),
    call: call.idempotentCall,
    release,
  });
  return { answer: requestAnswerOf(released, deps.clock.now()), audited: released.audited };
});
