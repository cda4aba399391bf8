import type { DecisionReasonCode } from '../agreements/decide.ts';

/**
 * The terms the IG answers are stated in (docs/IG.md): months and quarters, the buckets of the response-time
 * histograms, and the groups of the decision engine's reason codes that the questions ask about. Named once here,
 * for the projection (project.ts), the answers and their schemas (shared/http/views/ig.ts).
 */

/** A calendar month, `YYYY-MM`, in UTC: the unit every aggregate is kept in. */
export const monthPattern = /^\d{4}-(?:0[1-9]|1[0-2])$/;
/** A calendar quarter, `YYYYQn` (Q1 is January to March). */
export const quarterPattern = /^\d{4}Q[1-4]$/;

/** The month (UTC) of an ISO 8601 time. */
export const monthOf = (iso: string): string => new Date(iso).toISOString().slice(0, 7);

/** The calendar day (UTC) of a time, as `yyyy-mm-dd`. */
export const dayOf = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

/** The quarter, `YYYYQn`, a month `YYYY-MM` falls in. */
export const quarterOfMonth = (month: string): string =>
  `${month.slice(0, 4)}Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;

/** The first and last month of a quarter `YYYYQn`. */
export const monthsOfQuarter = (quarter: string): { readonly from: string; readonly to: string } => {
  const year = quarter.slice(0, 4);
  const first = (Number(quarter.slice(5)) - 1) * 3 + 1;
  const pad = (m: number) => String(m).padStart(2, '0');
  return { from: `${year}-${pad(first)}`, to: `${year}-${pad(first + 2)}` };
};

/** Every month from `from` to `to`, both included, in order (empty when `to` is before `from`). */
export const monthsBetween = (from: string, to: string): string[] => {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (;;) {
    const label = `${year}-${String(month).padStart(2, '0')}`;
    if (label > to) return months;
    months.push(label);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
};

/** The twelve months up to and including the month of `now`: the default period of every question. */
export const defaultPeriod = (now: Date): { readonly from: string; readonly to: string } => {
  const to = now.toISOString().slice(0, 7);
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: start.toISOString().slice(0, 7), to };
};

/**
 * The upper bounds, in hours, of the response-time histogram's buckets; one more bucket holds everything longer.
 * A median or 90th percentile is read from the histogram as the upper bound of the bucket it falls in: "within
 * 24 hours", never an exact time (docs/IG.md "Precision").
 */
export const histogramBucketHours = [1, 4, 8, 24, 48, 72, 120, 168, 336, 720] as const;
/** The last bucket: longer than the largest bound. */
export const beyondLastBucket = '>720' as const;
/** How a percentile is published: the bucket's upper bound in hours, or `>720` for the open last bucket. */
export type WithinHours = (typeof histogramBucketHours)[number] | typeof beyondLastBucket;
/** Counts per bucket, `histogramBucketHours.length + 1` of them (the last for longer times). */
export type Histogram = readonly number[];

/**
 * Refusals for want of an agreement in force: none by that id, or one not signed by every party, suspended,
 * revoked, past its end or not yet started (decide.ts `standingReasons`). A version past its review date is not
 * here: it belongs to `past-review`.
 */
export const withoutAgreementCodes = [
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_NOT_ACTIVE',
  'AGREEMENT_SUSPENDED',
  'AGREEMENT_REVOKED',
  'AGREEMENT_EXPIRED',
  'AGREEMENT_NOT_YET_VALID',
] as const satisfies readonly DecisionReasonCode[];

/** Refusals across footprints: a party, the child or the purpose outside the agreement's footprint. */
export const crossFootprintCodes = [
  'REQUESTER_NOT_IN_FOOTPRINT',
  'RESPONDER_NOT_IN_FOOTPRINT',
  'SUBJECT_REF_NOT_OF_FOOTPRINT',
  'PURPOSE_NOT_FOR_FOOTPRINT',
] as const satisfies readonly DecisionReasonCode[];

/** The refusal of a request under an agreement past its review date, when the agreement says to refuse. */
export const reviewOverdueCode = 'AGREEMENT_REVIEW_OVERDUE' satisfies DecisionReasonCode;

/** How many open requests `outstanding` lists for one responder: its most overdue (the counts cover them all). */
export const listedPerResponder = 25;
