import type { CheckpointArchive, CheckpointStore } from '../../ports/checkpoint-store.ts';
import type { CheckpointVerifierKeyStore } from '../../ports/checkpoint-verifier-key.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import { ConflictError } from '../errors.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { decodeCanonicalBase64, type NoteSigner, signNote } from './signed-note.ts';

/**
 * When to publish: as soon as the log has grown by `minGrowth` entries since the last checkpoint, or when it has
 * grown at all and the last checkpoint is `maxAgeSeconds` old (issue 5: every 1,000 entries or 5 minutes,
 * whichever comes first; the local exchange uses seconds so that a demo sees a checkpoint at once).
 */
export type CheckpointPolicy = { readonly minGrowth: number; readonly maxAgeSeconds: number };
export const defaultCheckpointPolicy: CheckpointPolicy = { minGrowth: 1000, maxAgeSeconds: 300 };

export type CheckpointPublication =
  | { readonly published: true; readonly size: number; readonly rootHash: string }
  | { readonly published: false; readonly reason: 'empty-log' | 'not-due' | 'raced' };

/**
 * Signs the current tree head as a C2SP checkpoint and publishes it: first to the write-once archive, then as the
 * latest checkpoint in one conditional write. In that order, a crash between the two leaves a published object
 * that the next run finds and records; and because Ed25519 signatures are deterministic, the note the next run
 * signs for that size is byte for byte the archived one. A different note already archived for the size is two
 * roots for one size, a split view: refused as CONFLICT, never overwritten.
 */
export const publishCheckpoint = async (
  deps: {
    readonly log: Pick<MerkleLogStore, 'readTreeHead'>;
    readonly checkpoints: CheckpointStore;
    readonly archive: CheckpointArchive;
    readonly clock: Clock;
    readonly key: () => Promise<{ readonly origin: string; readonly signer: NoteSigner }>;
  },
  policy: CheckpointPolicy,
): Promise<CheckpointPublication> => {
  const head = await deps.log.readTreeHead();
  if (head === undefined || head.size === 0) return { published: false, reason: 'empty-log' };
  const latest = await deps.checkpoints.readLatest();
  const now = deps.clock.now();
  const growth = head.size - (latest?.size ?? 0);
  const ageSeconds =
    latest === undefined ? Number.POSITIVE_INFINITY : (now.getTime() - Date.parse(latest.publishedAt)) / 1000;
  if (growth <= 0 || (growth < policy.minGrowth && ageSeconds < policy.maxAgeSeconds)) {
    return { published: false, reason: 'not-due' };
  }
  const rootHash = decodeCanonicalBase64(head.rootHash);
  if (rootHash === undefined) throw new TypeError('the stored tree head has a malformed root hash');
  const { origin, signer } = await deps.key();
  const note = signNote(formatCheckpoint({ origin, size: head.size, rootHash }), [signer]);
  const archived = await deps.archive.putOnce(head.size, note);
  if (!archived.created && archived.existing !== note) {
    throw new ConflictError('CONFLICT', `a different checkpoint is already published for size ${head.size}`);
  }
  const recorded = await deps.checkpoints.record(
    { size: head.size, rootHash: head.rootHash, note, publishedAt: now.toISOString() },
    latest?.size,
  );
  return recorded
    ? { published: true, size: head.size, rootHash: head.rootHash }
    : { published: false, reason: 'raced' };
};

/**
 * Publishes the checkpoint verifier key, write-once, where discovery and cosigning read it: the signing secret
 * stays with the publisher. The same key again is a no-op; another key already published is refused as CONFLICT
 * (a key rollover is announced, never a silent replacement).
 */
export const publishVerifierKey = async (deps: {
  readonly verifierKeys: CheckpointVerifierKeyStore;
  readonly key: () => Promise<{ readonly verifierKey: string }>;
}): Promise<{ readonly created: boolean }> => {
  const { verifierKey } = await deps.key();
  const put = await deps.verifierKeys.putVerifierKeyOnce(verifierKey);
  if (!put.created && put.existing !== verifierKey) {
    throw new ConflictError('CONFLICT', 'another checkpoint verifier key is already published');
  }
  return { created: put.created };
};
