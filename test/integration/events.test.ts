import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { appendEvents } from '#shared/adapters/dynamodb/event-outbox.ts';
import { Transaction } from '#shared/adapters/dynamodb/transaction.ts';
import { type ExchangeEvent, newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { errorBodySchema, eventFeedSchema } from '#shared/http/api-contract.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor, localDynamoClient } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';

// One ephemeral exchange; the relay runs only when a test asks (runSchedule).
let exchange: RunningExchange;
let doc: ReturnType<typeof createDocumentClient>;
const written: ExchangeEvent[] = [];

const brent = 'lb-brent';
const police = 'met-nw-bcu';
const harrow = 'lb-harrow';

/** A request's events between two organisations, as the request store would append them. */
const requestEvents = (n: number, requester: string, responder: string, start: number): ExchangeEvent[] =>
  Array.from({ length: n }, (_, i) =>
    newExchangeEvent(
      'RequestSubmitted',
      {
        requestId: `req-${requester}-${i}`,
        requesterOrganisationId: requester,
        responderOrganisationId: responder,
        agreementId: 'isa-nw-bcu-mash',
        agreementVersion: 1,
        purpose: 'child-protection-enquiry',
        dataCategories: ['police-intelligence'],
        urgency: 'routine',
        dueAt: '2026-03-10T10:00:00.000Z',
      },
      [requester, responder],
      new Date(start + i),
    ),
  );

const markers = async () =>
  (
    await doc.send(
      new QueryCommand({
        TableName: exchange.tableName('events'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'UNPUBLISHED' },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

/** Every event a user's organisation sees, following `next`, with the pages it took. */
const feedOf = async (user: string, limit: number) => {
  const client = await clientActingFor(exchange, user);
  const events: ExchangeEvent[] = [];
  let pages = 0;
  let after: string | undefined;
  for (;;) {
    const answer = await client.call(
      'GET',
      `/v1/events?limit=${limit}${after === undefined ? '' : `&after=${after}`}`,
    );
    expect(answer.status).toBe(200);
    const page = eventFeedSchema.parse(answer.body);
    pages += 1;
    events.push(...page.events);
    if (page.next === undefined) break;
    after = page.next;
  }
  return { events, pages };
};

// Event times within the feed's retention: DynamoDB Local deletes items past their TTL (`expiresAt`) about every
// 10 s, so events dated long ago vanish from the feed while the file runs.
const day = 86_400_000;
const start = Date.now() - 3 * day;

const idsFor = (organisation: string) =>
  written
    .filter((e) => e.recipients.includes(organisation))
    .map((e) => e.id)
    .sort();

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  doc = createDocumentClient(localDynamoClient(exchange));
  // Two transactions, as two state changes: Brent and the police (5 events), Harrow and the police (3 events).
  for (const events of [
    requestEvents(5, brent, police, start),
    requestEvents(3, harrow, police, start + 100),
  ]) {
    const tx = new Transaction().put(exchange.tableName('events'), {
      pk: 'TEST#state',
      sk: events[0]?.id ?? '',
    });
    expect(await appendEvents(tx, exchange.tableName('events'), events).commit(doc)).toBe('committed');
    written.push(...events);
  }
});

afterAll(async () => {
  await exchange?.stop();
});

describe('the event outbox and relay', () => {
  it('writes a relay marker per event in the same transaction, and the relay publishes and removes them', async () => {
    expect((await markers()).map((m) => m.sk)).toEqual(written.map((e) => e.id).sort());
    const summary = await exchange.runSchedule('RelayEvents');
    expect(summary).toMatchObject({ published: written.length, failed: 0 });
    expect(await markers()).toEqual([]);
    expect(await exchange.runSchedule('RelayEvents')).toMatchObject({ published: 0, failed: 0 });
  });

  it('writes nothing when the state change does not commit', async () => {
    const [event] = requestEvents(1, brent, police, start + day);
    if (event === undefined) throw new Error('no event');
    // The state change is conditional on an item that does not exist: the whole transaction is cancelled.
    const tx = new Transaction().set(exchange.tableName('events'), { pk: 'TEST#missing', sk: 'x' }, { a: 1 });
    expect(await appendEvents(tx, exchange.tableName('events'), [event]).commit(doc)).toBe(
      'condition-failed',
    );
    expect(await markers()).toEqual([]);
    expect((await feedOf('lb-brent.practitioner', 100)).events.map((e) => e.id)).not.toContain(event.id);
  });
});

describe('GET /v1/events', () => {
  it('shows each organisation its own events only, oldest first, in pages', async () => {
    const brentFeed = await feedOf('lb-brent.practitioner', 2);
    expect(brentFeed.events.map((e) => e.id)).toEqual(idsFor(brent));
    expect(brentFeed.pages).toBeGreaterThanOrEqual(3);
    expect(brentFeed.events.every((e) => e.recipients.includes(brent))).toBe(true);

    const harrowFeed = await feedOf('lb-harrow.practitioner', 100);
    expect(harrowFeed.events.map((e) => e.id)).toEqual(idsFor(harrow));
    expect(
      harrowFeed.events.some(
        (e) => 'requesterOrganisationId' in e.detail && e.detail.requesterOrganisationId === brent,
      ),
    ).toBe(false);

    const policeFeed = await feedOf('met-nw-bcu.practitioner', 3);
    expect(policeFeed.events.map((e) => e.id)).toEqual(idsFor(police));
    expect(policeFeed.events).toHaveLength(8);

    const barnet = await feedOf('lb-barnet.practitioner', 100);
    expect(barnet.events).toEqual([]);
  });

  it('starts after a cursor', async () => {
    const ids = idsFor(brent);
    const client = await clientActingFor(exchange, 'lb-brent.practitioner');
    const answer = await client.call('GET', `/v1/events?after=${ids[2]}`);
    expect(eventFeedSchema.parse(answer.body).events.map((e) => e.id)).toEqual(ids.slice(3));
  });

  it('refuses a malformed cursor or limit (400 INVALID_INPUT)', async () => {
    const client = await clientActingFor(exchange, 'lb-brent.practitioner');
    for (const query of ['after=not-an-id', 'limit=0', 'limit=101', 'colour=blue']) {
      const answer = await client.call('GET', `/v1/events?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(errorBodySchema.parse(answer.body).error).toBe('INVALID_INPUT');
    }
  });

  it('is documented in the OpenAPI document', async () => {
    const answer = await fetch(`${exchange.url}/v1/openapi.json`);
    const document = (await answer.json()) as { paths: Record<string, { get?: unknown }> };
    expect(document.paths['/v1/events']?.get).toBeDefined();
  });
});

describe('pbx events tail', () => {
  it("prints the caller's organisation's events, one JSON line each, after a cursor if asked", async () => {
    const all = await runPbx(exchange, ['events', 'tail', '--as', 'lb-harrow-system']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const lines = all.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ExchangeEvent);
    expect(lines.map((e) => e.id)).toEqual(idsFor(harrow));
    expect(lines[0]).toEqual(written.find((e) => e.id === lines[0]?.id));

    const ids = idsFor(harrow);
    const after = await runPbx(exchange, [
      'events',
      'tail',
      '--after',
      ids[0] ?? '',
      '--as',
      'lb-harrow-system',
    ]);
    expect(
      after.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual(ids.slice(1));
  });

  it('refuses a malformed --after or --interval-ms as a usage error (exit 2)', async () => {
    expect(
      (await runPbx(exchange, ['events', 'tail', '--after', 'x', '--as', 'lb-harrow-system'])).code,
    ).toBe(2);
    expect(
      (
        await runPbx(exchange, [
          'events',
          'tail',
          '--follow',
          '--interval-ms',
          'soon',
          '--as',
          'lb-harrow-system',
        ])
      ).code,
    ).toBe(2);
  });

  it('with --follow, prints events written after it started, until interrupted', async () => {
    const launcher = fileURLToPath(new URL('../../cli/pbx.js', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, PBX_URL: exchange.url, PBX_KEYS_DIR: exchange.keysDir };
    delete env.PBX_SUB;
    const ids = idsFor(brent);
    const child = spawn(
      process.execPath,
      [
        launcher,
        'events',
        'tail',
        '--follow',
        '--interval-ms',
        '200',
        '--after',
        ids.at(-1) ?? '',
        '--as',
        'lb-brent-system',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    try {
      const [late] = requestEvents(1, brent, police, start + 2 * day);
      if (late === undefined) throw new Error('no event');
      const tx = new Transaction().put(exchange.tableName('events'), { pk: 'TEST#state', sk: late.id });
      expect(await appendEvents(tx, exchange.tableName('events'), [late]).commit(doc)).toBe('committed');
      const deadline = Date.now() + 15_000;
      while (!stdout.includes(late.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(
        stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).id),
      ).toEqual([late.id]);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGINT');
    }
  });
});
