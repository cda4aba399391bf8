import type { Hono } from 'hono';
import { footprintsOf, isFootprintInForce } from '#shared/domain/registry/registry.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { maxChildReferences } from '#shared/http/views/ig.ts';
import { type PublishedRegistry, registryOf } from '../cdop/exchange-answers.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { type FormFields, FormProblems, nhsNumberOf, textOf } from '../forms.ts';
import { childView } from '../ig/child-view.ts';
import { filterFormOf, groupingLabels, monthItems } from '../ig/filters.ts';
import { askers, headerContext, namesIn, periodText } from '../ig/period-questions.ts';
import { igQuestions, igReport } from '../ig/questions.ts';
import { quarterChoices, reportCsv, reportFormOf, reportSections } from '../ig/report-view.ts';
import { freshnessText, quarterText } from '../ig/words.ts';
import { refusedPage } from './audit.ts';
import { registerSubjectAccessPages, restrictingOf } from './ig-subject-access.ts';

/**
 * The footprints a child's records and the PQA report are asked about: those the person's organisation is in today,
 * or, for an organisation in none (the exchange's operator), every footprint in force.
 */
const footprintsAsked = (registry: PublishedRegistry, organisationId: string) => {
  const now = new Date();
  const ofOrganisation = footprintsOf(registry, organisationId, now);
  return ofOrganisation.length > 0
    ? ofOrganisation
    : registry.footprints.filter((f) => isFootprintInForce(f, now));
};

/**
 * The IG answers section (docs/CONSOLE.md "IG answers"): the ten questions and the PQA report, each a thin handler
 * over the exchange's answer (console/ig/ holds the view code). The section shows only to the roles the exchange
 * answers, but the exchange decides who may see what: a page reached by its address asks it all the same, so its
 * refusal is the exchange's own, audited with its reason, and told in plain English.
 */
export const registerIgPages = (app: Hono<ConsoleEnv>): void => {
  app.get('/ig', (c) =>
    c.get('page')('ig/index.njk', {
      title: 'IG answers',
      // The titles are the console's own words (questions.ts), so they may be placed in a link as they are.
      questions: igQuestions.map((q) => ({
        key: { html: `<a class="govuk-link" href="/ig/${q.name}">${q.title}</a>` },
        value: { text: `${q.question}.` },
      })),
      report: igReport,
    }),
  );

  for (const question of igQuestions) {
    if (question.name === 'child') continue;
    const ask = askers[question.name];
    app.get(`/ig/${question.name}`, async (c) => {
      const form = filterFormOf(c.req.query(), { requests: question.name === 'requests' });
      const context = {
        title: question.title,
        question,
        values: form.values,
        errors: form.problems.errors,
        fieldErrors: form.problems.fieldErrors,
        fromItems: monthItems(form.values, 'from', form.problems.fieldErrors.from !== undefined),
        toItems: monthItems(form.values, 'to', form.problems.fieldErrors.to !== undefined),
        byItems: [
          { value: 'month', text: 'Per month', checked: form.values.by !== 'quarter' },
          { value: 'quarter', text: 'Per quarter', checked: form.values.by === 'quarter' },
        ],
        groupItems: Object.entries(groupingLabels).map(([value, text]) => ({
          value,
          text,
          selected: (form.values.group || 'pair') === value,
        })),
      };
      if (form.query === undefined) return c.get('page')('ig/answer.njk', context, 400);
      const names = namesIn(await registryOf(c));
      const asked = await ask(c.get('exchange'), form.query, names);
      if ('refused' in asked) return refusedPage(c, asked.refused, question.title);
      const { header, sections, empty } = asked.shown;
      return c.get('page')('ig/answer.njk', {
        ...context,
        ...headerContext(header, sessionOf(c).organisationName),
        periodText: periodText(header.period, question.name === 'outstanding'),
        sections,
        empty,
      });
    });
  }

  // ---- One child's records: the NHS number is posted (never in a URL), made into references here, never sent. ----

  const childForm = (c: ConsoleContext, problems = new FormProblems(), status = 200, shown?: object) =>
    c.get('page')(
      'ig/child.njk',
      {
        title: "One child's records",
        errors: problems.errors,
        fieldErrors: problems.fieldErrors,
        ...shown,
      },
      status,
    );

  app.get('/ig/child', (c) => childForm(c));

  /**
   * The child's reference in each footprint the question covers, made here from the posted NHS number (never sent);
   * or the page to show instead: the form with its problem, or 503 when a footprint key is not at hand.
   */
  const referencesFrom = async (
    c: ConsoleContext,
    fields: FormFields,
    page: (problems: FormProblems) => Response | Promise<Response>,
  ): Promise<
    | { references: ReadonlyMap<string, string>; footprintNames: string[]; registry: PublishedRegistry }
    | { page: Response }
  > => {
    const typed = nhsNumberOf(textOf(fields, 'nhsNumber'));
    if (typed.value === undefined) {
      const problems = new FormProblems();
      problems.add('nhsNumber', typed.error ?? "Enter the child's NHS number");
      return { page: await page(problems) };
    }
    const registry = await registryOf(c);
    // Each footprint has its own reference for the child: one for each footprint the question covers.
    const footprints = footprintsAsked(registry, sessionOf(c).organisationId).slice(0, maxChildReferences);
    if (footprints.length === 0) {
      const problems = new FormProblems();
      problems.add(
        'nhsNumber',
        'Your organisation is in no footprint, so no reference of the child can be made',
      );
      return { page: await page(problems) };
    }
    const references = new Map<string, string>();
    try {
      for (const footprint of footprints) {
        const key = await c.get('footprintKeys')(footprint.id);
        references.set(
          deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber: typed.value }),
          footprint.id,
        );
      }
    } catch (error) {
      console.error('console: no footprint key', (error as Error)?.name);
      return { page: await c.get('page')('problem.njk', {}, 503) };
    }
    return { references, footprintNames: footprints.map((f) => f.name), registry };
  };

  app.post('/ig/child', async (c) => {
    const fields: FormFields = await c.req.parseBody({ all: true });
    const found = await referencesFrom(c, fields, (problems) => childForm(c, problems, 400));
    if ('page' in found) return found.page;
    const { references, registry } = found;
    const session = sessionOf(c);
    const answer = await c
      .get('exchange')
      .invoke('GetIgChild', { query: { subjectRef: [...references.keys()].join(',') } });
    if (answer.status !== 200) return refusedPage(c, answer, "One child's records");
    return childForm(c, new FormProblems(), 200, {
      ...headerContext(answer.body, session.organisationName),
      footprintNames: found.footprintNames,
      truncated: answer.body.truncated,
      sections: childView(answer.body, namesIn(registry), references, restrictingOf(c)),
      empty: answer.body.counts.length === 0,
      restricted: answer.body.entries?.some((e) => e.restriction !== undefined) ?? false,
      asked: true,
    });
  });

  registerSubjectAccessPages(app, { refusedPage, referencesFrom });

  // ---- The PQA quarterly report ------------------------------------------------------------------------------

  const reportContext = async (c: ConsoleContext) => {
    const registry = await registryOf(c);
    const footprints = footprintsAsked(registry, sessionOf(c).organisationId);
    const form = reportFormOf(
      c.req.query(),
      footprints.map((f) => f.id),
    );
    return { registry, footprints, form };
  };

  app.get('/ig/report', async (c) => {
    const { registry, footprints, form } = await reportContext(c);
    const context = {
      title: igReport.title,
      values: form.values,
      errors: form.problems.errors,
      fieldErrors: form.problems.fieldErrors,
      quarterItems: quarterChoices(new Date()).map((q) => ({
        value: q,
        text: quarterText(q),
        selected: q === form.values.quarter,
      })),
      footprintItems: footprints.map((f) => ({
        value: f.id,
        text: f.name,
        selected: f.id === form.values.footprint,
      })),
      oneFootprint: footprints.length === 1 ? footprints[0] : undefined,
    };
    if (form.query === undefined)
      return c.get('page')('ig/report.njk', context, form.problems.any ? 400 : 200);
    const answer = await c.get('exchange').invoke('GetIgReport', { query: form.query });
    if (answer.status !== 200) return refusedPage(c, answer, igReport.title);
    const names = namesIn(registry);
    return c.get('page')('ig/report.njk', {
      ...context,
      freshness: freshnessText(answer.body.asOf),
      report: {
        quarter: quarterText(answer.body.quarter),
        footprint: names.get(answer.body.footprint) ?? answer.body.footprint,
      },
      sections: reportSections(answer.body),
      downloadHref: `/ig/report/download?${new URLSearchParams(form.query)}`,
    });
  });

  app.get('/ig/report/download', async (c) => {
    const { form } = await reportContext(c);
    if (form.query === undefined) return c.redirect(`/ig/report?${new URLSearchParams(form.values)}`, 303);
    const answer = await c.get('exchange').invoke('GetIgReport', { query: form.query });
    if (answer.status !== 200) return refusedPage(c, answer, igReport.title);
    return c.body(reportCsv(answer.body), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="pbx-pqa-${form.query.footprint}-${form.query.quarter}.csv"`,
    });
  });
};
