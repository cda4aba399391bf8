import type { AuditEntry } from '../domain/audit/audit-entry.ts';

/** A signed checkpoint as the exchange published it. */
export type PublishedCheckpoint = {
  readonly size: number;
  /** Base64 of the RFC 6962 root hash. */
  readonly rootHash: string;
  /** The C2SP signed note (checkpoint text and the log's signature line). */
  readonly note: string;
  readonly publishedAt: string;
};

/**
 * The checkpoints the exchange has published, in the audit table: the latest, and one per size. Recording is one
 * conditional write, so two publishers can never both move the latest, nor record two notes for one size.
 */
export type CheckpointStore = {
  readLatest(): Promise<PublishedCheckpoint | undefined>;
  /**
   * Records `checkpoint` as the latest, if the latest is still the one of `previousSize` (undefined: none yet) and
   * no checkpoint of its size is recorded; false otherwise.
   */
  record(checkpoint: PublishedCheckpoint, previousSize: number | undefined): Promise<boolean>;
};

/**
 * Write-once storage of signed checkpoint notes, one per tree size (S3 with Object Lock in AWS). `putOnce` never
 * overwrites: it answers `created`, or what is already stored for that size.
 */
export type CheckpointArchive = {
  putOnce(size: number, note: string): Promise<{ created: true } | { created: false; existing: string }>;
  /** The note archived for `size`, if any (`GET /v1/audit/checkpoint?size=N`). */
  read(size: number): Promise<string | undefined>;
};

/**
 * A witness's cosignature of one published checkpoint (c2sp.org/tlog-cosignature): its signature line as it
 * appears in the note, and the verifier key it verified with, kept beside it so readers can check it too. Only a
 * registered witness's line is kept (shared/domain/registry/witnesses.ts; the witnesses are in the registry).
 */
export type StoredCosignature = {
  readonly size: number;
  /** Base64 of the root hash the witness cosigned, equal to the published checkpoint's of that size. */
  readonly rootHash: string;
  /** The witness key name (one line per name: a re-cosign replaces the older line). */
  readonly keyName: string;
  /** `name+hash+base64(type || public key)`. */
  readonly witnessKey: string;
  /** The whole signature line, `— name base64(key ID || signature)` and its newline. */
  readonly line: string;
  readonly recordedAt: string;
};

/** The cosignatures of published checkpoints, beside them in the audit table. */
export type CosignatureStore = {
  /** The published checkpoint of `size`, if any. */
  readBySize(size: number): Promise<PublishedCheckpoint | undefined>;
  /** Every witness's stored line for the checkpoint of `size`, by key name. */
  readCosignatures(size: number): Promise<StoredCosignature[]>;
  /**
   * Stores (or replaces) the witness's line together with `audit`, in one transaction, provided the checkpoint of
   * that size is still published with that root; false otherwise.
   */
  recordCosignature(cosignature: StoredCosignature, audit: AuditEntry): Promise<boolean>;
};
