import * as nodeCrypto from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { InMemoryMerkleTree } from '#shared/domain/audit/in-memory-merkle-tree.ts';
import {
  consistencyProof,
  hashesEqual,
  inclusionProof,
  leafHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '#shared/domain/audit/merkle.ts';

/**
 * The in-memory half of `npm run bench:audit`: the pure Merkle core (shared/domain/audit/merkle.ts) on a log of a
 * million audit-entry-like JSON lines (~300 bytes each). It prints the raw SHA-256 rate over those lines, append
 * throughput (leaf hashing, storing every perfect subtree, a root per batch), whole-log verification (every leaf
 * hash and the root recomputed, then compared) next to that raw rate, and the size and timing of inclusion and
 * consistency proofs at a million entries. A measurement, not a test: it exits non-zero only if a proof or the
 * recomputed root fails to verify, since timing a failure would measure the wrong thing.
 */

const { values: options } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    proofs: { type: 'string', default: '10000' },
  },
});
const positiveInteger = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`--${name} must be a positive integer`);
  return n;
};
const entries = positiveInteger('entries', options.entries);
const batchSize = positiveInteger('batch', options.batch);
const proofCount = positiveInteger('proofs', options.proofs);
const oneAtATimeCount = Math.min(entries, 100_000);
const consistencyRuns = 1000;

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20, 1)} MiB`;
const nowNs = (): bigint => process.hrtime.bigint();
const secondsSince = (start: bigint): number => Number(nowNs() - start) / 1e9;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
/** Microseconds per call, one sample per call. */
const timeEachUs = (count: number, run: (i: number) => void): number[] => {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = nowNs();
    run(i);
    samples.push(Number(nowNs() - start) / 1000);
  }
  return samples;
};
/** One result line: a fixed-width label, then the figures. */
const report = (label: string, figures: string): void => {
  console.log(`${`${label}:`.padEnd(44)}${figures}`);
};
const fail = (what: string): never => {
  console.error(`FAILED: ${what}`);
  process.exit(1);
};

/** mulberry32: a small seeded generator, so every run benchmarks the same log and the same proofs. */
const seeded = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
};

// --- The log: one JSON line per entry, shaped like an audit entry, in one buffer -------------------------------

const random = seeded(2026);
const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)] as T;
const token = (bytes: number): string => {
  const raw = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += 1) raw[i] = Math.floor(random() * 256);
  return raw.toString('base64url');
};
const organisations = ['lb-brent', 'lb-camden', 'lb-ealing', 'lb-harrow', 'met-police', 'nhs-nwl-icb'];
const actions = ['request.decide', 'request.create', 'data.release', 'data.download', 'agreement.sign'];
const purposes = ['section-47-enquiry', 'section-17-assessment', 'early-help', 'mash-triage'];
/** About 300 bytes: the fields of an audit entry that a decision carries, with realistic lengths. */
const entryLine = (index: number): string =>
  JSON.stringify({
    index,
    time: new Date(Date.UTC(2026, 2, 2, 9) + index * 250).toISOString(),
    actor: {
      clientId: `${pick(organisations)}-system`,
      userId: `u-${Math.floor(random() * 1e5)}`,
    },
    action: pick(actions),
    outcome: random() < 0.9 ? 'allowed' : 'refused',
    agreement: { id: `agr-${Math.floor(random() * 100)}`, version: 1 + Math.floor(random() * 5) },
    purpose: pick(purposes),
    subjectRef: `sr-${token(12)}`,
    requestHash: token(32),
  });

const buildStart = nowNs();
// Written straight into one buffer (grown when needed) so that the log costs its bytes and no more.
let log = Buffer.allocUnsafeSlow(entries * 352);
const offsets = new Float64Array(entries + 1);
let logBytes = 0;
for (let i = 0; i < entries; i += 1) {
  const line = `${entryLine(i)}\n`;
  if (logBytes + Buffer.byteLength(line) > log.length) {
    const grown = Buffer.allocUnsafeSlow(2 * log.length);
    log.copy(grown, 0, 0, logBytes);
    log = grown;
  }
  logBytes += log.write(line, logBytes);
  offsets[i + 1] = logBytes;
}
const entryAt = (i: number): Uint8Array => log.subarray(offsets[i], offsets[i + 1]);
console.log(
  `pbx audit Merkle benchmark: ${fmt(entries)} entries, mean line ${fmt(logBytes / entries)} bytes ` +
    `(${mib(logBytes)}), node ${process.version}, ${availableParallelism()} CPUs; log built in ${fmt(secondsSince(buildStart), 1)} s`,
);

// The same primitive merkle.ts uses (one-shot crypto.hash where Node has it), without the RFC 6962 prefix.
const rawSha256: (input: Uint8Array) => Uint8Array =
  typeof nodeCrypto.hash === 'function'
    ? (input) => nodeCrypto.hash('sha256', input, 'buffer')
    : (input) => nodeCrypto.createHash('sha256').update(input).digest();

// Warm every path up on a small tree so that the timed runs measure compiled code.
{
  const warm = new InMemoryMerkleTree();
  for (let i = 0; i < Math.min(entries, 20_000); i += 1) rawSha256(entryAt(i));
  for (let i = 0; i < Math.min(entries, 20_000); i += batchSize) {
    warm.appendAll(Array.from({ length: Math.min(batchSize, 20_000 - i) }, (_, j) => entryAt(i + j)));
  }
  rootOf(Array.from({ length: warm.size }, (_, i) => leafHash(entryAt(i))));
  for (let i = 0; i < 1000; i += 1) {
    const index = Math.floor(random() * warm.size);
    verifyInclusion(leafHash(entryAt(index)), index, warm.size, warm.inclusionProof(index), warm.root());
  }
}

// --- Appends -----------------------------------------------------------------------------------------------------

const tree = new InMemoryMerkleTree();
const appendStart = nowNs();
for (let i = 0; i < entries; i += batchSize) {
  const batch: Uint8Array[] = [];
  for (let j = i; j < Math.min(entries, i + batchSize); j += 1) batch.push(entryAt(j));
  tree.appendAll(batch);
}
const appendRate = entries / secondsSince(appendStart);
const storedNodes = 2 * entries - entries.toString(2).replaceAll('0', '').length;
report(
  `append, batches of ${fmt(batchSize)}`,
  `${fmt(appendRate)} entries/s (leaf hash, ${fmt(storedNodes)} perfect subtrees stored in ` +
    `${mib(tree.storedBytes)}, a root per batch)`,
);
const single = new InMemoryMerkleTree();
const singleStart = nowNs();
for (let i = 0; i < oneAtATimeCount; i += 1) single.append(entryAt(i));
const singleRate = oneAtATimeCount / secondsSince(singleStart);
if (!hashesEqual(single.root(), tree.rootAt(oneAtATimeCount))) fail('one-at-a-time and batched roots differ');
report(
  'append, one entry at a time',
  `${fmt(singleRate)} entries/s (first ${fmt(oneAtATimeCount)} entries; a root per entry)`,
);

// --- Raw SHA-256, measured just before the verification it is compared with ------------------------------------

const rawStart = nowNs();
for (let i = 0; i < entries; i += 1) rawSha256(entryAt(i));
const rawRate = entries / secondsSince(rawStart);
report('raw SHA-256 over the entry lines', `${fmt(rawRate)} hashes/s (node:crypto, no prefix)`);

// --- Whole-log verification --------------------------------------------------------------------------------------

const expectedRoot = tree.root();
const verifyStart = nowNs();
const recomputed = rootOf(
  (function* () {
    for (let i = 0; i < entries; i += 1) yield leafHash(entryAt(i));
  })(),
);
if (!hashesEqual(recomputed, expectedRoot)) fail('the recomputed root is not the tree root');
const verifyRate = entries / secondsSince(verifyStart);
report(
  'whole-log verification',
  `${fmt(verifyRate)} entries/s = ${fmt(verifyRate / rawRate, 2)} x the raw SHA-256 rate ` +
    '(every leaf hash and the root recomputed, then compared: one leaf and, amortised, one node hash per entry)',
);

// --- Inclusion proofs at the full size ---------------------------------------------------------------------------

const size = tree.size;
const root = tree.root();
const indices = Array.from({ length: proofCount }, () => Math.floor(random() * size));
const proofs = indices.map((index) => inclusionProof(index, size, tree));
const leafHashes = indices.map((index) => leafHash(entryAt(index)));
const buildUs = timeEachUs(proofCount, (i) => {
  inclusionProof(indices[i] ?? 0, size, tree);
});
const verifyUs = timeEachUs(proofCount, (i) => {
  verifyInclusion(leafHashes[i] ?? new Uint8Array(), indices[i] ?? 0, size, proofs[i] ?? [], root);
});
const lengths = proofs.map((proof) => proof.length);
const medianLength = median(lengths);
report(
  `inclusion proof at ${fmt(size)} entries`,
  `${fmt(medianLength)} hashes = ${fmt(medianLength * 32)} bytes (median; ${fmt(Math.min(...lengths))} to ` +
    `${fmt(Math.max(...lengths))} over ${fmt(proofCount)} random leaves); build ${fmt(median(buildUs), 1)} us, ` +
    `verify ${fmt(median(verifyUs), 1)} us given the leaf hash (medians)`,
);

// --- Consistency between half and full size ----------------------------------------------------------------------

const half = Math.floor(size / 2);
const halfRoot = tree.rootAt(half);
const consistencyBuildUs = timeEachUs(consistencyRuns, () => {
  consistencyProof(half, size, tree);
});
const consistency = consistencyProof(half, size, tree);
const consistencyVerifyUs = timeEachUs(consistencyRuns, () => {
  verifyConsistency(half, size, consistency, halfRoot, root);
});
report(
  `consistency proof ${fmt(half)} -> ${fmt(size)}`,
  `${fmt(consistency.length)} hashes = ${fmt(consistency.length * 32)} bytes; build ` +
    `${fmt(median(consistencyBuildUs), 1)} us, verify ${fmt(median(consistencyVerifyUs), 1)} us ` +
    `(medians of ${fmt(consistencyRuns)})`,
);

const memory = process.memoryUsage();
report(
  'memory',
  `rss ${mib(memory.rss)}, heap ${mib(memory.heapUsed)}, buffers ${mib(memory.arrayBuffers)} ` +
    `(the log itself is ${mib(logBytes)})`,
);
