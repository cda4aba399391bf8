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
};
