import { decideRequest } from '#shared/domain/requests/manage-requests.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.DecideRequest, requestDependencies, (deps, call) =>
  answeredInScope(() =>
    decideRequest(deps, {
      principal: call.principal,
      requestId: call.pathId('requestId', 'request'),
      call: call.idempotentCall,
      decision: call.body,
    }),
  ),
);
