import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { DynamoAuditLog, entryKey, pendingKey } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

/**
 * The audit table is append-only to every function but the sequencer (infra: the `append` access), but a
 * principal outside the exchange's code could still remove an entry or its pending marker before it is
 * sequenced. The sequencer's pending-set check must report either, and sequence the rest.
 */
let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let log: DynamoMerkleLogStore;
let audit: DynamoAuditLog;
const table = () => exchange.tableName('audit');

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  dynamo = localDynamoClient(exchange);
  doc = createDocumentClient(dynamo);
  log = new DynamoMerkleLogStore(doc, table());
  audit = new DynamoAuditLog(doc, table());
  // Everything the start recorded is sequenced first: the log is clean.
  const clean = await sequenceAuditEntries(
    { log, clock: systemClock },
    { batchSize: 100, maxBatches: 1_000 },
  );
  expect(clean.anomalies).toEqual([]);
});

afterAll(async () => {
  dynamo?.destroy();
  await exchange?.stop();
});

const record = async () => {
  const entry = newAuditEntry({ actor: systemActor, action: 'test.pending', outcome: 'allowed' }, new Date());
  await audit.record(entry);
  return entry.id;
};

/**
 * Runs the sequencer, its sweep `sweepItems` items of the table per run, until it has reported `expected`
 * anomalies or run `maxRuns` times; what it appended and reported, by entry id.
 */
const sequenceWithSweep = async (input: { sweepItems: number; expected: number; maxRuns: number }) => {
  const kinds = new Map<string, string>();
  let appended = 0;
  for (let run = 0; run < input.maxRuns && kinds.size < input.expected; run += 1) {
    const summary = await sequenceAuditEntries(
      { log, clock: systemClock },
      { batchSize: 100, maxBatches: 10, sweepItems: input.sweepItems },
    );
    appended += summary.appended;
    for (const anomaly of summary.anomalies) kinds.set(anomaly.entryId, anomaly.kind);
  }
  return { kinds, appended };
};

describe('the pending-set check', () => {
  it('reports an entry whose pending marker was deleted, and a marker whose entry was deleted', async () => {
    const [kept, markerDeleted, entryDeleted] = [await record(), await record(), await record()];
    await doc.send(new DeleteCommand({ TableName: table(), Key: pendingKey(markerDeleted) }));
    await doc.send(new DeleteCommand({ TableName: table(), Key: entryKey(entryDeleted) }));

    const { kinds, appended } = await sequenceWithSweep({ sweepItems: 50, expected: 2, maxRuns: 100 });
    expect(kinds.get(markerDeleted)).toBe('MARKER_MISSING');
    expect(kinds.get(entryDeleted)).toBe('ENTRY_MISSING');
    expect(kinds.has(kept)).toBe(false);
    expect([...kinds.keys()].sort()).toEqual([markerDeleted, entryDeleted].sort());
    // The untouched entry was sequenced; the one without a marker was not, and no marker blocks the others.
    expect(appended).toBe(1);
    const head = await log.readTreeHead();
    const leaves = await log.readLeaves(0, (head?.size ?? 0) + 1);
    const sequenced = new Set(leaves.map((leaf) => leaf.entry.id));
    expect(sequenced.has(kept)).toBe(true);
    expect(sequenced.has(markerDeleted)).toBe(false);
    expect(await log.listUnsequenced(10)).toEqual([]);
  });

  it('reports nothing while entries are recorded and sequenced as the exchange does', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => record()));
    const { kinds, appended } = await sequenceWithSweep({ sweepItems: 100_000, expected: 3, maxRuns: 1 });
    expect(appended).toBe(ids.length);
    for (const id of ids) expect(kinds.has(id)).toBe(false);
  });

  it('raises the alarm from the scheduled sequencer itself', async () => {
    const id = await record();
    await doc.send(new DeleteCommand({ TableName: table(), Key: entryKey(id) }));
    const summary = (await exchange.runSchedule('SequenceAuditLog')) as {
      anomalies: { kind: string; entryId: string }[];
    };
    expect(summary.anomalies).toContainEqual({ kind: 'ENTRY_MISSING', entryId: id });
  });
});
