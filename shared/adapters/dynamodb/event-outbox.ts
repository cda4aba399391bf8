import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ExchangeEvent, exchangeEventSchema } from '../../domain/events/exchange-event.ts';
import type { EventFeed, EventFeedPage, EventOutbox } from '../../ports/event-outbox.ts';
import { callDynamo, type Transaction } from './transaction.ts';

/** How long an organisation's feed keeps an event (DynamoDB TTL on `expiresAt`, epoch seconds). */
export const feedRetentionSeconds = 30 * 24 * 60 * 60;

/** One organisation's feed: its events in id (time) order. */
export const feedKey = (organisationId: string, eventId: string) => ({
  pk: `ORG#${organisationId}`,
  sk: eventId,
});

/**
 * Events not yet published on the bus, in id (time) order, in one partition of markers written in the same
 * transaction as the event; the relay deletes a marker once the bus accepted its event. Markers carry no TTL: an
 * event the bus keeps refusing stays until it is published.
 */
export const unpublishedKey = (eventId: string) => ({ pk: 'UNPUBLISHED', sk: eventId });

/**
 * The one way an event is written: appended to the transaction of the state change it reports, so the event
 * exists if and only if the change committed. Per event, one feed item per recipient organisation and one relay
 * marker; each put is conditional on absence, so an id written twice cancels the transaction.
 */
export const appendEvents = (
  tx: Transaction,
  eventsTableName: string,
  events: readonly ExchangeEvent[],
): Transaction => {
  for (const candidate of events) {
    const event = exchangeEventSchema.parse(candidate);
    const expiresAt = Math.floor(Date.parse(event.time) / 1000) + feedRetentionSeconds;
    for (const organisationId of new Set(event.recipients)) {
      tx.put(eventsTableName, { ...feedKey(organisationId, event.id), event, expiresAt }, { ifAbsent: true });
    }
    tx.put(eventsTableName, { ...unpublishedKey(event.id), event }, { ifAbsent: true });
  }
  return tx;
};

const storedEventSchema = z.object({ event: exchangeEventSchema });

/** DynamoDB's limit on the writes of one BatchWriteItem call. */
const maxBatchWrites = 25;
const maxDeleteAttempts = 5;

export class DynamoEventOutbox implements EventOutbox, EventFeed {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listUnpublished(limit: number): Promise<ExchangeEvent[]> {
    const page = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': unpublishedKey('').pk },
          ConsistentRead: true,
          ScanIndexForward: true,
          Limit: limit,
        }),
      ),
    );
    return (page.Items ?? []).map((item) => storedEventSchema.parse(item).event);
  }

  /** Deletes the markers of published events; unconditional, so a marker another relay removed is no error. */
  async markPublished(eventIds: readonly string[]): Promise<void> {
    for (let start = 0; start < eventIds.length; start += maxBatchWrites) {
      let requests = eventIds
        .slice(start, start + maxBatchWrites)
        .map((id) => ({ DeleteRequest: { Key: unpublishedKey(id) } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt === maxDeleteAttempts) {
          // The events stay marked and are published again: consumers dedupe by event id.
          throw new Error('the relay could not delete its published markers');
        }
        const result = await callDynamo('BatchWriteItem', () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } })),
        );
        requests = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  async listFeed(organisationId: string, after: string | undefined, limit: number): Promise<EventFeedPage> {
    const page: QueryCommandOutput = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: {
            ':pk': feedKey(organisationId, '').pk,
            ...(after === undefined ? {} : { ':after': after }),
          },
          ConsistentRead: true,
          ScanIndexForward: true,
          Limit: limit,
        }),
      ),
    );
    const events = (page.Items ?? []).map((item) => storedEventSchema.parse(item).event);
    const last = events.at(-1);
    // A full page may have more behind it; the cursor is the last id served, so the next read starts after it.
    return { events, ...(page.LastEvaluatedKey !== undefined && last ? { next: last.id } : {}) };
  }
}
