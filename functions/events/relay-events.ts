import { eventPublisherFromEnvironment } from '#shared/adapters/eventbridge/event-publisher.ts';
import { relayEvents } from '#shared/domain/events/relay-events.ts';
import { eventOutbox } from '#shared/http/stores.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/** Scheduled: publishes outbox events on the bus, oldest first, at least once (at most 50 batches a run). */
export const handler = scheduledFunction(
  'RelayEvents',
  (runtime) => ({
    outbox: eventOutbox(runtime),
    publisher: eventPublisherFromEnvironment(),
  }),
  async (deps) => {
    const summary = await relayEvents(deps, { batchSize: 100, maxBatches: 50 });
    if (summary.published > 0) logger.info('events published', { published: summary.published });
    if (summary.failed > 0) logger.warn('events not published', { failures: summary.failures });
    return summary;
  },
);
