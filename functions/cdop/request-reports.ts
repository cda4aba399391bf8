import { requestCdopReports } from '#shared/domain/cdop/manage-cases.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.RequestCdopReports, caseDependencies, (deps, call) =>
  answeredInScope(() =>
    requestCdopReports(deps, {
      principal: call.principal,
      caseId: call.pathId('caseId', 'cdop-case'),
      agencies: call.body.agencies,
      signed: call.signedCopy,
      call: call.idempotentCall,
    }),
  ),
);
