import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import { type AuditEntry, auditLeafData, newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { formatCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { InMemoryMerkleTree } from '#shared/domain/audit/in-memory-merkle-tree.ts';
import { leafHash, rangeBoundaryNodes } from '#shared/domain/audit/merkle.ts';
import { entryVisibility } from '#shared/domain/audit/search.ts';
import { signNote } from '#shared/domain/audit/signed-note.ts';
import {
  EvidenceError,
  type EvidenceErrorCode,
  type EvidencePack,
  type EvidencePackV2,
  type EvidenceTrust,
  evidenceFormat,
  evidenceFormatV1,
  type PreviousCheckpoint,
  verifyEvidence,
} from '#shared/domain/audit/verify-evidence.ts';

/**
 * The offline verifier against packs built here from an in-memory Merkle log of 200 generated audit entries and a
 * generated checkpoint key, and the corruption probes of transparency-dev/merkle's proof tests (bit flips,
 * truncation, extension, wrong index or size, another root) applied to packs: every probe must be refused, naming
 * the first bad entry where one is to blame.
 */

const origin = 'pbx.test/audit';
const entryCount = 200;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const organisations = ['lb-brent', 'lb-harrow', 'nhs-nwl', 'met-police'];
const actions = ['request.authenticate', 'decision.evaluate', 'agreement.version.sign', 'registry.key.add'];
const outcomes = ['allowed', 'refused', 'failed'] as const;

/** Entry i, with fields that vary with i so that every optional field is present in some entries and not others. */
const generatedEntry = (i: number): AuditEntry => {
  const org = organisations[i % organisations.length] ?? 'lb-brent';
  return newAuditEntry(
    {
      actor:
        i % 7 === 0
          ? { kind: 'system' }
          : {
              kind: 'client',
              clientId: `${org}-system`,
              organisationId: org,
              ...(i % 2 === 0 ? { userId: `${org}.ig-lead`, role: 'ig-lead' } : {}),
            },
      action: actions[i % actions.length] ?? 'request.authenticate',
      outcome: outcomes[i % outcomes.length] ?? 'allowed',
      reasonCodes: i % 3 === 1 ? ['AGREEMENT_NOT_ACTIVE', `R${i}`] : [],
      ...(i % 5 === 0 ? { target: { type: 'agreement', id: `isa-${i}` } } : {}),
      ...(i % 4 === 1 ? { agreement: { id: `isa-${i % 9}`, version: 1 + (i % 3) } } : {}),
      ...(i % 3 === 0 ? { purpose: 'CDR_CASE_REVIEW', lawfulBasis: ['UKGDPR-6-1-e', 'CA2004-s16M'] } : {}),
      ...(i % 6 === 2 ? { consentState: 'not-sought', subjectRef: `subj-${i * 31}` } : {}),
      ...(i % 8 === 3 ? { dataCategories: ['health', 'identity-residence'] } : {}),
      ...(i % 2 === 1 ? { requestHash: `hash${i}abcdefghijklmnopqrstuvwxyz0123456789` } : {}),
    },
    new Date(Date.UTC(2026, 0, 1, 9, 0, 0) + i * 1000),
  );
};

let entries: AuditEntry[];
let tree: InMemoryMerkleTree;
let logKey: { signerKey: string; verifierKey: string };
let trust: EvidenceTrust;

const checkpointNote = (size: number, signerKey = logKey.signerKey, noteOrigin = origin): string =>
  signNote(formatCheckpoint({ origin: noteOrigin, size, rootHash: tree.rootAt(size) }), [
    noteSignerFromPrivateKey(signerKey),
  ]);

/** A pack of entries [from, to) proved against the checkpoint of `size` leaves. */
const packOf = (
  options: { from?: number; to?: number; size?: number; checkpoint?: string } = {},
): EvidencePack => {
  const { size = entryCount, from = 0, to = size } = options;
  return {
    format: evidenceFormatV1,
    origin,
    checkpointKey: logKey.verifierKey,
    checkpoint: options.checkpoint ?? checkpointNote(size),
    from,
    to,
    entries: entries.slice(from, to).map((entry, offset) => ({
      index: from + offset,
      entry: structuredClone(entry),
      proof: tree.inclusionProof(from + offset, size).map(b64),
    })),
  };
};

const leafHashOf = (entry: unknown) => leafHash(auditLeafData(entry as AuditEntry));

const refusal = (pack: unknown, previous?: PreviousCheckpoint): EvidenceError => {
  try {
    verifyEvidence(pack, trust, previous);
  } catch (error) {
    if (error instanceof EvidenceError) return error;
    throw error;
  }
  throw new Error('the pack verified');
};

const expectRefused = (
  pack: unknown,
  code: EvidenceErrorCode,
  entryIndex?: number,
  previous?: PreviousCheckpoint,
) => {
  const error = refusal(pack, previous);
  expect({ code: error.code, entryIndex: error.entryIndex }).toEqual({ code, entryIndex });
};

/** The pack's entry at position i (it exists in every pack these tests alter). */
const at = (pack: EvidencePack, i: number) => {
  const found = pack.entries[i];
  if (found === undefined) throw new Error(`no entry at ${i}`);
  return found;
};

beforeAll(() => {
  entries = Array.from({ length: entryCount }, (_, i) => generatedEntry(i));
  tree = new InMemoryMerkleTree();
  tree.appendAll(entries.map(auditLeafData));
  logKey = generateNoteKey('pbx.test-audit');
  trust = { origin, verifier: noteVerifierFromKey(logKey.verifierKey) };
});

describe('verifyEvidence: packs that verify', () => {
  it('verifies a whole-log pack of 200 entries and returns the checkpoint size and root', () => {
    const verified = verifyEvidence(packOf(), trust);
    expect(verified).toMatchObject({ origin, size: entryCount, from: 0, to: entryCount, entries: 200 });
    expect(verified.wholeLog).toBe(true);
    expect(b64(verified.rootHash)).toBe(b64(tree.root()));
    expect(verified.auditEntries[17]).toEqual(entries[17]);
  });

  it('verifies a range of entries against the whole log checkpoint, not as a whole log', () => {
    const verified = verifyEvidence(packOf({ from: 50, to: 120 }), trust);
    expect(verified).toMatchObject({ size: 200, from: 50, to: 120, entries: 70, wholeLog: false });
  });

  it('verifies a pack of an older checkpoint when nothing newer has been seen, or only older ones', () => {
    expect(verifyEvidence(packOf({ size: 150 }), trust).size).toBe(150);
    expect(verifyEvidence(packOf({ size: 150 }), trust, { size: 100, rootHash: tree.rootAt(100) }).size).toBe(
      150,
    );
    expect(verifyEvidence(packOf(), trust, { size: 200, rootHash: tree.rootAt(200) }).size).toBe(200);
  });

  it('survives a JSON round trip, as the CLI writes and reads it', () => {
    expect(verifyEvidence(JSON.parse(JSON.stringify(packOf())), trust).entries).toBe(200);
  });
});

type Mutation = { describe: string; apply: (entry: Record<string, unknown>) => void };

/** Every way to change an entry by one small step: one bit of one character, a number by one, a field dropped. */
const mutationsOf = (entry: AuditEntry): Mutation[] => {
  const mutations: Mutation[] = [];
  const walk = (value: unknown, path: readonly (string | number)[]) => {
    if (typeof value === 'string') {
      for (let c = 0; c < value.length; c += 1) {
        mutations.push({
          describe: `flip bit 0 of character ${c} of ${path.join('.')}`,
          apply: (root) => {
            const { parent, key } = locate(root, path);
            const text = String(parent[key]);
            parent[key] = text.slice(0, c) + String.fromCharCode(text.charCodeAt(c) ^ 1) + text.slice(c + 1);
          },
        });
      }
    } else if (typeof value === 'number') {
      mutations.push({
        describe: `add one to ${path.join('.')}`,
        apply: (root) => {
          const { parent, key } = locate(root, path);
          parent[key] = Number(parent[key]) + 1;
        },
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
    }
  };
  walk(entry, []);
  const optional = ['target', 'agreement', 'purpose', 'lawfulBasis', 'consentState', 'subjectRef'] as const;
  for (const field of [...optional, 'dataCategories', 'requestHash'] as const) {
    if (entry[field] !== undefined) {
      mutations.push({ describe: `drop ${field}`, apply: (root) => delete root[field] });
    }
  }
  for (const field of ['clientId', 'userId', 'organisationId', 'role'] as const) {
    if (entry.actor[field] !== undefined) {
      mutations.push({
        describe: `drop actor.${field}`,
        apply: (root) => delete (root.actor as Record<string, unknown>)[field],
      });
    }
  }
  return mutations;
};

const locate = (root: Record<string, unknown>, path: readonly (string | number)[]) => {
  let parent: Record<string | number, unknown> = root;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const key = path.at(-1);
  if (key === undefined) throw new Error('empty path');
  return { parent, key };
};

describe('verifyEvidence: a changed entry is refused, naming it', () => {
  it('refuses a one-bit or one-step change to any field of any of the 200 entries (property)', () => {
    const pack = packOf();
    fc.assert(
      fc.property(fc.nat({ max: entryCount - 1 }), fc.nat(), (i, pick) => {
        const mutations = mutationsOf(at(pack, i).entry as AuditEntry);
        const mutation = mutations[pick % mutations.length];
        if (mutation === undefined) throw new Error('no mutation');
        const altered = structuredClone(pack);
        mutation.apply(at(altered, i).entry as Record<string, unknown>);
        const error = refusal(altered);
        expect(['NOT_INCLUDED', 'MALFORMED_ENTRY'], mutation.describe).toContain(error.code);
        expect(error.entryIndex, mutation.describe).toBe(i);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every one-step change of one entry, exhaustively', () => {
    const pack = packOf();
    for (const mutation of mutationsOf(at(pack, 101).entry as AuditEntry)) {
      const altered = structuredClone(pack);
      mutation.apply(at(altered, 101).entry as Record<string, unknown>);
      expect(refusal(altered).entryIndex, mutation.describe).toBe(101);
    }
  });

  it('refuses an entry with an added field, which the leaf encoding would otherwise drop', () => {
    const pack = packOf();
    (at(pack, 9).entry as Record<string, unknown>).note = 'added later';
    expectRefused(pack, 'MALFORMED_ENTRY', 9);
  });

  it('refuses two entries whose contents were swapped, naming the first', () => {
    const pack = packOf();
    const a = at(pack, 30).entry;
    at(pack, 30).entry = at(pack, 31).entry;
    at(pack, 31).entry = a;
    expectRefused(pack, 'NOT_INCLUDED', 30);
  });
});

describe('verifyEvidence: deleted, inserted, duplicated and reordered entries', () => {
  it('refuses a whole-log pack with an entry deleted', () => {
    const pack = packOf();
    pack.entries.splice(77, 1);
    expectRefused(pack, 'MISSING_ENTRY', 77);
  });

  it('refuses a pack with its last entry deleted', () => {
    const pack = packOf();
    pack.entries.pop();
    expectRefused(pack, 'MISSING_ENTRY', 199);
  });

  it('verifies a whole-log pack cut short and restated as a range only as that range, not the whole log', () => {
    const pack = packOf();
    pack.entries.splice(150);
    pack.to = 150;
    const verified = verifyEvidence(pack, trust);
    // Still verifies, but only as a range: the verifier says it is not the whole log.
    expect(verified).toMatchObject({ wholeLog: false, to: 150, size: 200 });
  });

  it('refuses an inserted entry, at its index', () => {
    const pack = packOf();
    const forged = { ...generatedEntry(500), time: '2026-01-01T09:01:00.500Z' };
    pack.entries.splice(60, 0, { index: 60, entry: forged, proof: at(pack, 60).proof });
    for (const [offset, later] of pack.entries.slice(61).entries()) later.index = 61 + offset;
    pack.to = 201;
    expectRefused(pack, 'BAD_RANGE');
    pack.to = 200;
    expectRefused(pack, 'NOT_INCLUDED', 60);
  });

  it('refuses an entry appended beyond the stated range', () => {
    const pack = packOf({ from: 10, to: 20 });
    pack.entries.push({ ...at(packOf({ from: 20, to: 21 }), 0) });
    expectRefused(pack, 'UNEXPECTED_ENTRY', 20);
  });

  it('refuses a duplicated entry', () => {
    const pack = packOf();
    pack.entries.splice(41, 0, structuredClone(at(pack, 40)));
    expectRefused(pack, 'DUPLICATE_ENTRY', 40);
  });

  it('refuses reordered entries, naming the first place out of order', () => {
    const pack = packOf();
    const [moved] = pack.entries.splice(120, 1);
    if (moved === undefined) throw new Error('no entry');
    pack.entries.splice(125, 0, moved);
    expectRefused(pack, 'OUT_OF_ORDER', 120);
  });

  it('refuses an entry given a wrong index, and one moved to another index with its proof', () => {
    const pack = packOf();
    at(pack, 12).index = 13;
    expectRefused(pack, 'MISSING_ENTRY', 12);
    const renumbered = packOf({ from: 12, to: 13 });
    at(renumbered, 0).index = 12;
    at(renumbered, 0).entry = structuredClone(entries[14]);
    expectRefused(renumbered, 'NOT_INCLUDED', 12);
  });
});

describe('verifyEvidence: proofs', () => {
  it('refuses a truncated and an extended proof', () => {
    const truncated = packOf();
    at(truncated, 5).proof.pop();
    expectRefused(truncated, 'NOT_INCLUDED', 5);
    const extended = packOf();
    at(extended, 6).proof.push(b64(new Uint8Array(32)));
    expectRefused(extended, 'NOT_INCLUDED', 6);
  });

  it('refuses a proof with one bit flipped in any hash, and a proof that is not base64', () => {
    const pack = packOf();
    const proof = at(pack, 150).proof;
    for (let h = 0; h < proof.length; h += 1) {
      const altered = structuredClone(pack);
      const bytes = Buffer.from(proof[h] ?? '', 'base64');
      bytes[h % 32] = (bytes[h % 32] ?? 0) ^ 0x80;
      at(altered, 150).proof[h] = bytes.toString('base64');
      expectRefused(altered, 'NOT_INCLUDED', 150);
    }
    at(pack, 151).proof[0] = 'not base64!';
    expectRefused(pack, 'MALFORMED_PROOF', 151);
  });

  it("refuses proofs made for another tree size than the checkpoint's", () => {
    const pack = packOf({ size: 200, checkpoint: checkpointNote(199) });
    pack.to = 199;
    pack.entries.pop();
    expectRefused(pack, 'NOT_INCLUDED', 0);
  });
});

describe('verifyEvidence: the checkpoint', () => {
  it('refuses a checkpoint signed by another key, even one the pack names', () => {
    const other = generateNoteKey('pbx.test-audit');
    const pack = packOf({ checkpoint: checkpointNote(200, other.signerKey) });
    pack.checkpointKey = other.verifierKey;
    expectRefused(pack, 'BAD_CHECKPOINT');
  });

  it('refuses a checkpoint whose size or root was changed after signing', () => {
    const note = checkpointNote(200);
    const [, size, root] = note.split('\n');
    expectRefused(packOf({ checkpoint: note.replace(`\n${size}\n`, '\n201\n') }), 'BAD_CHECKPOINT');
    const otherRoot = b64(tree.rootAt(199));
    expectRefused(packOf({ checkpoint: note.replace(`\n${root}\n`, `\n${otherRoot}\n`) }), 'BAD_CHECKPOINT');
  });

  it('refuses a pack of another origin, and a checkpoint of another log in a pack that claims ours', () => {
    const pack = packOf();
    pack.origin = 'other.example/audit';
    expectRefused(pack, 'WRONG_ORIGIN');
    expectRefused(
      packOf({ checkpoint: checkpointNote(200, logKey.signerKey, 'other.example/audit') }),
      'WRONG_ORIGIN',
    );
  });

  it('refuses a rollback to an older checkpoint than one seen before', () => {
    const older = packOf({ size: 150 });
    expectRefused(older, 'ROLLBACK', undefined, { size: 200, rootHash: tree.rootAt(200) });
    expectRefused(packOf(), 'ROLLBACK', undefined, { size: 201, rootHash: tree.rootAt(200) });
  });

  it('refuses a checkpoint of a size seen before with another root: a split view', () => {
    expectRefused(packOf(), 'SPLIT_VIEW', undefined, { size: 200, rootHash: tree.rootAt(199) });
  });
});

describe('verifyEvidence: the pack itself', () => {
  it('refuses a pack whose format is not v1, or that has none', () => {
    expectRefused({ ...packOf(), format: 'pbx-audit-evidence/v3' }, 'UNSUPPORTED_FORMAT');
    const { format: _, ...unversioned } = packOf();
    expectRefused(unversioned, 'UNSUPPORTED_FORMAT');
    expectRefused(null, 'UNSUPPORTED_FORMAT');
  });

  it('refuses a malformed pack, naming the entry the fault is in', () => {
    const pack = packOf({ from: 100, to: 110 });
    (at(pack, 3) as { index: unknown }).index = '103';
    expectRefused(pack, 'MALFORMED_PACK', 103);
  });

  it('refuses a pack with no entries: no evidence is an error', () => {
    expectRefused(packOf({ from: 20, to: 20 }), 'BAD_RANGE');
    expectRefused(packOf({ from: 0, to: 0, size: 0, checkpoint: checkpointNote(0) }), 'BAD_RANGE');
  });

  it('refuses a range beyond the checkpoint', () => {
    const pack = packOf({ size: 100, from: 90, to: 100 });
    pack.to = 101;
    expectRefused(pack, 'BAD_RANGE');
  });
});

/**
 * v2 packs as `pbx audit export` writes them for lb-brent's IG lead: lb-brent's entries in full, every other entry
 * only as its leaf hash, and the subtree hashes around the range.
 */
const brent = { kind: 'organisation', organisationId: 'lb-brent' } as const;

const packV2Of = (
  options: { from?: number; to?: number; size?: number; checkpoint?: string } = {},
): EvidencePackV2 => {
  const { size = entryCount, from = 0, to = size } = options;
  return {
    format: evidenceFormat,
    origin,
    checkpointKey: logKey.verifierKey,
    checkpoint: options.checkpoint ?? checkpointNote(size),
    from,
    to,
    boundary: rangeBoundaryNodes(from, to, size).map(({ level, index }) => b64(tree.node(level, index))),
    leaves: entries.slice(from, to).map((entry, offset) => ({
      index: from + offset,
      leafHash: b64(tree.node(0, from + offset)),
      ...(entryVisibility(entry, brent) === 'full' ? { entry: structuredClone(entry) } : {}),
    })),
  };
};

const leafAt = (pack: EvidencePackV2, i: number) => {
  const found = pack.leaves[i];
  if (found === undefined) throw new Error(`no leaf at ${i}`);
  return found;
};
const flipB64 = (hash: string) => {
  const bytes = Buffer.from(hash, 'base64');
  bytes[5] = (bytes[5] ?? 0) ^ 0x10;
  return bytes.toString('base64');
};

describe('verifyEvidence: v2 packs where other organisations are leaf hashes only', () => {
  it('verifies the whole log, returning only the entries shown in full', () => {
    const pack = packV2Of();
    const verified = verifyEvidence(pack, trust);
    const shown = pack.leaves.filter((leaf) => leaf.entry !== undefined).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(entryCount);
    expect(verified).toMatchObject({ size: entryCount, wholeLog: true, entries: shown });
    expect(verified.hashedOnly).toBe(entryCount - shown);
    expect(verified.indexedEntries.every(({ entry }) => entryVisibility(entry, brent) === 'full')).toBe(true);
    expect(JSON.stringify(pack)).not.toContain('met-police-system');
  });

  it('verifies ranges against a checkpoint of a larger tree, from the boundary subtrees', () => {
    for (const [from, to, size] of [
      [0, 1, 200],
      [50, 120, 200],
      [199, 200, 200],
      [10, 64, 150],
    ] as const) {
      const verified = verifyEvidence(packV2Of({ from, to, size }), trust);
      expect(verified).toMatchObject({ from, to, size, wholeLog: false });
    }
  });

  it('refuses a flipped leaf hash of another organisation (ROOT_MISMATCH)', () => {
    const pack = packV2Of();
    const hidden = pack.leaves.findIndex((leaf) => leaf.entry === undefined);
    leafAt(pack, hidden).leafHash = flipB64(leafAt(pack, hidden).leafHash);
    expectRefused(pack, 'ROOT_MISMATCH');
  });

  it('refuses an altered entry shown in full, naming it, even with its leaf hash recomputed', () => {
    const pack = packV2Of({ from: 40, to: 90 });
    const position = pack.leaves.findIndex((leaf) => leaf.entry !== undefined);
    const leaf = leafAt(pack, position);
    const shown = leaf.entry as { id: string };
    shown.id = `${shown.id.slice(0, -1)}${shown.id.endsWith('0') ? '1' : '0'}`;
    expectRefused(pack, 'NOT_INCLUDED', leaf.index);
    // The altered entry with a leaf hash that matches it: the root no longer does.
    leaf.leafHash = b64(leafHashOf(leaf.entry));
    expectRefused(pack, 'ROOT_MISMATCH');
  });

  it('refuses a foreign entry put back in full if it differs from the hash it replaces', () => {
    const pack = packV2Of();
    const position = pack.leaves.findIndex((leaf) => leaf.entry === undefined);
    const leaf = leafAt(pack, position);
    const original = structuredClone(entries[leaf.index] as AuditEntry);
    leaf.entry = { ...original, id: `${original.id.slice(0, -1)}${original.id.endsWith('0') ? '1' : '0'}` };
    expectRefused(pack, 'NOT_INCLUDED', leaf.index);
  });

  it('refuses a wrong checkpoint: another key, another size, another origin', () => {
    const other = generateNoteKey('pbx.test-audit');
    expectRefused(packV2Of({ checkpoint: checkpointNote(entryCount, other.signerKey) }), 'BAD_CHECKPOINT');
    // Leaves and boundary of the tree of 200 against the signed checkpoint of 199: they cannot fit its root.
    expect(['ROOT_MISMATCH', 'MALFORMED_PROOF']).toContain(
      refusal(packV2Of({ to: 150, checkpoint: checkpointNote(199) })).code,
    );
    expectRefused(
      packV2Of({ checkpoint: checkpointNote(entryCount, logKey.signerKey, 'elsewhere/audit') }),
      'WRONG_ORIGIN',
    );
  });

  it('refuses a changed, missing or extra boundary hash, and a missing, repeated or extra leaf', () => {
    const flippedBoundary = packV2Of({ from: 50, to: 120 });
    flippedBoundary.boundary[1] = flipB64(flippedBoundary.boundary[1] ?? '');
    expectRefused(flippedBoundary, 'ROOT_MISMATCH');
    const short = packV2Of({ from: 50, to: 120 });
    short.boundary.pop();
    expectRefused(short, 'MALFORMED_PROOF');
    const long = packV2Of({ from: 50, to: 120 });
    long.boundary.push(long.boundary[0] ?? '');
    expectRefused(long, 'MALFORMED_PROOF');

    const missing = packV2Of({ from: 50, to: 120 });
    missing.leaves.splice(10, 1);
    expectRefused(missing, 'MISSING_ENTRY', 60);
    const repeated = packV2Of({ from: 50, to: 120 });
    repeated.leaves.splice(10, 0, leafAt(repeated, 9));
    expectRefused(repeated, 'DUPLICATE_ENTRY', 59);
    const extra = packV2Of({ from: 50, to: 120 });
    extra.leaves.push({ index: 120, leafHash: b64(tree.node(0, 120)) });
    expectRefused(extra, 'UNEXPECTED_ENTRY', 120);
    const truncated = packV2Of({ from: 50, to: 120 });
    truncated.leaves.pop();
    expectRefused(truncated, 'MISSING_ENTRY', 119);
  });

  it('refuses a leaf hash that is not 32 bytes of base64, and an added field', () => {
    const short = packV2Of({ from: 0, to: 10 });
    leafAt(short, 3).leafHash = 'AAAA';
    expectRefused(short, 'MALFORMED_PROOF', 3);
    const added = packV2Of({ from: 0, to: 10 }) as EvidencePackV2 & { note?: string };
    added.note = 'unverified';
    expectRefused(added, 'MALFORMED_PACK');
  });
});
