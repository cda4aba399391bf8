import { listCdopCases } from '#shared/domain/cdop/manage-cases.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.ListCdopCases, caseDependencies, (deps, call) =>
  answeredInScope(() => listCdopCases(deps, { principal: call.principal, status: call.query.status })),
);
