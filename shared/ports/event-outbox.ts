import type { ExchangeEvent } from '../domain/events/exchange-event.ts';

/**
 * The relay's view of the outbox: events written with their state change (appendEvents) and not yet published,
 * oldest first, and the removal of their markers once published.
 */
export type EventOutbox = {
  listUnpublished(limit: number): Promise<ExchangeEvent[]>;
  markPublished(eventIds: readonly string[]): Promise<void>;
};

export type EventFeedPage = { events: ExchangeEvent[]; next?: string };

/** One organisation's events, oldest first, after a cursor (an event id). */
export type EventFeed = {
  listFeed(organisationId: string, after: string | undefined, limit: number): Promise<EventFeedPage>;
};
