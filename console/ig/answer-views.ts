import { monthsBetween, quarterOfMonth } from '#shared/domain/ig/ig-terms.ts';
import type {
  IgChildAnswer,
  IgConsentNotSoughtAnswer,
  IgOutcomesAnswer,
  IgOutstandingAnswer,
  IgPastReviewAnswer,
  IgPlacementsAnswer,
  IgRefusalsAnswer,
  IgRequestsAnswer,
} from '#shared/http/views/ig.ts';
import { type Bar, barChartSvg, type CountRange, rangeOf, rangeText, sumOf } from '../charts.ts';
import { formatDate } from '../render.ts';
import { exemptionLabels, purposeLabel, statusLabels } from '../requests/labels.ts';
import {
  type Cell,
  countCell,
  kindText,
  type Names,
  nameOf,
  numericHead,
  rateCell,
  reasonLabel,
  reasonText,
  type Table,
  textCell,
  withinCell,
} from './words.ts';

/**
 * The IG answers as a page shows them (pure: answer in, view out): sections of a table each, some with a chart of
 * the same numbers beside it. A chart's own table holds exactly the numbers it draws, so nothing is only a picture.
 */
export type AnswerSection = { readonly heading: string; readonly chart?: string; readonly table: Table };

const headings = (...texts: string[]): Cell[] => texts.map(textCell);

/** A count range as a table cell: an exact count or `<5` as the exchange sent it, else its bounds in words. */
const rangeCell = (range: CountRange): Cell => {
  if (range.low === range.high) return countCell(range.low);
  if (range.low === 1 && range.high === 4) return countCell('<5');
  return {
    text: rangeText(range),
    format: 'numeric',
    attributes: { 'data-count': `${range.low}-${range.high}` },
  };
};

/** A chart and its table: one row a bar, its label and its count. */
export const chartSection = (
  id: string,
  heading: string,
  labelHeading: string,
  countHeading: string,
  bars: readonly Bar[],
): AnswerSection => ({
  heading,
  chart: barChartSvg({
    id: `${id}-chart`,
    title: heading,
    description: `A bar chart of the table "${heading}" that follows it: one bar for each ${labelHeading.toLowerCase()}.`,
    bars,
  }),
  table: {
    id: `${id}-chart-table`,
    caption: heading,
    head: [textCell(labelHeading), numericHead(countHeading)],
    rows: bars.map((b) => [textCell(b.label), rangeCell(b.count)]),
  },
});

const pairText = (names: Names, row: { requester: string; responder?: string | undefined }) =>
  row.responder === undefined
    ? nameOf(names, row.requester)
    : `${nameOf(names, row.requester)} to ${nameOf(names, row.responder)}`;

// ---- requests -------------------------------------------------------------------------------------------------

type RequestsRow = IgRequestsAnswer['rows'][number];

/** What a row of `requests` is of, in words: a purpose, a footprint, an organisation as one party, or a pair. */
const requestsRowLabel = (names: Names, row: RequestsRow): string => {
  if (row.purpose !== undefined) return purposeLabel(row.purpose);
  if (row.footprint !== undefined) return nameOf(names, row.footprint);
  if (row.organisation !== undefined)
    return `${nameOf(names, row.organisation)}${row.side === undefined ? '' : ` as ${row.side}`}`;
  if (row.requester !== undefined && row.responder !== undefined)
    return pairText(names, { requester: row.requester, responder: row.responder });
  return row.label;
};

/** The periods of an answer, every one of them even when no request was made in it: a chart has no gaps. */
const periodsOf = (answer: IgRequestsAnswer): string[] => {
  const months = monthsBetween(answer.period.from, answer.period.to);
  return answer.by === 'month' ? months : [...new Set(months.map(quarterOfMonth))];
};

const periodText = (period: string): string =>
  /^\d{4}-\d{2}$/.test(period) ? formatDate(`${period}-01T12:00:00Z`, false).replace(/^1 /, '') : period;

export const requestsView = (answer: IgRequestsAnswer, names: Names): AnswerSection[] => {
  // Organisation rows count each request twice (as requester and as responder): the chart counts requesters only.
  const counted = answer.rows.filter((r) => r.side !== 'responder');
  const bars = periodsOf(answer).map((period) => ({
    label: periodText(period),
    count: sumOf(counted.filter((r) => r.period === period).map((r) => r.submitted)),
  }));
  const by = answer.by === 'month' ? 'month' : 'quarter';
  return [
    chartSection(
      'requests',
      `Requests made each ${by}`,
      by === 'month' ? 'Month' : 'Quarter',
      'Requests',
      bars,
    ),
    {
      heading: 'Requests in detail',
      table: {
        id: 'requests-table',
        caption: `Requests by ${by} and ${answer.group === 'pair' ? 'pair of organisations' : answer.group}`,
        head: [
          ...headings(by === 'month' ? 'Month' : 'Quarter', 'Of'),
          ...[
            'Made',
            'Refused',
            'Approved',
            'Approved in part',
            'Declined',
            'Released',
            'Withdrawn',
            'Closed',
          ].map(numericHead),
          ...['Approval rate', 'Median response', '90th percentile'].map(numericHead),
        ],
        rows: answer.rows.map((r) => [
          textCell(periodText(r.period)),
          textCell(requestsRowLabel(names, r)),
          ...[
            r.submitted,
            r.refused,
            r.approved,
            r.partial,
            r.declined,
            r.released,
            r.withdrawn,
            r.closed,
          ].map(countCell),
          rateCell(r.approvalRate),
          withinCell(r.responseTime.median),
          withinCell(r.responseTime.p90),
        ]),
      },
    },
  ];
};

// ---- refusals, without-agreement, cross-footprint ----------------------------------------------------------

export const refusalsView = (answer: IgRefusalsAnswer, names: Names, id: string): AnswerSection[] => [
  chartSection(
    id,
    'By reason',
    'Reason',
    'Times',
    answer.totals.map((t) => ({
      label: `${t.kind === 'decline' ? 'Declined: ' : ''}${reasonLabel(t.reasonCode)}`,
      count: rangeOf(t.count),
    })),
  ),
  {
    heading: 'By pair of organisations',
    table: {
      id: `${id}-table`,
      caption: 'Refusals and declines by pair of organisations, step and reason',
      head: [...headings('Requester', 'Responder', 'By', 'Step', 'Reason'), numericHead('Times')],
      rows: answer.rows.map((r) => [
        textCell(nameOf(names, r.requester)),
        textCell(r.responder === undefined ? 'None named' : nameOf(names, r.responder)),
        textCell(kindText(r.kind)),
        textCell(r.action),
        textCell(reasonText(r.reasonCode)),
        countCell(r.count),
      ]),
    },
  },
];

// ---- past-review, consent-not-sought, placements ---------------------------------------------------------------

export const pastReviewView = (answer: IgPastReviewAnswer, names: Names): AnswerSection[] => [
  {
    heading: 'By agreement version and pair',
    table: {
      id: 'past-review-table',
      caption: 'Requests under agreement versions past their review date',
      head: [
        ...headings('Agreement', 'Requester', 'Responder'),
        numericHead('Accepted, flagged'),
        numericHead('Refused'),
      ],
      rows: answer.rows.map((r) => [
        textCell(`${r.agreementId}, version ${r.version}`),
        textCell(nameOf(names, r.requester)),
        textCell(nameOf(names, r.responder)),
        countCell(r.accepted),
        countCell(r.refused),
      ]),
    },
  },
];

const exemptionText = (code: string) => exemptionLabels[code as keyof typeof exemptionLabels] ?? code;

export const consentNotSoughtView = (answer: IgConsentNotSoughtAnswer, names: Names): AnswerSection[] => [
  chartSection(
    'consent',
    'By reason consent was not sought',
    'Reason',
    'Requests',
    answer.totals.map((t) => ({ label: exemptionText(t.exemption), count: rangeOf(t.count) })),
  ),
  {
    heading: 'By pair of organisations',
    table: {
      id: 'consent-table',
      caption: 'Requests where consent was not sought, by pair, purpose and reason',
      head: [
        ...headings('Requester', 'Responder', 'Purpose', 'Footprint', 'Reason'),
        numericHead('Requests'),
      ],
      rows: answer.rows.map((r) => [
        textCell(nameOf(names, r.requester)),
        textCell(nameOf(names, r.responder)),
        textCell(purposeLabel(r.purpose)),
        textCell(nameOf(names, r.footprint)),
        textCell(exemptionText(r.exemption)),
        countCell(r.count),
      ]),
    },
  },
];

export const placementsView = (answer: IgPlacementsAnswer, names: Names): AnswerSection[] => [
  {
    heading: 'By placing and host authority',
    table: {
      id: 'placements-table',
      caption: 'Requests about children placed out of borough',
      head: [
        ...headings('Placing authority', 'Host authority', 'Requester', 'Responder', 'Purpose'),
        ...['Made', 'Approved', 'Approved in part', 'Declined', 'Released'].map(numericHead),
      ],
      rows: answer.rows.map((r) => [
        ...[r.placingAuthority, r.hostAuthority, r.requester, r.responder].map((id) =>
          textCell(nameOf(names, id)),
        ),
        textCell(purposeLabel(r.purpose)),
        ...[r.submitted, r.approved, r.partial, r.declined, r.released].map(countCell),
      ]),
    },
  },
];

// ---- outcomes, outstanding ---------------------------------------------------------------------------------------

export const outcomesView = (answer: IgOutcomesAnswer, names: Names): AnswerSection[] => {
  const total = (pick: (r: IgOutcomesAnswer['rows'][number]) => number | '<5') =>
    sumOf(answer.rows.map(pick));
  return [
    chartSection('outcomes', 'What became of the requests made in the period', 'Outcome', 'Requests', [
      { label: 'Approved', count: total((r) => r.approved) },
      { label: 'Approved in part', count: total((r) => r.partial) },
      { label: 'Declined', count: total((r) => r.declined) },
      { label: 'Withdrawn', count: total((r) => r.withdrawn) },
      { label: 'Closed by the exchange', count: total((r) => r.closed) },
      { label: 'No outcome yet', count: total((r) => r.open) },
    ]),
    {
      heading: 'By pair of organisations',
      table: {
        id: 'outcomes-table',
        caption: 'Outcomes and time to outcome by pair of organisations',
        head: [
          ...headings('Requester', 'Responder'),
          ...['Made', 'With an outcome', 'No outcome yet', 'Approved', 'Approved in part', 'Declined'].map(
            numericHead,
          ),
          ...['Withdrawn', 'Closed', 'Outcome rate', 'Median time', '90th percentile'].map(numericHead),
        ],
        rows: answer.rows.map((r) => [
          textCell(nameOf(names, r.requester)),
          textCell(nameOf(names, r.responder)),
          ...[
            r.submitted,
            r.withOutcome,
            r.open,
            r.approved,
            r.partial,
            r.declined,
            r.withdrawn,
            r.closed,
          ].map(countCell),
          rateCell(r.outcomeRate),
          withinCell(r.timeToOutcome.median),
          withinCell(r.timeToOutcome.p90),
        ]),
      },
    },
  ];
};

export const outstandingView = (answer: IgOutstandingAnswer, names: Names): AnswerSection[] => {
  const open = answer.rows.flatMap((r) => (r.requests ?? []).map((q) => ({ ...q, responder: r.responder })));
  return [
    chartSection(
      'outstanding',
      'Open requests by responder',
      'Responder',
      'Open',
      answer.rows.map((r) => ({ label: nameOf(names, r.responder), count: rangeOf(r.open) })),
    ),
    {
      heading: 'Due and overdue',
      table: {
        id: 'outstanding-table',
        caption: 'Open and overdue requests by responder',
        head: [textCell('Responder'), ...['Open', 'Overdue', 'Most days overdue'].map(numericHead)],
        rows: answer.rows.map((r) => [
          textCell(nameOf(names, r.responder)),
          countCell(r.open),
          countCell(r.overdue),
          r.maxDaysOverdue === null ? { text: 'not shown', format: 'numeric' } : countCell(r.maxDaysOverdue),
        ]),
      },
    },
    ...(open.length === 0
      ? []
      : [
          {
            heading: 'The open requests, most overdue first',
            table: {
              id: 'outstanding-requests-table',
              caption: 'Open requests',
              head: [
                ...headings('Request', 'Responder', 'Requester', 'Purpose', 'Status', 'Due'),
                numericHead('Days overdue'),
              ],
              rows: open.map((q) => [
                { text: q.requestId, classes: 'pbx-code' },
                textCell(nameOf(names, q.responder)),
                textCell(nameOf(names, q.requester)),
                textCell(purposeLabel(q.purpose)),
                textCell(statusLabels[q.status]),
                textCell(formatDate(q.dueAt, false)),
                countCell(q.daysOverdue),
              ]),
            },
          },
        ]),
  ];
};

// ---- child ------------------------------------------------------------------------------------------------------

/** The footprint each reference asked about belongs to: the console made them, so it knows. */
export type ReferenceFootprints = ReadonlyMap<string, string>;

const outcomeWords: Readonly<Record<string, string>> = {
  allowed: 'Allowed',
  refused: 'Refused',
  failed: 'Failed',
};

export const childView = (
  answer: IgChildAnswer,
  names: Names,
  footprints: ReferenceFootprints,
): AnswerSection[] => [
  {
    heading: 'By action',
    table: {
      id: 'child-counts-table',
      caption: 'Entries about the child by action and outcome',
      head: [...headings('Action', 'Outcome'), numericHead('Entries')],
      rows: answer.counts.map((c) => [
        textCell(c.action),
        textCell(outcomeWords[c.outcome] ?? c.outcome),
        countCell(c.count),
      ]),
    },
  },
  ...(answer.entries === undefined
    ? []
    : [
        {
          heading: 'Every entry, oldest first',
          table: {
            id: 'child-entries-table',
            caption: 'Audit entries about the child',
            head: headings('Entry', 'Time', 'Action', 'Outcome', 'Who', 'Purpose', 'Footprint'),
            rows: answer.entries.map((e) => [
              textCell(String(e.index)),
              textCell(formatDate(e.time, true)),
              textCell(e.action),
              textCell(outcomeWords[e.outcome] ?? e.outcome),
              textCell(
                [
                  e.actor.userId,
                  e.actor.organisationId === undefined ? undefined : nameOf(names, e.actor.organisationId),
                ]
                  .filter((p) => p !== undefined)
                  .join(', '),
              ),
              textCell(e.purpose === undefined ? '' : purposeLabel(e.purpose)),
              textCell(nameOf(names, footprints.get(e.subjectRef))),
            ]),
          },
        },
      ]),
];
