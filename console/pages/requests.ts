import type { Hono } from 'hono';
import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import { bytesProblem, putToUpload, sha256Hex } from '#client/share-bytes.ts';
import { sharePolicy } from '#shared/domain/requests/lifecycle.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { type FormFields, FormProblems, textOf } from '../forms.ts';
import { explain as explainRefusal, refusalOf } from '../plain-english.ts';
import { randomToken } from '../random-token.ts';
import { formatDate } from '../render.ts';
import { challengeActionsFor, latestChallenge } from '../requests/challenge.ts';
import { checkDecision, decisionValuesOf, keptItems } from '../requests/decide.ts';
import { actionsFor, approvedCategories, consentText, historyOf } from '../requests/history.ts';
import {
  basisLabel,
  categoryLabel,
  outcomeLabels,
  plainReason,
  purposeLabel,
  statusTag,
  urgencyLabels,
} from '../requests/labels.ts';
import {
  type Box,
  listQueryOf,
  nameOf,
  nextPageHref,
  type OrganisationNames,
  requestRows,
  statusItems,
} from '../requests/list.ts';
import {
  checkNewRequest,
  choiceItems,
  emptyValues,
  formItems,
  idempotencyKeyFor,
  type NewRequestValues,
  type RequestChoice,
  requestChoices,
  valuesOf,
} from '../requests/new-request.ts';

/** What the request pages may set beyond the request's own context: the time limit of a transfer. */
export type RequestPagesOptions = { readonly timeoutMs?: number };

export const requestId = ':id{[0-9A-HJKMNP-TV-Z]{26}}';
const mediaType = /^[a-z]+\/[a-z0-9.+-]+$/i;

/**
 * The practitioner's pages (docs/REQUESTS.md through the signed API): inbox and outbox, a request with its history,
 * the new request form with its dry run, the responder's decision and release, and the requester's verified download.
 * Each handler is thin: the view code is in console/requests/.
 */
export const registerRequestPages = (app: Hono<ConsoleEnv>, options: RequestPagesOptions = {}): void => {
  // Moving a share's bytes takes longer than a call: a minute, by default.
  const timeoutMs = options.timeoutMs ?? 60_000;
  const names = organisationNames();

  app.get('/requests', (c) => c.redirect('/requests/inbox', 303));

  for (const box of ['inbox', 'outbox'] as const) {
    app.get(`/requests/${box}`, async (c) => {
      const { filters, query, problems } = listQueryOf(box, c.req.query());
      const exchange = c.get('exchange');
      const [answer, known] = await Promise.all([
        problems.any ? undefined : exchange.listRequests(query),
        names(exchange),
      ]);
      if (answer !== undefined && answer.status !== 200) return refused(c, answer);
      const requests = answer?.body.requests ?? [];
      return c.get('page')('requests/list.njk', {
        title: box === 'inbox' ? 'Requests to you' : 'Requests you sent',
        box,
        errors: problems.errors,
        fieldErrors: problems.fieldErrors,
        filters,
        statusItems: statusItems(filters.status),
        rows: requestRows(requests, box, known, (iso) => formatDate(iso, false)),
        next: nextPageHref(box, filters, answer?.body.next),
        firstPage: filters.after === '' ? undefined : `/requests/${box}`,
      });
    });
  }

  // The new request: first the agreement and purpose (a GET form), then the form of that choice.
  app.get('/requests/new', async (c) => {
    const context = await newRequestContext(c, names);
    if ('response' in context) return context.response;
    const { choices, choice } = context;
    if (choice === undefined) {
      return c.get('page')('requests/choose.njk', { title: 'New request', items: choiceItems(choices) });
    }
    return newRequestPage(c, choice, emptyValues(randomToken(24)), await names(c.get('exchange')));
  });

  app.post('/requests/new', async (c) => {
    const context = await newRequestContext(c, names);
    if ('response' in context) return context.response;
    const { choice } = context;
    if (choice === undefined) return c.redirect('/requests/new', 303);
    const form: FormFields = await c.req.parseBody({ all: true });
    const values = valuesOf(form);
    const known = await names(c.get('exchange'));
    const { problems, checked } = checkNewRequest(values, choice, new Date());
    if (checked === undefined || values.formId === '') {
      return newRequestPage(c, choice, values, known, { problems }, 400);
    }
    // The NHS number becomes the footprint's subject reference here, on the console server: it is never sent.
    let subjectRef: string;
    try {
      subjectRef = deriveSubjectReference(await c.get('footprintKeys')(choice.footprintId), {
        kind: 'nhs-number',
        nhsNumber: checked.nhsNumber,
      });
    } catch (error) {
      console.error('console: no footprint key', (error as Error)?.name);
      return c.get('page')('problem.njk', {}, 503);
    }
    const submission = checked.submission(subjectRef);
    const exchange = c.get('exchange');
    if (textOf(form, 'action') === 'check') {
      const { urgency: _u, justification: _j, ...share } = submission;
      const answer = await exchange.evaluateRequest(share);
      if (answer.status !== 200)
        return newRequestPage(c, choice, values, known, { refusal: explain(refusalOf(answer)) });
      return newRequestPage(c, choice, values, known, {
        evaluation: {
          permitted: answer.body.decision === 'permit',
          reasons: answer.body.reasons.map((r) => plainReason(r.message)),
        },
      });
    }
    const answer = await exchange.submitRequest(submission, idempotencyKeyFor(values.formId, submission));
    if (answer.status !== 201) {
      if (answer.status >= 500) return refused(c, answer);
      return newRequestPage(c, choice, values, known, { refusal: explain(refusalOf(answer)) }, answer.status);
    }
    return c.redirect(`/requests/${answer.body.request.id}?done=sent`, 303);
  });

  app.get(`/requests/${requestId}`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    const { request } = shown;
    const session = sessionOf(c);
    const known = await names(c.get('exchange'));
    const box: Box = request.requester.organisationId === session.organisationId ? 'outbox' : 'inbox';
    return c.get('page')('requests/show.njk', {
      title: purposeLabel(request.purpose),
      request,
      box,
      done: doneMessages[c.req.query('done') ?? ''],
      status: statusTag(request.status),
      from: nameOf(known, request.requester.organisationId),
      to: nameOf(known, request.responderOrganisationId),
      purpose: purposeLabel(request.purpose),
      categories: request.dataCategories.map(categoryLabel),
      bases: request.lawfulBasis.map(basisLabel),
      consent: consentText(request.consent),
      urgency: urgencyLabels[request.urgency],
      history: historyOf(request, known),
      actions: actionsFor(request, session.organisationId),
      challengeActions: challengeActionsFor(request, session, new Date()),
      challenge: latestChallenge(request),
      outcome: request.decision === undefined ? undefined : outcomeLabels[request.decision.outcome],
    });
  });

  app.get(`/requests/${requestId}/decide`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    if (!actionsFor(shown.request, sessionOf(c).organisationId).decide)
      return c.redirect(`/requests/${shown.request.id}`, 303);
    return decidePage(c, shown.request, decisionValuesOf({}), new FormProblems());
  });

  app.post(`/requests/${requestId}/decide`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    const { request } = shown;
    const values = decisionValuesOf(await c.req.parseBody({ all: true }));
    const { problems, decision } = checkDecision(values, request);
    if (decision === undefined) return decidePage(c, request, values, problems, 400);
    // One decision per request and revision: a double submit of the same form is the same call.
    const key = `decide.${request.id}.${request.revision}.${sha256Hex(new TextEncoder().encode(JSON.stringify(decision))).slice(0, 32)}`;
    const answer = await c.get('exchange').decideRequest(request.id, decision, key);
    if (answer.status !== 200) {
      if (answer.status >= 500 || answer.status === 404) return refused(c, answer);
      return decidePage(c, request, values, new FormProblems(), answer.status, explain(refusalOf(answer)));
    }
    return c.redirect(`/requests/${request.id}?done=decided`, 303);
  });

  app.get(`/requests/${requestId}/release`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    if (!actionsFor(shown.request, sessionOf(c).organisationId).release)
      return c.redirect(`/requests/${shown.request.id}`, 303);
    return releasePage(c, shown.request, new FormProblems());
  });

  app.post(`/requests/${requestId}/release`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    const { request } = shown;
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File) || file.size === 0) {
      return releasePage(c, request, problemWith('file', 'Select the file to release'), 400);
    }
    if (file.size > sharePolicy.maxUploadBytes) {
      return releasePage(c, request, problemWith('file', 'The file must be smaller than 200 MB'), 400);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const declared = {
      size: bytes.byteLength,
      sha256: sha256Hex(bytes),
      contentType: mediaType.test(file.type) ? file.type : 'application/octet-stream',
    };
    const exchange = c.get('exchange');
    const started = await exchange.startShareUpload(request.id, declared);
    if (started.status !== 201) return releaseRefused(c, request, started);
    const problem = await putToUpload(started.body.upload, bytes, timeoutMs).catch((error: unknown) =>
      error instanceof Error ? error.name : 'failed',
    );
    if (problem !== undefined) {
      console.error('console: upload failed', problem.slice(0, 80));
      return releasePage(c, request, new FormProblems(), 502, {
        summary: 'The file could not be uploaded. Nothing was released.',
        reasons: ['Try again: the console asks the exchange for a new upload each time.'],
      });
    }
    const upload = started.body.upload;
    const released = await exchange.releaseShare(
      request.id,
      { uploadId: upload.uploadId, dataCategories: approvedCategories(request) },
      `release.${upload.uploadId}`,
    );
    if (released.status !== 200) return releaseRefused(c, request, released);
    return c.redirect(`/requests/${request.id}/released`, 303);
  });

  app.get(`/requests/${requestId}/released`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    const { request } = shown;
    if (request.share === undefined) return c.redirect(`/requests/${request.id}`, 303);
    return c.get('page')('requests/released.njk', {
      title: 'Information released',
      request,
      share: request.share,
      categories: request.share.dataCategories.map(categoryLabel),
      to: nameOf(await names(c.get('exchange')), request.requester.organisationId),
    });
  });

  // A download is a POST: each one uses one of the share's few fetches, and a link must not spend them.
  app.post(`/requests/${requestId}/download`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    const { request } = shown;
    const granted = await c.get('exchange').fetchShare(request.id);
    if (granted.status !== 200) return refused(c, granted);
    const { grant, share } = granted.body;
    const download = await fetch(grant.url, { signal: AbortSignal.timeout(timeoutMs) }).catch(
      () => undefined,
    );
    if (download === undefined || !download.ok) {
      await download?.body?.cancel();
      return downloadProblem(
        c,
        request.id,
        'The file could not be fetched from storage.',
        'Try again later.',
        502,
      );
    }
    const bytes = new Uint8Array(await download.arrayBuffer());
    const problem = bytesProblem(bytes, share);
    // Bytes that are not what the responder released are never handed on: a page says so instead.
    if (problem !== undefined) {
      console.error('console: share did not verify', problem.fault);
      return downloadProblem(
        c,
        request.id,
        'The file did not match what was released, so it was not downloaded.',
        problem.fault === 'size'
          ? `The file has ${bytes.byteLength} bytes, not the ${share.size} the exchange recorded at release.`
          : `The file's SHA-256 checksum is ${problem.sha256}, not ${share.sha256} as the exchange recorded at release.`,
        502,
      );
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': share.contentType,
      'content-disposition': `attachment; filename="${fileNameOf(request.id, share.contentType)}"`,
      'x-pbx-sha256': share.sha256,
    });
  });
};

/** The exchange's refusal in words: its summary, then each reason without its code. */
export const explain = (refusal: ReturnType<typeof refusalOf>) => {
  const { summary, reasons } = explainRefusal(refusal);
  return { summary, reasons: reasons.map(plainReason) };
};

/** A form's one problem: a field and what is wrong with it. */
const problemWith = (field: string, text: string): FormProblems => {
  const problems = new FormProblems();
  problems.add(field, text);
  return problems;
};

const doneMessages: Readonly<Record<string, string>> = {
  sent: 'Request sent',
  decided: 'Decision recorded',
  challenged: 'Challenge sent',
  escalated: 'Challenge escalated',
  resolved: 'Outcome recorded',
};

const extensions: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'application/json': 'json',
  'text/plain': 'txt',
  'text/csv': 'csv',
};
const fileNameOf = (id: string, contentType: string): string =>
  `request-${id}.${extensions[contentType.split(';')[0] ?? ''] ?? 'bin'}`;

/** The organisations' names from the public registry, read at most once a minute. */
const organisationNames = () => {
  let cached: { at: number; names: Promise<OrganisationNames> } | undefined;
  return (exchange: PbxClient): Promise<OrganisationNames> => {
    if (cached === undefined || Date.now() - cached.at > 60_000) {
      const names = exchange
        .registry()
        .then(
          (r): OrganisationNames =>
            new Map(r.status === 200 ? r.body.organisations.map((o) => [o.id, o.name]) : []),
        )
        .catch((): OrganisationNames => new Map());
      cached = { at: Date.now(), names };
    }
    return cached.names;
  };
};

/** The request of the page's URL, as the exchange shows it to this person; another organisation's is not found. */
export const requestOf = async (c: ConsoleContext) => {
  const answer = await c.get('exchange').getRequest(c.req.param('id') ?? '');
  // The exchange refuses a request to anyone but its two parties (403): to them the page does not exist, and the
  // console does not tell them otherwise.
  if (answer.status === 403) return { response: c.get('page')('not-found.njk', {}, 404) };
  if (answer.status !== 200) return { response: refused(c, answer) };
  return { request: answer.body.request };
};

/** A refusal of the exchange as a page: not found is the not-found page, anything else the reasons in words. */
export const refused = (c: ConsoleContext, answer: PbxResponse<unknown>) => {
  if (answer.status === 404) return c.get('page')('not-found.njk', {}, 404);
  const { summary, reasons } = explain(refusalOf(answer));
  return c.get('page')(
    'requests/refused.njk',
    { title: 'You cannot do this', summary, reasons },
    answer.status >= 500 ? 503 : answer.status,
  );
};

const newRequestContext = async (
  c: ConsoleContext,
  names: (exchange: PbxClient) => Promise<OrganisationNames>,
): Promise<{ response: Response } | { choices: RequestChoice[]; choice: RequestChoice | undefined }> => {
  const session = sessionOf(c);
  const [answer] = await Promise.all([c.get('exchange').listAgreements(), names(c.get('exchange'))]);
  if (answer.status !== 200) return { response: refused(c, answer) };
  const choices = requestChoices(answer.body.agreements, session.organisationId, session.roles);
  if (choices.length === 0) {
    return {
      response: c.get('page')('requests/refused.njk', {
        title: 'You cannot make a request',
        summary: 'There is no information-sharing agreement in force that lets you ask for information.',
        reasons: ['Ask your IG lead which agreements your organisation has signed.'],
      }),
    };
  }
  const under = c.req.query('under');
  const choice = choices.find((ch) => ch.value === under);
  if (under !== undefined && choice === undefined)
    return { response: c.get('page')('not-found.njk', {}, 404) };
  return { choices, choice };
};

const newRequestPage = (
  c: ConsoleContext,
  choice: RequestChoice,
  values: NewRequestValues,
  names: OrganisationNames,
  outcome: {
    problems?: FormProblems;
    evaluation?: { permitted: boolean; reasons: readonly string[] };
    refusal?: { summary: string; reasons: readonly string[] };
  } = {},
  status = 200,
) => {
  const problems = outcome.problems ?? new FormProblems();
  return c.get('page')(
    'requests/new.njk',
    {
      title: 'New request',
      choice,
      purpose: purposeLabel(choice.purpose),
      action: `/requests/new?under=${encodeURIComponent(choice.value)}`,
      values,
      items: formItems(choice, values, names),
      errors: problems.errors,
      fieldErrors: problems.fieldErrors,
      evaluation: outcome.evaluation,
      refusal: outcome.refusal,
    },
    status,
  );
};

const decidePage = (
  c: ConsoleContext,
  request: import('#client/pbx-client.ts').DataRequestView,
  values: ReturnType<typeof decisionValuesOf>,
  problems: FormProblems,
  status = 200,
  refusal?: { summary: string; reasons: readonly string[] },
) => {
  return c.get('page')(
    'requests/decide.njk',
    {
      title: 'Decide on this request',
      request,
      purpose: purposeLabel(request.purpose),
      categories: request.dataCategories.map(categoryLabel),
      values,
      keptItems: keptItems(request, values),
      errors: problems.errors,
      fieldErrors: problems.fieldErrors,
      refusal,
    },
    status,
  );
};

const releasePage = (
  c: ConsoleContext,
  request: import('#client/pbx-client.ts').DataRequestView,
  problems: FormProblems,
  status = 200,
  refusal?: { summary: string; reasons: readonly string[] },
) =>
  c.get('page')(
    'requests/release.njk',
    {
      title: 'Release the information',
      request,
      categories: approvedCategories(request).map(categoryLabel),
      errors: problems.errors,
      fieldErrors: problems.fieldErrors,
      refusal,
    },
    status,
  );

const releaseRefused = (
  c: ConsoleContext,
  request: import('#client/pbx-client.ts').DataRequestView,
  answer: PbxResponse<unknown>,
) =>
  answer.status >= 500 || answer.status === 404
    ? refused(c, answer)
    : releasePage(c, request, new FormProblems(), answer.status, explain(refusalOf(answer)));

const downloadProblem = (c: ConsoleContext, id: string, summary: string, reason: string, status: number) =>
  c.get('page')(
    'requests/refused.njk',
    {
      title: 'The file was not downloaded',
      summary,
      reasons: [reason, 'Nothing was saved. If it happens again, tell the organisation that released it.'],
      back: `/requests/${id}`,
    },
    status,
  );
