import type { Hono } from 'hono';
import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import { footprintsOf, isFootprintInForce } from '#shared/domain/registry/registry.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { type igScopes, maxChildReferences } from '#shared/http/views/ig.ts';
import { type PublishedRegistry, registryOf } from '../cdop/exchange-answers.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { type FormFields, FormProblems, nhsNumberOf, textOf } from '../forms.ts';
import {
  type AnswerSection,
  childView,
  consentNotSoughtView,
  outcomesView,
  outstandingView,
  pastReviewView,
  placementsView,
  refusalsView,
  requestsView,
} from '../ig/answer-views.ts';
import { filterFormOf, groupingLabels, type IgQuery, monthItems } from '../ig/filters.ts';
import { type IgQuestionName, igQuestions, igReport } from '../ig/questions.ts';
import { quarterChoices, quarterText, reportCsv, reportFormOf, reportSections } from '../ig/report-view.ts';
import { freshnessText, type Names } from '../ig/words.ts';
import { maySee } from '../navigation.ts';
import { explain, refusalOf } from '../plain-english.ts';
import { formatDate } from '../render.ts';

/** What an answer page shows above its tables: how fresh, whose rows, which months. */
type Header = {
  readonly asOf: { readonly leaves: number; readonly time: string | null };
  readonly scope?: (typeof igScopes)[number];
  readonly period?: { readonly from?: string | undefined; readonly to?: string | undefined } | undefined;
};

type Shown = { readonly header: Header; readonly sections: AnswerSection[]; readonly empty: boolean };

/** Asks the exchange one question and turns its answer into the page's sections; a refusal comes back as it is. */
type Ask = (
  exchange: PbxClient,
  query: IgQuery,
  names: Names,
) => Promise<{ readonly shown: Shown } | { readonly refused: PbxResponse<unknown> }>;

const shownOf = <A extends Header>(
  answer: PbxResponse<A>,
  view: (answer: A) => AnswerSection[],
  rowsOf: (answer: A) => readonly unknown[],
): { shown: Shown } | { refused: PbxResponse<unknown> } =>
  answer.status === 200
    ? { shown: { header: answer.body, sections: view(answer.body), empty: rowsOf(answer.body).length === 0 } }
    : { refused: answer };

/** The nine questions of a period (child and the report have pages of their own). */
const askers: Readonly<Record<Exclude<IgQuestionName, 'child'>, Ask>> = {
  requests: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgRequests', { query }),
      (a) => requestsView(a, names),
      (a) => a.rows,
    ),
  refusals: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgRefusals', { query }),
      (a) => refusalsView(a, names, 'refusals'),
      (a) => a.rows,
    ),
  'past-review': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgPastReview', { query }),
      (a) => pastReviewView(a, names),
      (a) => a.rows,
    ),
  'without-agreement': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgWithoutAgreement', { query }),
      (a) => refusalsView(a, names, 'without-agreement'),
      (a) => a.rows,
    ),
  'cross-footprint': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgCrossFootprint', { query }),
      (a) => refusalsView(a, names, 'cross-footprint'),
      (a) => a.rows,
    ),
  'consent-not-sought': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgConsentNotSought', { query }),
      (a) => consentNotSoughtView(a, names),
      (a) => a.rows,
    ),
  placements: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgPlacements', { query }),
      (a) => placementsView(a, names),
      (a) => a.rows,
    ),
  outcomes: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgOutcomes', { query }),
      (a) => outcomesView(a, names),
      (a) => a.rows,
    ),
  outstanding: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgOutstanding', { query }),
      (a) => outstandingView(a, names),
      (a) => a.rows,
    ),
};

/** Organisation and footprint names, from the published registry. */
const namesIn = (registry: PublishedRegistry): Names =>
  new Map([...registry.organisations, ...registry.footprints].map((o) => [o.id, o.name]));

const monthText = (month: string | undefined) =>
  month === undefined ? undefined : formatDate(`${month}-01T12:00:00Z`, false).replace(/^1 /, '');

/** The words above an answer's tables: its freshness, whose rows they are, and the months covered. */
const headerContext = (header: Header, organisationName: string) => ({
  freshness: freshnessText(header.asOf),
  scopeText:
    header.scope === 'counts'
      ? 'You see counts only. A count of 1 to 4 is shown as "fewer than 5", so that no child can be picked out.'
      : header.scope === 'organisation'
        ? `These figures are of ${organisationName}: requests it made or was asked, and steps it took or was the subject of.`
        : header.scope === 'all'
          ? 'These figures are of every organisation on the exchange.'
          : undefined,
});

/** The months an answer covers in words; `outstanding` covers every open request unless months were asked for. */
const periodText = (period: Header['period'], outstanding: boolean): string | undefined => {
  const { from, to } = period ?? {};
  if (from !== undefined && to !== undefined)
    return `From ${monthText(from)} to ${monthText(to)}, by the month each request was made in (months in UTC).`;
  if (from !== undefined) return `Requests made in ${monthText(from)} or later.`;
  if (to !== undefined) return `Requests made in ${monthText(to)} or earlier.`;
  return outstanding ? 'Every open request, whenever it was made.' : undefined;
};

const refusedPage = (c: ConsoleContext, response: { status: number; body: unknown }, title: string) => {
  const { summary, reasons } = explain(refusalOf(response));
  const status = response.status >= 400 && response.status < 600 ? response.status : 502;
  return c.get('page')('ig/refused.njk', { title, summary, reasons }, status);
};

/**
 * The IG answers section (docs/CONSOLE.md "IG answers"): the ten questions and the PQA report, each a thin handler
 * over the exchange's answer (console/ig/ holds the view code). The exchange decides who may see what; the section
 * shows only to the roles it answers, and anyone else reaching a page by its address is told they may not.
 */
export const registerIgPages = (app: Hono<ConsoleEnv>): void => {
  const guard = async (c: ConsoleContext, next: () => Promise<void>) => {
    if (!maySee(sessionOf(c).roles, 'ig')) {
      return refusedPage(
        c,
        {
          status: 403,
          body: {
            error: 'NOT_PERMITTED',
            message: 'IG answers are for IG leads, Caldicott guardians, DPOs, scrutineers and the operator',
          },
        },
        'IG answers',
      );
    }
    return next();
  };
  app.use('/ig', guard);
  app.use('/ig/*', guard);

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

  app.post('/ig/child', async (c) => {
    const fields: FormFields = await c.req.parseBody({ all: true });
    const typed = nhsNumberOf(textOf(fields, 'nhsNumber'));
    if (typed.value === undefined) {
      const problems = new FormProblems();
      problems.add('nhsNumber', typed.error ?? "Enter the child's NHS number");
      return childForm(c, problems, 400);
    }
    const session = sessionOf(c);
    const registry = await registryOf(c);
    const now = new Date();
    // Each footprint the organisation works in has its own reference for the child (the operator: every footprint).
    const ofOrganisation = footprintsOf(registry, session.organisationId, now);
    const footprints = (
      ofOrganisation.length > 0
        ? ofOrganisation
        : registry.footprints.filter((f) => isFootprintInForce(f, now))
    ).slice(0, maxChildReferences);
    if (footprints.length === 0) {
      const problems = new FormProblems();
      problems.add(
        'nhsNumber',
        'Your organisation is in no footprint, so no reference of the child can be made',
      );
      return childForm(c, problems, 400);
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
      return c.get('page')('problem.njk', {}, 503);
    }
    const answer = await c
      .get('exchange')
      .invoke('GetIgChild', { query: { subjectRef: [...references.keys()].join(',') } });
    if (answer.status !== 200) return refusedPage(c, answer, "One child's records");
    return childForm(c, new FormProblems(), 200, {
      ...headerContext(answer.body, session.organisationName),
      footprintNames: footprints.map((f) => f.name),
      truncated: answer.body.truncated,
      sections: childView(answer.body, namesIn(registry), references),
      empty: answer.body.counts.length === 0,
      asked: true,
    });
  });

  // ---- The PQA quarterly report ------------------------------------------------------------------------------

  const reportContext = async (c: ConsoleContext) => {
    const session = sessionOf(c);
    const registry = await registryOf(c);
    const now = new Date();
    const ofOrganisation = footprintsOf(registry, session.organisationId, now);
    const footprints =
      ofOrganisation.length > 0
        ? ofOrganisation
        : registry.footprints.filter((f) => isFootprintInForce(f, now));
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
