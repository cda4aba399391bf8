import { actionText, purposeText, restrictionReasonWords, rolesText } from '#client/ig-words.ts';
import { concernsOrganisation } from '#shared/domain/audit/search.ts';
import type { RestrictionReasonCode } from '#shared/domain/ig/restriction.ts';
import type { IgChildAnswer, IgDisclosureAnswer } from '#shared/http/views/ig.ts';
import { formatDate } from '../render.ts';
import { type AnswerSection, headings } from './sections.ts';
import { type Cell, countCell, type Names, nameOf, numericHead, textCell } from './words.ts';

/** The view of one child's records: the entries of the audit log that carry one of the child's references. */
/** The footprint each reference asked about belongs to: the console made them, so it knows. */
export type ReferenceFootprints = ReadonlyMap<string, string>;

type ChildEntry = NonNullable<IgChildAnswer['entries']>[number];

const outcomeWords: Readonly<Record<string, string>> = {
  allowed: 'Allowed',
  refused: 'Refused',
  failed: 'Failed',
};

/** Who may restrict the entries of the child's records shown: the person's organisation, if they hold an IG role. */
export type Restricting = { readonly organisationId: string } | undefined;

const restrictionCell = (e: ChildEntry, names: Names, restricting: Restricting): Cell => {
  if (e.restriction !== undefined) {
    const why = restrictionReasonWords[e.restriction.reasonCode as RestrictionReasonCode];
    return textCell(
      `Restricted until ${formatDate(e.restriction.until, false)} by ${nameOf(names, e.restriction.organisationId)}: ${why}`,
    );
  }
  if (restricting === undefined || !concernsOrganisation(e, restricting.organisationId)) return textCell('');
  // The leaf index is a number (the answer's schema), so it may be placed in the link as it is.
  return {
    html: `<a class="govuk-link" href="/ig/restrictions/new?index=${e.index}">Restrict<span class="govuk-visually-hidden"> entry ${e.index} from subject access reports</span></a>`,
  };
};

export const childView = (
  answer: IgChildAnswer,
  names: Names,
  footprints: ReferenceFootprints,
  restricting: Restricting = undefined,
): AnswerSection[] => [
  {
    heading: 'By action',
    table: {
      id: 'child-counts-table',
      caption: 'Entries about the child by action and outcome',
      head: [...headings('Action', 'Outcome'), numericHead('Entries')],
      rows: answer.counts.map((c) => [
        textCell(actionText(c.action)),
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
            head: headings(
              'Entry',
              'Time',
              'What happened',
              'Outcome',
              'Who',
              'Role',
              'Purpose',
              'Footprint',
              'Subject access',
            ),
            rows: answer.entries.map((e) => [
              // The entry's leaf index (a number, from the answer's schema) links to its evidence, as the audit search does.
              {
                html: `<a class="govuk-link" href="/audit/evidence?first=${e.index}&amp;last=${e.index}">${e.index}<span class="govuk-visually-hidden">: its evidence</span></a>`,
              },
              textCell(formatDate(e.time, true)),
              textCell(actionText(e.action)),
              textCell(outcomeWords[e.outcome] ?? e.outcome),
              textCell(
                [
                  e.actor.userId,
                  e.actor.organisationId === undefined ? undefined : nameOf(names, e.actor.organisationId),
                ]
                  .filter((p) => p !== undefined)
                  .join(', '),
              ),
              textCell(rolesText(e.actor.role)),
              textCell(purposeText(e.purpose)),
              textCell(nameOf(names, footprints.get(e.subjectRef))),
              restrictionCell(e, names, restricting),
            ]),
          },
        },
      ]),
];

/** The subject access report: who handled the child's information, when and why, in words; no codes, no ids. */
export const disclosureView = (answer: IgDisclosureAnswer, names: Names): AnswerSection[] => [
  {
    heading: "Who has seen or handled the child's information",
    table: {
      id: 'disclosure-table',
      caption: "Every recorded access to the child's information, oldest first",
      head: headings('When', 'What happened', 'Outcome', 'Organisation', 'Role', 'Purpose'),
      rows: answer.entries.map((e) => [
        textCell(formatDate(e.time, true)),
        textCell(actionText(e.action)),
        textCell(outcomeWords[e.outcome] ?? e.outcome),
        textCell(
          e.actor.organisationId === undefined ? 'The exchange' : nameOf(names, e.actor.organisationId),
        ),
        textCell(rolesText(e.actor.role)),
        textCell(purposeText(e.purpose)),
      ]),
    },
  },
];
