import { mergeAggregates } from './project.ts';
import { type Aggregate, everyone, noValue, type RollupKind, rollupKinds } from './projection-items.ts';

/**
 * The rollups of `month` rows (projection-items.ts): each month row counted once in each rollup it belongs to. Sums
 * of counts and histograms, so the rollup of a month's sheet plus the rollup of the rows written since is the
 * rollup of the month: the store makes them with each sheet and, for the rows since, when a question reads them.
 */

/** The rows of one rollup kind that one month row is counted in (its fields; its counts and histograms). */
const placesOf: Record<RollupKind, (row: Aggregate) => Record<string, string>[]> = {
  pair: (row) => [{ requester: fieldOf(row, 'requester'), responder: fieldOf(row, 'responder') }],
  side: (row) => [
    { organisation: fieldOf(row, 'requester'), side: 'requester' },
    { organisation: fieldOf(row, 'responder'), side: 'responder' },
  ],
  purpose: (row) => viewersOf(row).map((viewer) => ({ viewer, purpose: fieldOf(row, 'purpose') })),
  footprint: (row) => viewersOf(row).map((viewer) => ({ viewer, footprint: fieldOf(row, 'footprint') })),
  report: (row) => [{ footprint: fieldOf(row, 'footprint'), purpose: fieldOf(row, 'purpose') }],
  consent: (row) => ((row.counts.consentNotSought ?? 0) > 0 ? [{ ...row.fields }] : []),
  owed: (row) =>
    (row.counts.owedOpened ?? 0) > 0 || (row.counts.owedClosed ?? 0) > 0
      ? [
          {
            responder: fieldOf(row, 'responder'),
            requester: fieldOf(row, 'requester'),
            footprint: fieldOf(row, 'footprint'),
          },
        ]
      : [],
};

const fieldOf = (row: Aggregate, name: string): string => row.fields[name] ?? noValue;

/** The partnership, and each organisation the row concerns (a requester asking itself, once). */
const viewersOf = (row: Aggregate): string[] => [
  ...new Set([everyone, fieldOf(row, 'requester'), fieldOf(row, 'responder')].filter((v) => v !== noValue)),
];

/** The counts of its month row a rollup keeps: all of them, or (`consent`, `owed`) only those it is about. */
const countsKept: Partial<Record<RollupKind, (name: string) => boolean>> = {
  consent: (name) => name === 'consentNotSought' || name.startsWith('exemption:'),
  owed: (name) => name === 'owedOpened' || name === 'owedClosed',
};
const countsOf = (kind: RollupKind, counts: Record<string, number>): Record<string, number> => {
  const kept = countsKept[kind];
  return kept === undefined
    ? counts
    : Object.fromEntries(Object.entries(counts).filter(([name]) => kept(name)));
};

/** The rows of one rollup kind made from `month` rows (others are ignored), merged by key, in key order. */
export const rollupOf = (kind: RollupKind, rows: readonly Aggregate[]): Aggregate[] =>
  mergeAggregates(
    rows
      .filter((row) => row.kind === 'month')
      .flatMap((row) =>
        placesOf[kind](row).map(
          (fields): Aggregate => ({
            kind,
            month: row.month,
            fields,
            counts: countsOf(kind, row.counts),
            histograms: countsKept[kind] === undefined ? row.histograms : {},
          }),
        ),
      ),
  );

/** Every rollup of `month` rows. */
export const rollupsOf = (rows: readonly Aggregate[]): Aggregate[] =>
  rollupKinds.flatMap((kind) => rollupOf(kind, rows));
