import { DynamoEventOutbox } from '#shared/adapters/dynamodb/event-outbox.ts';
import { listEvents } from '#shared/domain/events/list-events.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** One page of the caller's organisation's event feed, oldest first, after a cursor. */
export const handler = signedOperation(
  operations.ListEvents,
  (runtime) => ({ feed: new DynamoEventOutbox(runtime.doc, runtime.table('events')) }),
  async (deps, call) => ({
    answer: await listEvents(deps, {
      principal: call.principal,
      after: call.query.after,
      limit: call.query.limit ?? 50,
    }),
    audited: [],
  }),
);
