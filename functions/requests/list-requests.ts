import { listRequests } from '#shared/domain/requests/manage-requests.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { answeredInScope } from '#shared/request-scope.ts';

export const handler = signedOperation(operations.ListRequests, requestDependencies, (deps, call) =>
  answeredInScope(async () => {
    const { limit, ...filter } = call.query;
    return {
      statusCode: 200,
      body: await listRequests(deps, {
        principal: call.principal,
        filter: { ...filter, limit: limit ?? 50 },
      }),
    };
  }),
);
