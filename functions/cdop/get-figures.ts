import { cdopFigures } from '#shared/domain/cdop/manage-cases.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.GetCdopFigures, caseDependencies, (deps, call) =>
  answeredInScope(() =>
    cdopFigures(deps, { principal: call.principal, year: Number(call.query.year), for: call.query.for }),
  ),
);
