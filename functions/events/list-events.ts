import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoEventOutbox } from '#shared/adapters/dynamodb/event-outbox.ts';
import { loadConfig } from '#shared/config.ts';
import { listEvents } from '#shared/domain/events/list-events.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const config = loadConfig(['EVENTS_TABLE_NAME']);
const deps = { feed: new DynamoEventOutbox(createDocumentClient(), config.EVENTS_TABLE_NAME) };

/** One page of the caller's organisation's event feed, oldest first, after a cursor. */
export const handler = signedRoute(auth, async (event, context) => {
  const query = parseQuery(event, apiOperations.ListEvents.query);
  return {
    statusCode: 200,
    body: await listEvents(deps, {
      principal: context.principal,
      after: query.after,
      limit: query.limit ?? 50,
    }),
  };
});
