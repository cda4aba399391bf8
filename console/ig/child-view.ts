import type { IgChildAnswer } from '#shared/http/views/ig.ts';
import { formatDate } from '../render.ts';
import { purposeLabel } from '../requests/labels.ts';
import { type AnswerSection, headings } from './sections.ts';
import { countCell, type Names, nameOf, numericHead, textCell } from './words.ts';

/** The view of one child's records: the entries of the audit log that carry one of the child's references. */
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
              // The entry's leaf index (a number, from the answer's schema) links to its evidence, as the audit search does.
              {
                html: `<a class="govuk-link" href="/audit/evidence?first=${e.index}&amp;last=${e.index}">${e.index}<span class="govuk-visually-hidden">: its evidence</span></a>`,
              },
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
