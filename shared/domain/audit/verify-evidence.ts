import * as z from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { type AuditEntry, auditEntrySchema, auditLeafData } from './audit-entry.ts';
import { CheckpointError, verifyCheckpoint } from './checkpoint.ts';
import {
  HASH_SIZE,
  hashesEqual,
  leafHash,
  MerkleProofError,
  rootFromRange,
  rootOf,
  verifyInclusion,
} from './merkle.ts';
import { decodeCanonicalBase64, NoteError, type NoteVerifier } from './signed-note.ts';

/**
 * Evidence packs of the audit log and their offline verifier, in sigstore's shape: `verifyEvidence(pack, trust)`
 * returns what it verified or throws a coded EvidenceError; it never answers `false`.
 *
 * A pack holds a signed checkpoint (c2sp.org/tlog-checkpoint) and a contiguous range [from, to) of the log. The
 * range is stated, not inferred from the entries, so that a deleted entry is a gap in a stated range rather than a
 * smaller pack. A v2 pack (docs/AUDIT.md "Evidence packs") holds every leaf hash of the range, the entry beside it
 * only where the exporter may see it, and the perfect subtrees around the range: recomputing the signed root from
 * them proves every leaf at its index (and, from 0 to the size, that the pack is the whole log), while an entry
 * that does not hash to its leaf is named. A v1 pack holds every entry in full, each with its RFC 9162 section
 * 2.1.3 inclusion proof; a whole-log v1 pack is also checked by recomputing the root from every leaf.
 *
 * Pure: the caller turns the trusted verifier key string into a NoteVerifier (shared/adapters/crypto/note-keys.ts).
 */

/** The first format: every entry in full, each with its own inclusion proof. Still verified, no longer written. */
export const evidenceFormatV1 = 'pbx-audit-evidence/v1';
/**
 * The format `pbx audit export` writes: every leaf of the range as the exporter's scope sees it (its hash, and its
 * entry where the entry concerns the exporter's organisation), and the subtree hashes around the range, from which
 * the verifier recomputes the checkpoint's root (docs/AUDIT.md "Evidence packs").
 */
export const evidenceFormat = 'pbx-audit-evidence/v2';
export const evidenceFormats: readonly string[] = [evidenceFormatV1, evidenceFormat];

const base64Hash = z.string().min(1);
const logIndex = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const evidenceEntrySchema = z.object({
  /** The entry's leaf index in the log. */
  index: logIndex,
  /** The audit entry as the log holds it; its leaf is auditLeafData(entry), the entry's canonical JSON. */
  entry: z.unknown(),
  /** The inclusion proof of leaf `index` in the tree of the checkpoint's size, leaf to root, base64 hashes. */
  proof: z.array(base64Hash),
});
export type EvidenceEntry = z.infer<typeof evidenceEntrySchema>;

export const evidencePackSchema = z.object({
  format: z.literal(evidenceFormatV1),
  /** The log's origin (the checkpoint's first line), as the exporter was told it. Not trusted by itself. */
  origin: z.string().min(1),
  /** The log's note verifier key, as the exporter was told it (`name+hash+base64`). Not trusted by itself. */
  checkpointKey: z.string().min(1),
  /** The signed checkpoint note, with any witness cosignatures. */
  checkpoint: z.string().min(1),
  /** The range of leaf indices the pack claims to hold, `to` exclusive; from 0 to the size is the whole log. */
  from: logIndex,
  to: logIndex,
  exportedAt: z.iso.datetime().optional(),
  entries: z.array(evidenceEntrySchema),
});
export type EvidencePack = z.infer<typeof evidencePackSchema>;

export const evidenceLeafSchema = z.strictObject({
  index: logIndex,
  /** Base64 of the leaf hash, SHA-256(0x00 || auditLeafData(entry)). */
  leafHash: base64Hash,
  /** The entry, where the exporter may see it; it must hash to `leafHash`. */
  entry: z.unknown().optional(),
});
export type EvidenceLeaf = z.infer<typeof evidenceLeafSchema>;

export const evidencePackV2Schema = z.strictObject({
  format: z.literal(evidenceFormat),
  origin: z.string().min(1),
  checkpointKey: z.string().min(1),
  checkpoint: z.string().min(1),
  from: logIndex,
  to: logIndex,
  exportedAt: z.iso.datetime().optional(),
  /** The perfect subtrees outside [from, to) in the order merkle.ts rangeBoundaryNodes lists them, base64. */
  boundary: z.array(base64Hash),
  /** Every leaf of [from, to), in index order. */
  leaves: z.array(evidenceLeafSchema),
});
export type EvidencePackV2 = z.infer<typeof evidencePackV2Schema>;

export type EvidenceErrorCode =
  /** Not a pbx-audit-evidence/v1 or v2 pack. */
  | 'UNSUPPORTED_FORMAT'
  /** The pack's shape is wrong (an index that is not a number, a missing field). */
  | 'MALFORMED_PACK'
  /** The checkpoint is not signed by the trusted key, or is not a well-formed checkpoint. */
  | 'BAD_CHECKPOINT'
  /** The pack, or its checkpoint, is of another log than the trusted origin. */
  | 'WRONG_ORIGIN'
  /** The checkpoint is older than one the verifier has already seen: the log, or the pack, rolled back. */
  | 'ROLLBACK'
  /** The checkpoint has the size of one the verifier has seen but another root: a split view. */
  | 'SPLIT_VIEW'
  /** The stated range is empty or beyond the checkpoint's size. "No evidence" is an error. */
  | 'BAD_RANGE'
  /** An index of the range has no entry: an entry was deleted (or moved later). */
  | 'MISSING_ENTRY'
  /** An entry repeats an index already seen. */
  | 'DUPLICATE_ENTRY'
  /** An entry stands before one with a lower index. */
  | 'OUT_OF_ORDER'
  /** An entry beyond the stated range: an inserted entry. */
  | 'UNEXPECTED_ENTRY'
  /** An entry that is not an audit entry as the log writes them (a changed type, an added field). */
  | 'MALFORMED_ENTRY'
  /** A proof hash that is not canonical base64. */
  | 'MALFORMED_PROOF'
  /** The entry's leaf is not at its index under the checkpoint's root: the entry, its index or its proof changed. */
  | 'NOT_INCLUDED'
  /** The whole log's leaves do not hash to the checkpoint's root. */
  | 'ROOT_MISMATCH';

export class EvidenceError extends Error {
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    /** The log index of the first bad entry, when one entry is to blame. */
    readonly entryIndex?: number,
  ) {
    super(entryIndex === undefined ? message : `entry ${entryIndex}: ${message}`);
    this.name = new.target.name;
  }
}

/** What the verifier trusts, from somewhere other than the pack: the log's origin and checkpoint key. */
export type EvidenceTrust = { readonly origin: string; readonly verifier: NoteVerifier };

/** A checkpoint the verifier saw before; the pack's must not be older (rollback) or differ at its size. */
export type PreviousCheckpoint = { readonly size: number; readonly rootHash: Uint8Array };

export type VerifiedEvidence = {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly from: number;
  readonly to: number;
  /** How many entries were verified in full. */
  readonly entries: number;
  /** How many leaves of the range the pack holds only as their hash (entries of other organisations). */
  readonly hashedOnly: number;
  /** Whether the pack holds every entry of the checkpointed log (and so its root was recomputed). */
  readonly wholeLog: boolean;
  /** The verified audit entries, in index order. */
  readonly auditEntries: readonly AuditEntry[];
  /** The verified audit entries with their leaf indices. */
  readonly indexedEntries: readonly { readonly index: number; readonly entry: AuditEntry }[];
};

/** The pack position a zod issue points into (`entries[3]...`), to name the entry it is about. */
const positionOf = (issue: z.core.$ZodIssue | undefined): number | undefined => {
  const [first, second] = issue?.path ?? [];
  return (first === 'entries' || first === 'leaves') && typeof second === 'number' ? second : undefined;
};

const parseWith = <S extends z.ZodType>(schema: S, input: unknown): z.infer<S> => {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const position = positionOf(issue);
  const from =
    typeof input === 'object' && input !== null && 'from' in input && typeof input.from === 'number'
      ? input.from
      : 0;
  throw new EvidenceError(
    'MALFORMED_PACK',
    `${issue?.path.join('.') ?? 'pack'}: ${issue?.message ?? 'invalid'}`,
    position === undefined ? undefined : from + position,
  );
};

type PackHead = {
  readonly origin: string;
  readonly checkpoint: string;
  readonly from: number;
  readonly to: number;
};

const openCheckpoint = (pack: PackHead, trust: EvidenceTrust) => {
  if (pack.origin !== trust.origin) {
    throw new EvidenceError('WRONG_ORIGIN', `the pack is of ${pack.origin}, not ${trust.origin}`);
  }
  try {
    return verifyCheckpoint(pack.checkpoint, { origin: trust.origin, verifier: trust.verifier });
  } catch (error) {
    if (error instanceof CheckpointError && error.code === 'WRONG_ORIGIN') {
      throw new EvidenceError('WRONG_ORIGIN', `the checkpoint is not of ${trust.origin}`);
    }
    if (error instanceof CheckpointError || error instanceof NoteError) {
      throw new EvidenceError('BAD_CHECKPOINT', `the checkpoint does not verify (${error.code})`);
    }
    throw error;
  }
};

const checkPrevious = (size: number, rootHash: Uint8Array, previous: PreviousCheckpoint | undefined) => {
  if (previous === undefined) return;
  if (previous.size > size) {
    throw new EvidenceError(
      'ROLLBACK',
      `the checkpoint has ${size} entries, fewer than the ${previous.size} of one seen before`,
    );
  }
  if (previous.size === size && !hashesEqual(previous.rootHash, rootHash)) {
    throw new EvidenceError(
      'SPLIT_VIEW',
      `the checkpoint's root for size ${size} is not the one seen before`,
    );
  }
};

/**
 * The first break in the sequence from..to at `position`, or undefined: every index must be the next of the range,
 * so a gap, a repeat, a swap or an extra entry is named at the first index where the pack goes wrong.
 */
const sequenceError = (
  pack: PackHead,
  position: number,
  index: number,
  later: ReadonlySet<number>,
): EvidenceError | undefined => {
  const expected = pack.from + position;
  if (expected >= pack.to) {
    return new EvidenceError('UNEXPECTED_ENTRY', `the pack's range ends at ${pack.to}`, index);
  }
  if (index === expected) return undefined;
  if (index < expected) {
    return new EvidenceError(
      'DUPLICATE_ENTRY',
      `index ${index} appears again at position ${position}`,
      index,
    );
  }
  return later.has(expected)
    ? new EvidenceError('OUT_OF_ORDER', `entry ${index} stands where entry ${expected} belongs`, expected)
    : new EvidenceError('MISSING_ENTRY', 'the pack has no entry at this index', expected);
};

const parseEntry = (raw: unknown, index: number): AuditEntry => {
  const parsed = auditEntrySchema.safeParse(raw);
  // The leaf is the canonical JSON of the parsed entry, and parsing drops unknown fields: refuse them, or an added
  // field would ride along unverified.
  if (!parsed.success || canonicalJson(parsed.data) !== canonicalJson(raw)) {
    throw new EvidenceError('MALFORMED_ENTRY', 'not an audit entry as the log writes them', index);
  }
  return parsed.data;
};

const decodeProof = (proof: readonly string[], index: number): Uint8Array[] =>
  proof.map((hash) => {
    const bytes = decodeCanonicalBase64(hash);
    if (bytes === undefined) throw new EvidenceError('MALFORMED_PROOF', 'a proof hash is not base64', index);
    return bytes;
  });

/** The checkpoint opened under the trusted key, no rollback from `previous`, and the range within it. */
const openPack = (pack: PackHead, trust: EvidenceTrust, previous: PreviousCheckpoint | undefined) => {
  const checkpoint = openCheckpoint(pack, trust);
  const { size, rootHash } = checkpoint;
  checkPrevious(size, rootHash, previous);
  if (pack.from >= pack.to || pack.to > size) {
    throw new EvidenceError(
      'BAD_RANGE',
      `the range [${pack.from}, ${pack.to}) is empty or beyond the checkpoint's ${size} entries`,
    );
  }
  return checkpoint;
};

/**
 * A v1 pack: every entry of the range in full with its own inclusion proof, and for a whole-log pack the root
 * recomputed from all the leaves.
 */
const verifyEvidenceV1 = (
  pack: EvidencePack,
  trust: EvidenceTrust,
  previous: PreviousCheckpoint | undefined,
): VerifiedEvidence => {
  const checkpoint = openPack(pack, trust, previous);
  const { size, rootHash } = checkpoint;

  // Every position before the first break holds its own index, so an expected index found in the pack is later.
  const present = new Set(pack.entries.map(({ index }) => index));
  const leaves: Uint8Array[] = [];
  const indexedEntries: { index: number; entry: AuditEntry }[] = [];
  pack.entries.forEach(({ index, entry, proof }, position) => {
    const broken = sequenceError(pack, position, index, present);
    if (broken !== undefined) throw broken;

    const parsed = parseEntry(entry, index);
    const leaf = leafHash(auditLeafData(parsed));
    try {
      verifyInclusion(leaf, index, size, decodeProof(proof, index), rootHash);
    } catch (error) {
      if (error instanceof MerkleProofError) {
        throw new EvidenceError('NOT_INCLUDED', `not in the checkpointed log (${error.code})`, index);
      }
      throw error;
    }
    leaves.push(leaf);
    indexedEntries.push({ index, entry: parsed });
  });
  const missing = pack.from + pack.entries.length;
  if (missing < pack.to)
    throw new EvidenceError('MISSING_ENTRY', 'the pack has no entry at this index', missing);

  const wholeLog = pack.from === 0 && pack.to === size;
  // Computing the root is separate from comparing it (rule 8); with every proof verified this cannot fail unless
  // a proof verifier is wrong, which is why it is checked rather than assumed.
  if (wholeLog && !hashesEqual(rootOf(leaves), rootHash)) {
    throw new EvidenceError('ROOT_MISMATCH', "the entries do not hash to the checkpoint's root");
  }
  return {
    origin: checkpoint.origin,
    size,
    rootHash,
    from: pack.from,
    to: pack.to,
    entries: pack.entries.length,
    hashedOnly: 0,
    wholeLog,
    auditEntries: indexedEntries.map(({ entry }) => entry),
    indexedEntries,
  };
};

const decodeLeafHash = (hash: string, index: number): Uint8Array => {
  const bytes = decodeCanonicalBase64(hash);
  if (bytes === undefined || bytes.length !== HASH_SIZE) {
    throw new EvidenceError('MALFORMED_PROOF', 'a leaf hash is not base64 of 32 bytes', index);
  }
  return bytes;
};

/**
 * A v2 pack: every index of the range once and in order; every entry shown hashes to its stated leaf hash (so a
 * changed entry is named); and the stated leaf hashes with the boundary subtrees recompute the checkpoint's root
 * (RFC 6962 section 2.1 MTH, merkle.ts rootFromRange), which proves every leaf at its index, and for a whole-log
 * pack that the pack is the whole log. A changed leaf hash or boundary hash is a ROOT_MISMATCH of the pack.
 */
const verifyEvidenceV2 = (
  pack: EvidencePackV2,
  trust: EvidenceTrust,
  previous: PreviousCheckpoint | undefined,
): VerifiedEvidence => {
  const checkpoint = openPack(pack, trust, previous);
  const { size, rootHash } = checkpoint;
  const present = new Set(pack.leaves.map(({ index }) => index));
  const leaves: Uint8Array[] = [];
  const indexedEntries: { index: number; entry: AuditEntry }[] = [];
  pack.leaves.forEach(({ index, leafHash: stated, entry }, position) => {
    const broken = sequenceError(pack, position, index, present);
    if (broken !== undefined) throw broken;
    const hash = decodeLeafHash(stated, index);
    if (entry !== undefined) {
      const parsed = parseEntry(entry, index);
      if (!hashesEqual(leafHash(auditLeafData(parsed)), hash)) {
        throw new EvidenceError('NOT_INCLUDED', 'the entry does not hash to its leaf hash', index);
      }
      indexedEntries.push({ index, entry: parsed });
    }
    leaves.push(hash);
  });
  const missing = pack.from + pack.leaves.length;
  if (missing < pack.to)
    throw new EvidenceError('MISSING_ENTRY', 'the pack has no leaf at this index', missing);
  const boundary = pack.boundary.map((hash) => {
    const bytes = decodeCanonicalBase64(hash);
    if (bytes === undefined) throw new EvidenceError('MALFORMED_PROOF', 'a boundary hash is not base64');
    return bytes;
  });
  let computed: Uint8Array;
  try {
    computed = rootFromRange(pack.from, pack.to, size, leaves, boundary);
  } catch (error) {
    if (error instanceof MerkleProofError) {
      throw new EvidenceError('MALFORMED_PROOF', `the boundary hashes do not fit the range (${error.code})`);
    }
    throw error;
  }
  if (!hashesEqual(computed, rootHash)) {
    throw new EvidenceError('ROOT_MISMATCH', "the leaves and boundary do not hash to the checkpoint's root");
  }
  return {
    origin: checkpoint.origin,
    size,
    rootHash,
    from: pack.from,
    to: pack.to,
    entries: indexedEntries.length,
    hashedOnly: pack.leaves.length - indexedEntries.length,
    wholeLog: pack.from === 0 && pack.to === size,
    auditEntries: indexedEntries.map(({ entry }) => entry),
    indexedEntries,
  };
};

/**
 * Verifies an evidence pack offline (v1 or v2): the checkpoint's signature under the trusted key, the origin, no
 * rollback from `previous`, the stated range's every index present once and in order, and every leaf under the
 * checkpoint's root. Returns what was verified, or throws an EvidenceError naming the first bad entry it can.
 */
export const verifyEvidence = (
  input: unknown,
  trust: EvidenceTrust,
  previous?: PreviousCheckpoint,
): VerifiedEvidence => {
  const format = typeof input === 'object' && input !== null && 'format' in input ? input.format : undefined;
  if (format === evidenceFormatV1) {
    return verifyEvidenceV1(parseWith(evidencePackSchema, input), trust, previous);
  }
  if (format === evidenceFormat) {
    return verifyEvidenceV2(parseWith(evidencePackV2Schema, input), trust, previous);
  }
  throw new EvidenceError(
    'UNSUPPORTED_FORMAT',
    `not a ${evidenceFormats.join(' or ')} pack (format: ${String(format)})`,
  );
};
