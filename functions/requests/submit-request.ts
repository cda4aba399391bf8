import { submitRequest } from '#shared/domain/requests/manage-requests.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { answeredInScope } from '#shared/request-scope.ts';

/** Judges and, when permitted, records a data request with the signed request that asked for it. */
export const handler = signedOperation(operations.SubmitRequest, requestDependencies, (deps, call) =>
  answeredInScope(() =>
    submitRequest(deps, {
      principal: call.principal,
      body: call.body,
      signed: call.signedCopy,
      call: call.idempotentCall,
    }),
  ),
);
