import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { PbxClient } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import { type AuditEntry, auditEntrySchema, auditLeafData } from '#shared/domain/audit/audit-entry.ts';
import { verifyCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { leafHash } from '#shared/domain/audit/merkle.ts';
import { concernsOrganisation } from '#shared/domain/audit/search.ts';
import { encodeBase64 } from '#shared/domain/audit/signed-note.ts';
import { auditCheckpointSchema } from '#shared/http/api-contract.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';

/**
 * Who may read an audit entry (docs/AUDIT.md "Who may see an audit entry"): Brent asks Harrow, and an IG lead of a
 * third organisation (Barnet) reads leaves, proofs, checkpoints and an evidence export. None of that request's
 * details reach Barnet, Barnet's own entries reach it in full, the export verifies offline, and an export adds a
 * constant number of entries to the log however many it holds.
 */

let exchange: RunningExchange;
let workDir: string;
let trust: { origin: string; verifier: ReturnType<typeof noteVerifierFromKey> };
let requestId: string;

const subjectRef = `sr1.north-west-bcu.${'V'.repeat(42)}A`;
const operator = 'pbx-operations.operator';
const barnetLead = 'lb-barnet.ig-lead';
const barnetAs = ['--as', 'lb-barnet-system', '--sub', barnetLead];

const pbx = (args: readonly string[]) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args);
const get = async (user: string, pathAndQuery: string) =>
  (await clientActingFor(exchange, user)).call('GET', pathAndQuery);

const leafSchema = z.object({
  index: z.number().int().nonnegative(),
  leafHash: z.string(),
  entry: auditEntrySchema.optional(),
});
const leavesPage = z.object({ leaves: z.array(leafSchema), next: z.number().optional() });
type Leaf = z.infer<typeof leafSchema>;

/** Every leaf `user` may read through `/v1/audit/leaves`, following `next`. */
const readAllLeaves = async (user: string): Promise<Leaf[]> => {
  const leaves: Leaf[] = [];
  let from: number | undefined = 0;
  while (from !== undefined) {
    const answer = await get(user, `/v1/audit/leaves?from=${from}&limit=1000`);
    expect(answer.status).toBe(200);
    const page = leavesPage.parse(answer.body);
    leaves.push(...page.leaves);
    from = page.next;
  }
  return leaves;
};

/** The entry is about the Brent→Harrow request (its own steps, not seeding). */
const aboutTheRequest = (entry: AuditEntry) =>
  entry.target?.id === requestId || entry.subjectRef === subjectRef;

/**
 * What must never reach Barnet of the request: its subject, purpose and consent exemption. Its id reaches Barnet
 * only in Barnet's own refused attempt to read it (what Barnet itself sent): `expectOnlyOwnAttempt`.
 */
const secrets = () => [subjectRef, 'SAFEGUARDING_REFERRAL_MASH', 'would-prejudice-protection'];

/** Every entry Barnet sees that names the request is Barnet's own refused read, carrying only what Barnet sent. */
const expectOnlyOwnAttempt = (entries: readonly unknown[]) => {
  const naming = entries.filter((e) => JSON.stringify(e).includes(requestId));
  expect(naming.length).toBeGreaterThanOrEqual(1);
  for (const raw of naming) {
    const entry = auditEntrySchema.parse(raw);
    expect(entry).toMatchObject({ action: 'request.view', outcome: 'refused' });
    expect(entry.actor.organisationId).toBe('lb-barnet');
    for (const field of ['agreement', 'purpose', 'subjectRef', 'parties', 'dataCategories', 'lawfulBasis'])
      expect(entry).not.toHaveProperty(field);
  }
};

const sequenceAndPublish = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  // A checkpoint is due once the latest is older than checkpointMaxAgeSeconds (1 s here).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await exchange.runSchedule('PublishAuditCheckpoint');
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-audit-visibility-'));
  exchange = await startExchange({
    schedules: false,
    checkpointMaxAgeSeconds: 1,
    dynamoDb: sharedDynamoDb(),
  });
  const discovery = z
    .object({ audit: z.object({ origin: z.string(), checkpointKey: z.string() }) })
    .parse(await (await fetch(`${exchange.url}/.well-known/pbx-exchange`)).json());
  trust = { origin: discovery.audit.origin, verifier: noteVerifierFromKey(discovery.audit.checkpointKey) };

  const brent: PbxClient = await clientActingFor(exchange, 'lb-brent.practitioner');
  const harrow: PbxClient = await clientActingFor(exchange, 'lb-harrow.practitioner');
  const submitted = await brent.submitRequest(brentAsksHarrow(subjectRef));
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  requestId = submitted.body.request.id;
  const decided = await harrow.decideRequest(requestId, {
    outcome: 'decline',
    reasons: 'no record of this child is held here',
  });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  // Barnet tries to read the request and is refused: that entry concerns Barnet, and carries only what it sent.
  const barnetPractitioner = await clientActingFor(exchange, 'lb-barnet.practitioner');
  expect((await barnetPractitioner.getRequest(requestId)).status).toBe(403);
  // Barnet's own business: its IG lead's reads are entries that concern Barnet.
  await pbx(['whoami', ...barnetAs]);
  await sequenceAndPublish();
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('an IG lead of a third organisation', () => {
  it("reads Barnet's entries in full and every other entry only as its leaf hash", async () => {
    const [all, barnet] = [await readAllLeaves(operator), await readAllLeaves(barnetLead)];
    expect(barnet.map(({ index, leafHash }) => ({ index, leafHash }))).toEqual(
      all.slice(0, barnet.length).map(({ index, leafHash }) => ({ index, leafHash })),
    );
    const about = all.filter(({ entry }) => entry !== undefined && aboutTheRequest(entry));
    expect(about.length).toBeGreaterThanOrEqual(2);
    for (const [i, seen] of barnet.entries()) {
      const full = all[i]?.entry;
      if (full === undefined) throw new Error('the operator sees every entry');
      expect(seen.entry === undefined ? 'hash' : 'full').toBe(
        concernsOrganisation(full, 'lb-barnet') ? 'full' : 'hash',
      );
      if (seen.entry !== undefined) expect(seen.entry).toEqual(full);
      expect(seen.leafHash).toBe(encodeBase64(leafHash(auditLeafData(full))));
    }
    expect(barnet.some((leaf) => leaf.entry !== undefined)).toBe(true);
    const text = JSON.stringify(barnet);
    for (const secret of secrets()) expect(text).not.toContain(secret);
    expectOnlyOwnAttempt(barnet.flatMap((leaf) => leaf.entry ?? []));
  });

  it('finds none of the request in a search, while the requester finds it', async () => {
    const searchAll = async (user: string) => {
      const found: unknown[] = [];
      let cursor: number | undefined = 0;
      while (cursor !== undefined) {
        const answer = await get(user, `/v1/audit/search?limit=500&cursor=${cursor}`);
        expect(answer.status).toBe(200);
        const page = z
          .object({ entries: z.array(z.unknown()), next: z.number().optional() })
          .parse(answer.body);
        found.push(...page.entries);
        cursor = page.next;
      }
      return found;
    };
    const barnet = await searchAll(barnetLead);
    for (const secret of secrets()) expect(JSON.stringify(barnet)).not.toContain(secret);
    expectOnlyOwnAttempt(
      z
        .array(z.object({ entry: z.unknown() }))
        .parse(barnet)
        .map((found) => found.entry),
    );
    expect(JSON.stringify(await searchAll('lb-brent.ig-lead'))).toContain(requestId);
  });

  it('reads proofs and checkpoints, which hold hashes only', async () => {
    const all = await readAllLeaves(operator);
    const submit = all.find(({ entry }) => entry?.action === 'request.submit' && aboutTheRequest(entry));
    if (submit === undefined) throw new Error('the submission is in the log');
    const answers = [
      await get(barnetLead, `/v1/audit/proofs/inclusion?index=${submit.index}`),
      await get(barnetLead, '/v1/audit/proofs/consistency?from=1'),
      await get(barnetLead, '/v1/audit/checkpoint'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      for (const secret of secrets()) expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
  });

  it('fetches a checkpoint of an earlier size from the archive', async () => {
    const first = auditCheckpointSchema.parse((await get(barnetLead, '/v1/audit/checkpoint')).body);
    await pbx(['whoami', ...barnetAs]);
    await sequenceAndPublish();
    const latest = auditCheckpointSchema.parse((await get(barnetLead, '/v1/audit/checkpoint')).body);
    expect(latest.size).toBeGreaterThan(first.size);
    const earlier = await get(barnetLead, `/v1/audit/checkpoint?size=${first.size}`);
    expect(earlier.status).toBe(200);
    const body = auditCheckpointSchema.parse(earlier.body);
    expect(verifyCheckpoint(body.note, trust)).toMatchObject({ size: first.size });
    expect(body.rootHash).toBe(first.rootHash);
    const never = await get(barnetLead, `/v1/audit/checkpoint?size=${latest.size + 1000}`);
    expect(never.status).toBe(404);
  });

  it('exports a pack that verifies offline, holds none of the request, and adds a constant number of entries', async () => {
    await sequenceAndPublish();
    const before = (await readAllLeaves(operator)).length;
    const exported = await pbx(['audit', 'export', '--out', 'barnet.json', ...barnetAs]);
    expect(exported, exported.stderr).toMatchObject({ code: 0 });
    const text = await readFile(join(workDir, 'barnet.json'), 'utf8');
    for (const secret of secrets()) expect(text).not.toContain(secret);
    const pack = z
      .object({ format: z.string(), checkpointKey: z.string(), to: z.number() })
      .loose()
      .parse(JSON.parse(text));
    expect(pack.to).toBeGreaterThan(100);
    const verified = await pbx(['audit', 'verify', 'barnet.json', '--key', pack.checkpointKey]);
    expect(verified, verified.stderr).toMatchObject({ code: 0 });

    await exchange.runSchedule('SequenceAuditLog');
    const added = (await readAllLeaves(operator)).length - before;
    // One page of evidence: the export's own reads (checkpoint, discovery, one evidence page), not one per entry.
    expect(added).toBeLessThanOrEqual(6);
  });
});

describe('the operator', () => {
  it('reads every entry in full', async () => {
    const all = await readAllLeaves(operator);
    expect(all.every((leaf) => leaf.entry !== undefined)).toBe(true);
    expect(all.some(({ entry }) => entry !== undefined && aboutTheRequest(entry))).toBe(true);
  });
});
