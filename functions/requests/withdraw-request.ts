import { withdrawRequest } from '#shared/domain/requests/manage-requests.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.WithdrawRequest, requestDependencies, (deps, call) =>
  answeredInScope(() =>
    withdrawRequest(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      call: call.idempotentCall,
    }),
  ),
);
