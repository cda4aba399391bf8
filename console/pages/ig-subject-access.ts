import type { Hono } from 'hono';
import { disclosureTables, igDisclosureHeading, igTablesText } from '#client/ig-table.ts';
import { restrictionReasonWords, withheldText } from '#client/ig-words.ts';
import { restrictingRoles, restrictionReasonCodes } from '#shared/domain/ig/restriction.ts';
import { subjectReferenceSchema } from '#shared/domain/subjects/subject-reference.ts';
import { maxChildReferences, maxRestrictionReason } from '#shared/http/views/ig.ts';
import { type PublishedRegistry, registryOf } from '../cdop/exchange-answers.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import {
  choiceItems,
  choiceOf,
  dateItems,
  dateOf,
  type FormFields,
  FormProblems,
  listOf,
  textOf,
} from '../forms.ts';
import { disclosureView, type Restricting } from '../ig/child-view.ts';
import { headerContext, namesIn } from '../ig/period-questions.ts';
import { formatDate } from '../render.ts';

/**
 * Who looked at this child, and subject access (docs/IG.md): the "Restrict" form an IG role reaches from an entry
 * of the child's records, and the subject access report (printable, with a download). The exchange decides what
 * may be restricted and what the report holds; these pages only ask and show.
 */

/** The person's organisation, when they hold a role that restricts its entries; else nobody restricts here. */
export const restrictingOf = (c: ConsoleContext): Restricting => {
  const session = sessionOf(c);
  return session.roles.some((r) => (restrictingRoles as readonly string[]).includes(r))
    ? { organisationId: session.organisationId }
    : undefined;
};

const indexOf = (raw: string): number | undefined => (/^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

/** The subject references the report page carries to its download: pseudonyms, never the NHS number. */
const referencesOf = (fields: FormFields): string[] | undefined => {
  const refs = listOf(fields, 'subjectRef');
  return refs.length > 0 &&
    refs.length <= maxChildReferences &&
    refs.every((r) => subjectReferenceSchema.safeParse(r).success)
    ? refs
    : undefined;
};

export const registerSubjectAccessPages = (
  app: Hono<ConsoleEnv>,
  helpers: {
    readonly refusedPage: (
      c: ConsoleContext,
      response: { status: number; body: unknown },
      title: string,
    ) => Response | Promise<Response>;
    /** The child's references in each footprint asked, from a posted NHS number; or the page to show instead. */
    readonly referencesFrom: (
      c: ConsoleContext,
      fields: FormFields,
      page: (problems: FormProblems) => Response | Promise<Response>,
    ) => Promise<
      { references: ReadonlyMap<string, string>; registry: PublishedRegistry } | { page: Response }
    >;
  },
): void => {
  // ---- Restrict an entry -------------------------------------------------------------------------------------

  const restrictTitle = 'Restrict an entry from subject access reports';
  const restrictForm = (
    c: ConsoleContext,
    index: number,
    fields: FormFields = {},
    problems = new FormProblems(),
    status = 200,
  ) =>
    c.get('page')(
      'ig/restrict.njk',
      {
        title: restrictTitle,
        index,
        errors: FormProblems.inPageOrder(problems.fieldErrors, ['reasonCode', 'reason', 'until']),
        fieldErrors: problems.fieldErrors,
        reasonItems: choiceItems(restrictionReasonWords, [textOf(fields, 'reasonCode')]),
        reason: textOf(fields, 'reason'),
        untilItems: dateItems(fields, 'until', problems.fieldErrors.until !== undefined),
      },
      status,
    );

  app.get('/ig/restrictions/new', (c) => {
    const index = indexOf(c.req.query('index') ?? '');
    if (index === undefined) return c.get('page')('not-found.njk', {}, 404);
    return restrictForm(c, index);
  });

  app.post('/ig/restrictions', async (c) => {
    const fields: FormFields = await c.req.parseBody({ all: true });
    const index = indexOf(textOf(fields, 'index'));
    if (index === undefined) return c.get('page')('not-found.njk', {}, 404);
    const problems = new FormProblems();
    const reasonCode = choiceOf(fields, 'reasonCode', restrictionReasonCodes);
    if (reasonCode === undefined) problems.add('reasonCode', 'Select why the entry is restricted');
    const reason = textOf(fields, 'reason');
    if (reason === '') problems.add('reason', 'Enter the reason in words');
    else if (reason.length > maxRestrictionReason) {
      problems.add('reason', `The reason must be ${maxRestrictionReason} characters or fewer`);
    }
    const until = dateOf(fields, 'until', 'The end date');
    const today = new Date().toISOString().slice(0, 10);
    if (until.error !== undefined) problems.add('until', until.error, 'until-day');
    else if (until.value !== undefined && until.value < today) {
      problems.add('until', 'The end date must be today or in the future', 'until-day');
    }
    if (problems.any || reasonCode === undefined || until.value === undefined) {
      return restrictForm(c, index, fields, problems, 400);
    }
    const answer = await c.get('exchange').invoke('CreateIgRestriction', {
      body: { index, reasonCode, reason, until: until.value },
    });
    if (answer.status !== 201) return helpers.refusedPage(c, answer, restrictTitle);
    const { restriction } = answer.body;
    return c.get('page')('ig/restricted.njk', {
      title: 'Entry restricted',
      index: restriction.index,
      until: formatDate(restriction.until, false),
      why: restrictionReasonWords[restriction.reasonCode],
    });
  });

  // ---- The organisation's restrictions, and lifting one early ----------------------------------------------

  const listTitle = "Your organisation's restrictions";
  const listPage = async (c: ConsoleContext, problems = new FormProblems(), status = 200) => {
    const answer = await c.get('exchange').invoke('ListIgRestrictions');
    if (answer.status !== 200) return helpers.refusedPage(c, answer, listTitle);
    return c.get('page')(
      'ig/restrictions.njk',
      {
        title: listTitle,
        errors: problems.errors,
        fieldErrors: problems.fieldErrors,
        restrictions: answer.body.restrictions.map((r) => ({
          id: r.id,
          index: r.index,
          why: restrictionReasonWords[r.reasonCode],
          reason: r.reason,
          until: formatDate(r.until, false),
          state: r.inForce ? 'In force' : r.state === 'lifted' ? 'Lifted' : 'Ended',
          inForce: r.inForce,
        })),
      },
      status,
    );
  };

  app.get('/ig/restrictions', (c) => listPage(c));

  app.post('/ig/restrictions/:id/lift', async (c) => {
    const fields: FormFields = await c.req.parseBody({ all: true });
    const id = c.req.param('id');
    const reason = textOf(fields, 'reason');
    if (reason === '' || reason.length > maxRestrictionReason) {
      const problems = new FormProblems();
      problems.add(
        `reason-${id}`,
        reason === ''
          ? 'Enter why the restriction is lifted early'
          : `The reason must be ${maxRestrictionReason} characters or fewer`,
      );
      return listPage(c, problems, 400);
    }
    const answer = await c
      .get('exchange')
      .invoke('LiftIgRestriction', { path: { restrictionId: id }, body: { reason } });
    if (answer.status !== 200) return helpers.refusedPage(c, answer, listTitle);
    return c.redirect('/ig/restrictions', 303);
  });

  // ---- The subject access report -----------------------------------------------------------------------------

  const reportTitle = 'Subject access report';
  const reportForm = (c: ConsoleContext, problems = new FormProblems(), status = 200, shown?: object) =>
    c.get('page')(
      'ig/disclosure.njk',
      { title: reportTitle, errors: problems.errors, fieldErrors: problems.fieldErrors, ...shown },
      status,
    );

  app.get('/ig/child/disclosure', (c) => reportForm(c));

  app.post('/ig/child/disclosure', async (c) => {
    const fields: FormFields = await c.req.parseBody({ all: true });
    const found = await helpers.referencesFrom(c, fields, (problems) => reportForm(c, problems, 400));
    if ('page' in found) return found.page;
    const references = [...found.references.keys()];
    const answer = await c
      .get('exchange')
      .invoke('GetIgChildDisclosure', { query: { subjectRef: references.join(',') } });
    if (answer.status !== 200) return helpers.refusedPage(c, answer, reportTitle);
    const { registry } = found;
    return reportForm(c, new FormProblems(), 200, {
      ...headerContext(answer.body, sessionOf(c).organisationName),
      madeAt: formatDate(answer.body.at, true),
      withheldText: withheldText(answer.body.withheld),
      withheld: answer.body.withheld,
      truncated: answer.body.truncated,
      references,
      sections: disclosureView(answer.body, namesIn(registry)),
      empty: answer.body.entries.length === 0,
      asked: true,
    });
  });

  // The report as text, as `pbx ig child --disclosure` writes it: asked again, so the download is the report now.
  app.post('/ig/child/disclosure/download', async (c) => {
    const fields: FormFields = await c.req.parseBody({ all: true });
    const references = referencesOf(fields);
    if (references === undefined) return c.redirect('/ig/child/disclosure', 303);
    const answer = await c
      .get('exchange')
      .invoke('GetIgChildDisclosure', { query: { subjectRef: references.join(',') } });
    if (answer.status !== 200) return helpers.refusedPage(c, answer, reportTitle);
    const names = namesIn(await registryOf(c));
    const text = `${igDisclosureHeading(answer.body)}\n\n${igTablesText(disclosureTables(answer.body, names))}`;
    return c.body(text, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="subject-access-report-${answer.body.at.slice(0, 10)}.txt"`,
    });
  });
};
