import type * as z from 'zod';
import { requestSubmittedEvent } from '#events/request-submitted.v1.ts';
import type { SignedCopy } from '../../ports/request-store.ts';
import type { StepRecord } from '../../ports/step-record.ts';
import { decisionAuditFacts, judgeShareRequest } from '../agreements/evaluate-request.ts';
import { type Audited, type AuditFacts, newAuditEntry, textSha256 } from '../audit/audit-entry.ts';
import { callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError } from '../errors.ts';
import { ulid } from '../ids.ts';
import { type ActorFacts, commitStep, type StepFacts, type StepPlan, stepRecord } from '../steps/run-step.ts';
import type { DataRequest, DataRequestBody } from './data-request.ts';
import { type IdempotentCall, idempotencyRecord, idempotently, type StoredRefusal } from './idempotency.ts';
import { dueAtOf, purposeOfRequest } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { requestFacts, submissionTexts } from './request-facts.ts';
import { requestResultSchema } from './request-step.ts';

export const submittedSchema = requestResultSchema('submitted');
export type Submitted = z.infer<typeof submittedSchema> & Audited;

/**
 * A new request as submitted, from a permitted body: revision 1, due when the caller says, flagged when the
 * agreement version it was permitted under was past its review date.
 */
export const newRequestRecord = (input: {
  id: string;
  requester: DataRequest['requester'];
  body: DataRequestBody;
  agreement: { id: string; version: number };
  requestHash: string;
  reviewOverdue?: boolean | undefined;
  dueAt: string;
  now: Date;
}): DataRequest => {
  const { body } = input;
  return {
    id: input.id,
    status: 'submitted',
    requester: input.requester,
    responderOrganisationId: body.responderOrganisationId,
    agreement: input.agreement,
    purpose: body.purpose,
    dataCategories: body.dataCategories,
    lawfulBasis: body.lawfulBasis,
    consent: body.consent,
    subjectRef: body.subjectRef,
    urgency: body.urgency,
    justification: body.justification,
    requestHash: input.requestHash,
    submittedAt: input.now.toISOString(),
    dueAt: input.dueAt,
    ...(body.placement === undefined ? {} : { placement: body.placement }),
    ...(input.reviewOverdue === true ? { reviewOverdue: true as const } : {}),
    revision: 1,
  };
};

/**
 * What creating a request commits with it: its `request.submit` entry (the judged facts, the request's own and the
 * hashes of its free text), its RequestSubmitted event, and the request as the result. The case tracker creates
 * the requests a case asked for with it too (shared/domain/cdop).
 */
export const submissionPlan = (
  request: DataRequest,
  judged: StepFacts,
  now: Date,
): StepPlan<DataRequest, z.infer<typeof submittedSchema>> => ({
  next: request,
  facts: {
    ...judged,
    ...requestFacts(request),
    dueAt: request.dueAt,
    textSha256: { ...judged.textSha256, ...submissionTexts(request) },
  },
  events: [requestSubmittedEvent(request, now)],
  result: { kind: 'submitted', request },
});

/** The record of a submission, without an idempotency record (the case tracker's creation of an ask's request). */
export const submissionStep = (request: DataRequest, facts: AuditFacts, now: Date): StepRecord => {
  const { actor, requestHash, requestId, action: _submit, outcome: _allowed, ...judged } = facts;
  const by: ActorFacts = {
    actor,
    ...(requestHash === undefined ? {} : { requestHash }),
    ...(requestId === undefined ? {} : { requestId }),
  };
  return stepRecord({ actor: by, action: 'request.submit', plan: submissionPlan(request, judged, now) }, now);
};

/**
 * `POST /v1/requests`: the decision engine judges the request; a refusal is a 403 naming every reason, recorded
 * (with, under a key, the refusal to replay); an accepted request gets its due date from its urgency and the
 * agreement purpose, and is stored with the signed request that asked.
 */
export const submitRequest = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    body: DataRequestBody;
    signed: SignedCopy;
    call?: IdempotentCall | undefined;
  },
): Promise<Submitted> =>
  idempotently({ records: deps.requests, call: input.call, result: submittedSchema }, async () => {
    const { principal, body, call } = input;
    const now = deps.clock.now();
    const { decision, agreement } = await judgeShareRequest(deps, principal, body, now);
    const {
      actor: _actor,
      action: _action,
      outcome: _outcome,
      requestHash: _requestHash,
      ...judged
    } = decisionAuditFacts(principal, body, decision, 'request.submit');
    const facts = {
      ...judged,
      subjectRef: body.subjectRef,
      textSha256: { ...judged.textSha256, justification: textSha256(body.justification) },
    };
    if (decision.decision === 'deny') {
      const refusal: StoredRefusal = {
        code: 'REQUEST_REFUSED',
        message: 'the request is refused: it does not meet the agreement it names',
        details: decision.reasons.map((r) => `${r.code}: ${r.message}`),
      };
      const audit = newAuditEntry(
        {
          ...facts,
          ...callerFacts(principal),
          action: 'request.submit',
          outcome: 'refused',
          parties: [principal.organisationId, body.responderOrganisationId],
        },
        now,
      );
      const record: StepRecord = {
        audit,
        events: [],
        ...(call === undefined ? {} : { idempotency: idempotencyRecord(call, { refused: refusal }, now) }),
      };
      if (!(await deps.requests.refuse(record))) {
        throw new ConflictError('CONFLICT', 'this call was answered meanwhile; send it again');
      }
      const refused = new AuthorisationError(refusal.code, refusal.message, refusal.details);
      refused.audited = audit;
      throw refused;
    }
    const user = principal.user;
    if (decision.agreement === undefined || user === undefined) {
      throw new Error('a permit names its agreement version and a user');
    }
    const request = newRequestRecord({
      id: ulid(now.getTime()),
      requester: { organisationId: principal.organisationId, clientId: principal.clientId, userId: user.id },
      body,
      agreement: decision.agreement,
      requestHash: principal.requestHash,
      reviewOverdue: decision.reviewOverdue === true,
      dueAt: dueAtOf(
        purposeOfRequest(agreement, { agreement: decision.agreement, purpose: body.purpose }),
        body.urgency,
        now,
      ),
      now,
    });
    return commitStep(deps, {
      by: principal,
      action: 'request.submit',
      type: 'request',
      plan: submissionPlan(request, facts, now),
      commit: (record, plan) => deps.requests.create(plan.next, input.signed, record),
      idempotent: { records: deps.requests, call, result: submittedSchema },
      now,
    });
  });
