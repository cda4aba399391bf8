import type {
  IgChallengesAnswer as ChallengesAnswer,
  IgChildAnswer as ChildAnswer,
  IgConsentNotSoughtAnswer as ConsentNotSoughtAnswer,
  IgDisclosureAnswer as DisclosureAnswer,
  IgOutcomesAnswer as OutcomesAnswer,
  IgOutstandingAnswer as OutstandingAnswer,
  IgPastReviewAnswer as PastReviewAnswer,
  IgPlacementsAnswer as PlacementsAnswer,
  IgRefusalsAnswer as RefusalsAnswer,
  IgReportAnswer as ReportAnswer,
  IgRequestsAnswer as RequestsAnswer,
} from '#shared/http/views/ig.ts';
import { listedPerResponder } from '#shared/http/views/ig.ts';
import { csvField } from './audit-csv.ts';
import { actionText, outcomeText, purposeText, rolesText, withheldText } from './ig-words.ts';

/**
 * The IG answers (docs/IG.md) as tables: one definition of each question's columns (a heading and how to read the
 * value from a row), from which the text table of `pbx ig` and its CSV both derive, and which the console may use
 * for the accessible table beside a chart. Pure: no I/O.
 */

/** How a column's values read: text left-aligned; counts, rates and hours right-aligned and written by kind. */
export type IgColumnKind = 'text' | 'count' | 'rate' | 'hours';

/** A cell before it is written: a count may be `<5`, a time `>720`; null or undefined is "nothing to say". */
export type IgCell = string | number | null | undefined;

export type IgColumn<Row> = {
  readonly heading: string;
  readonly kind: IgColumnKind;
  readonly value: (row: Row) => IgCell;
  /** For a column whose rows differ in kind (the report's values): the kind of one row's cell. */
  readonly kindOf?: (row: Row) => IgColumnKind;
};

/** A cell read from its row, with the kind it is written as. */
export type IgTypedCell = { readonly kind: IgColumnKind; readonly value: IgCell };

type ChildEntry = NonNullable<ChildAnswer['entries']>[number];
type DisclosedEntry = DisclosureAnswer['entries'][number];
/** Organisation names by registry id: an organisation not named is shown by its id. */
export type OrganisationNames = ReadonlyMap<string, string>;
const nameOf = (names: OrganisationNames, id: string | undefined) =>
  id === undefined ? undefined : (names.get(id) ?? id);
type RequestsRow = RequestsAnswer['rows'][number];
type RefusalRow = RefusalsAnswer['rows'][number];
type PastReviewRow = PastReviewAnswer['rows'][number];
type PlacementRow = PlacementsAnswer['rows'][number];
type OutcomesRow = OutcomesAnswer['rows'][number];
type ChallengesRow = ChallengesAnswer['rows'][number];
type OutstandingRow = OutstandingAnswer['rows'][number];
type OpenRequestRow = NonNullable<OutstandingRow['requests']>[number];
type Timings = RequestsRow['responseTime'];

/** A table with its cells read: what the renderers write. */
export type IgTable = {
  readonly title: string;
  readonly columns: readonly { readonly heading: string; readonly kind: IgColumnKind }[];
  readonly rows: readonly (readonly IgTypedCell[])[];
};

export const igTableOf = <Row>(
  title: string,
  columns: readonly IgColumn<Row>[],
  rows: readonly Row[],
): IgTable => ({
  title,
  columns: columns.map(({ heading, kind }) => ({ heading, kind })),
  rows: rows.map((row) => columns.map((c) => ({ kind: c.kindOf?.(row) ?? c.kind, value: c.value(row) }))),
});

// ---- Columns shared by several questions -------------------------------------------------------------------

const text = <Row>(heading: string, value: (row: Row) => IgCell): IgColumn<Row> => ({
  heading,
  kind: 'text',
  value,
});
const count = <Row>(heading: string, value: (row: Row) => IgCell): IgColumn<Row> => ({
  heading,
  kind: 'count',
  value,
});
const rate = <Row>(heading: string, value: (row: Row) => IgCell): IgColumn<Row> => ({
  heading,
  kind: 'rate',
  value,
});
const timingColumns = <Row>(what: string, timings: (row: Row) => Timings): IgColumn<Row>[] => [
  { heading: `${what} median (h)`, kind: 'hours', value: (row) => timings(row).median },
  { heading: `${what} p90 (h)`, kind: 'hours', value: (row) => timings(row).p90 },
];

type Pair = { readonly requester?: string | undefined; readonly responder?: string | undefined };
const pairColumns = <Row extends Pair>(): IgColumn<Row>[] => [
  text('Requester', (row) => row.requester),
  text('Responder', (row) => row.responder),
];

// ---- The questions' columns ----------------------------------------------------------------------------------

export const childEntryColumns = (names: OrganisationNames = new Map()): readonly IgColumn<ChildEntry>[] => [
  text('Time', (e) => e.time),
  count('Leaf', (e) => e.index),
  text('Action', (e) => e.action),
  text('What happened', (e) => actionText(e.action)),
  text('Outcome', (e) => e.outcome),
  text('Reason codes', (e) => e.reasonCodes.join(';')),
  text('Organisation', (e) => nameOf(names, e.actor.organisationId)),
  text('Client', (e) => e.actor.clientId),
  text('User', (e) => e.actor.userId),
  text('Role', (e) => e.actor.role),
  text('Target', (e) => (e.target === undefined ? undefined : `${e.target.type}:${e.target.id ?? ''}`)),
  text('Purpose', (e) => e.purpose),
  text('Agreement', (e) =>
    e.agreement === undefined ? undefined : `${e.agreement.id}@${e.agreement.version}`,
  ),
  text('Parties', (e) => e.parties?.join(';')),
  text('Subject reference', (e) => e.subjectRef),
  text('Restricted', (e) =>
    e.restriction === undefined
      ? undefined
      : `${e.restriction.reasonCode} until ${e.restriction.until} by ${nameOf(names, e.restriction.organisationId)}`,
  ),
];

/** A subject access report's entries: who did what and when, in words, for the child or their representative. */
export const disclosureColumns = (
  names: OrganisationNames = new Map(),
): readonly IgColumn<DisclosedEntry>[] => [
  text('Time', (e) => e.time),
  text('What happened', (e) => actionText(e.action)),
  text('Outcome', (e) => outcomeText(e.outcome)),
  text('Organisation', (e) => nameOf(names, e.actor.organisationId) ?? 'The exchange'),
  text('Role', (e) => rolesText(e.actor.role)),
  text('Purpose', (e) => purposeText(e.purpose)),
];

export const childCountColumns: readonly IgColumn<ChildAnswer['counts'][number]>[] = [
  text('Action', (c) => c.action),
  text('Outcome', (c) => c.outcome),
  count('Entries', (c) => c.count),
];

const groupColumns: Record<RequestsAnswer['group'], readonly IgColumn<RequestsRow>[]> = {
  purpose: [text('Purpose', (r) => r.purpose)],
  footprint: [text('Footprint', (r) => r.footprint)],
  organisation: [text('Organisation', (r) => r.organisation), text('As', (r) => r.side)],
  pair: pairColumns<RequestsRow>(),
};

export const requestsColumns = (group: RequestsAnswer['group']): readonly IgColumn<RequestsRow>[] => [
  text('Period', (r) => r.period),
  ...groupColumns[group],
  count('Submitted', (r) => r.submitted),
  count('Refused', (r) => r.refused),
  count('Approved', (r) => r.approved),
  count('Partial', (r) => r.partial),
  count('Declined', (r) => r.declined),
  count('Released', (r) => r.released),
  count('Withdrawn', (r) => r.withdrawn),
  count('Closed', (r) => r.closed),
  rate('Approval rate', (r) => r.approvalRate),
  ...timingColumns<RequestsRow>('Response', (r) => r.responseTime),
];

export const refusalColumns: readonly IgColumn<RefusalRow>[] = [
  ...pairColumns<RefusalRow>(),
  text('Kind', (r) => r.kind),
  text('Action', (r) => r.action),
  text('Reason code', (r) => r.reasonCode),
  count('Count', (r) => r.count),
];

export const refusalTotalColumns: readonly IgColumn<RefusalsAnswer['totals'][number]>[] = [
  text('Kind', (t) => t.kind),
  text('Reason code', (t) => t.reasonCode),
  count('Count', (t) => t.count),
];

export const pastReviewColumns: readonly IgColumn<PastReviewRow>[] = [
  text('Agreement', (r) => r.agreementId),
  count('Version', (r) => r.version),
  ...pairColumns<PastReviewRow>(),
  count('Accepted past review', (r) => r.accepted),
  count('Refused review overdue', (r) => r.refused),
];

export const consentColumns: readonly IgColumn<ConsentNotSoughtAnswer['rows'][number]>[] = [
  ...pairColumns<ConsentNotSoughtAnswer['rows'][number]>(),
  text('Purpose', (r) => r.purpose),
  text('Footprint', (r) => r.footprint),
  text('Exemption', (r) => r.exemption),
  count('Count', (r) => r.count),
];

export const consentTotalColumns: readonly IgColumn<ConsentNotSoughtAnswer['totals'][number]>[] = [
  text('Exemption', (t) => t.exemption),
  count('Count', (t) => t.count),
];

export const placementColumns: readonly IgColumn<PlacementRow>[] = [
  text('Placing authority', (r) => r.placingAuthority),
  text('Host authority', (r) => r.hostAuthority),
  ...pairColumns<PlacementRow>(),
  text('Purpose', (r) => r.purpose),
  count('Submitted', (r) => r.submitted),
  count('Approved', (r) => r.approved),
  count('Partial', (r) => r.partial),
  count('Declined', (r) => r.declined),
  count('Released', (r) => r.released),
];

export const challengesColumns: readonly IgColumn<ChallengesRow>[] = [
  text('Month', (r) => r.month),
  ...pairColumns<ChallengesRow>(),
  count('Raised', (r) => r.raised),
  count('Escalated', (r) => r.escalated),
  count('Upheld', (r) => r.upheld),
  count('Overturned', (r) => r.overturned),
  count('Resolved otherwise', (r) => r.resolvedOtherwise),
  count('Overdue', (r) => r.overdue),
];

export const outcomesColumns: readonly IgColumn<OutcomesRow>[] = [
  ...pairColumns<OutcomesRow>(),
  count('Submitted', (r) => r.submitted),
  count('With outcome', (r) => r.withOutcome),
  count('Open', (r) => r.open),
  count('Approved', (r) => r.approved),
  count('Partial', (r) => r.partial),
  count('Declined', (r) => r.declined),
  count('Withdrawn', (r) => r.withdrawn),
  count('Closed', (r) => r.closed),
  rate('Outcome rate', (r) => r.outcomeRate),
  ...timingColumns<OutcomesRow>('To outcome', (r) => r.timeToOutcome),
];

export const outstandingColumns: readonly IgColumn<OutstandingRow>[] = [
  text('Responder', (r) => r.responder),
  count('Open', (r) => r.open),
  count('Overdue', (r) => r.overdue),
  count('Most days overdue', (r) => r.maxDaysOverdue),
];

type OpenRequestOf = OpenRequestRow & { readonly responder: string };
export const openRequestColumns: readonly IgColumn<OpenRequestOf>[] = [
  text('Responder', (r) => r.responder),
  text('Request', (r) => r.requestId),
  text('Requester', (r) => r.requester),
  text('Purpose', (r) => r.purpose),
  text('Status', (r) => r.status),
  text('Due', (r) => r.dueAt),
  text('Overdue', (r) => (r.overdue ? 'yes' : 'no')),
  count('Days overdue', (r) => r.daysOverdue),
];

/** One indicator of the PQA report: the long form a spreadsheet pivots ("requests", "submitted", 120). */
type Indicator = {
  readonly section: string;
  readonly item: string;
  readonly measure: string;
  readonly value: IgCell;
  readonly kind: IgColumnKind;
};
export const reportColumns: readonly IgColumn<Indicator>[] = [
  text('Section', (i) => i.section),
  text('Item', (i) => i.item),
  text('Measure', (i) => i.measure),
  { heading: 'Value', kind: 'count', value: (i) => i.value, kindOf: (i) => i.kind },
];

// ---- Answers as tables ----------------------------------------------------------------------------------------

/** Each question's answer as its tables, the main one first (the one `--csv` writes). */
export const childTables = (answer: ChildAnswer, names: OrganisationNames = new Map()): IgTable[] => [
  ...(answer.entries === undefined
    ? []
    : [igTableOf('Audit entries that touched the child', childEntryColumns(names), answer.entries)]),
  igTableOf('Entries by action and outcome', childCountColumns, answer.counts),
];

export const disclosureTables = (
  answer: DisclosureAnswer,
  names: OrganisationNames = new Map(),
): IgTable[] => [
  igTableOf("Every recorded access to the child's information", disclosureColumns(names), answer.entries),
];

export const requestsTables = (answer: RequestsAnswer): IgTable[] => [
  igTableOf(`Requests by ${answer.by} and ${answer.group}`, requestsColumns(answer.group), answer.rows),
];

export const refusalsTables = (answer: RefusalsAnswer): IgTable[] => [
  igTableOf('By organisation pair', refusalColumns, answer.rows),
  igTableOf('Totals by reason code', refusalTotalColumns, answer.totals),
];

export const pastReviewTables = (answer: PastReviewAnswer): IgTable[] => [
  igTableOf('Requests under agreement versions past their review date', pastReviewColumns, answer.rows),
];

export const consentNotSoughtTables = (answer: ConsentNotSoughtAnswer): IgTable[] => [
  igTableOf('Accepted requests where consent was not sought', consentColumns, answer.rows),
  igTableOf('Totals by exemption', consentTotalColumns, answer.totals),
];

export const placementsTables = (answer: PlacementsAnswer): IgTable[] => [
  igTableOf('Requests about children placed out of borough', placementColumns, answer.rows),
];

export const challengesTables = (answer: ChallengesAnswer): IgTable[] => [
  igTableOf('Challenges of answers and their outcomes, by month', challengesColumns, answer.rows),
];

export const outcomesTables = (answer: OutcomesAnswer): IgTable[] => [
  igTableOf('Outcomes of requests submitted in the period', outcomesColumns, answer.rows),
];

export const outstandingTables = (answer: OutstandingAnswer): IgTable[] => {
  const requests = answer.rows.flatMap((row) =>
    (row.requests ?? []).map((r) => ({ ...r, responder: row.responder })),
  );
  const listed = answer.rows.some((row) => row.requests !== undefined);
  return [
    igTableOf('Open requests by responder', outstandingColumns, answer.rows),
    ...(listed
      ? [
          igTableOf(
            `Open requests, most overdue first (at most ${listedPerResponder} of each responder)`,
            openRequestColumns,
            requests,
          ),
        ]
      : []),
  ];
};

const timingIndicators = (section: string, what: string, timings: Timings): Indicator[] => [
  { section, item: 'all', measure: `${what} median (h)`, value: timings.median, kind: 'hours' },
  { section, item: 'all', measure: `${what} p90 (h)`, value: timings.p90, kind: 'hours' },
];

const codeIndicators = (
  section: string,
  codes: readonly { readonly reasonCode: string; readonly count: IgCell }[],
): Indicator[] =>
  codes.map((c) => ({ section, item: c.reasonCode, measure: 'count', value: c.count, kind: 'count' }));

const reportIndicators = (report: ReportAnswer): Indicator[] => {
  const { requests, outcomes } = report;
  const counted = (section: string, item: string, counts: Readonly<Record<string, IgCell>>) =>
    Object.entries(counts).map(
      ([measure, value]): Indicator => ({ section, item, measure, value, kind: 'count' }),
    );
  return [
    ...counted('requests', 'all', {
      submitted: requests.submitted,
      refused: requests.refused,
      approved: requests.approved,
      partial: requests.partial,
      declined: requests.declined,
      released: requests.released,
      withdrawn: requests.withdrawn,
      closed: requests.closed,
    }),
    {
      section: 'requests',
      item: 'all',
      measure: 'approval rate',
      value: requests.approvalRate,
      kind: 'rate',
    },
    ...timingIndicators('requests', 'response', requests.responseTime),
    ...report.byPurpose.flatMap((p): Indicator[] => [
      { section: 'by purpose', item: p.purpose, measure: 'submitted', value: p.submitted, kind: 'count' },
      {
        section: 'by purpose',
        item: p.purpose,
        measure: 'approval rate',
        value: p.approvalRate,
        kind: 'rate',
      },
    ]),
    ...codeIndicators('refusals', report.refusals),
    ...codeIndicators('declines', report.declines),
    ...counted('past review', 'all', report.pastReview),
    ...codeIndicators('without agreement', report.withoutAgreement),
    ...codeIndicators('cross footprint', report.crossFootprint),
    ...report.consentNotSought.map(
      (c): Indicator => ({
        section: 'consent not sought',
        item: c.exemption,
        measure: 'count',
        value: c.count,
        kind: 'count',
      }),
    ),
    ...counted('placements', 'all', report.placements),
    ...counted('challenges', 'all', report.challenges),
    ...counted('outcomes', 'all', {
      submitted: outcomes.submitted,
      withOutcome: outcomes.withOutcome,
      open: outcomes.open,
    }),
    {
      section: 'outcomes',
      item: 'all',
      measure: 'outcome rate',
      value: outcomes.outcomeRate,
      kind: 'rate',
    },
    ...timingIndicators('outcomes', 'to outcome', outcomes.timeToOutcome),
    ...counted('outstanding', 'all', report.outstanding),
  ];
};

export const reportTables = (report: ReportAnswer): IgTable[] => [
  igTableOf(
    `PQA report ${report.quarter}, footprint ${report.footprint}`,
    reportColumns,
    reportIndicators(report),
  ),
];

/** What an answer says of itself, in a line: which months, whose rows, how fresh (and, for `outstanding`, when). */
export const igAnswerHeading = (
  answer: Pick<RequestsAnswer, 'asOf' | 'scope' | 'organisationId'> & {
    readonly period?: { readonly from?: string | undefined; readonly to?: string | undefined } | undefined;
    /** For `outstanding`: the time overdue was judged at. */
    readonly now?: string;
  },
): string => {
  const scope =
    answer.scope === 'all'
      ? 'every organisation'
      : answer.scope === 'organisation'
        ? `rows of ${answer.organisationId ?? 'your organisation'}`
        : 'counts only, under 5 shown as <5';
  const { from, to } = answer.period ?? {};
  const period =
    from === undefined && to === undefined ? 'every month' : `${from ?? 'the start'} to ${to ?? 'now'}`;
  const time = answer.asOf.time === null ? 'not yet projected' : `projected ${answer.asOf.time}`;
  const judged = answer.now === undefined ? '' : `; overdue as at ${answer.now}`;
  return `${period}; ${scope}; as of audit leaf ${answer.asOf.leaves} (${time})${judged}`;
};

/** The heading of `child`: how many references were asked about, and the answer's own heading. */
export const igChildHeading = (answer: ChildAnswer): string =>
  `${answer.references} subject reference(s) asked about; ${igAnswerHeading(answer)}` +
  (answer.truncated ? '; more entries exist than the answer holds' : '');

/** The heading of a subject access report, fit to print: what it is, when, and that entries were withheld. */
export const igDisclosureHeading = (answer: DisclosureAnswer): string =>
  [
    "Subject access report: who has seen or handled this child's information through the exchange",
    `Report made ${answer.at}; ${igAnswerHeading(answer)}`,
    withheldText(answer.withheld),
    ...(answer.truncated ? ['There are more entries than this report holds.'] : []),
  ].join('\n');

/** The heading of the PQA report: its months, its footprint, its suppression and how fresh it is. */
export const igReportHeading = (report: ReportAnswer): string =>
  `${report.period.from} to ${report.period.to}; footprint ${report.footprint}, every count under 5 shown as ` +
  `<5; as of audit leaf ${report.asOf.leaves}`;

// ---- Writing tables -------------------------------------------------------------------------------------------

/** A cell as text: a table shows rates as percentages and hours as "≤24"; CSV keeps the numbers as they are. */
export const writeCell = ({ kind, value }: IgTypedCell, form: 'table' | 'csv'): string => {
  if (value === null || value === undefined) return form === 'table' ? '-' : '';
  if (form === 'csv') return String(value);
  if (kind === 'rate' && typeof value === 'number') return `${(value * 100).toFixed(1)}%`;
  if (kind === 'hours' && typeof value === 'number') return `≤${value}`;
  return String(value);
};

const isRightAligned = (kind: IgColumnKind) => kind !== 'text';

/** Tables as aligned text, each under its title; a table without rows says so. */
export const igTablesText = (tables: readonly IgTable[]): string =>
  tables
    .map(({ title, columns, rows }) => {
      if (rows.length === 0) return `${title}: none\n`;
      const cells = rows.map((row) => row.map((cell) => writeCell(cell, 'table')));
      const widths = columns.map((c, i) =>
        Math.max(c.heading.length, ...cells.map((r) => r[i]?.length ?? 0)),
      );
      const line = (fields: readonly string[]) =>
        fields
          .map((f, i) => {
            const width = widths[i] ?? 0;
            return isRightAligned(columns[i]?.kind ?? 'text') ? f.padStart(width) : f.padEnd(width);
          })
          .join('  ')
          .trimEnd();
      return [
        `${title}:`,
        line(columns.map((c) => c.heading)),
        line(widths.map((w) => '-'.repeat(w))),
        ...cells.map(line),
        '',
      ].join('\n');
    })
    .join('\n');

/** One table as CSV (RFC 4180, CRLF), every field guarded against formula injection (client/audit-csv.ts). */
export const igTableCsv = (table: IgTable): string =>
  [table.columns.map((c) => c.heading), ...table.rows.map((row) => row.map((cell) => writeCell(cell, 'csv')))]
    .map((fields) => `${fields.map(csvField).join(',')}\r\n`)
    .join('');
