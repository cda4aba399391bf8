import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '#shared/adapters/eventbridge/event-publisher.ts';
import { type ExchangeEvent, newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { relayEvents } from '#shared/domain/events/relay-events.ts';
import type { EventOutbox } from '#shared/ports/event-outbox.ts';
import type { EventPublisher, PublishOutcome } from '#shared/ports/event-publisher.ts';

const eventAt = (ms: number, requestId = `req-${ms}`): ExchangeEvent =>
  newExchangeEvent(
    'RequestOverdue',
    {
      requestId,
      requesterOrganisationId: 'lb-brent',
      responderOrganisationId: 'met-nw-bcu',
      dueAt: '2026-03-01T10:00:00.000Z',
    },
    ['lb-brent', 'met-nw-bcu'],
    new Date(Date.UTC(2026, 2, 1, 10) + ms),
  );

/** The outbox's markers in memory, listed oldest first as the DynamoDB query lists them. */
const inMemoryOutbox = (events: ExchangeEvent[]) => {
  const markers = new Map(events.map((e) => [e.id, e]));
  const outbox: EventOutbox = {
    listUnpublished: async (limit) =>
      [...markers.values()].sort((a, b) => a.id.localeCompare(b.id)).slice(0, limit),
    markPublished: async (ids) => {
      for (const id of ids) markers.delete(id);
    },
  };
  return { outbox, markers };
};

/** A bus that records what it accepted and refuses the events it is told to, or fails whole calls. */
const fakePublisher = (options: { refuse?: Set<string>; throws?: boolean } = {}) => {
  const accepted: string[] = [];
  const publisher: EventPublisher = {
    publish: async (events): Promise<PublishOutcome> => {
      if (options.throws) throw new Error('bus down');
      const refused = events.filter((e) => options.refuse?.has(e.id));
      const ok = events.filter((e) => !options.refuse?.has(e.id)).map((e) => e.id);
      accepted.push(...ok);
      return { published: ok, failed: refused.map((e) => ({ eventId: e.id, code: 'ThrottlingException' })) };
    },
  };
  return { publisher, accepted };
};

describe('relayEvents', () => {
  it('publishes every marked event oldest first, in batches, and removes each marker', async () => {
    const events = [3, 1, 2, 5, 4].map((ms) => eventAt(ms));
    const { outbox, markers } = inMemoryOutbox(events);
    const { publisher, accepted } = fakePublisher();
    const summary = await relayEvents({ outbox, publisher }, { batchSize: 2, maxBatches: 10 });
    expect(summary).toEqual({ published: 5, failed: 0, failures: [] });
    expect(accepted).toEqual([...events].sort((a, b) => a.id.localeCompare(b.id)).map((e) => e.id));
    expect(markers.size).toBe(0);
  });

  it('leaves the marker of an event the bus refused, and removes the others', async () => {
    const events = [1, 2, 3].map((ms) => eventAt(ms));
    const refused = events[1]?.id ?? '';
    const { outbox, markers } = inMemoryOutbox(events);
    const { publisher } = fakePublisher({ refuse: new Set([refused]) });
    const summary = await relayEvents({ outbox, publisher }, { batchSize: 10, maxBatches: 10 });
    expect(summary).toEqual({
      published: 2,
      failed: 1,
      failures: [{ eventId: refused, code: 'ThrottlingException' }],
    });
    expect([...markers.keys()]).toEqual([refused]);
  });

  it('leaves every marker when publishing fails outright, so the next run publishes them again', async () => {
    const events = [1, 2].map((ms) => eventAt(ms));
    const { outbox, markers } = inMemoryOutbox(events);
    const { publisher } = fakePublisher({ throws: true });
    await expect(relayEvents({ outbox, publisher }, { batchSize: 10, maxBatches: 10 })).rejects.toThrow();
    expect(markers.size).toBe(2);
    const retry = await relayEvents(
      { outbox, publisher: fakePublisher().publisher },
      { batchSize: 10, maxBatches: 10 },
    );
    expect(retry.published).toBe(2);
    expect(markers.size).toBe(0);
  });

  it('stops the run at the first batch with a refusal, not hammering a refusing bus', async () => {
    const events = [1, 2, 3, 4].map((ms) => eventAt(ms));
    const { outbox, markers } = inMemoryOutbox(events);
    const { publisher, accepted } = fakePublisher({ refuse: new Set([events[0]?.id ?? '']) });
    const summary = await relayEvents({ outbox, publisher }, { batchSize: 2, maxBatches: 10 });
    expect(summary.published).toBe(1);
    expect(accepted).toEqual([events[1]?.id]);
    expect(markers.size).toBe(3);
  });

  it('never removes a marker for an id the publisher claims but was not asked to publish', async () => {
    const events = [eventAt(1)];
    const { outbox, markers } = inMemoryOutbox(events);
    const publisher: EventPublisher = {
      publish: async () => ({ published: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'], failed: [] }),
    };
    const summary = await relayEvents({ outbox, publisher }, { batchSize: 10, maxBatches: 10 });
    expect(summary.published).toBe(0);
    expect(summary.failures).toEqual([{ eventId: events[0]?.id, code: 'NOT_PUBLISHED' }]);
    expect(markers.size).toBe(1);
  });
});

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  it('puts events in chunks of 10 on the named bus, source and detail-type per event, the envelope as detail', async () => {
    eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `eb-${i}` })),
    }));
    const events = Array.from({ length: 23 }, (_, i) => eventAt(i));
    const outcome = await new EventBridgePublisher(new EventBridgeClient({}), 'pbx-test').publish(events);
    expect(outcome).toEqual({ published: events.map((e) => e.id), failed: [] });
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    const first = calls[0]?.args[0].input.Entries?.[0];
    expect(first).toMatchObject({
      EventBusName: 'pbx-test',
      Source: 'pbx.requests',
      DetailType: 'RequestOverdue',
    });
    expect(JSON.parse(first?.Detail ?? '{}')).toEqual(events[0]);
  });

  it('treats FailedEntryCount > 0 as the failure of the entries with an error code only', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: 'eb-0' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
        { EventId: 'eb-2' },
      ],
    });
    const events = [1, 2, 3].map((ms) => eventAt(ms));
    const outcome = await new EventBridgePublisher(new EventBridgeClient({}), 'pbx-test').publish(events);
    expect(outcome).toEqual({
      published: [events[0]?.id, events[2]?.id],
      failed: [{ eventId: events[1]?.id, code: 'InternalFailure' }],
    });
  });

  it('fails the entries of a call that throws, and still tries the next chunk', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-0' }] });
    const events = Array.from({ length: 11 }, (_, i) => eventAt(i));
    const outcome = await new EventBridgePublisher(new EventBridgeClient({}), 'pbx-test').publish(events);
    expect(outcome.failed.map((f) => f.eventId)).toEqual(events.slice(0, 10).map((e) => e.id));
    expect(outcome.failed.every((f) => f.code === 'CALL_FAILED')).toBe(true);
    expect(outcome.published).toEqual([events[10]?.id]);
  });

  it('with the relay: a partial failure leaves exactly the failed entries marked', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure' }, { EventId: 'eb-1' }],
    });
    const events = [1, 2].map((ms) => eventAt(ms));
    const { outbox, markers } = inMemoryOutbox(events);
    const publisher = new EventBridgePublisher(new EventBridgeClient({}), 'pbx-test');
    await relayEvents({ outbox, publisher }, { batchSize: 10, maxBatches: 10 });
    expect([...markers.keys()]).toEqual([events[0]?.id]);
  });
});
