import {
  addSignatures,
  decodeCanonicalBase64,
  encodeBase64,
  isNoteString,
  keyIdHex,
  NoteError,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  openNote,
} from './signed-note.ts';

/**
 * Checkpoints of the audit log (c2sp.org/tlog-checkpoint): a signed note whose text is the log's origin, its tree
 * size and the base64 of its RFC 6962 root hash, one per line, optionally followed by extension lines. Witnesses
 * cosign them (c2sp.org/tlog-cosignature) after checking consistency with the last checkpoint they saw, and any two
 * checkpoints the log signed for one size with different roots prove a split view.
 */

export type CheckpointErrorCode =
  /** Not three or more non-empty newline-terminated lines of note text. */
  | 'MALFORMED_CHECKPOINT'
  /** The origin line is empty or is not one line. */
  | 'INVALID_ORIGIN'
  /** The size is not ASCII decimal without leading zeros, or is beyond what this exchange can count exactly. */
  | 'INVALID_SIZE'
  /** The root hash is not canonical base64 of 32 bytes (a SHA-256 RFC 6962 root). */
  | 'INVALID_ROOT_HASH'
  /** A correctly signed checkpoint of another log. */
  | 'WRONG_ORIGIN'
  /** A cosignature line that is not timestamp || Ed25519 signature (tlog-cosignature `timestamped_signature`). */
  | 'MALFORMED_COSIGNATURE'
  /** Split-view evidence that does not show two verified checkpoints of one size with different roots. */
  | 'NOT_A_SPLIT_VIEW';

export class CheckpointError extends Error {
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type Checkpoint = {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** tlog-checkpoint: opaque, optional, non-empty; not auditable by monitors, so the exchange writes none. */
  readonly extensions: readonly string[];
};

export type CheckpointInput = Omit<Checkpoint, 'extensions'> & { readonly extensions?: readonly string[] };

/** The log hashes with SHA-256 (RFC 6962 section 2.1), so a root is 32 bytes. */
export const rootHashBytes = 32;

const decimalSize = /^(?:0|[1-9][0-9]*)$/;

const isOneLine = (line: string) => line !== '' && !line.includes('\n') && isNoteString(line);

/** Formats the note text of a checkpoint (tlog-checkpoint "Note text"); it parses back to the same values. */
export const formatCheckpoint = ({ origin, size, rootHash, extensions = [] }: CheckpointInput): string => {
  if (!isOneLine(origin))
    throw new CheckpointError('INVALID_ORIGIN', 'the origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new CheckpointError('INVALID_SIZE', 'the size must be a non-negative safe integer');
  }
  if (rootHash.length !== rootHashBytes) {
    throw new CheckpointError('INVALID_ROOT_HASH', `the root hash must be ${rootHashBytes} bytes`);
  }
  if (!extensions.every(isOneLine)) {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'extension lines must be non-empty single lines');
  }
  return [origin, String(size), encodeBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
};

/**
 * Parses checkpoint note text strictly (tlog-checkpoint "Note text"). Call it on the text of a verified note: the
 * values mean nothing until the log's signature over them has been checked (see verifyCheckpoint).
 */
export const parseCheckpoint = (text: string): Checkpoint => {
  if (!text.endsWith('\n') || !isNoteString(text)) {
    throw new CheckpointError(
      'MALFORMED_CHECKPOINT',
      'checkpoint text must be note text ending in a newline',
    );
  }
  const [origin, sizeLine, rootLine, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'a checkpoint has at least three lines');
  }
  if (origin === '') throw new CheckpointError('INVALID_ORIGIN', 'the origin line is empty');
  // "ASCII decimal ... with no leading zeroes (unless the tree is empty)". Sizes beyond 2^53 - 1 are refused
  // rather than rounded: a size the exchange cannot count exactly is not one it can check a proof against.
  const size = Number(sizeLine);
  if (!decimalSize.test(sizeLine) || !Number.isSafeInteger(size)) {
    throw new CheckpointError('INVALID_SIZE', 'the size is not canonical decimal');
  }
  const rootHash = decodeCanonicalBase64(rootLine);
  if (rootHash === undefined || rootHash.length !== rootHashBytes) {
    throw new CheckpointError('INVALID_ROOT_HASH', `the root hash is not base64 of ${rootHashBytes} bytes`);
  }
  if (extensions.includes('')) {
    throw new CheckpointError('MALFORMED_CHECKPOINT', 'extension lines must be non-empty');
  }
  return { origin, size, rootHash, extensions };
};

/** What a client trusts: the log's origin and key, and optionally the witnesses whose cosignatures it checks. */
export type CheckpointTrust = {
  readonly origin: string;
  readonly verifier: NoteVerifier;
  readonly witnesses?: readonly NoteVerifier[];
};

export type VerifiedCheckpoint = Checkpoint & {
  /** The signed note as verified, to pass on (to a witness, or as split-view evidence). */
  readonly note: string;
  /**
   * Every signature line but the log's own: `verified` for the trusted witnesses' (whose lines must verify),
   * unverified for keys the caller does not know.
   */
  readonly cosignatures: readonly NoteSignature[];
};

const isKey = (signature: { name: string; keyId: Uint8Array }, verifier: NoteVerifier) =>
  signature.name === verifier.name && keyIdHex(signature.keyId) === keyIdHex(verifier.keyId);

/**
 * Verifies a checkpoint note: the log's signature must verify (a note signed only by others is no evidence), every
 * line of a trusted witness must verify, and the body must be a checkpoint of the expected origin. Returns the
 * verified checkpoint or throws a NoteError or CheckpointError.
 */
export const verifyCheckpoint = (note: string, trust: CheckpointTrust): VerifiedCheckpoint => {
  const opened = openNote(note, [trust.verifier, ...(trust.witnesses ?? [])]);
  if (!opened.signatures.some((signature) => signature.verified && isKey(signature, trust.verifier))) {
    throw new NoteError('NO_VERIFIED_SIGNATURE', "the checkpoint has no signature by the log's key");
  }
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== trust.origin) {
    throw new CheckpointError('WRONG_ORIGIN', 'the checkpoint is not of the expected log');
  }
  return {
    ...checkpoint,
    note,
    cosignatures: opened.signatures.filter((signature) => !isKey(signature, trust.verifier)),
  };
};

/**
 * A witness adds its signature to a checkpoint it has checked. The log's signature and the checkpoint body are
 * verified here, so a witness never cosigns what the log did not sign; consistency with the last checkpoint the
 * witness saw is the caller's check (with the Merkle module's consistency proof), before calling this.
 */
export const cosignCheckpoint = (
  note: string,
  witness: NoteSigner,
  trust: Pick<CheckpointTrust, 'origin' | 'verifier'>,
): string => {
  verifyCheckpoint(note, trust);
  return addSignatures(note, [witness]);
};

/**
 * c2sp.org/tlog-cosignature "Ed25519 signed message": the header line, the timestamp line, then the whole
 * checkpoint text. The header gives domain separation from the log's own Ed25519 signatures.
 */
export const cosignatureV1Message = (timestamp: bigint, text: Uint8Array): Uint8Array => {
  const header = new TextEncoder().encode(`cosignature/v1\ntime ${timestamp.toString()}\n`);
  const message = new Uint8Array(header.length + text.length);
  message.set(header, 0);
  message.set(text, header.length);
  return message;
};

/** tlog-cosignature: the timestamp MUST NOT exceed 2^63 - 1. */
export const maxCosignatureTimestamp = 2n ** 63n - 1n;
const timestampBytes = 8;
const ed25519SignatureBytes = 64;

/** Splits a `timestamped_signature` (u64 big-endian POSIX seconds || 64-byte Ed25519 signature), or undefined. */
export const splitTimestampedSignature = (
  signature: Uint8Array,
): { timestamp: bigint; signature: Uint8Array } | undefined => {
  if (signature.length !== timestampBytes + ed25519SignatureBytes) return undefined;
  const timestamp = new DataView(signature.buffer, signature.byteOffset, timestampBytes).getBigUint64(
    0,
    false,
  );
  if (timestamp > maxCosignatureTimestamp) return undefined;
  return { timestamp, signature: signature.slice(timestampBytes) };
};

/**
 * The time a witness says it cosigned, from one of `cosignatures`. Meaningful only for a line that verified under
 * a cosignature/v1 key: an unverified line's timestamp is whatever its author wrote.
 */
export const cosignatureTime = (cosignature: Pick<NoteSignature, 'signature'>): Date => {
  const split = splitTimestampedSignature(cosignature.signature);
  const seconds = split === undefined ? undefined : Number(split.timestamp);
  // Date holds up to 8.64e15 ms; later timestamps are not ones a witness could have honestly written.
  if (seconds === undefined || seconds * 1000 > 8.64e15) {
    throw new CheckpointError('MALFORMED_COSIGNATURE', 'not a timestamped cosignature');
  }
  return new Date(seconds * 1000);
};

/** Two checkpoints the log signed for one size with different roots: proof that the log showed a split view. */
export type SplitViewEvidence = {
  readonly origin: string;
  readonly size: number;
  readonly notes: readonly [string, string];
};

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Compares two verified checkpoints. Same origin, same size and different roots is a split view, returned as
 * evidence that anyone holding the log's key can check (verifySplitViewEvidence). `undefined` says only that these
 * two do not show one by themselves: checkpoints of different sizes need a consistency proof instead.
 */
export const detectSplitView = (
  a: VerifiedCheckpoint,
  b: VerifiedCheckpoint,
): SplitViewEvidence | undefined => {
  if (a.origin !== b.origin)
    throw new CheckpointError('WRONG_ORIGIN', 'the checkpoints are of different logs');
  if (a.size !== b.size || sameBytes(a.rootHash, b.rootHash)) return undefined;
  return { origin: a.origin, size: a.size, notes: [a.note, b.note] };
};

/** Re-verifies split-view evidence from scratch against the log's key: returns it, or throws. */
export const verifySplitViewEvidence = (
  evidence: SplitViewEvidence,
  trust: Pick<CheckpointTrust, 'origin' | 'verifier'>,
): SplitViewEvidence => {
  const [a, b] = evidence.notes.map((note) => verifyCheckpoint(note, trust));
  if (a === undefined || b === undefined || a.size !== b.size || sameBytes(a.rootHash, b.rootHash)) {
    throw new CheckpointError('NOT_A_SPLIT_VIEW', 'the notes do not show two roots for one size');
  }
  return { origin: a.origin, size: a.size, notes: [a.note, b.note] };
};
