import type { IgChallengesAnswer } from '#shared/http/views/ig.ts';
import type { AnswerSection } from './sections.ts';
import { headings } from './sections.ts';
import { countCell, monthText, type Names, nameOf, numericHead, textCell } from './words.ts';

/** The challenges page's view: challenges of answers and each stage's outcome, by month and pair. */
export const challengesView = (answer: IgChallengesAnswer, names: Names): AnswerSection[] => [
  {
    heading: 'By month and pair of organisations',
    table: {
      id: 'challenges-table',
      caption: "Challenges of requests' answers and their outcomes",
      head: [
        ...headings('Month', 'Requester', 'Responder'),
        ...['Raised', 'Escalated', 'Upheld', 'Overturned', 'Resolved otherwise', 'Overdue'].map(numericHead),
      ],
      rows: answer.rows.map((r) => [
        textCell(monthText(r.month)),
        textCell(nameOf(names, r.requester)),
        textCell(nameOf(names, r.responder)),
        ...[r.raised, r.escalated, r.upheld, r.overturned, r.resolvedOtherwise, r.overdue].map(countCell),
      ]),
    },
  },
];
