import * as z from 'zod';
import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import { DependencyError } from '../errors.ts';
import type { IndexedEntry } from './search.ts';

/** A follower's cursor: the next leaf index it folds, and when a run last moved or confirmed it. */
export const logCursorSchema = z.object({ next: z.number().int().min(0), updatedAt: z.string() });
export type LogCursor = z.infer<typeof logCursorSchema>;

/** What a follower keeps of its own: its cursor, read and confirmed conditionally on where it stands. */
export type FollowerCursorStore = {
  readCursor(): Promise<LogCursor | undefined>;
  /** Records that a run found nothing new, if the cursor is still at `next`; false when another run moved it. */
  touchCursor(cursor: LogCursor): Promise<boolean>;
};

export type FollowDeps = {
  readonly cursor: FollowerCursorStore;
  readonly log: Pick<MerkleLogStore, 'readLeaves'>;
  readonly clock: Clock;
};

/**
 * One batch's fold and commit: given the leaves from the cursor on, it folds a prefix of them and commits its
 * writes with the cursor's move from `next` in one transaction conditional on the cursor. It answers how many
 * leaves it folded, or `overtaken` when the condition failed (another run moved the cursor first).
 */
export type FoldBatch = (
  leaves: readonly IndexedEntry[],
  next: number,
  now: string,
) => Promise<{ readonly folded: number } | 'overtaken'>;

export type FollowSummary = {
  /** Leaves folded in this run. */
  readonly projected: number;
  readonly batches: number;
  /** The cursor after the run: the next leaf index to fold. */
  readonly next: number;
  /** Another run moved the cursor first: this one stopped without writing its batch. */
  readonly overtaken: boolean;
};

/** Leaves read per batch: more than fit, since many entries (answers, searches) change nothing a follower keeps. */
const leavesPerRead = 200;

/**
 * Follows the sequenced audit log from a cursor of its own, batch by batch, folding each leaf once: the machinery
 * the IG projector (ProjectIgAnswers) and the anomaly detector (DetectAnomalies) share. A crash before a batch's
 * commit leaves the cursor where it was, so the same leaves are folded again from the same state; a run racing
 * another fails its commit's condition and stops. Leaves must come back consecutive from the cursor: a gap is the
 * store failing, never something to fold past.
 */
export const followAuditLog = async (
  deps: FollowDeps,
  options: { readonly maxBatches: number; readonly maxMillis: number },
  foldBatch: FoldBatch,
): Promise<FollowSummary> => {
  const started = Date.now();
  let projected = 0;
  let batches = 0;
  let next = (await deps.cursor.readCursor())?.next ?? 0;
  while (batches < options.maxBatches && Date.now() - started < options.maxMillis) {
    const leaves = await deps.log.readLeaves(next, leavesPerRead);
    leaves.forEach((leaf, i) => {
      if (leaf.index !== next + i) {
        throw new DependencyError('DEPENDENCY_UNAVAILABLE', "the audit log's stored leaves are inconsistent");
      }
    });
    const now = deps.clock.now().toISOString();
    if (leaves.length === 0) {
      const touched = await deps.cursor.touchCursor({ next, updatedAt: now });
      return { projected, batches, next, overtaken: !touched };
    }
    const outcome = await foldBatch(
      leaves.map(({ index, entry }) => ({ index, entry })),
      next,
      now,
    );
    if (outcome === 'overtaken') return { projected, batches, next, overtaken: true };
    next += outcome.folded;
    projected += outcome.folded;
    batches += 1;
  }
  return { projected, batches, next, overtaken: false };
};
