import type { WithinHours } from '#shared/domain/ig/ig-terms.ts';
import type { ShownCount } from '../charts.ts';
import { formatDate } from '../render.ts';

/**
 * The IG answers in words and table cells (GOV.UK Frontend's table macro): counts right-aligned, a suppressed
 * count read as "fewer than 5", rates as percentages, and the histogram's percentiles as the bound they are.
 */

/** A table cell as `govukTable` takes it. */
export type Cell = {
  readonly text?: string;
  readonly html?: string;
  readonly format?: 'numeric';
  readonly classes?: string;
  readonly attributes?: Readonly<Record<string, string>>;
};

export type Table = {
  readonly id: string;
  readonly caption: string;
  readonly head: readonly Cell[];
  readonly rows: readonly (readonly Cell[])[];
};

const number = (n: number) => n.toLocaleString('en-GB');

/**
 * A count, right-aligned. A suppressed count says "fewer than 5" and keeps the exchange's own `<5` for screen
 * readers and for anyone comparing with a download; `data-count` holds the value as the exchange sent it.
 */
export const countCell = (count: ShownCount): Cell =>
  count === '<5'
    ? {
        html: 'fewer than 5<span class="govuk-visually-hidden"> (shown as &lt;5)</span>',
        format: 'numeric',
        attributes: { 'data-count': '<5' },
      }
    : { text: number(count), format: 'numeric', attributes: { 'data-count': String(count) } };

export const textCell = (text: string): Cell => ({ text });
export const numericHead = (text: string): Cell => ({ text, format: 'numeric' });

/** A share of a whole as a whole percentage; "not known" when there was nothing to divide. */
export const rateText = (rate: number | null): string =>
  rate === null ? 'not known' : `${Math.round(rate * 100)}%`;

export const rateCell = (rate: number | null): Cell => ({ text: rateText(rate), format: 'numeric' });

/** A percentile read from the histogram: the upper bound of its bucket, in hours or days. */
export const withinText = (within: WithinHours | null): string => {
  if (within === null) return 'none recorded';
  if (within === '>720') return 'over 30 days';
  if (within <= 24) return `within ${within} ${within === 1 ? 'hour' : 'hours'}`;
  return `within ${within / 24} days`;
};

export const withinCell = (within: WithinHours | null): Cell => ({
  text: withinText(within),
  format: 'numeric',
});

/** A month `YYYY-MM` in words: "December 2026". */
export const monthText = (month: string): string =>
  formatDate(`${month}-01T12:00:00Z`, false).replace(/^1 /, '');

const quarterMonths = ['January to March', 'April to June', 'July to September', 'October to December'];

/** "2026Q3" in words: "July to September 2026". */
export const quarterText = (quarter: string): string =>
  `${quarterMonths[Number(quarter.slice(5)) - 1] ?? quarter} ${quarter.slice(0, 4)}`;

/** "Figures as of 9:05am on 4 December 2026 (12,345 log entries)": how fresh the answer is, in UK time. */
export const freshnessText = (asOf: { readonly leaves: number; readonly time: string | null }): string => {
  const entries = `${number(asOf.leaves)} log ${asOf.leaves === 1 ? 'entry' : 'entries'}`;
  if (asOf.time === null)
    return `The exchange has not yet worked out these figures from its log (${entries}).`;
  const [day, time] = formatDate(asOf.time, true).split(' at ');
  return `Figures as of ${time} on ${day} (${entries}).`;
};

/**
 * The reason codes the IG questions count, in words: the decision engine's (refusals) and a responder's coded grounds
 * for a decision (declines, shared/domain/requests/data-request.ts). Any other code is shown as it is.
 */
const reasonWords: Readonly<Record<string, string>> = {
  HELD_AND_NECESSARY: 'Held and needed',
  NOT_HELD: 'Not held',
  SUBJECT_NOT_IDENTIFIED: 'Child not identified',
  NOT_NECESSARY: 'Not necessary for the purpose',
  NOT_PROPORTIONATE: 'Not proportionate to the purpose',
  PREJUDICE_TO_CRIME_PREVENTION: 'Would prejudice preventing or detecting crime',
  RISK_OF_SERIOUS_HARM: 'Risk of serious harm',
  THIRD_PARTY_INFORMATION: 'Information about a third party',
  LEGAL_PRIVILEGE: 'Legal professional privilege',
  OTHER: 'Another reason',
  AGREEMENT_NOT_FOUND: 'No such agreement',
  AGREEMENT_NOT_ACTIVE: 'Agreement not signed by every party',
  AGREEMENT_SUSPENDED: 'Agreement suspended',
  AGREEMENT_REVOKED: 'Agreement revoked',
  AGREEMENT_EXPIRED: 'Agreement ended',
  AGREEMENT_NOT_YET_VALID: 'Agreement not yet started',
  AGREEMENT_REVIEW_OVERDUE: 'Agreement past its review date',
  REQUESTER_NOT_IN_FOOTPRINT: "Requester outside the agreement's footprint",
  RESPONDER_NOT_IN_FOOTPRINT: "Responder outside the agreement's footprint",
  SUBJECT_REF_NOT_OF_FOOTPRINT: "Child's reference not of the agreement's footprint",
  PURPOSE_NOT_FOR_FOOTPRINT: "Purpose not allowed in the agreement's footprint",
};

/** A reason code in words, with the code itself, which the CLI and the CSV show. */
export const reasonText = (code: string): string => {
  const words = reasonWords[code];
  return words === undefined ? code : `${words} (${code})`;
};

/** The words of a reason code alone, short enough for a chart's label. */
export const reasonLabel = (code: string): string => reasonWords[code] ?? code;

export const kindText = (kind: 'refusal' | 'decline'): string =>
  kind === 'refusal' ? 'Refused by the exchange' : 'Declined by the responder';

/** Organisation and footprint names from the published registry; an id not in it is shown as it is. */
export type Names = ReadonlyMap<string, string>;
export const nameOf = (names: Names, id: string | undefined): string =>
  id === undefined ? '' : (names.get(id) ?? id);
