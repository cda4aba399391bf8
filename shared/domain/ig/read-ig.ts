import type { Clock } from '../../ports/clock.ts';
import type { IgReader } from '../../ports/ig-store.ts';
import { type AuditSearchScope, auditSearchScopeOf, suppressSmallCount } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { InputError } from '../errors.ts';
import type { AnswerHeader, IgCount, Period, Timings } from './answers.ts';
import {
  beyondLastBucket,
  defaultPeriod,
  type Histogram,
  histogramBucketHours,
  monthsBetween,
  type WithinHours,
} from './ig-terms.ts';
import { type Aggregate, type AggregateKind, everyone, noValue } from './projection-items.ts';

/**
 * What every IG question shares (docs/IG.md): who may ask and what they see (exactly audit search's scopes), the
 * months asked about, how fresh the projection is, and how counts, rates and percentiles are published.
 */

/** The asker's scope: operator all, IG lead, Caldicott guardian or DPO their organisation, scrutineer counts. */
export const igScopeOf = (principal: Principal): AuditSearchScope =>
  auditSearchScopeOf({ organisationId: principal.organisationId, roles: principal.user?.roles ?? [] });

/** The most months one question covers: five years, so that no question's cost grows without bound. */
export const maxPeriodMonths = 60;

/** The months asked about: both given, or the twelve months to the current one; 400 if `to` is before `from`. */
export const periodOf = (
  input: { readonly from?: string | undefined; readonly to?: string | undefined },
  now: Date,
) => {
  const fallback = defaultPeriod(now);
  const to = input.to ?? (input.from === undefined ? fallback.to : laterOf(input.from, fallback.to));
  const from = input.from ?? monthsBack(to, 11);
  const months = monthsBetween(from, to);
  if (months.length === 0)
    throw new InputError('INVALID_INPUT', 'the period ends before it starts', ['from: after to']);
  if (months.length > maxPeriodMonths) {
    throw new InputError('INVALID_INPUT', `a period is at most ${maxPeriodMonths} months`, [
      'from: too early',
    ]);
  }
  return { period: { from, to } satisfies Period, months };
};

const laterOf = (a: string, b: string) => (a > b ? a : b);

const monthsBack = (month: string, n: number): string => {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 - n, 1));
  return d.toISOString().slice(0, 7);
};

/** What every answer says of itself: how fresh, and whose rows. */
export const answerHeader = async (
  ig: Pick<IgReader, 'readCursor'>,
  scope: AuditSearchScope,
): Promise<AnswerHeader> => {
  const cursor = await ig.readCursor();
  return {
    asOf: { leaves: cursor?.next ?? 0, time: cursor?.updatedAt ?? null },
    scope: scope.kind,
    ...(scope.kind === 'organisation' ? { organisationId: scope.organisationId } : {}),
  };
};

/** Whether the scope sees a row of these organisations: the operator and scrutineers every row. */
export const seesRow = (
  scope: AuditSearchScope,
  ...organisations: readonly (string | undefined)[]
): boolean => scope.kind !== 'organisation' || organisations.includes(scope.organisationId);

/** A count as the scope publishes it: 1 to 4 as `<5` under counts. */
export const publish = (scope: AuditSearchScope | { readonly kind: 'report' }, n: number): IgCount =>
  scope.kind === 'counts' || scope.kind === 'report' ? suppressSmallCount(n) : n;

/** A rate, or null with nothing to divide; under counts also null when the whole is a suppressed count. */
export const rateOf = (
  scope: AuditSearchScope | { readonly kind: 'report' },
  part: number,
  whole: number,
): number | null => {
  if (whole === 0) return null;
  if (typeof publish(scope, whole) !== 'number') return null;
  return Math.round((part / whole) * 1000) / 1000;
};

/** The bucket a quantile of a histogram falls in, as its upper bound; null for an empty histogram. */
export const quantileOf = (histogram: Histogram, q: number): WithinHours | null => {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const [i, n] of histogram.entries()) {
    seen += n;
    if (seen >= rank) return histogramBucketHours[i] ?? beyondLastBucket;
  }
  return beyondLastBucket;
};

/** Median and 90th percentile from a histogram; null under counts when the times are too few to publish. */
export const timingsOf = (
  scope: AuditSearchScope | { readonly kind: 'report' },
  histogram: Histogram | undefined,
): Timings => {
  const total = histogram?.reduce((a, b) => a + b, 0) ?? 0;
  if (histogram === undefined || typeof publish(scope, total) !== 'number')
    return { median: null, p90: null };
  return { median: quantileOf(histogram, 0.5), p90: quantileOf(histogram, 0.9) };
};

/** Counts and histograms of rows added together. */
export type Totals = {
  readonly counts: Record<string, number>;
  readonly histograms: Record<string, number[]>;
};

export const totalOf = (rows: readonly Pick<Aggregate, 'counts' | 'histograms'>[]): Totals => {
  const counts: Record<string, number> = {};
  const histograms: Record<string, number[]> = {};
  for (const row of rows) {
    for (const [name, n] of Object.entries(row.counts)) counts[name] = (counts[name] ?? 0) + n;
    for (const [name, buckets] of Object.entries(row.histograms)) {
      histograms[name] ??= new Array(histogramBucketHours.length + 1).fill(0);
      const sum = histograms[name];
      for (let i = 0; i < sum.length; i += 1) sum[i] = (sum[i] ?? 0) + (buckets[i] ?? 0);
    }
  }
  return { counts, histograms };
};

/** Rows grouped by a key, in key order. */
export const groupBy = <T>(rows: readonly T[], keyOf: (row: T) => string): [string, T[]][] => {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
};

/** A field of a row, or undefined for a field with no value. */
export const fieldOf = (row: Pick<Aggregate, 'fields'>, name: string): string | undefined => {
  const value = row.fields[name];
  return value === undefined || value === noValue ? undefined : value;
};

/**
 * Whether the scope sees an aggregate row: a rollup by viewer, the rows of its own viewer (the partnership's for
 * the operator and scrutineers); a rollup by organisation, its organisation's; any other, its requester's and its
 * responder's.
 */
export const seesAggregate = (scope: AuditSearchScope, row: Aggregate): boolean => {
  switch (row.kind) {
    case 'purpose':
    case 'footprint':
      return row.fields.viewer === (scope.kind === 'organisation' ? scope.organisationId : everyone);
    case 'side':
      return seesRow(scope, fieldOf(row, 'organisation'));
    default:
      return seesRow(scope, fieldOf(row, 'requester'), fieldOf(row, 'responder'));
  }
};

/** The aggregate rows of one kind over the months asked, those the scope sees. */
export const scopedAggregates = async (
  ig: Pick<IgReader, 'readAggregates'>,
  scope: AuditSearchScope,
  kind: AggregateKind,
  months: readonly string[],
): Promise<Aggregate[]> => (await ig.readAggregates(kind, months)).filter((row) => seesAggregate(scope, row));

/** The counts of one name prefix (`refusal:`, `exemption:`) of a totals, by what follows the prefix. */
export const countsWithPrefix = (counts: Record<string, number>, prefix: string): [string, number][] =>
  Object.entries(counts)
    .filter(([name, n]) => name.startsWith(prefix) && n > 0)
    .map(([name, n]): [string, number] => [name.slice(prefix.length), n])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * What a question over months starts from: the asker's scope, the answer's header with the period, and the rows of
 * one aggregate kind the scope sees in those months.
 */
export const periodRows = async (
  deps: { readonly ig: Pick<IgReader, 'readCursor' | 'readAggregates'>; readonly clock: Clock },
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
  kind: AggregateKind,
) => {
  const scope = igScopeOf(input.principal);
  const { period, months } = periodOf(input, deps.clock.now());
  const [header, rows] = await Promise.all([
    answerHeader(deps.ig, scope),
    scopedAggregates(deps.ig, scope, kind, months),
  ]);
  return { scope, header: { ...header, period }, rows };
};
