import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { auditLeafData, newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  leafHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '#shared/domain/audit/merkle.ts';
import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let log: DynamoMerkleLogStore;
let audit: DynamoAuditLog;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  dynamo = localDynamoClient(exchange);
  const doc = createDocumentClient(dynamo);
  log = new DynamoMerkleLogStore(doc, exchange.tableName('audit'));
  audit = new DynamoAuditLog(doc, exchange.tableName('audit'));
});

afterAll(async () => {
  dynamo?.destroy();
  await exchange?.stop();
});

const sequenceAll = () =>
  sequenceAuditEntries({ log, clock: systemClock }, { batchSize: 24, maxBatches: 1_000 });

describe('the Merkle log on DynamoDB Local', () => {
  it('sequences every recorded entry once, in consecutive leaves whose root the stored nodes reproduce', async () => {
    const recorded = await audit.readAll();
    const summary = await sequenceAll();
    expect(summary.size).toBe(recorded.length);
    expect(summary.appended).toBe(recorded.length);

    const leaves = await log.readLeaves(0, recorded.length + 10);
    expect(leaves.map((l) => l.index)).toEqual(recorded.map((_, i) => i));
    expect(new Set(leaves.map((l) => l.entry.id))).toEqual(new Set(recorded.map((e) => e.id)));
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    for (const leaf of leaves) expect(hex(leaf.leafHash)).toBe(hex(leafHash(auditLeafData(leaf.entry))));
    const root = rootOf(leaves.map((l) => l.leafHash));
    expect(Buffer.from(root).toString('base64')).toBe(summary.rootHash);
    expect((await log.readTreeHead())?.size).toBe(recorded.length);
    expect(await log.listUnsequenced(10)).toEqual([]);
  });

  it('answers inclusion and consistency proofs from stored nodes that verify against the roots', async () => {
    const head = await log.readTreeHead();
    const size = head?.size ?? 0;
    expect(size).toBeGreaterThan(100);
    const leaves = await log.readLeaves(0, size);
    const root = Buffer.from(head?.rootHash ?? '', 'base64');
    for (const index of [0, 1, Math.floor(size / 2), size - 2, size - 1]) {
      const source = await log.readNodes(inclusionProofNodes(index, size));
      const leaf = leaves[index];
      if (leaf === undefined) throw new Error(`no leaf ${index}`);
      verifyInclusion(leaf.leafHash, index, size, inclusionProof(index, size, source), root);
    }
    const older = 37;
    const olderRoot = rootOf(leaves.slice(0, older).map((l) => l.leafHash));
    const source = await log.readNodes(consistencyProofNodes(older, size));
    verifyConsistency(older, size, consistencyProof(older, size, source), olderRoot, root);
  });

  it('gives each entry exactly one index when sequencers race', async () => {
    const before = (await log.readTreeHead())?.size ?? 0;
    for (let i = 0; i < 60; i += 1) {
      await audit.record(
        newAuditEntry(
          { actor: systemActor, action: 'test.race', outcome: 'allowed' },
          new Date(Date.now() + i),
        ),
      );
    }
    await Promise.all([sequenceAll(), sequenceAll(), sequenceAll()]);
    await sequenceAll();
    const head = await log.readTreeHead();
    expect(head?.size).toBe(before + 60);
    const leaves = await log.readLeaves(0, before + 100);
    expect(leaves).toHaveLength(before + 60);
    expect(new Set(leaves.map((l) => l.entry.id)).size).toBe(before + 60);
    expect(Buffer.from(rootOf(leaves.map((l) => l.leafHash))).toString('base64')).toBe(head?.rootHash);
  });
});
