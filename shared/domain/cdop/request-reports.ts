import * as z from 'zod';
import { reportRequestedEvent } from '#events/report-requested.v1.ts';
import type { ReportAsk } from '../../ports/case-store.ts';
import type { SignedCopy } from '../../ports/request-store.ts';
import { standingOf } from '../agreements/agreement.ts';
import { purposeCodes } from '../agreements/catalogue.ts';
import { decisionReasonCodes } from '../agreements/decide.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ulid } from '../ids.ts';
import { registryId } from '../registry/registry.ts';
import { dataRequestSchema } from '../requests/data-request.ts';
import type { IdempotentCall, StoredRefusal } from '../requests/idempotency.ts';
import { runStep, type StepPlan } from '../steps/run-step.ts';
import { type CaseActor, type CdopCase, cdopCaseSchema, recordAgencyRequests } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { caseRunner, caseStepFacts, type FoundCase, onCase, requestsOf } from './case-step.ts';
import { caseReviewPurpose, cdrAgreementOf, type PlannedRequest, planFanOut } from './fan-out.ts';

/** Days an agency has to send its report when the CDOP's agreement sets no response time for case review. */
export const defaultReportDueDays = 28;

/**
 * The CDOP's report due time, set per CDOP by its child death review agreement: the routine response time of its
 * case-review purpose, in whole days, else `defaultReportDueDays`.
 */
export const reportDueDaysOf = (
  c: CdopCase,
  agreements: Parameters<typeof cdrAgreementOf>[1],
  now: Date,
): { reportDueDays: number; agreementId?: string } => {
  const agreement = cdrAgreementOf(c, agreements, { reportDueDays: defaultReportDueDays }, now);
  const standing = agreement === undefined ? undefined : standingOf(agreement, now);
  const hours = standing?.version?.content.purposes.find((p) => p.code === caseReviewPurpose)?.responseHours
    ?.routine;
  return {
    reportDueDays: hours === undefined ? defaultReportDueDays : Math.max(1, Math.ceil(hours / 24)),
    ...(agreement === undefined ? {} : { agreementId: agreement.id }),
  };
};

const instant = z.iso.datetime();

/** What became of each agency asked (fan-out.ts `FanOutItem`), with the id of the data request that carries it. */
export const askOutcomeSchema = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('permitted'),
    organisationId: registryId,
    requestId: z.string().min(1),
    dueAt: instant,
  }),
  z.strictObject({
    outcome: z.literal('refused'),
    organisationId: registryId,
    reasons: z.array(z.strictObject({ code: z.enum(decisionReasonCodes), message: z.string() })),
    agreementNeeded: z.strictObject({
      purpose: z.enum(purposeCodes),
      footprintId: registryId,
      agencyInFootprint: z.boolean(),
      description: z.string(),
      coveredElsewhere: z.array(
        z.strictObject({ agreementId: z.string(), title: z.string(), footprintId: registryId }),
      ),
    }),
  }),
  z.strictObject({
    outcome: z.literal('already-requested'),
    organisationId: registryId,
    requestId: z.string().min(1).optional(),
  }),
]);
export type AskOutcome = z.infer<typeof askOutcomeSchema>;

/** Each ask's outcome, the case as it now is, and the data requests it sent that exist yet. */
export const requestCdopReportsResultSchema = z.object({
  kind: z.literal('asked'),
  items: z.array(askOutcomeSchema),
  case: cdopCaseSchema,
  requests: z.array(dataRequestSchema),
});
export type RequestCdopReportsResult = z.infer<typeof requestCdopReportsResultSchema> & Audited;

type AskInput = {
  principal: Principal;
  caseId: string;
  agencies: readonly string[];
  signed: SignedCopy;
  call?: IdempotentCall | undefined;
};

/** What a fan-out leaves: the case's next state, and the signed call kept with its permitted asks. */
type Asked = { readonly case: CdopCase; readonly ask?: ReportAsk };

/** The fan-out of one call: the decision engine's judgement of each ask, recorded on the case. */
const planAsks = async (
  deps: CaseDeps,
  input: AskInput,
  { c, s, registry, agreements }: FoundCase,
  by: CaseActor,
  now: Date,
): Promise<StepPlan<Asked, z.infer<typeof requestCdopReportsResultSchema>>> => {
  const settings = reportDueDaysOf(c, agreements, now);
  const plan = planFanOut(c, input.agencies, { ...registry, agreements, settings }, by, now);
  const askId = ulid(now.getTime());
  // Each permitted ask gets the id its data request will have.
  const judged = plan.items.map((i) =>
    i.outcome === 'permitted' ? { ...i, requestId: ulid(now.getTime()) } : i,
  );
  const permitted = judged.filter(
    (i): i is PlannedRequest & { requestId: string } => i.outcome === 'permitted',
  );
  const refused = plan.items.flatMap((i) => (i.outcome === 'refused' ? [i] : []));
  const next = recordAgencyRequests(
    c,
    permitted.map((p) => ({
      organisationId: p.organisationId,
      requestId: p.requestId,
      askId,
      dueAt: p.dueAt,
    })),
    registry,
    by,
    now,
    refused.map(({ organisationId, reasons, agreementNeeded }) => ({
      organisationId,
      reasons: [...reasons],
      agreementNeeded: { ...agreementNeeded, coveredElsewhere: [...agreementNeeded.coveredElsewhere] },
    })),
  );
  const items = judged.map((i): AskOutcome => {
    if (i.outcome === 'permitted') {
      return {
        outcome: 'permitted',
        organisationId: i.organisationId,
        requestId: i.requestId,
        dueAt: i.dueAt,
      };
    }
    if (i.outcome === 'refused') {
      const needed = i.agreementNeeded;
      return {
        outcome: 'refused',
        organisationId: i.organisationId,
        reasons: i.reasons.map((r) => ({ code: r.code, message: r.message })),
        agreementNeeded: { ...needed, coveredElsewhere: needed.coveredElsewhere.map((a) => ({ ...a })) },
      };
    }
    // Asked before: the request id the case gave it then.
    const requestId = c.agencies.find((a) => a.organisationId === i.organisationId)?.requestId;
    return {
      outcome: i.outcome,
      organisationId: i.organisationId,
      ...(requestId === undefined ? {} : { requestId }),
    };
  });
  const [agreed] = permitted;
  const facts = {
    ...caseStepFacts(next, s),
    parties: [c.cdopOrganisationId, ...plan.items.map((i) => i.organisationId)],
    reasonCodes: [...new Set(refused.flatMap((r) => r.reasons.map((reason) => reason.code)))],
    ...(plan.agreementId === undefined || agreed === undefined ? {} : { agreement: agreed.agreement }),
  };
  if (permitted.length === 0 && refused.length > 0) {
    const refusal: StoredRefusal = {
      code: 'REQUEST_REFUSED',
      message: 'every agency asked was refused under the CDOP agreement',
      details: refused.map(
        (r) =>
          `${r.organisationId}: ${r.reasons.map((x) => x.code).join(', ')}; needs ${r.agreementNeeded.description}`,
      ),
    };
    return {
      next: { case: next },
      facts,
      events: [],
      result: { kind: 'asked', items, case: next, requests: [] },
      refused: refusal,
    };
  }
  if (permitted.length === 0) {
    // Every agency had been asked already: nothing changes, the call is still recorded.
    return {
      next: { case: c },
      facts: { ...facts, ...caseStepFacts(c, s) },
      events: [],
      result: { kind: 'asked', items, case: c, requests: await requestsOf(deps, [c]) },
    };
  }
  // Some ask was permitted: kept with the signed call that made them, from which the tracker makes the requests.
  const ask: ReportAsk = {
    askId,
    caseId: c.id,
    requester: { organisationId: by.organisationId, clientId: input.principal.clientId, userId: by.userId },
    requestHash: input.principal.requestHash,
    signed: input.signed,
    requests: permitted.map(({ requestId, agreement, body, dueAt }) => ({
      requestId,
      agreement,
      body,
      dueAt,
    })),
  };
  return {
    next: { case: next, ask },
    facts,
    events: permitted.map((p) => reportRequestedEvent(c, p, now)),
    result: { kind: 'asked', items, case: next, requests: [] },
  };
};

/**
 * `POST /v1/cdop/cases/{caseId}/requests`: asks agencies for their reports. The decision engine judges each ask
 * under the CDOP's child death review agreement. The case records the permitted asks (each with the id its data
 * request will have) and the refused ones (with the agreement that would be needed); the case tracker then creates
 * the data requests from the signed call kept with them, so an ask is never half made. Every ask refused: 403
 * REQUEST_REFUSED, the refusals still recorded on the case with the refusal's entry (and, under a key, the refusal
 * to replay). A lost race for the case (the tracker writes open cases every minute) runs the step again.
 */
export const requestCdopReports = (deps: CaseDeps, input: AskInput): Promise<RequestCdopReportsResult> =>
  runStep(deps, {
    ...onCase(deps, input, 'cdop.report.request'),
    authorise: caseRunner(deps, input.principal, 'cdop.report.request'),
    decide: (found, by, now) => planAsks(deps, input, found, by, now),
    commit: (record, { next }, { c }) =>
      next.case === c ? deps.cases.record(record) : deps.cases.update(c, next.case, record, next.ask),
    idempotent: { records: deps.cases, call: input.call, result: requestCdopReportsResultSchema },
    attempts: 3,
  });
