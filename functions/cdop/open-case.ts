import { openCdopCase } from '#shared/domain/cdop/manage-cases.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.OpenCdopCase, caseDependencies, (deps, call) =>
  answeredInScope(() =>
    openCdopCase(deps, {
      principal: call.principal,
      notification: call.body.notification,
      call: call.idempotentCall,
    }),
  ),
);
