import { listRequests } from '#shared/domain/requests/list-requests.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { requestListAnswerOf } from '#shared/http/views/requests.ts';

export const handler = signedOperation(operations.ListRequests, requestDependencies, async (deps, call) => {
  const { limit, ...filter } = call.query;
  const listed = await listRequests(deps, {
    principal: call.principal,
    filter: { ...filter, limit: limit ?? 50 },
  });
  return { answer: requestListAnswerOf(listed, deps.clock.now()), audited: listed.audited };
});
