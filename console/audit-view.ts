import type { AuditCount, IndexedEntry } from '#client/audit-csv.ts';
import { purposeCodes } from '#shared/domain/agreements/catalogue.ts';
import { type AuditEntry, auditOutcomes } from '#shared/domain/audit/audit-entry.ts';
import { auditSearchQuery } from '#shared/http/api-contract.ts';
import { FormProblems } from './forms.ts';

/**
 * The audit search pages' view code: the search form (the filters of `pbx audit search`) parsed and checked, the
 * exchange's answers turned into table rows and CSV. Pure: the handlers in pages/audit.ts call the exchange.
 */

export type FormError = { readonly text: string; readonly href: string };

/** What the form shows back: every field as the person typed it. */
export type AuditSearchValues = {
  readonly fromDay: string;
  readonly fromMonth: string;
  readonly fromYear: string;
  readonly toDay: string;
  readonly toMonth: string;
  readonly toYear: string;
  readonly organisation: string;
  readonly action: string;
  readonly outcome: string;
  readonly agreement: string;
  readonly purpose: string;
  readonly subject: string;
};

export type AuditSearchForm = {
  readonly values: AuditSearchValues;
  /** The error summary's list; empty when the filter is good. */
  readonly errors: readonly FormError[];
  /** Each field's inline error, by field id. */
  readonly fieldErrors: Readonly<Record<string, string>>;
  /** The exchange's query (filters only, no cursor or limit); undefined when there are errors. */
  readonly filter: Readonly<Record<string, string>> | undefined;
  /** Where the search starts in the log: a leaf index (a previous page's `next`). */
  readonly cursor: number;
};

const text = (query: Readonly<Record<string, string | undefined>>, name: string): string =>
  (query[name] ?? '').trim();

/** A day of the GOV.UK date input: all three parts, or none; a real calendar day. */
const dayOf = (
  day: string,
  month: string,
  year: string,
): { iso: string } | { problem: string } | undefined => {
  if (day === '' && month === '' && year === '') return undefined;
  if (day === '' || month === '' || year === '') return { problem: 'must include a day, month and year' };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return { problem: 'must be a real date, like 27 3 2026' };
  }
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day)
  ) {
    return { problem: 'must be a real date, like 27 3 2026' };
  }
  return { iso: date.toISOString() };
};

const nextDay = (iso: string): string => new Date(Date.parse(iso) + 24 * 60 * 60 * 1000).toISOString();

/** The form field each of the exchange's query parameters comes from, and what to say when it is not right. */
const fieldOfParameter: Readonly<Record<string, { field: string; problem: string }>> = {
  organisation: {
    field: 'organisation',
    problem: 'Enter an organisation id in lower-case letters, digits and hyphens, like lb-brent',
  },
  action: {
    field: 'action',
    problem: 'Enter an action as dotted lower-case words, like request.submit',
  },
  outcome: { field: 'outcome', problem: 'Select an outcome from the list' },
  agreementId: {
    field: 'agreement',
    problem: 'Enter an agreement id that starts with isa-, like isa-nw-bcu-mash',
  },
  purpose: { field: 'purpose', problem: 'Select a purpose from the list' },
  subjectRef: { field: 'subject', problem: 'Enter a subject reference' },
  from: { field: 'from-day', problem: 'The from date must be a real date' },
  to: { field: 'to-day', problem: 'The to date must be a real date' },
};

/** Parses the search form's query string: the filters, checked as the exchange will check them. */
export const parseAuditSearchForm = (
  query: Readonly<Record<string, string | undefined>>,
): AuditSearchForm => {
  const values: AuditSearchValues = {
    fromDay: text(query, 'from-day'),
    fromMonth: text(query, 'from-month'),
    fromYear: text(query, 'from-year'),
    toDay: text(query, 'to-day'),
    toMonth: text(query, 'to-month'),
    toYear: text(query, 'to-year'),
    organisation: text(query, 'organisation'),
    action: text(query, 'action'),
    outcome: text(query, 'outcome'),
    agreement: text(query, 'agreement'),
    purpose: text(query, 'purpose'),
    subject: text(query, 'subject'),
  };
  const fieldErrors: Record<string, string> = {};
  const filter: Record<string, string> = {};
  const from = dayOf(values.fromDay, values.fromMonth, values.fromYear);
  const to = dayOf(values.toDay, values.toMonth, values.toYear);
  if (from !== undefined && 'problem' in from) fieldErrors['from-day'] = `The from date ${from.problem}`;
  if (to !== undefined && 'problem' in to) fieldErrors['to-day'] = `The to date ${to.problem}`;
  if (from !== undefined && 'iso' in from) filter.from = from.iso;
  // "To" is inclusive: entries on that day too, so the exchange's exclusive end is the next day.
  if (to !== undefined && 'iso' in to) filter.to = nextDay(to.iso);
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    fieldErrors['to-day'] = 'The to date must be the same as or after the from date';
  }
  const named: [string, string][] = [
    ['organisation', values.organisation],
    ['action', values.action],
    ['outcome', values.outcome],
    ['agreementId', values.agreement],
    ['purpose', values.purpose],
    ['subjectRef', values.subject],
  ];
  for (const [parameter, value] of named) if (value !== '') filter[parameter] = value;

  const checked = auditSearchQuery.safeParse(filter);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const mapped = fieldOfParameter[String(issue.path[0])];
      if (mapped !== undefined && fieldErrors[mapped.field] === undefined) {
        fieldErrors[mapped.field] = mapped.problem;
      }
    }
  }
  const cursorText = text(query, 'cursor');
  const cursor = /^(?:0|[1-9]\d{0,15})$/.test(cursorText) ? Number(cursorText) : 0;
  const order = [
    'from-day',
    'to-day',
    'organisation',
    'action',
    'outcome',
    'agreement',
    'purpose',
    'subject',
  ];
  const errors = FormProblems.inPageOrder(fieldErrors, order);
  return {
    values,
    errors,
    fieldErrors,
    filter: errors.length === 0 ? filter : undefined,
    cursor: Number.isSafeInteger(cursor) ? cursor : 0,
  };
};

/** The form's own query string (the fields as typed), with a cursor: the links to pages and the download. */
export const searchQueryString = (values: AuditSearchValues, extra: Record<string, string> = {}): string => {
  const fields: [string, string][] = [
    ['from-day', values.fromDay],
    ['from-month', values.fromMonth],
    ['from-year', values.fromYear],
    ['to-day', values.toDay],
    ['to-month', values.toMonth],
    ['to-year', values.toYear],
    ['organisation', values.organisation],
    ['action', values.action],
    ['outcome', values.outcome],
    ['agreement', values.agreement],
    ['purpose', values.purpose],
    ['subject', values.subject],
  ];
  const query = new URLSearchParams(fields.filter(([, value]) => value !== ''));
  for (const [name, value] of Object.entries(extra)) query.set(name, value);
  return query.toString();
};

export const outcomeChoices = (selected: string) => [
  { value: '', text: 'Any outcome', selected: selected === '' },
  ...auditOutcomes.map((o) => ({ value: o, text: outcomeText[o], selected: selected === o })),
];

export const purposeChoices = (selected: string) => [
  { value: '', text: 'Any purpose', selected: selected === '' },
  ...purposeCodes.map((code) => ({ value: code, text: code, selected: selected === code })),
];

const outcomeText: Record<(typeof auditOutcomes)[number], string> = {
  allowed: 'Allowed',
  refused: 'Refused',
  failed: 'Failed',
};

export type SearchPage =
  | { readonly entries: readonly IndexedEntry[]; readonly next?: number | undefined }
  | { readonly counts: readonly AuditCount[] };

/** Who acted, in words: the user, through which client; a system step; or a caller the exchange did not know. */
export const actorText = (entry: AuditEntry): string => {
  const { actor } = entry;
  if (actor.kind === 'system') return 'the exchange itself';
  if (actor.kind === 'anonymous') {
    return actor.claimedClientId === undefined
      ? 'an unidentified caller'
      : `an unconfirmed caller claiming to be ${actor.claimedClientId}`;
  }
  const user = actor.userId === undefined ? '' : `${actor.userId} through `;
  return `${user}${actor.clientId ?? 'an unnamed client'}`;
};

export const targetText = (entry: AuditEntry): string => {
  const { target } = entry;
  if (target === undefined) return '';
  return target.id === undefined
    ? `${target.type} (an id that was not well formed)`
    : `${target.type} ${target.id}`;
};

/** An entry's time as the table shows it: to the second, in UTC (the log's own clock), e.g. 2026-12-03 08:27:01. */
export const entryTime = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

/** One row of the results table (GOV.UK table rows: cells of text). */
export const entryRow = ({ index, entry }: IndexedEntry) => [
  { text: String(index) },
  { text: entryTime(entry.time) },
  { text: entry.action },
  { text: outcomeText[entry.outcome] },
  { text: actorText(entry) },
  { text: targetText(entry) },
  {
    text: [
      ...(entry.agreement === undefined
        ? []
        : [`Agreement ${entry.agreement.id} version ${entry.agreement.version}`]),
      ...(entry.reasonCodes.length === 0 ? [] : [`Reasons: ${entry.reasonCodes.join(', ')}`]),
    ].join('. '),
  },
];

/**
 * A leaf of an evidence pack as the person may see it: an entry concerning their organisation in words, any other
 * only as its leaf hash (docs/AUDIT.md "Who may see an audit entry").
 */
export const leafView = (leaf: {
  readonly index: number;
  readonly leafHash: string;
  readonly entry?: AuditEntry | undefined;
}) => ({
  index: leaf.index,
  leafHash: leaf.leafHash,
  seen:
    leaf.entry === undefined
      ? undefined
      : `${entryTime(leaf.entry.time)}: ${leaf.entry.action}, ${outcomeText[leaf.entry.outcome].toLowerCase()}, by ${actorText(leaf.entry)}`,
});

export const countRow = (count: AuditCount) => [
  { text: count.action },
  { text: count.outcome },
  { text: String(count.count), format: 'numeric' },
];

/** The most entries one CSV download holds: beyond it the person is told, and asked to narrow the search. */
export const maxCsvEntries = 5000;

export type { AuditCount, IndexedEntry };

export type Collected =
  | { readonly kind: 'entries'; readonly entries: IndexedEntry[]; readonly next: number | undefined }
  | { readonly kind: 'counts'; readonly counts: readonly AuditCount[] };

/**
 * Follows the exchange's pages from `cursor` until `want` entries are found or the log ends: a page may hold
 * fewer than asked (even none) when the exchange stopped at its scan bound. At most `maxCalls` calls, so a page of
 * the console never waits on a whole log; `next` says where to go on. A cursor that does not move forward is an
 * answer not to be trusted.
 */
export const collectSearch = async (
  fetchPage: (cursor: number, limit: number) => Promise<SearchPage>,
  options: { readonly cursor: number; readonly want: number; readonly maxCalls: number },
): Promise<Collected> => {
  const entries: IndexedEntry[] = [];
  let cursor: number | undefined = options.cursor;
  for (let calls = 0; cursor !== undefined && calls < options.maxCalls; calls += 1) {
    const page = await fetchPage(cursor, Math.min(500, options.want - entries.length));
    if ('counts' in page) return { kind: 'counts', counts: page.counts };
    entries.push(...page.entries);
    if (page.next !== undefined && page.next <= cursor) {
      throw new Error(`the exchange sent search cursor ${page.next} after ${cursor}`);
    }
    cursor = page.next;
    if (entries.length >= options.want) break;
  }
  return { kind: 'entries', entries, next: cursor };
};
