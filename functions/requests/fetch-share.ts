import { fetchShare } from '#shared/domain/requests/fetch-share.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { fetchAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(operations.FetchShare, requestDependencies, async (deps, call) => {
  const fetched = await fetchShare(deps, {
    principal: call.principal,
    requestId: call.pathId('requestId', 'request'),
    call: call.idempotentCall,
  });
  return { answer: fetchAnswerOf(fetched), audited: fetched.audited };
});
