import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName } from '#local/provision.ts';
import {
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import { DynamoCheckpointStore } from '#shared/adapters/dynamodb/checkpoint-store.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { checkpointObjectKey, S3CheckpointArchive } from '#shared/adapters/s3/checkpoint-archive.ts';
import { type VerifiedCheckpoint, verifyCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { rootOf, verifyConsistency, verifyInclusion } from '#shared/domain/audit/merkle.ts';
import { publishCheckpoint } from '#shared/domain/audit/publish-checkpoint.ts';
import { canonicalJson } from '#shared/domain/canonical-json.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import {
  auditCheckpointSchema,
  auditLeavesSchema,
  consistencyProofSchema,
  errorBodySchema,
  inclusionProofSchema,
} from '#shared/http/api-contract.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';

// One ephemeral exchange; its scheduled functions run only when a test asks (runSchedule).
let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let s3: S3Client;
let trust: { origin: string; verifier: ReturnType<typeof noteVerifierFromKey> };

const discoverySchema = z.object({ audit: z.object({ origin: z.string(), checkpointKey: z.string() }) });

beforeAll(async () => {
  exchange = await startExchange({
    schedules: false,
    checkpointMaxAgeSeconds: 1,
    dynamoDb: sharedDynamoDb(),
  });
  const awsConfig = { region: localRegion, credentials: localCredentials };
  dynamo = new DynamoDBClient({ ...awsConfig, endpoint: exchange.dynamoEndpoint });
  s3 = new S3Client({ ...awsConfig, endpoint: exchange.s3Endpoint, forcePathStyle: true });
  const discovery = discoverySchema.parse(
    await (await fetch(`${exchange.url}/.well-known/pbx-exchange`)).json(),
  );
  trust = { origin: discovery.audit.origin, verifier: noteVerifierFromKey(discovery.audit.checkpointKey) };
});

afterAll(async () => {
  dynamo?.destroy();
  s3?.destroy();
  await exchange?.stop();
});

/** A signed GET by `<org>-system` acting for `user` (`<org>.<name>`). */
const get = async (user: string, pathAndQuery: string) =>
  (await clientActingFor(exchange, user)).call('GET', pathAndQuery);

const operator = 'pbx-operations.operator';
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

const sequenceAndPublish = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  return exchange.runSchedule('PublishAuditCheckpoint');
};

const latestCheckpoint = async (): Promise<VerifiedCheckpoint> => {
  const answer = await get(operator, '/v1/audit/checkpoint');
  expect(answer.status).toBe(200);
  const body = auditCheckpointSchema.parse(answer.body);
  const verified = verifyCheckpoint(body.note, trust);
  expect({ size: verified.size, rootHash: Buffer.from(verified.rootHash).toString('base64') }).toEqual({
    size: body.size,
    rootHash: body.rootHash,
  });
  expect(body.origin).toBe(trust.origin);
  return verified;
};

describe('signed checkpoints and proofs of the audit log', () => {
  let first: VerifiedCheckpoint;
  let second: VerifiedCheckpoint;

  it('publishes the discovery key and origin, and a checkpoint that verifies with them', async () => {
    expect(trust.origin).toBe(`${exchange.exchangeId}/audit`);
    expect(await sequenceAndPublish()).toMatchObject({ published: true });
    first = await latestCheckpoint();
    expect(first.size).toBeGreaterThan(100);
  });

  it('publishes nothing new while the log has not grown', async () => {
    expect(await exchange.runSchedule('PublishAuditCheckpoint')).toEqual({
      published: false,
      reason: 'not-due',
    });
  });

  it('refuses a practitioner (403 NOT_PERMITTED) and bad queries (400 INVALID_INPUT)', async () => {
    const refused = await get('lb-brent.practitioner', '/v1/audit/checkpoint');
    expect({ status: refused.status, error: errorBodySchema.parse(refused.body).error }).toEqual({
      status: 403,
      error: 'NOT_PERMITTED',
    });
    for (const query of [
      `/v1/audit/proofs/inclusion?index=${first.size}`,
      '/v1/audit/proofs/inclusion?index=-1',
      '/v1/audit/proofs/inclusion?index=01',
      `/v1/audit/proofs/inclusion?index=0&size=${first.size + 10_000}`,
      `/v1/audit/proofs/consistency?from=${first.size + 1}&to=${first.size}`,
      '/v1/audit/leaves?limit=1001',
      '/v1/audit/checkpoint?size=01',
      '/v1/audit/evidence?from=3&to=3',
      `/v1/audit/evidence?size=${first.size + 10_000}`,
      `/v1/audit/evidence?to=${first.size + 1}`,
      '/v1/audit/evidence?from=2&to=4&cursor=4',
    ]) {
      const answer = await get(operator, query);
      expect({ query, status: answer.status, error: errorBodySchema.parse(answer.body).error }).toEqual({
        query,
        status: 400,
        error: 'INVALID_INPUT',
      });
    }
  });

  it('publishes a newer checkpoint once the log has grown and the last one has aged', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await sequenceAndPublish()).toMatchObject({ published: true });
    second = await latestCheckpoint();
    expect(second.size).toBeGreaterThan(first.size);
  });

  it('answers inclusion proofs that verify against the checkpoint root', async () => {
    const size = second.size;
    for (const index of [0, 1, Math.floor(size / 2), size - 2, size - 1]) {
      const answer = await get(operator, `/v1/audit/proofs/inclusion?index=${index}`);
      expect(answer.status).toBe(200);
      const proof = inclusionProofSchema.parse(answer.body);
      expect({ index: proof.index, size: proof.size }).toEqual({ index, size });
      verifyInclusion(bytes(proof.leafHash), index, size, proof.proof.map(bytes), second.rootHash);
    }
    // Against the older checkpoint's size too.
    const older = inclusionProofSchema.parse(
      (await get(operator, `/v1/audit/proofs/inclusion?index=3&size=${first.size}`)).body,
    );
    verifyInclusion(bytes(older.leafHash), 3, first.size, older.proof.map(bytes), first.rootHash);
  });

  it('answers a consistency proof between the two checkpoints that verifies', async () => {
    const answer = await get(operator, `/v1/audit/proofs/consistency?from=${first.size}&to=${second.size}`);
    expect(answer.status).toBe(200);
    const proof = consistencyProofSchema.parse(answer.body);
    expect({ from: proof.from, to: proof.to }).toEqual({ from: first.size, to: second.size });
    verifyConsistency(first.size, second.size, proof.proof.map(bytes), first.rootHash, second.rootHash);
  });

  it('serves leaves, in pages, that re-hash to their leaf hashes and to the checkpoint root', async () => {
    const leaves: z.infer<typeof auditLeavesSchema>['leaves'] = [];
    let from: number | undefined = 0;
    while (from !== undefined && from < second.size) {
      const answer = await get(operator, `/v1/audit/leaves?from=${from}&limit=50`);
      expect(answer.status).toBe(200);
      const page = auditLeavesSchema.parse(answer.body);
      leaves.push(...page.leaves);
      from = page.next;
    }
    expect(leaves.slice(0, second.size).map((l) => l.index)).toEqual([...Array(second.size).keys()]);
    for (const leaf of leaves) {
      // RFC 6962 section 2.1: SHA-256(0x00 || leaf bytes), the leaf bytes being the entry's canonical JSON.
      const rehashed = createHash('sha256')
        .update(Uint8Array.of(0))
        .update(canonicalJson(leaf.entry), 'utf8')
        .digest('base64');
      expect(rehashed).toBe(leaf.leafHash);
    }
    const root = rootOf(leaves.slice(0, second.size).map((l) => bytes(l.leafHash)));
    expect(Buffer.from(root).toString('base64')).toBe(Buffer.from(second.rootHash).toString('base64'));
    // Each page was an audited export.
    await exchange.runSchedule('SequenceAuditLog');
    const log = new DynamoMerkleLogStore(createDocumentClient(dynamo), exchange.tableName('audit'));
    const head = await log.readTreeHead();
    const exports = (await log.readLeaves(second.size, head?.size ?? 0)).filter(
      (l) => l.entry.action === 'audit.export' && l.entry.actor.userId === operator,
    );
    expect(exports.length).toBeGreaterThanOrEqual(Math.ceil(second.size / 50));
  });

  it('publishes write-once: the object equals the note, and a second publication for a size is refused', async () => {
    const bucket = localBucketName('auditCheckpoints');
    const read = async (size: number) =>
      (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: checkpointObjectKey(size) }))
      ).Body?.transformToString('utf8');
    expect(await read(first.size)).toBe(first.note);
    expect(await read(second.size)).toBe(second.note);

    const archive = new S3CheckpointArchive(s3, bucket);
    expect(await archive.putOnce(second.size, 'a forged note\n')).toEqual({
      created: false,
      existing: second.note,
    });
    expect(await read(second.size)).toBe(second.note);

    const checkpoints = new DynamoCheckpointStore(createDocumentClient(dynamo), exchange.tableName('audit'));
    const latest = await checkpoints.readLatest();
    if (latest === undefined) throw new Error('no latest checkpoint');
    expect(await checkpoints.record({ ...latest, note: 'another note\n' }, latest.size)).toBe(false);
    expect(await checkpoints.readLatest()).toEqual(latest);

    // A checkpoint of an already published size signed by another key is a split view: refused, not stored.
    const rogue = noteSignerFromPrivateKey(generateNoteKey(exchange.exchangeId).signerKey);
    const log = new DynamoMerkleLogStore(createDocumentClient(dynamo), exchange.tableName('audit'));
    const head = await log.readTreeHead();
    if (head === undefined) throw new Error('no tree head');
    await archive.putOnce(head.size, 'an earlier note\n');
    const attempt = publishCheckpoint(
      {
        log,
        checkpoints,
        archive,
        clock: systemClock,
        key: async () => ({ origin: trust.origin, signer: rogue }),
      },
      { minGrowth: 1, maxAgeSeconds: 1 },
    );
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    expect(await checkpoints.readLatest()).toEqual(latest);
  });
});
