import { describe, expect, it } from 'vitest';
import { appendEvents, feedRetentionSeconds } from '#shared/adapters/dynamodb/event-outbox.ts';
import { Transaction } from '#shared/adapters/dynamodb/transaction.ts';
import {
  type DetailOf,
  eventRouting,
  exchangeEventSchema,
  newExchangeEvent,
} from '#shared/domain/events/exchange-event.ts';

const now = new Date('2026-03-01T09:30:00.000Z');
const overdue: DetailOf<'RequestOverdue'> = {
  requestId: 'req-1',
  requesterOrganisationId: 'lb-brent',
  responderOrganisationId: 'met-nw-bcu',
  dueAt: '2026-03-01T10:30:00.000Z',
};
const submitted: DetailOf<'RequestSubmitted'> = {
  requestId: 'req-1',
  requesterOrganisationId: 'lb-brent',
  responderOrganisationId: 'met-nw-bcu',
  agreementId: 'isa-nw-bcu-mash',
  agreementVersion: 2,
  purpose: 'child-protection-enquiry',
  dataCategories: ['police-intelligence'],
  urgency: 'immediate',
  dueAt: '2026-03-01T10:30:00.000Z',
};

describe('newExchangeEvent', () => {
  it('stamps a ULID of the time, the version and the time, and keeps detail and recipients', () => {
    const event = newExchangeEvent('RequestSubmitted', submitted, ['lb-brent', 'met-nw-bcu'], now);
    expect(event.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // A ULID's first 10 characters encode its millisecond time: ids order events by time.
    const later = newExchangeEvent('RequestSubmitted', submitted, ['lb-brent'], new Date(now.getTime() + 1));
    expect(later.id > event.id).toBe(true);
    expect(event).toMatchObject({
      type: 'RequestSubmitted',
      version: 1,
      time: '2026-03-01T09:30:00.000Z',
      recipients: ['lb-brent', 'met-nw-bcu'],
      detail: submitted,
    });
    expect(exchangeEventSchema.parse(event)).toEqual(event);
  });

  it('lists each recipient once', () => {
    const event = newExchangeEvent('RequestSubmitted', submitted, ['lb-brent', 'lb-brent'], now);
    expect(event.recipients).toEqual(['lb-brent']);
  });

  it('refuses an event nobody may see', () => {
    expect(() => newExchangeEvent('RequestSubmitted', submitted, [], now)).toThrow(TypeError);
  });

  it('refuses a detail that does not match the schema of its type', () => {
    expect(() =>
      newExchangeEvent(
        'RequestSubmitted',
        { ...submitted, urgency: 'whenever' as 'routine' },
        ['lb-brent'],
        now,
      ),
    ).toThrow();
    expect(() =>
      newExchangeEvent(
        'RequestDecided',
        submitted as unknown as DetailOf<'RequestDecided'>,
        ['lb-brent'],
        now,
      ),
    ).toThrow();
  });

  it('refuses a detail with a field its schema does not name, so personal data cannot slip in', () => {
    const withSubject = { ...submitted, subjectRef: 'subj-123' };
    expect(() => newExchangeEvent('RequestSubmitted', withSubject, ['lb-brent'], now)).toThrow();
  });

  it('routes each type by its module: source pbx.requests, detail-type the type', () => {
    expect(eventRouting('ShareFetched')).toEqual({ source: 'pbx.requests', detailType: 'ShareFetched' });
  });
});

describe('exchangeEventSchema (the reader of stored and served events)', () => {
  it('drops detail fields it does not know and refuses a missing one', () => {
    const event = newExchangeEvent('RequestOverdue', overdue, ['lb-brent'], now);
    const stored = { ...event, detail: { ...event.detail, addedLater: true } };
    expect(exchangeEventSchema.parse(stored)).toEqual(event);
    const { dueAt: _dueAt, ...missing } = event.detail;
    expect(exchangeEventSchema.safeParse({ ...event, detail: missing }).success).toBe(false);
  });

  it('refuses an unknown type or version', () => {
    const event = newExchangeEvent('RequestOverdue', overdue, ['lb-brent'], now);
    expect(exchangeEventSchema.safeParse({ ...event, type: 'RequestLost' }).success).toBe(false);
    expect(exchangeEventSchema.safeParse({ ...event, version: 2 }).success).toBe(false);
  });
});

describe('appendEvents', () => {
  /** The TransactWriteItems a transaction would send, without a DynamoDB to send them to. */
  const itemsOf = async (tx: Transaction) => {
    const sent: unknown[] = [];
    await tx.commit({
      send: async (command: { input: { TransactItems: unknown[] } }) => {
        sent.push(...command.input.TransactItems);
        return {};
      },
    } as never);
    return sent as {
      Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression?: string };
    }[];
  };

  it('adds, per event, a feed item per recipient (TTL 30 days) and one relay marker, all conditional on absence', async () => {
    const a = newExchangeEvent('RequestSubmitted', submitted, ['lb-brent', 'met-nw-bcu'], now);
    const b = newExchangeEvent(
      'RequestWithdrawn',
      {
        requestId: 'req-1',
        requesterOrganisationId: 'lb-brent',
        responderOrganisationId: 'met-nw-bcu',
        withdrawnAt: now.toISOString(),
      },
      ['met-nw-bcu'],
      now,
    );
    const tx = new Transaction().put('requests', { pk: 'REQUEST#req-1', sk: 'REQUEST' });
    expect(appendEvents(tx, 'events', [a, b])).toBe(tx);
    const items = await itemsOf(tx);
    expect(items).toHaveLength(1 + 3 + 2);
    const eventItems = items.slice(1).map((i) => i.Put);
    expect(eventItems.every((p) => p.TableName === 'events')).toBe(true);
    expect(eventItems.every((p) => p.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    expect(eventItems.map((p) => [p.Item.pk, p.Item.sk])).toEqual([
      ['ORG#lb-brent', a.id],
      ['ORG#met-nw-bcu', a.id],
      ['UNPUBLISHED', a.id],
      ['ORG#met-nw-bcu', b.id],
      ['UNPUBLISHED', b.id],
    ]);
    const expiresAt = Math.floor(now.getTime() / 1000) + feedRetentionSeconds;
    expect(eventItems[0]?.Item).toEqual({ pk: 'ORG#lb-brent', sk: a.id, event: a, expiresAt });
    // A marker never expires: an event the bus keeps refusing waits until it is published.
    expect(eventItems[2]?.Item).toEqual({ pk: 'UNPUBLISHED', sk: a.id, event: a });
    expect(feedRetentionSeconds).toBe(30 * 24 * 3600);
  });

  it('refuses an event that is not a valid envelope, before anything is written', () => {
    const event = newExchangeEvent('RequestSubmitted', submitted, ['lb-brent'], now);
    expect(() => appendEvents(new Transaction(), 'events', [{ ...event, recipients: [] }])).toThrow();
  });
});
