/**
 * `npm run bench:evidence`: one organisation's evidence export (docs/AUDIT.md "Evidence packs") and its offline
 * verification, at scale. Prints its figures.
 *
 * 1. DynamoDB Local: a log of 100,000 entries (`--entries=N`), one in ten by lb-barnet, sequenced straight into the
 *    Merkle log store, a checkpoint published; then `pbx audit export` as lb-barnet's IG lead through the local
 *    exchange's HTTP API, and `pbx audit verify` of the pack, each its own process, each timed. Target: under 30 s.
 * 2. In memory: a log of 1,000,000 entries (`--memory-entries=N`) in shared/domain/audit/in-memory-merkle-tree.ts,
 *    exported page by page with the same use case the route runs (getAuditEvidence), then verified.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localTableName } from '#local/provision.ts';
import {
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { type AuditEntry, auditLeafData, newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { type AuditArchiveReadDeps, getAuditEvidence } from '#shared/domain/audit/audit-proofs.ts';
import { formatCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { InMemoryMerkleTree } from '#shared/domain/audit/in-memory-merkle-tree.ts';
import { leafHash } from '#shared/domain/audit/merkle.ts';
import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import { encodeBase64, signNote } from '#shared/domain/audit/signed-note.ts';
import { type EvidenceLeaf, evidenceFormat, verifyEvidence } from '#shared/domain/audit/verify-evidence.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { systemClock } from '#shared/ports/clock.ts';

const option = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const dynamoEntries = option('entries', 100_000);
const memoryEntries = option('memory-entries', 1_000_000);

const organisations = ['lb-barnet', 'lb-brent', 'lb-harrow', 'met-nw-bcu', 'nhs-nwl'];
const start = Date.UTC(2026, 0, 1);

/** Entry i: one in ten by lb-barnet (the exporter), the rest by other organisations, about other organisations. */
const entryOf = (i: number): AuditEntry => ({
  ...generatedEntry(i),
  // A fixed id (a well-formed ULID) makes entry i the same object each time it is generated.
  id: `01BENCH${String(i).padStart(19, '0')}`,
});

function generatedEntry(i: number): AuditEntry {
  const org = i % 10 === 0 ? 'lb-barnet' : (organisations[1 + (i % 4)] ?? 'lb-brent');
  const other = org === 'lb-harrow' ? 'lb-brent' : 'lb-harrow';
  return newAuditEntry(
    {
      actor: {
        kind: 'client',
        clientId: `${org}-system`,
        organisationId: org,
        userId: `${org}.practitioner`,
      },
      action: 'request.submit',
      target: { type: 'request', id: `01BENCH${String(i).padStart(19, '0')}` },
      outcome: i % 3 === 0 ? 'refused' : 'allowed',
      reasonCodes: i % 3 === 0 ? ['CONSENT_RULE_UNMET'] : [],
      parties: [org, other],
      agreement: { id: 'isa-nw-bcu-mash', version: 1 },
      purpose: 'SAFEGUARDING_REFERRAL_MASH',
      lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47'],
      consentState: 'not-sought',
      dataCategories: ['identity-residence', 'protection-status'],
      requestHash: 'x'.repeat(43),
    },
    new Date(start + i * 1000),
  );
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const run = promisify(execFile);
const launcher = fileURLToPath(new URL('../cli/pbx.js', import.meta.url));

const dynamoBench = async () => {
  const exchange = await startExchange({ schedules: false, checkpointMaxAgeSeconds: 1 });
  const dynamo = new DynamoDBClient({
    endpoint: exchange.dynamoEndpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  const doc = createDocumentClient(dynamo);
  const log = new DynamoMerkleLogStore(doc, localTableName('audit'));
  const audit = new DynamoAuditLog(doc, localTableName('audit'));
  const workDir = await mkdtemp(join(tmpdir(), 'pbx-bench-evidence-'));
  try {
    await exchange.runSchedule('SequenceAuditLog');
    // Seeding as every action records (entry and pending marker, 16 in flight), then sequenced as the sequencer does.
    const seedStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < dynamoEntries) await audit.record(entryOf(next++));
      }),
    );
    const recordSeconds = seconds(seedStarted);
    const sequenced = await sequenceAuditEntries(
      { log, clock: systemClock },
      { batchSize: 100, maxBatches: 1_000_000 },
    );
    await exchange.runSchedule('PublishAuditCheckpoint');
    console.log(
      `DynamoDB Local: seeded ${dynamoEntries.toLocaleString('en-GB')} entries in ${seconds(seedStarted)} s (recorded in ${recordSeconds} s, then sequenced; tree size ${sequenced.size})`,
    );

    const env: NodeJS.ProcessEnv = { ...process.env, PBX_URL: exchange.url, PBX_KEYS_DIR: exchange.keysDir };
    delete env.PBX_SUB;
    const pbx = (args: string[]) =>
      run(process.execPath, [launcher, ...args], { cwd: workDir, env, maxBuffer: 1e8 });
    const sizeBefore = sequenced.size;
    const exportStarted = performance.now();
    const exported = await pbx([
      'audit',
      'export',
      '--out',
      'pack.json',
      '--as',
      'lb-barnet-system',
      '--sub',
      'lb-barnet.ig-lead',
    ]);
    const exportSeconds = seconds(exportStarted);
    const pack = JSON.parse(await readFile(join(workDir, 'pack.json'), 'utf8')) as { checkpointKey: string };
    const verifyStarted = performance.now();
    const verified = await pbx(['audit', 'verify', 'pack.json', '--key', pack.checkpointKey]);
    const verifySeconds = seconds(verifyStarted);
    await exchange.runSchedule('SequenceAuditLog');
    const after = (await log.readTreeHead())?.size ?? 0;
    console.log(`  ${exported.stdout.trim().replaceAll('\n', '\n  ')}`);
    console.log(`  ${verified.stdout.trim().replaceAll('\n', '\n  ')}`);
    console.log(
      `  pbx audit export: ${exportSeconds} s; pbx audit verify: ${verifySeconds} s; total ${(Number(exportSeconds) + Number(verifySeconds)).toFixed(1)} s (target < 30 s)`,
    );
    console.log(
      `  pack ${mb((await stat(join(workDir, 'pack.json'))).size)} MB; entries the export added to the log: ${after - sizeBefore}`,
    );
  } finally {
    dynamo.destroy();
    await exchange.stop();
    await rm(workDir, { recursive: true, force: true });
  }
};

const memoryBench = async () => {
  const origin = 'pbx.bench/audit';
  const key = generateNoteKey('pbx.bench-audit');
  const buildStarted = performance.now();
  const tree = new InMemoryMerkleTree();
  const chunk = 10_000;
  for (let at = 0; at < memoryEntries; at += chunk) {
    const n = Math.min(chunk, memoryEntries - at);
    tree.appendLeafHashes(Array.from({ length: n }, (_, i) => leafHash(auditLeafData(entryOf(at + i)))));
  }
  const note = signNote(formatCheckpoint({ origin, size: memoryEntries, rootHash: tree.root() }), [
    noteSignerFromPrivateKey(key.signerKey),
  ]);
  console.log(
    `in memory: built a log of ${memoryEntries.toLocaleString('en-GB')} entries in ${seconds(buildStarted)} s`,
  );

  let recorded = 0;
  const deps: AuditArchiveReadDeps = {
    // Entries are regenerated from their index rather than held: a million entry objects would not fit.
    log: {
      maxLeavesPerAppend: 0,
      readTreeHead: async () => ({ size: memoryEntries, rootHash: encodeBase64(tree.root()), updatedAt: '' }),
      listUnsequenced: async () => [],
      readNodes: async () => tree,
      appendLeaves: async () => false,
      readLeaves: async (from, limit) =>
        Array.from({ length: Math.max(0, Math.min(limit, memoryEntries - from)) }, (_, i) => ({
          index: from + i,
          entry: entryOf(from + i),
          leafHash: tree.node(0, from + i),
        })),
    },
    checkpoints: {
      readLatest: async () => ({
        size: memoryEntries,
        rootHash: encodeBase64(tree.root()),
        note,
        publishedAt: '',
      }),
      record: async () => false,
      readCosignatures: async () => [],
    },
    archive: { read: async (size) => (size === memoryEntries ? note : undefined) },
    audit: {
      record: async () => {
        recorded += 1;
      },
    },
    clock: { now: () => new Date() },
    origin,
  };
  const principal: Principal = {
    clientId: 'lb-barnet-system',
    organisationId: 'lb-barnet',
    kid: 'bench',
    alg: 'EdDSA',
    user: { id: 'lb-barnet.ig-lead', roles: ['ig-lead'] },
    jti: 'bench',
    requestHash: 'y'.repeat(43),
  };
  const exportStarted = performance.now();
  const leaves: EvidenceLeaf[] = [];
  let boundary: string[] = [];
  let pages = 0;
  let cursor: number | undefined = 0;
  while (cursor !== undefined) {
    const { page } = await getAuditEvidence(deps, { principal, cursor });
    pages += 1;
    boundary = page.boundary;
    leaves.push(...page.leaves);
    cursor = page.next;
  }
  const text = JSON.stringify({
    format: evidenceFormat,
    origin,
    checkpointKey: key.verifierKey,
    checkpoint: note,
    from: 0,
    to: memoryEntries,
    boundary,
    leaves,
  });
  const exportSeconds = seconds(exportStarted);
  const verifyStarted = performance.now();
  const verified = verifyEvidence(JSON.parse(text), {
    origin,
    verifier: noteVerifierFromKey(key.verifierKey),
  });
  const verifySeconds = seconds(verifyStarted);
  console.log(
    `  export: ${pages} pages (${recorded} audit entries), ${mb(text.length)} MB pack, ${exportSeconds} s; verify: ${verifySeconds} s`,
  );
  console.log(
    `  verified ${verified.entries.toLocaleString('en-GB')} entries in full and ${verified.hashedOnly.toLocaleString('en-GB')} leaf hashes against the root of ${verified.size.toLocaleString('en-GB')}`,
  );
};

console.log('pbx evidence export and offline verification (one organisation, 10% of the log)');
await dynamoBench();
await memoryBench();
