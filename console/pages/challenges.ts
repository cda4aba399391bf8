import type { Hono } from 'hono';
import type { DataRequestView } from '#client/pbx-client.ts';
import { sha256Hex } from '#client/share-bytes.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { choiceItems, FormProblems } from '../forms.ts';
import { refusalOf } from '../plain-english.ts';
import {
  type ChallengeValues,
  challengeActionsFor,
  challengeOutcomeLabels,
  challengeReasonLabels,
  challengeValuesOf,
  checkChallenge,
  checkOutcome,
  groundLabels,
  latestChallenge,
  type OutcomeValues,
  outcomeReasonLabels,
  outcomeValuesOf,
} from '../requests/challenge.ts';
import { keptItems } from '../requests/decide.ts';
import { categoryLabel, purposeLabel } from '../requests/labels.ts';
import { explain, refused, requestId, requestOf } from './requests.ts';

type Refusal = { summary: string; reasons: readonly string[] };
type Step = 'raise' | 'escalate';

/**
 * The challenge pages of a request (docs/REQUESTS.md "Challenge and escalation"): the requester's "Challenge this
 * decision" and its escalation, and the responder's escalation role's "Record the outcome". Thin: the checks and
 * words are in console/requests/challenge.ts; the exchange judges each step again.
 */
export const registerChallengePages = (app: Hono<ConsoleEnv>): void => {
  const n = ':n{[1-9][0-9]{0,2}}';

  app.get(`/requests/${requestId}/challenge`, async (c) => {
    const shown = await allowed(c, 'raise');
    if ('response' in shown) return shown.response;
    return challengePage(c, shown.request, 'raise', challengeValuesOf({}), new FormProblems());
  });
  app.get(`/requests/${requestId}/challenges/${n}/escalate`, async (c) => {
    const shown = await allowed(c, 'escalate');
    if ('response' in shown) return shown.response;
    return challengePage(c, shown.request, 'escalate', challengeValuesOf({}), new FormProblems());
  });

  for (const step of ['raise', 'escalate'] as const) {
    const path =
      step === 'raise'
        ? `/requests/${requestId}/challenge`
        : `/requests/${requestId}/challenges/${n}/escalate`;
    app.post(path, async (c) => {
      const shown = await requestOf(c);
      if ('response' in shown) return shown.response;
      const { request } = shown;
      const values = challengeValuesOf(await c.req.parseBody({ all: true }));
      const { problems, body } = checkChallenge(values);
      if (body === undefined) return challengePage(c, request, step, values, problems, 400);
      const key = keyOf(step, request, body);
      const exchange = c.get('exchange');
      const number = Number(c.req.param('n') ?? '0');
      const answer =
        step === 'raise'
          ? await exchange.raiseChallenge(request.id, body, key)
          : await exchange.escalateChallenge(request.id, number, body, key);
      const expected = step === 'raise' ? 201 : 200;
      if (answer.status !== expected) {
        if (answer.status >= 500 || answer.status === 404) return refused(c, answer);
        return challengePage(
          c,
          request,
          step,
          values,
          new FormProblems(),
          answer.status,
          explain(refusalOf(answer)),
        );
      }
      return c.redirect(`/requests/${request.id}?done=${step === 'raise' ? 'challenged' : 'escalated'}`, 303);
    });
  }

  app.get(`/requests/${requestId}/challenges/${n}/outcome`, async (c) => {
    const shown = await allowed(c, 'outcome');
    if ('response' in shown) return shown.response;
    return outcomePage(c, shown.request, outcomeValuesOf({}), new FormProblems());
  });

  app.post(`/requests/${requestId}/challenges/${n}/outcome`, async (c) => {
    const shown = await requestOf(c);
    if ('response' in shown) return shown.response;
    const { request } = shown;
    const values = outcomeValuesOf(await c.req.parseBody({ all: true }));
    const { problems, body } = checkOutcome(values, request);
    if (body === undefined) return outcomePage(c, request, values, problems, 400);
    const answer = await c
      .get('exchange')
      .recordChallengeOutcome(
        request.id,
        Number(c.req.param('n') ?? '0'),
        body,
        keyOf('outcome', request, body),
      );
    if (answer.status !== 200) {
      if (answer.status >= 500 || answer.status === 404) return refused(c, answer);
      return outcomePage(c, request, values, new FormProblems(), answer.status, explain(refusalOf(answer)));
    }
    return c.redirect(`/requests/${request.id}?done=resolved`, 303);
  });
};

/** The request, if the person may take `step` on it now; otherwise back to the request's page. */
const allowed = async (c: ConsoleContext, step: 'raise' | 'escalate' | 'outcome') => {
  const shown = await requestOf(c);
  if ('response' in shown) return shown;
  const actions = challengeActionsFor(shown.request, sessionOf(c), new Date());
  if (!actions[step]) return { response: c.redirect(`/requests/${shown.request.id}`, 303) };
  return shown;
};

/** One step per request revision and form content: a double submit of the same form is the same call. */
const keyOf = (step: string, request: DataRequestView, body: unknown) =>
  `challenge.${step}.${request.id}.${request.revision}.${sha256Hex(new TextEncoder().encode(JSON.stringify(body))).slice(0, 24)}`;

const challengePage = (
  c: ConsoleContext,
  request: DataRequestView,
  step: Step,
  values: ChallengeValues,
  problems: FormProblems,
  status = 200,
  refusal?: Refusal,
) => {
  const challenge = latestChallenge(request);
  return c.get('page')(
    'requests/challenge.njk',
    {
      title: step === 'raise' ? 'Challenge this decision' : 'Escalate the challenge',
      request,
      step,
      purpose: purposeLabel(request.purpose),
      ground: groundLabels[request.status === 'submitted' ? 'overdue' : request.status] ?? 'the answer',
      action:
        step === 'raise'
          ? `/requests/${request.id}/challenge`
          : `/requests/${request.id}/challenges/${challenge?.n ?? 1}/escalate`,
      values,
      reasonItems: choiceItems(challengeReasonLabels, values.reasonCodes),
      errors: problems.errors,
      fieldErrors: problems.fieldErrors,
      refusal,
    },
    status,
  );
};

const outcomePage = (
  c: ConsoleContext,
  request: DataRequestView,
  values: OutcomeValues,
  problems: FormProblems,
  status = 200,
  refusal?: Refusal,
) => {
  const challenge = latestChallenge(request);
  const stage = challenge?.stages.at(-1);
  return c.get('page')(
    'requests/challenge-outcome.njk',
    {
      title: 'Record the outcome',
      request,
      challenge,
      stage,
      purpose: purposeLabel(request.purpose),
      categories: request.dataCategories.map(categoryLabel),
      action: `/requests/${request.id}/challenges/${challenge?.n ?? 1}/outcome`,
      values,
      outcomeItems: choiceItems(challengeOutcomeLabels, [values.outcome]),
      reasonItems: choiceItems(outcomeReasonLabels, values.reasonCodes),
      keptItems: keptItems(request, values.decision),
      errors: problems.errors,
      fieldErrors: problems.fieldErrors,
      refusal,
    },
    status,
  );
};
