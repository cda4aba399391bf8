import { reportReceivedEvent } from '#events/report-received.v1.ts';
import { reportReminderEvent } from '#events/report-reminder.v1.ts';
import type { ReportAsk } from '../../ports/case-store.ts';
import { type AgreementRecord, standingOf } from '../agreements/agreement.ts';
import { consentFacts } from '../agreements/evaluate-request.ts';
import { type AuditActor, textSha256 } from '../audit/audit-entry.ts';
import { ConflictError } from '../errors.ts';
import type { DataRequest } from '../requests/data-request.ts';
import { newRequestRecord, submissionStep } from '../requests/submit-request.ts';
import { runSystemStep, type StepPlan } from '../steps/run-step.ts';
import { type CaseAgency, type CdopCase, endPendingAsks } from './case.ts';
import {
  type CaseAgreementStanding,
  caseAgreementOf,
  caseStandingReasonOf,
  pendingAskRule,
  standingFacts,
} from './case-agreement.ts';
import type { TrackDeps } from './case-deps.ts';
import { caseStepFacts, requestsOf } from './case-step.ts';
import { trackCase } from './tracking.ts';

export type TrackSummary = {
  readonly cases: number;
  readonly created: number;
  readonly changed: number;
  /** Cases whose pass failed (a store not answering): left for the next run, the others tracked meanwhile. */
  readonly failed: number;
};

/**
 * The case tracker (functions/cdop/track-cases.ts, on a schedule): for every open case, judged by the standing of
 * its agreement at this run (case-agreement.ts `pendingAskRule`), creates the data requests its recorded asks
 * permit and that do not exist yet (each with its own `request.submit` entry, as the user who asked, and the signed
 * call kept with the ask) while the agreement is in force; leaves them pending while it is suspended; ends them on
 * the case (`cdop.report.end`) once it is revoked or expired. Then notes each agency's report status, announcing
 * each report received (ReportReceived) and, under an agreement in force, each reminder due (ReportReminder),
 * recorded on the case as a system step.
 */
export const trackCases = async (deps: TrackDeps): Promise<TrackSummary> => {
  const now = deps.clock.now();
  const cases = await deps.cases.listOpenCases();
  const agreements = cases.length === 0 ? [] : await deps.agreements.listAgreements();
  let created = 0;
  let changed = 0;
  let failed = 0;
  for (const c of cases) {
    try {
      const pass = await trackOne(deps, c, agreements, now);
      created += pass.created;
      if (pass.changed) changed += 1;
    } catch {
      // The handler logs the count; the case is tracked again on the next run.
      failed += 1;
    }
  }
  return { cases: cases.length, created, changed, failed };
};

/**
 * A system step on a case as the tracker read it, with the system actor. Someone changed the case meanwhile (a
 * lost race, 409 CONFLICT after one attempt): nothing is done, and the next run looks again. Answers the case as
 * the step left it, or undefined.
 */
const trackerStep = async (
  deps: TrackDeps,
  c: CdopCase,
  action: string,
  plan: StepPlan<CdopCase, { readonly case: CdopCase }>,
): Promise<CdopCase | undefined> => {
  try {
    const done = await runSystemStep(deps, {
      action,
      type: 'cdop-case',
      load: async () => c,
      decide: () => plan,
      commit: (record, { next }) => deps.cases.update(c, next, record),
    });
    return done?.case;
  } catch (error) {
    if (error instanceof ConflictError && error.code === 'CONFLICT') return undefined;
    throw error;
  }
};

/** One case's tracker pass: its pending asks created or ended, then its statuses noted and announced. */
const trackOne = async (
  deps: TrackDeps,
  c: CdopCase,
  agreements: readonly AgreementRecord[],
  now: Date,
): Promise<{ created: number; changed: boolean }> => {
  const s = caseAgreementOf(c, agreements, now);
  const { created, next: afterAsks } = await settlePendingAsks(deps, c, agreements, now);
  if (afterAsks === undefined) return { created, changed: false };
  const requests = await requestsOf(deps, [afterAsks]);
  // No agency is pressed to share under an agreement that is not in force.
  const remind = pendingAskRule(s) === 'create';
  const change = trackCase(afterAsks, requests, now, undefined, { remind });
  if (change === undefined) return { created, changed: afterAsks !== c };
  const tracked = await trackerStep(deps, afterAsks, 'cdop.case.track', {
    next: change.next,
    facts: { ...caseStepFacts(c, s), reasonCodes: change.reminders.map((r) => r.kind) },
    events: [
      ...change.received.map((r) => reportReceivedEvent(c, r, now)),
      ...change.reminders.map((r) => reportReminderEvent(c, r, now)),
    ],
    result: { case: change.next },
  });
  return { created, changed: tracked !== undefined || afterAsks !== c };
};

/** The asks of a case whose data request has not been made yet (and that have not ended). */
const pendingAsks = async (deps: TrackDeps, c: CdopCase) => {
  const pending: (CaseAgency & { requestId: string; askId: string })[] = [];
  for (const agency of c.agencies) {
    const { requestId, askId } = agency;
    if (requestId === undefined || askId === undefined || agency.endedAt !== undefined) continue;
    if ((await deps.requests.getRequest(requestId)) === undefined)
      pending.push({ ...agency, requestId, askId });
  }
  return pending;
};

/** The standing at `now` of the agreement an ask was made under (its `ReportAsk` request's agreement). */
const askStandingOf = (
  agreements: readonly AgreementRecord[],
  agreementId: string,
  now: Date,
): CaseAgreementStanding => {
  const agreement = agreements.find((a) => a.id === agreementId);
  return { agreement, standing: agreement === undefined ? undefined : standingOf(agreement, now) };
};

/**
 * The data request an ask permitted, as the user who asked submitted it, with the case that asked named on it
 * (`cdopCase`: a structured link, never recovered from the justification's words).
 */
const askedRequest = (
  ask: ReportAsk,
  asked: ReportAsk['requests'][number],
  s: CaseAgreementStanding,
  now: Date,
): DataRequest => ({
  ...newRequestRecord({
    id: asked.requestId,
    requester: ask.requester,
    body: asked.body,
    agreement: asked.agreement,
    requestHash: ask.requestHash,
    dueAt: asked.dueAt,
    reviewOverdue: standingFacts(s).reviewOverdue === true,
    now,
  }),
  cdopCase: { caseId: ask.caseId },
});

/**
 * Settles the asks of a case whose data request has not been made yet, each by the standing of the agreement it
 * was asked under (case-agreement.ts `pendingAskRule`): creates those under an agreement in force, leaves those
 * under a suspended one pending, and ends those under one revoked or expired, once, in one `cdop.report.end` entry.
 * Returns how many requests it created and the case as it now is (undefined if ending lost a race for the case).
 */
const settlePendingAsks = async (
  deps: TrackDeps,
  c: CdopCase,
  agreements: readonly AgreementRecord[],
  now: Date,
): Promise<{ created: number; next: CdopCase | undefined }> => {
  const asks = new Map<string, ReportAsk | undefined>();
  const ending: { organisationId: string; reasonCode: string; s: CaseAgreementStanding }[] = [];
  let created = 0;
  for (const agency of await pendingAsks(deps, c)) {
    if (!asks.has(agency.askId)) asks.set(agency.askId, await deps.cases.getAsk(c.id, agency.askId));
    const ask = asks.get(agency.askId);
    const asked = ask?.requests.find((r) => r.requestId === agency.requestId);
    if (ask === undefined || asked === undefined) continue;
    const s = askStandingOf(agreements, asked.agreement.id, now);
    const rule = pendingAskRule(s);
    const reasonCode = caseStandingReasonOf(s)?.code;
    if (rule === 'end' && reasonCode !== undefined) {
      ending.push({ organisationId: agency.organisationId, reasonCode, s });
      continue;
    }
    if (rule !== 'create') continue;
    const request = askedRequest(ask, asked, s, now);
    const actor: AuditActor = { kind: 'client', ...ask.requester };
    const consent = consentFacts(asked.body.consent);
    const step = submissionStep(
      request,
      {
        actor,
        action: 'request.submit',
        outcome: 'allowed',
        requestHash: ask.requestHash,
        ...standingFacts(s),
        ...consent,
        textSha256: {
          ...('textSha256' in consent ? consent.textSha256 : {}),
          justification: textSha256(asked.body.justification),
        },
      },
      now,
    );
    if (await deps.requests.create(request, ask.signed, step)) created += 1;
  }
  const [first] = ending;
  if (first === undefined) return { created, next: c };
  const next = endPendingAsks(c, ending, now);
  const ended = await trackerStep(deps, c, 'cdop.report.end', {
    next,
    facts: {
      ...caseStepFacts(c, first.s),
      reasonCodes: [...new Set(ending.map((e) => e.reasonCode))],
      parties: [c.cdopOrganisationId, ...ending.map((e) => e.organisationId)],
    },
    events: [],
    result: { case: next },
  });
  return { created, next: ended };
};
