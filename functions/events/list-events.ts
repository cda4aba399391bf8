import { listEvents } from '#shared/domain/events/list-events.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { eventOutbox } from '#shared/http/stores.ts';

/** One page of the caller's organisation's event feed, oldest first, after a cursor. */
export const handler = signedOperation(
  operations.ListEvents,
  (runtime) => ({ feed: eventOutbox(runtime) }),
  async (deps, call) => ({
    answer: await listEvents(deps, {
      principal: call.principal,
      after: call.query.after,
      limit: call.query.limit ?? 50,
    }),
    audited: [],
  }),
);
