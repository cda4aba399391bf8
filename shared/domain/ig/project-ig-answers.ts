import type { Clock } from '../../ports/clock.ts';
import type { IgProjectionStore } from '../../ports/ig-store.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import { type FollowSummary, followAuditLog } from '../audit/follow-log.ts';
import { addAggregate, foldEntries, itemsOf, mergeAggregates, requestIdOf } from './project.ts';
import {
  type Aggregate,
  aggregateKeyOf,
  emptyMonth,
  type MonthState,
  type OpenRequest,
} from './projection-items.ts';

export type ProjectIgDeps = {
  readonly ig: IgProjectionStore;
  readonly log: Pick<MerkleLogStore, 'readLeaves'>;
  readonly clock: Clock;
};

/** What a run did (follow-log.ts). */
export type ProjectionSummary = FollowSummary;

/**
 * How many rows a month may gather on top of its sheet before the projector folds them into a new one: few enough
 * that a question reads each month as its sheet and a few hundred rows at most, many enough that a sheet (every
 * row of its month) is rewritten only every few batches while the month is busy.
 */
export const rowsPerSheet = 200;

/**
 * `ProjectIgAnswers`: follows the sequenced audit log and folds each leaf into the IG projection once. Each batch
 * reads the cursor's leaves, loads the request states they need, folds them (project.ts), adds the deltas to the
 * stored aggregate rows and writes every changed item with the cursor's move in one transaction conditional on
 * the cursor. A crash before the commit leaves the cursor where it was (the batch is folded again from the same
 * state); a concurrent run's commit fails its condition and that run stops. The child index entries are written
 * before the commit: each is keyed by its leaf, so writing it again writes the same item.
 *
 * When a month has gathered `rowsPerSheet` rows since its sheet, the batch also folds the month whole (sheet,
 * rows and this batch's deltas) into the month's next sheet, in the same transaction, and the rows start again
 * from nothing under the new generation. The superseded generation before it is then deleted.
 *
 * The fold reads stored aggregates and writes them back whole: correct because the projector is the table's only
 * writer and every write is conditional on the cursor it read.
 */
export const projectIgAnswers = (
  deps: ProjectIgDeps,
  options: {
    readonly maxBatches: number;
    readonly maxMillis: number;
    /** Rows a month gathers before its next sheet (default `rowsPerSheet`; tests make sheets sooner). */
    readonly rowsPerSheet?: number;
  },
): Promise<ProjectionSummary> => {
  /**
   * The months' sheets and rows as this run last committed them: read with the first batch, then carried from
   * batch to batch (a batch folded from a cursor another run has moved fails its commit, whatever it carried).
   */
  let carried: Readonly<Record<string, MonthState>> | undefined;
  return followAuditLog(
    { cursor: deps.ig, log: deps.log, clock: deps.clock },
    options,
    async (leaves, next, now) => {
      const ids = leaves.map((leaf) => requestIdOf(leaf.entry)).filter((id) => id !== undefined);
      const [cursor, states, responders] = await Promise.all([
        carried === undefined ? deps.ig.readCursor() : undefined,
        deps.ig.readRequestStates(ids),
        deps.ig.readResponders(),
      ]);
      if (cursor !== undefined && cursor.next !== next) return 'overtaken';
      const folded = foldEntries(
        { requests: new Map(states.map((s) => [s.id, s])), responders },
        leaves,
        deps.ig.maxItemsPerBatch,
      );
      if (itemsOf(folded) > deps.ig.maxItemsPerBatch) {
        throw new Error('one audit entry changes more IG items than a batch holds');
      }
      const months: Record<string, MonthState> = { ...(carried ?? cursor?.months) };
      const deltas = [...folded.deltas.values()];
      const stored = new Map(
        (await deps.ig.readAggregateRows(deltas, months)).map((a) => [aggregateKeyOf(a), a]),
      );
      for (const [key, d] of folded.deltas) {
        const month = months[d.month] ?? emptyMonth;
        if (!stored.has(key)) months[d.month] = { ...month, rows: month.rows + 1 };
      }
      const full = fullestMonth(
        months,
        new Set(deltas.map((d) => d.month)),
        options.rowsPerSheet ?? rowsPerSheet,
      );
      const sheets: { month: string; rows: Aggregate[] }[] = [];
      if (full !== undefined) {
        const whole = await deps.ig.readMonth(full.month, full.state);
        const rows = [...whole, ...deltas.filter((d) => d.month === full.month)];
        sheets.push({ month: full.month, rows: mergeAggregates(rows) });
        months[full.month] = { sheet: full.state.sheet + 1, rows: 0 };
      }
      const aggregates = [...folded.deltas]
        .filter(([, d]) => d.month !== full?.month)
        .map(([key, d]) => addAggregate(stored.get(key), d));
      await deps.ig.putChildEntries(folded.children);
      const openPuts: OpenRequest[] = [];
      const openDeletes: OpenRequest[] = [];
      for (const change of folded.open.values()) {
        if ('put' in change) openPuts.push(change.put);
        else openDeletes.push(change.delete);
      }
      const committed = await deps.ig.commitBatch({
        expectedNext: next,
        cursor: { next: next + folded.projected, updatedAt: now, months },
        aggregates,
        sheets,
        requests: [...folded.requests.values()],
        openPuts,
        openDeletes,
        ...(folded.responders === undefined ? {} : { responders: folded.responders }),
      });
      if (!committed) return 'overtaken';
      carried = months;
      // A question that read the cursor before this commit reads the generation just superseded: keep that one.
      if (full !== undefined && full.state.sheet > 0) {
        await deps.ig.dropGeneration(full.month, full.state.sheet - 1);
      }
      return { folded: folded.projected };
    },
  );
};

/** The month this batch touched with the most rows on top of its sheet, if it has `threshold` or more. */
const fullestMonth = (
  months: Readonly<Record<string, MonthState>>,
  touched: ReadonlySet<string>,
  threshold: number,
) => {
  let fullest: { month: string; state: MonthState } | undefined;
  for (const month of touched) {
    const state = months[month] ?? emptyMonth;
    if (state.rows >= threshold && state.rows > (fullest?.state.rows ?? -1)) fullest = { month, state };
  }
  return fullest;
};
