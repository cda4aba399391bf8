import { monthsBetween, quarterOfMonth } from '#shared/domain/ig/ig-terms.ts';
import type {
  IgConsentNotSoughtAnswer,
  IgPastReviewAnswer,
  IgPlacementsAnswer,
  IgRefusalsAnswer,
  IgRequestsAnswer,
} from '#shared/http/views/ig.ts';
import { rangeOf, sumOf } from '../charts.ts';
import { exemptionLabels, purposeLabel } from '../requests/labels.ts';
import { type AnswerSection, chartSection, headings, pairText } from './sections.ts';
import {
  countCell,
  kindText,
  monthText,
  type Names,
  nameOf,
  numericHead,
  quarterText,
  rateCell,
  reasonLabel,
  reasonText,
  textCell,
  withinCell,
} from './words.ts';

/** The views of the answers about requests made in a period: counts, refusals, review, consent, placements. */

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
  /^\d{4}-\d{2}$/.test(period) ? monthText(period) : quarterText(period);

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
