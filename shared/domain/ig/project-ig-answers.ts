import type { Clock } from '../../ports/clock.ts';
import type { IgProjectionStore } from '../../ports/ig-store.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import { type FollowSummary, followAuditLog } from '../audit/follow-log.ts';
import { addAggregate, foldEntries, itemsOf, requestIdOf } from './project.ts';
import { aggregateKeyOf, type OpenRequest } from './projection-items.ts';

export type ProjectIgDeps = {
  readonly ig: IgProjectionStore;
  readonly log: Pick<MerkleLogStore, 'readLeaves'>;
  readonly clock: Clock;
};

/** What a run did (follow-log.ts). */
export type ProjectionSummary = FollowSummary;

/**
 * `ProjectIgAnswers`: follows the sequenced audit log and folds each leaf into the IG projection once. Each batch
 * reads the cursor's leaves, loads the request states they need, folds them (project.ts), adds the deltas to the
 * stored aggregate rows and writes every changed item with the cursor's move in one transaction conditional on
 * the cursor. A crash before the commit leaves the cursor where it was (the batch is folded again from the same
 * state); a concurrent run's commit fails its condition and that run stops. The child index entries are written
 * before the commit: each is keyed by its leaf, so writing it again writes the same item.
 *
 * The fold reads stored aggregates and writes them back whole: correct because the projector is the table's only
 * writer and every write is conditional on the cursor it read.
 */
export const projectIgAnswers = (
  deps: ProjectIgDeps,
  options: { readonly maxBatches: number; readonly maxMillis: number },
): Promise<ProjectionSummary> =>
  followAuditLog(
    { cursor: deps.ig, log: deps.log, clock: deps.clock },
    options,
    async (leaves, next, now) => {
      const ids = leaves.map((leaf) => requestIdOf(leaf.entry)).filter((id) => id !== undefined);
      const [states, responders] = await Promise.all([
        deps.ig.readRequestStates(ids),
        deps.ig.readResponders(),
      ]);
      const folded = foldEntries(
        { requests: new Map(states.map((s) => [s.id, s])), responders },
        leaves,
        deps.ig.maxItemsPerBatch,
      );
      if (itemsOf(folded) > deps.ig.maxItemsPerBatch) {
        throw new Error('one audit entry changes more IG items than a batch holds');
      }
      const stored = new Map(
        (await deps.ig.readAggregateRows([...folded.deltas.values()])).map((a) => [aggregateKeyOf(a), a]),
      );
      const aggregates = [...folded.deltas].map(([key, d]) => addAggregate(stored.get(key), d));
      await deps.ig.putChildEntries(folded.children);
      const openPuts: OpenRequest[] = [];
      const openDeletes: OpenRequest[] = [];
      for (const change of folded.open.values()) {
        if ('put' in change) openPuts.push(change.put);
        else openDeletes.push(change.delete);
      }
      const committed = await deps.ig.commitBatch({
        expectedNext: next,
        cursor: { next: next + folded.projected, updatedAt: now },
        aggregates,
        requests: [...folded.requests.values()],
        openPuts,
        openDeletes,
        ...(folded.responders === undefined ? {} : { responders: folded.responders }),
      });
      return committed ? { folded: folded.projected } : 'overtaken';
    },
  );
