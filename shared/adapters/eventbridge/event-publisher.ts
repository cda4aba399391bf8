import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type ExchangeEvent, eventRouting } from '../../domain/events/exchange-event.ts';
import { logger } from '../../logger.ts';
import type { EventPublisher, PublishOutcome } from '../../ports/event-publisher.ts';
import { eventBusNameEnvVar, eventPublisherEnvVar } from '../../resources.ts';
import { awsClientSettings } from '../aws-client-settings.ts';

/** PutEvents takes at most 10 entries a call. */
const maxEntriesPerCall = 10;

/**
 * Each event as one entry: the exchange's `source` and `detail-type` for rules to match on, and as detail the
 * whole envelope (id, version, time, recipients, detail), so a subscriber dedupes by `detail.id`.
 */
const toEntry = (event: ExchangeEvent, eventBusName: string): PutEventsRequestEntry => {
  const { source, detailType } = eventRouting(event.type);
  return {
    EventBusName: eventBusName,
    Source: source,
    DetailType: detailType,
    Time: new Date(event.time),
    Detail: JSON.stringify(event),
  };
};

/**
 * Publishes on an EventBridge custom bus, 10 entries a call. PutEvents answers per entry, in order: an entry with
 * an error code failed alone, the others were accepted. A call that throws fails its 10 entries; the next chunk
 * is still tried.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly ExchangeEvent[]): Promise<PublishOutcome> {
    const published: string[] = [];
    const failed: { eventId: string; code: string }[] = [];
    for (let start = 0; start < events.length; start += maxEntriesPerCall) {
      const chunk = events.slice(start, start + maxEntriesPerCall);
      try {
        const result = await this.client.send(
          new PutEventsCommand({ Entries: chunk.map((event) => toEntry(event, this.eventBusName)) }),
        );
        chunk.forEach((event, i) => {
          const entry = result.Entries?.[i];
          // No result for an entry, or no event id for it, is no proof it was accepted: treat it as failed.
          if (entry?.EventId !== undefined && entry.ErrorCode === undefined) published.push(event.id);
          else failed.push({ eventId: event.id, code: entry?.ErrorCode ?? 'NO_RESULT' });
        });
      } catch (error) {
        logger.error('eventbridge PutEvents failed', { errorName: (error as Error)?.name });
        for (const event of chunk) failed.push({ eventId: event.id, code: 'CALL_FAILED' });
      }
    }
    return { published, failed };
  }
}

/**
 * The local exchange's publisher: accepts everything and only counts, because locally subscribers read the
 * feed (GET /v1/events), which appendEvents wrote with the state change.
 */
export class CountingEventPublisher implements EventPublisher {
  count = 0;

  async publish(events: readonly ExchangeEvent[]): Promise<PublishOutcome> {
    this.count += events.length;
    return { published: events.map((event) => event.id), failed: [] };
  }
}

/**
 * Chooses the publisher by the variable the function was given: a bus name (AWS) or `EVENT_PUBLISHER=local`.
 * Neither is a configuration error, reported at cold start naming both.
 */
export const eventPublisherFromEnvironment = (env: NodeJS.ProcessEnv = process.env): EventPublisher => {
  const busName = env[eventBusNameEnvVar];
  if (busName !== undefined && busName !== '')
    return new EventBridgePublisher(new EventBridgeClient({ ...awsClientSettings }), busName);
  if (env[eventPublisherEnvVar] === 'local') return new CountingEventPublisher();
  throw new Error(
    `pbx configuration: missing environment variable ${eventBusNameEnvVar} (or ${eventPublisherEnvVar}=local)`,
  );
};
