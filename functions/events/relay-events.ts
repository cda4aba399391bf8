import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoEventOutbox } from '#shared/adapters/dynamodb/event-outbox.ts';
import { eventPublisherFromEnvironment } from '#shared/adapters/eventbridge/event-publisher.ts';
import { loadConfig } from '#shared/config.ts';
import { relayEvents } from '#shared/domain/events/relay-events.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';

const config = loadConfig(['EVENTS_TABLE_NAME']);
const deps = {
  outbox: new DynamoEventOutbox(createDocumentClient(), config.EVENTS_TABLE_NAME),
  publisher: eventPublisherFromEnvironment(),
};

/** Scheduled: publishes outbox events on the bus, oldest first, at least once (at most 50 batches a run). */
export const handler = inInvocationLogger(
  middy()
    .use(injectLambdaContext(logger))
    .handler(async () => {
      const summary = await relayEvents(deps, { batchSize: 100, maxBatches: 50 });
      if (summary.published > 0) logger.info('events published', { published: summary.published });
      if (summary.failed > 0) logger.warn('events not published', { failures: summary.failures });
      return summary;
    }),
);
