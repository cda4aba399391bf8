import type { Hono } from 'hono';
import { deathCategories, learningThemes, modifiableFactorDomains } from '#shared/domain/cdop/analysis.ts';
import { caseIdSchema, cdopsOfBorough } from '#shared/domain/cdop/case.ts';
import { panelPackHash, placeCategories } from '#shared/domain/cdop/panel-pack.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import {
  assemblePanelPackAnswer,
  cdopCaseAnswer,
  cdopFiguresAnswer,
  getCdopCaseAnswer,
  listCdopCasesAnswer,
  ncmdExportAnswer,
  openCdopCaseAnswer,
  panelPackAnswer,
  requestCdopReportsAnswer,
} from '#shared/http/views/cdop.ts';
import { agenciesFromForm, analysisFromForm, notificationFromForm } from '../cdop/case-forms.ts';
import {
  analysisLabels,
  caseRows,
  doneBanner,
  figuresTables,
  financialYearOf,
  outstandingRows,
  refusalView,
  timelineText,
  trackingCounts,
  trackingRows,
} from '../cdop/case-views.ts';
import {
  answerOf,
  isHidden,
  namesOf,
  type PublishedRegistry,
  refusedPage,
  registryOf,
  today,
} from '../cdop/exchange-answers.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { choiceItems, dateItems, type FormFields, formKeyOf, listOf, selectItems, textOf } from '../forms.ts';
import { randomToken } from '../random-token.ts';
import { formatDate } from '../render.ts';
import { registerCdopReports } from './cdop-reports.ts';

/**
 * The CDOP secretariat's pages (docs/CDOP.md): the cases, opening a case from a notification, asking agencies,
 * the tracking board, the panel pack, closing with the analysis, the NCMD export and the year's figures. Each
 * handler asks the exchange as the signed-in person and reads the answer with the exchange's own schemas; the
 * view code is in console/cdop/.
 */

const placeLabels: Record<(typeof placeCategories)[number], string> = {
  hospital: 'Hospital',
  home: 'The child’s home',
  'public-place': 'A public place',
  'other-residence': 'Another residence',
  other: 'Somewhere else',
  unknown: 'Not known',
};

const newFormKey = () => `cdop-${randomToken(18)}`;

export const registerCdop = (app: Hono<ConsoleEnv>): void => {
  app.get('/cdop', async (c) => {
    const status = c.req.query('status') === 'closed' ? 'closed' : 'open';
    const [answer, registry] = await Promise.all([
      c
        .get('exchange')
        .listCdopCases(status)
        .then((r) => answerOf(listCdopCasesAnswer, r)),
      registryOf(c),
    ]);
    if (!answer.ok) return refusedPage(c, answer, false);
    const names = namesOf(registry);
    return c.get('page')('cdop/cases.njk', {
      title: status === 'open' ? 'Open cases' : 'Closed cases',
      status,
      rows: caseRows(answer.value.cases, names),
      overdueReports: answer.value.outstanding.reduce((n, a) => n + a.overdue, 0),
      opened: c.req.query('opened'),
    });
  });

  app.get('/cdop/tracking', async (c) => {
    const [answer, registry] = await Promise.all([
      c
        .get('exchange')
        .listCdopCases('open')
        .then((r) => answerOf(listCdopCasesAnswer, r)),
      registryOf(c),
    ]);
    if (!answer.ok) return refusedPage(c, answer, false);
    return c.get('page')('cdop/tracking.njk', {
      rows: outstandingRows(answer.value.outstanding, namesOf(registry)),
    });
  });

  // ---- Opening a case from a notification ------------------------------------------------------------------

  const notificationChoices = (registry: PublishedRegistry) => {
    const byName = [...registry.organisations].sort((a, b) => a.name.localeCompare(b.name));
    return {
      boroughs: byName.filter((o) => o.kind === 'local-authority'),
      notifiers: byName,
    };
  };

  const showOpenForm = (
    c: ConsoleContext,
    registry: PublishedRegistry,
    fields: FormFields,
    problems: { errors: readonly unknown[]; fieldErrors: Record<string, string> } = {
      errors: [],
      fieldErrors: {},
    },
    status = 200,
    formKey = newFormKey(),
  ) => {
    const choices = notificationChoices(registry);
    return c.get('page')(
      'cdop/open.njk',
      {
        title: 'Open a case from a notification',
        errors: problems.errors,
        fieldErrors: problems.fieldErrors,
        values: fields,
        formKey,
        dateOfDeathItems: dateItems(fields, 'dateOfDeath', problems.fieldErrors.dateOfDeath !== undefined),
        boroughItems: selectItems(
          'Select a borough',
          choices.boroughs.map((o) => ({ value: o.id, text: o.name })),
          textOf(fields, 'boroughOfResidence'),
        ),
        notifierItems: selectItems(
          'Select an organisation',
          choices.notifiers.map((o) => ({ value: o.id, text: o.name })),
          textOf(fields, 'notifyingOrganisationId'),
        ),
        placeItems: selectItems(
          'Not known',
          placeCategories.filter((p) => p !== 'unknown').map((p) => ({ value: p, text: placeLabels[p] })),
          textOf(fields, 'placeCategory'),
        ),
      },
      status,
    );
  };

  app.get('/cdop/cases/new', async (c) => showOpenForm(c, await registryOf(c), {}));

  app.post('/cdop/cases/new', async (c) => {
    const session = sessionOf(c);
    const fields = await c.req.parseBody({ all: true });
    const registry = await registryOf(c);
    const choices = notificationChoices(registry);
    const formKey = formKeyOf(fields) ?? newFormKey();
    // The NHS number is never shown again: a form that goes back to the person leaves it out of the page.
    const { nhsNumber: _typed, ...kept } = fields;
    const parsed = notificationFromForm(
      fields,
      { boroughs: choices.boroughs.map((o) => o.id), notifiers: choices.notifiers.map((o) => o.id) },
      today(),
    );
    if (!parsed.ok) return showOpenForm(c, registry, kept, parsed.problems, 400, formKey);
    const { nhsNumber, notification } = parsed.value;
    // The reference of the CDOP footprint that holds the borough (the CLI's choice, docs/CDOP.md): this CDOP's
    // footprint if it holds it, else the one CDOP that does (the exchange then says which CDOP to notify).
    const cdops = cdopsOfBorough(registry, notification.boroughOfResidence, new Date());
    const footprint =
      cdops.find((d) => d.cdopOrganisationId === session.organisationId) ??
      (cdops.length === 1 ? cdops[0] : undefined);
    if (footprint === undefined) {
      const problems = {
        errors: [
          {
            text: 'No child death overview panel reviews deaths in this borough',
            href: '#boroughOfResidence',
          },
        ],
        fieldErrors: { boroughOfResidence: 'No child death overview panel reviews deaths in this borough' },
      };
      return showOpenForm(c, registry, kept, problems, 400, formKey);
    }
    const key = await c
      .get('footprintKeys')(footprint.footprintId)
      .catch(() => undefined);
    if (key === undefined) {
      // The key is the members' own, kept beside the console's keys: without it no reference can be made here.
      const text =
        'The panel’s key for this area is not available, so the case cannot be opened now. Ask your IG lead.';
      return showOpenForm(
        c,
        registry,
        kept,
        { errors: [{ text, href: '#nhsNumber' }], fieldErrors: {} },
        503,
        formKey,
      );
    }
    const subjectRef = deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber });
    const response = await c.get('exchange').openCdopCase({ ...notification, subjectRef }, formKey);
    const answer = answerOf(openCdopCaseAnswer, response);
    if (!answer.ok) {
      const problems = {
        errors: [
          { text: answer.summary, href: '#nhsNumber' },
          ...answer.reasons.map((r) => ({ text: r, href: '#nhsNumber' })),
        ],
        fieldErrors: {},
      };
      // The exchange keeps its answer under the key: the form shown again has a new one, so a corrected form is a new call.
      return showOpenForm(c, registry, kept, problems, answer.status, newFormKey());
    }
    if (answer.value.outcome === 'notify-instead') {
      return c.get('page')('cdop/notify-instead.njk', {
        title: 'This case is for another panel',
        notifyInstead: answer.value.notifyInstead,
        cdopName: namesOf(registry).get(answer.value.notifyInstead.cdopOrganisationId),
      });
    }
    return c.redirect(`/cdop/cases/${encodeURIComponent(answer.value.case.id)}?opened=1`, 303);
  });

  // ---- A case: its tracking board, asking agencies, the pack ------------------------------------------------

  const caseIdOf = (c: ConsoleContext): string | undefined => {
    const id = c.req.param('caseId') ?? '';
    return caseIdSchema.safeParse(id).success ? id : undefined;
  };

  const showCase = async (
    c: ConsoleContext,
    caseId: string,
    extra: { errors?: unknown[]; fieldErrors?: Record<string, string>; status?: number } = {},
  ) => {
    const [answer, registry] = await Promise.all([
      c
        .get('exchange')
        .getCdopCase(caseId)
        .then((r) => answerOf(getCdopCaseAnswer, r)),
      registryOf(c),
    ]);
    if (!answer.ok) return refusedPage(c, answer);
    const names = namesOf(registry);
    const { case: record, agencies, timeline, suggestions } = answer.value;
    const asked = new Set(agencies.map((a) => a.organisationId));
    const closure = record.closure;
    return c.get('page')(
      'cdop/case.njk',
      {
        title: `Case ${record.id}`,
        errors: extra.errors ?? [],
        fieldErrors: extra.fieldErrors ?? {},
        record,
        borough: names.get(record.notification.boroughOfResidence) ?? record.notification.boroughOfResidence,
        notifier:
          names.get(record.notification.notifyingOrganisationId) ??
          record.notification.notifyingOrganisationId,
        counts: trackingCounts(agencies),
        trackingRows: trackingRows(agencies, names),
        toAsk: suggestions
          .filter((s) => !asked.has(s.organisationId))
          .map((s) => ({
            value: s.organisationId,
            text: s.name,
            hint: {
              text: s.inFootprint
                ? `In the panel’s area (${s.why.replaceAll('-', ' ')})`
                : 'Not in the panel’s area: asking it will be refused',
            },
          })),
        refusals: record.refusals.map((r) => refusalView(r, names)),
        timeline: [...timeline]
          .reverse()
          .map((t) => [{ text: formatDate(t.at, true) }, { text: timelineText(t, names) }]),
        closure:
          closure === undefined
            ? undefined
            : {
                ...closure,
                category: analysisLabels.category(closure.analysis.categoryOfDeath),
                domains:
                  closure.analysis.modifiableFactors.identified === true
                    ? closure.analysis.modifiableFactors.domains.map(analysisLabels.domain)
                    : [],
                themes: closure.analysis.learningThemes.map((t) => analysisLabels.theme(t.code)),
              },
        formKey: newFormKey(),
        banner: doneBanner(c.req.query('done'), c.req.query('opened') === '1'),
      },
      extra.status ?? 200,
    );
  };

  app.get('/cdop/cases/:caseId', async (c) => {
    const caseId = caseIdOf(c);
    return caseId === undefined ? c.get('page')('not-found.njk', {}, 404) : showCase(c, caseId);
  });

  app.post('/cdop/cases/:caseId/requests', async (c) => {
    const caseId = caseIdOf(c);
    if (caseId === undefined) return c.get('page')('not-found.njk', {}, 404);
    const fields = await c.req.parseBody({ all: true });
    const parsed = agenciesFromForm(fields);
    if (!parsed.ok) {
      return showCase(c, caseId, {
        errors: parsed.problems.errors,
        fieldErrors: parsed.problems.fieldErrors,
        status: 400,
      });
    }
    const response = await c.get('exchange').requestCdopReports(caseId, parsed.value, formKeyOf(fields));
    const answer = answerOf(requestCdopReportsAnswer, response);
    if (!answer.ok) {
      if (isHidden(answer)) {
        return refusedPage(c, answer);
      }
      // Every agency refused: the refusals are on the case too, with the agreement each would need.
      return showCase(c, caseId, {
        errors: [{ text: answer.summary, href: '#refusals' }],
        status: answer.status,
      });
    }
    const asked = answer.value.items.filter((i) => i.outcome === 'permitted').length;
    const refused = answer.value.items.filter((i) => i.outcome === 'refused').length;
    return c.redirect(`/cdop/cases/${encodeURIComponent(caseId)}?done=asked-${asked}-${refused}`, 303);
  });

  app.post('/cdop/cases/:caseId/pack', async (c) => {
    const caseId = caseIdOf(c);
    if (caseId === undefined) return c.get('page')('not-found.njk', {}, 404);
    const fields = await c.req.parseBody();
    const response = await c.get('exchange').assembleCdopPanelPack(caseId, formKeyOf(fields));
    const answer = answerOf(assemblePanelPackAnswer, response);
    if (!answer.ok) {
      if (isHidden(answer)) return refusedPage(c, answer);
      return showCase(c, caseId, {
        errors: [answer.summary, ...answer.reasons].map((text) => ({ text, href: '#pack' })),
        status: answer.status,
      });
    }
    return c.redirect(`/cdop/cases/${encodeURIComponent(caseId)}?done=pack`, 303);
  });

  /** A JSON document to save: never cached, never shown inline. */
  const download = (c: ConsoleContext, name: string, value: unknown) =>
    c.body(`${JSON.stringify(value, null, 2)}\n`, 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    });

  app.get('/cdop/cases/:caseId/pack', async (c) => {
    const caseId = caseIdOf(c);
    if (caseId === undefined) return c.get('page')('not-found.njk', {}, 404);
    const answer = answerOf(panelPackAnswer, await c.get('exchange').getCdopPanelPack(caseId));
    if (!answer.ok) return refusedPage(c, answer);
    const { packHash, ...rest } = answer.value.pack;
    // The pack a member reads is the pack that was assembled: its hash is recomputed here, as `pbx cdop pack` does.
    if (panelPackHash(rest) !== packHash) {
      return c.get('page')(
        'cdop/refused.njk',
        {
          summary: 'The panel pack could not be checked, so it was not downloaded.',
          reasons: [
            'Its contents do not match the hash recorded when it was assembled. Ask the exchange’s operators.',
          ],
        },
        502,
      );
    }
    return download(c, `panel-pack-${caseId}.json`, answer.value);
  });

  app.get('/cdop/cases/:caseId/ncmd-export', async (c) => {
    const caseId = caseIdOf(c);
    if (caseId === undefined) return c.get('page')('not-found.njk', {}, 404);
    const answer = answerOf(ncmdExportAnswer, await c.get('exchange').exportCdopCase(caseId));
    if (!answer.ok) return refusedPage(c, answer);
    return download(c, `ncmd-export-${caseId}.json`, answer.value.export);
  });

  // ---- Closing with the panel's analysis -----------------------------------------------------------------

  const showCloseForm = (
    c: ConsoleContext,
    caseId: string,
    fields: FormFields,
    problems: { errors: readonly unknown[]; fieldErrors: Record<string, string> } = {
      errors: [],
      fieldErrors: {},
    },
    status = 200,
  ) =>
    c.get('page')(
      'cdop/close.njk',
      {
        title: 'Close the case with the panel’s analysis',
        caseId,
        errors: problems.errors,
        fieldErrors: problems.fieldErrors,
        values: fields,
        formKey: formKeyOf(fields) ?? newFormKey(),
        panelDateItems: dateItems(fields, 'panelDate', problems.fieldErrors.panelDate !== undefined),
        categories: choiceItems(deathCategories, [textOf(fields, 'categoryOfDeath')]),
        domains: choiceItems(modifiableFactorDomains, listOf(fields, 'domains')),
        themes: choiceItems(learningThemes, listOf(fields, 'learningThemes')),
      },
      status,
    );

  app.get('/cdop/cases/:caseId/close', async (c) => {
    const caseId = caseIdOf(c);
    if (caseId === undefined) return c.get('page')('not-found.njk', {}, 404);
    const answer = answerOf(getCdopCaseAnswer, await c.get('exchange').getCdopCase(caseId));
    if (!answer.ok) return refusedPage(c, answer);
    if (answer.value.case.status === 'closed')
      return c.redirect(`/cdop/cases/${encodeURIComponent(caseId)}`, 303);
    return showCloseForm(c, caseId, {});
  });

  app.post('/cdop/cases/:caseId/close', async (c) => {
    const caseId = caseIdOf(c);
    if (caseId === undefined) return c.get('page')('not-found.njk', {}, 404);
    const fields = await c.req.parseBody({ all: true });
    const parsed = analysisFromForm(fields, caseId, today());
    if (!parsed.ok) return showCloseForm(c, caseId, fields, parsed.problems, 400);
    const response = await c.get('exchange').closeCdopCase(caseId, parsed.value, formKeyOf(fields));
    const answer = answerOf(cdopCaseAnswer, response);
    if (!answer.ok) {
      if (isHidden(answer)) return refusedPage(c, answer);
      const errors = [answer.summary, ...answer.reasons].map((text) => ({ text, href: '#panelDate-day' }));
      // A new key for the corrected form: the exchange keeps this answer under the old one.
      return showCloseForm(c, caseId, { ...fields, formKey: '' }, { errors, fieldErrors: {} }, answer.status);
    }
    return c.redirect(`/cdop/cases/${encodeURIComponent(caseId)}?done=closed`, 303);
  });

  // ---- The year's figures ------------------------------------------------------------------------------------

  app.get('/cdop/figures', async (c) => {
    const current = financialYearOf(today());
    const asked = c.req.query('year') ?? '';
    const year = /^\d{4}$/.test(asked) && Math.abs(Number(asked) - current) <= 20 ? Number(asked) : current;
    const [answer, registry] = await Promise.all([
      c
        .get('exchange')
        .getCdopFigures(String(year), 'publication')
        .then((r) => answerOf(cdopFiguresAnswer, r)),
      registryOf(c),
    ]);
    if (!answer.ok) return refusedPage(c, answer, false);
    return c.get('page')('cdop/figures.njk', {
      title: `Child deaths, ${year}/${String((year + 1) % 100).padStart(2, '0')}`,
      year,
      years: [current, current - 1, current - 2].map((y) => ({
        value: String(y),
        text: `${y}/${String((y + 1) % 100).padStart(2, '0')}`,
        selected: y === year,
      })),
      tables: figuresTables(answer.value, namesOf(registry)),
    });
  });

  registerCdopReports(app);
};
