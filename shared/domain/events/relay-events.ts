import type { EventOutbox } from '../../ports/event-outbox.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';

export type RelayDeps = { outbox: EventOutbox; publisher: EventPublisher };

export type RelaySummary = {
  readonly published: number;
  readonly failed: number;
  /** Why the bus refused, per refused event, for the log (codes only, never the event). */
  readonly failures: readonly { readonly eventId: string; readonly code: string }[];
};

/**
 * Publishes the events of the outbox, oldest first, and removes each one's marker only after the bus accepted
 * it: a crash or a refusal between the two leaves the marker, and the event is published again on a later run.
 * Delivery is therefore at least once, and subscribers deduplicate by event id. Events are not strictly
 * ordered on the bus either (a refused event is retried after newer ones went out); the feed, read by id, is.
 * A batch with a refusal ends the run, so a bus that refuses is not hammered until the next tick.
 */
export const relayEvents = async (
  deps: RelayDeps,
  options: { batchSize: number; maxBatches: number },
): Promise<RelaySummary> => {
  let published = 0;
  const failures: { eventId: string; code: string }[] = [];
  for (let batch = 0; batch < options.maxBatches; batch += 1) {
    const events = await deps.outbox.listUnpublished(options.batchSize);
    if (events.length === 0) break;
    const outcome = await deps.publisher.publish(events);
    const accepted = new Set(outcome.published);
    // Only ids of this batch that the bus accepted: an unknown id from a publisher must not clear a marker.
    const done = events.filter((event) => accepted.has(event.id)).map((event) => event.id);
    if (done.length > 0) await deps.outbox.markPublished(done);
    published += done.length;
    const refused = events.filter((event) => !accepted.has(event.id));
    for (const event of refused) {
      failures.push({
        eventId: event.id,
        code: outcome.failed.find((f) => f.eventId === event.id)?.code ?? 'NOT_PUBLISHED',
      });
    }
    if (refused.length > 0 || events.length < options.batchSize) break;
  }
  return { published, failed: failures.length, failures };
};
