import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type * as z from 'zod';
import { caseReviewPurpose } from '#shared/domain/cdop/fan-out.ts';
import type { ReportingForm } from '#shared/domain/cdop/reporting-form.ts';
import { requestAnswer, requestListAnswer } from '#shared/http/views/requests.ts';
import { askRows } from '../cdop/case-views.ts';
import { answerOf, isHidden, namesOf, refusedPage, registryOf, today } from '../cdop/exchange-answers.ts';
import { factorGroups, reportFromForm, reportFromUpload } from '../cdop/report-form.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { dateItems, type FormFields, formKeyOf, listOf, textOf } from '../forms.ts';
import { randomToken } from '../random-token.ts';

/**
 * An agency answers a CDOP's ask (docs/CDOP.md "An agency reports"): the ask is a data request to the agency, and
 * the answer is its child death reporting form, released as the share of that request, as `pbx cdop report`
 * does: approve the request if it is still submitted, then release the form (JSON, inline). The agency writes the
 * form in fields here or uploads the file its own system made; or it declines, with reasons the CDOP sees.
 */

const involvementLabels = {
  current: 'Current: the agency was working with the child or family',
  past: 'Past: the agency worked with them before',
  none: 'None: the agency had no involvement',
  unknown: 'Not known',
};
const answerLabels = { yes: 'Yes', no: 'No', unknown: 'Not known' };
const concernQuestions = ['safeguardingConcerns', 'childProtectionPlan', 'lookedAfter'] as const;
const factorLegends: Record<(typeof factorGroups)[number]['field'], string> = {
  factorsChild: 'Factors intrinsic to the child',
  factorsFamily: 'Factors in the family and environment',
  factorsService: 'Factors in service provision',
};
const humanise = (code: string) => {
  const words = code.replaceAll('-', ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
};
const radioItems = (labels: Readonly<Record<string, string>>, checked: string) =>
  Object.entries(labels).map(([value, text]) => ({ value, text, checked: value === checked }));

const newFormKey = () => `cdop-${randomToken(18)}`;
const maxUploadBytes = 512 * 1024;

type Ask = {
  readonly id: string;
  readonly caseId: string;
  readonly agencyId: string;
  readonly status: string;
  readonly dueAt: string;
  readonly requester: string;
  readonly dataCategories: readonly string[];
  readonly share?: { sha256: string; size: number };
};

/** The ask behind a request id, if it is a CDOP's ask of the signed-in person's organisation. */
const askOf = async (c: ConsoleContext, requestId: string): Promise<Ask | 'hidden' | Response> => {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(requestId)) return 'hidden';
  const answer = answerOf(requestAnswer, await c.get('exchange').getRequest(requestId));
  if (!answer.ok) return isHidden(answer) ? 'hidden' : refusedPage(c, answer);
  const { request } = answer.value;
  if (
    request.purpose !== caseReviewPurpose ||
    request.cdopCase === undefined ||
    request.responderOrganisationId !== sessionOf(c).organisationId
  ) {
    return 'hidden';
  }
  const withheld = request.decision?.withheld?.dataCategories ?? [];
  return {
    id: request.id,
    caseId: request.cdopCase.caseId,
    agencyId: request.responderOrganisationId,
    status: request.status,
    dueAt: request.dueAt,
    requester: request.requester.organisationId,
    dataCategories: request.dataCategories.filter((d) => !withheld.includes(d)),
    ...(request.share === undefined
      ? {}
      : { share: { sha256: request.share.sha256, size: request.share.size } }),
  };
};

const answerable = (ask: Ask) =>
  ask.status === 'submitted' || ask.status === 'approved' || ask.status === 'partially-approved';

export const registerCdopReports = (app: Hono<ConsoleEnv>): void => {
  const showReport = async (
    c: ConsoleContext,
    ask: Ask,
    fields: FormFields = {},
    problems: { errors: readonly unknown[]; fieldErrors: Record<string, string> } = {
      errors: [],
      fieldErrors: {},
    },
    status = 200,
  ) => {
    const names = namesOf(await registryOf(c));
    return c.get('page')(
      'cdop/report.njk',
      {
        title: 'Send your child death report',
        ask,
        requesterName: names.get(ask.requester) ?? ask.requester,
        answerable: answerable(ask),
        errors: problems.errors,
        fieldErrors: problems.fieldErrors,
        values: fields,
        formKey: formKeyOf(fields) ?? newFormKey(),
        dateOfBirthItems: dateItems(
          fields,
          'childDateOfBirth',
          problems.fieldErrors.childDateOfBirth !== undefined,
        ),
        involvementItems: radioItems(involvementLabels, textOf(fields, 'involvementStatus')),
        concernItems: Object.fromEntries(
          concernQuestions.map((q) => [q, radioItems(answerLabels, textOf(fields, q))]),
        ),
        factorGroups: factorGroups.map((g) => ({
          field: g.field,
          legend: factorLegends[g.field],
          items: g.codes.map((code) => ({
            value: code,
            text: humanise(code),
            checked: listOf(fields, g.field).includes(code),
          })),
        })),
        sent: c.req.query('sent') === '1',
      },
      status,
    );
  };

  const withAsk = async (c: ConsoleContext, then: (ask: Ask) => Promise<Response>) => {
    const ask = await askOf(c, c.req.param('requestId') ?? '');
    if (ask === 'hidden') return c.get('page')('not-found.njk', {}, 404);
    if (ask instanceof Response) return ask;
    return then(ask);
  };

  /** Approve (if still submitted), then release the form as the share: each step with its own key. */
  const release = async (c: ConsoleContext, ask: Ask, bytes: Buffer, key: string | undefined) => {
    const exchange = c.get('exchange');
    if (ask.status === 'submitted') {
      const decided = answerOf(
        requestAnswer,
        await exchange.decideRequest(
          ask.id,
          { outcome: 'approve', reasons: 'Our child death report is attached.' },
          key === undefined ? undefined : `${key}.decide`,
        ),
      );
      if (!decided.ok) return decided;
    }
    return answerOf(
      requestAnswer,
      await exchange.releaseShare(
        ask.id,
        {
          content: bytes.toString('base64'),
          sha256: createHash('sha256').update(bytes).digest('hex'),
          contentType: 'application/json',
          dataCategories: ask.dataCategories,
        },
        key === undefined ? undefined : `${key}.release`,
      ),
    );
  };

  const sent = (c: ConsoleContext, ask: Ask) =>
    c.redirect(`/cdop/reports/${encodeURIComponent(ask.id)}?sent=1`, 303);

  const refusedOnForm = (
    c: ConsoleContext,
    ask: Ask,
    fields: FormFields,
    refusal: { status: number; summary: string; reasons: readonly string[] },
    anchor: string,
  ) =>
    // A new key for the form shown again: the exchange keeps this answer under the old one.
    showReport(
      c,
      ask,
      { ...fields, formKey: '' },
      {
        errors: [refusal.summary, ...refusal.reasons].map((text) => ({ text, href: `#${anchor}` })),
        fieldErrors: {},
      },
      refusal.status,
    );

  // The CDOPs' asks of this agency: its inbox's child death review requests, newest first (a few pages at most).
  app.get('/cdop/reports', async (c) => {
    const found: z.infer<typeof requestListAnswer>['requests'] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const query = new URLSearchParams({
        box: 'inbox',
        limit: '100',
        ...(after === undefined ? {} : { after }),
      });
      const answer = answerOf(requestListAnswer, await c.get('exchange').listRequests(query));
      if (!answer.ok) return refusedPage(c, answer);
      found.push(
        ...answer.value.requests.filter((r) => r.purpose === caseReviewPurpose && r.cdopCase !== undefined),
      );
      after = answer.value.next;
      if (after === undefined) break;
    }
    const names = namesOf(await registryOf(c));
    return c.get('page')('cdop/reports.njk', {
      title: 'Child death reports asked of your agency',
      rows: askRows(found, names),
    });
  });

  app.get('/cdop/reports/:requestId', (c) => withAsk(c, (ask) => showReport(c, ask)));

  app.post('/cdop/reports/:requestId', (c) =>
    withAsk(c, async (ask) => {
      const fields = await c.req.parseBody({ all: true });
      if (!answerable(ask)) return showReport(c, ask, {}, { errors: [], fieldErrors: {} }, 409);
      const parsed = reportFromForm(fields, { caseId: ask.caseId, agencyId: ask.agencyId }, today());
      if (!parsed.ok) return showReport(c, ask, fields, parsed.problems, 400);
      const released = await release(c, ask, formBytes(parsed.value), formKeyOf(fields));
      if (!released.ok) return refusedOnForm(c, ask, fields, released, 'childGivenNames');
      return sent(c, ask);
    }),
  );

  app.post('/cdop/reports/:requestId/upload', (c) =>
    withAsk(c, async (ask) => {
      const fields = await c.req.parseBody({ all: true });
      if (!answerable(ask)) return showReport(c, ask, {}, { errors: [], fieldErrors: {} }, 409);
      const file = fields.reportFile;
      const problem = (text: string, status = 400) =>
        showReport(
          c,
          ask,
          {},
          { errors: [{ text, href: '#reportFile' }], fieldErrors: { reportFile: text } },
          status,
        );
      if (!(file instanceof File) || file.size === 0)
        return problem('Select the reporting form file to upload');
      if (file.size > maxUploadBytes) return problem('The file must be smaller than 512 KB');
      const bytes = Buffer.from(await file.arrayBuffer());
      const parsed = reportFromUpload(bytes.toString('utf8'), { caseId: ask.caseId, agencyId: ask.agencyId });
      if (!parsed.ok) {
        const errors = parsed.reasons.map((text) => ({ text, href: '#reportFile' }));
        return showReport(
          c,
          ask,
          {},
          { errors, fieldErrors: { reportFile: 'The file is not a reporting form for this request' } },
          400,
        );
      }
      // The file is released as the agency made it: the bytes the exchange hashes are the bytes uploaded.
      const released = await release(c, ask, bytes, formKeyOf(fields));
      if (!released.ok) return refusedOnForm(c, ask, {}, released, 'reportFile');
      return sent(c, ask);
    }),
  );

  app.post('/cdop/reports/:requestId/decline', (c) =>
    withAsk(c, async (ask) => {
      const fields = await c.req.parseBody();
      const reasons = textOf(fields, 'declineReasons');
      if (ask.status !== 'submitted') return showReport(c, ask, {}, { errors: [], fieldErrors: {} }, 409);
      if (reasons === '' || reasons.length > 4000) {
        const text =
          reasons === ''
            ? 'Enter why your agency will not report'
            : 'Reasons must be 4,000 characters or fewer';
        return showReport(
          c,
          ask,
          fields,
          { errors: [{ text, href: '#declineReasons' }], fieldErrors: { declineReasons: text } },
          400,
        );
      }
      const key = formKeyOf(fields);
      const declined = answerOf(
        requestAnswer,
        await c
          .get('exchange')
          .decideRequest(
            ask.id,
            { outcome: 'decline', reasons },
            key === undefined ? undefined : `${key}.decide`,
          ),
      );
      if (!declined.ok) return refusedOnForm(c, ask, fields, declined, 'declineReasons');
      return c.redirect(`/cdop/reports/${encodeURIComponent(ask.id)}`, 303);
    }),
  );
};

const formBytes = (form: ReportingForm): Buffer => Buffer.from(`${JSON.stringify(form, null, 2)}\n`);
