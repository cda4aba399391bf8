import { startUpload } from '#shared/domain/requests/start-upload.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { uploadAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(
  operations.StartShareUpload,
  requestDependencies,
  async (deps, call) => {
    const started = await startUpload(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      call: call.idempotentCall,
      declared: call.body,
    });
    return { answer: uploadAnswerOf(started), audited: started.audited };
  },
);
