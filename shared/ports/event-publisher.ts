import type { ExchangeEvent } from '../domain/events/exchange-event.ts';

/** What the bus did with each event of one publish call: accepted, or refused with the reason it gave. */
export type PublishOutcome = {
  readonly published: readonly string[];
  readonly failed: readonly { readonly eventId: string; readonly code: string }[];
};

/**
 * Publishes events to subscribers (EventBridge in AWS). Delivery is at least once: the relay publishes an event
 * again when it cannot tell that the bus took it, so subscribers deduplicate by event id.
 */
export type EventPublisher = {
  publish(events: readonly ExchangeEvent[]): Promise<PublishOutcome>;
};
