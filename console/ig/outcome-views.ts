import {
  type IgOutcomesAnswer,
  type IgOutstandingAnswer,
  listedPerResponder,
} from '#shared/http/views/ig.ts';
import { rangeOf, sumOf } from '../charts.ts';
import { formatDate } from '../render.ts';
import { purposeLabel, statusLabels } from '../requests/labels.ts';
import { type AnswerSection, chartSection, headings } from './sections.ts';
import { countCell, type Names, nameOf, numericHead, rateCell, textCell, withinCell } from './words.ts';

/** The outcomes and outstanding pages' views: what became of the requests, and what is owed now. */
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
            heading: `The open requests, most overdue first (at most ${listedPerResponder} of each responder)`,
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
