import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PayloadStore } from '../../ports/payload-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import type { RequestStep, RequestStore, SignedCopy } from '../../ports/request-store.ts';
import type { AgreementRecord } from '../agreements/agreement.ts';
import { assertInForce, type StandingState, standingAt } from '../agreements/agreement-in-force.ts';
import { consentFacts, decisionAuditFacts, judgeShareRequest } from '../agreements/evaluate-request.ts';
import {
  type AuditActor,
  type AuditFacts,
  newAuditEntry,
  systemActor,
  textSha256,
} from '../audit/audit-entry.ts';
import { auditedOn, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, GoneError, InputError } from '../errors.ts';
import { type ExchangeEvent, newExchangeEvent } from '../events/exchange-event.ts';
import type { UserRole } from '../registry/registry.ts';
import {
  type DataRequest,
  type DataRequestBody,
  isOverdue,
  type RequestDecision,
  type RequestStatus,
} from './data-request.ts';
import { type IdempotentCall, idempotencyRecord, idempotently } from './idempotency.ts';
import {
  assertActsFor,
  assertParty,
  assertReleasable,
  assertSize,
  awaitsPurge,
  closeTransition,
  type DecisionInput,
  decideTransition,
  dueAtOf,
  expireTransition,
  fetchTransition,
  isClosable,
  overdueTransition,
  purgedTransition,
  purposeOfRequest,
  releaseTransition,
  type Side,
  sharePolicy,
  uploadTransition,
  type WorkList,
  withdrawTransition,
} from './lifecycle.ts';

export type RequestDeps = {
  readonly requests: RequestStore;
  readonly payloads: PayloadStore;
  /** The agreements: their standing at each step; the sweep also empties the revocations work list. */
  readonly agreements: Pick<AgreementStore, 'getAgreement' | 'listRevocations' | 'finishRevocation'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/**
 * What the scheduled sweep needs: no registry; the requests, their bytes and the log, and the agreements: their
 * standing (recorded with each step) and the revocations whose requests it closes.
 */
export type SweepDeps = Pick<RequestDeps, 'requests' | 'payloads' | 'audit' | 'clock' | 'agreements'>;

/** A request as the API shows it to its parties: the record, and whether it is overdue now. */
export type RequestView = DataRequest & { readonly overdue: boolean };
export const requestView = (request: DataRequest, now: Date): RequestView => ({
  ...request,
  overdue: isOverdue(request, now),
});

type Answer = { statusCode: 200 | 201; body: unknown };

const parties = (request: DataRequest) => [request.requester.organisationId, request.responderOrganisationId];

/**
 * What every audit entry about a request says of it: structured facts only, never the justification, a rationale
 * or any payload (the entries that record a text hold its SHA-256: `submissionTexts`, `decisionFacts`).
 */
const requestFacts = (request: DataRequest) => {
  const { textSha256: _recordedOnSubmission, ...consent } = consentFacts(request.consent);
  return {
    target: { type: 'request', id: request.id },
    agreement: request.agreement,
    ...(request.reviewOverdue === true ? { reviewOverdue: true as const } : {}),
    purpose: request.purpose,
    lawfulBasis: [...request.lawfulBasis],
    ...consent,
    subjectRef: request.subjectRef,
    dataCategories: [...request.dataCategories],
    parties: parties(request),
  };
};

/** The free text a submission records, as the log holds it: the SHA-256 of the justification and of a rationale. */
const submissionTexts = (request: DataRequest): Record<string, string> => ({
  ...consentFacts(request.consent).textSha256,
  justification: textSha256(request.justification),
});

/**
 * What a decision's entry says of it: the outcome, the coded reasons and the withheld categories; its words only as
 * their SHA-256. A decline can be shown from the log alone, and the record proved to be the one logged.
 */
const decisionFacts = (decision: RequestDecision): Pick<AuditFacts, 'decision' | 'textSha256'> => ({
  decision: {
    outcome: decision.outcome,
    reasonCodes: [...(decision.reasonCodes ?? [])],
    ...(decision.withheld?.dataCategories === undefined
      ? {}
      : { withheldCategories: [...decision.withheld.dataCategories] }),
  },
  textSha256: {
    reasons: textSha256(decision.reasons),
    ...(decision.withheld?.description === undefined
      ? {}
      : { withheldDescription: textSha256(decision.withheld.description) }),
  },
});

const eventParties = (request: DataRequest) => ({
  requestId: request.id,
  requesterOrganisationId: request.requester.organisationId,
  responderOrganisationId: request.responderOrganisationId,
});

const changedConcurrently = () =>
  new ConflictError('CONFLICT', 'the request changed while this step was taken; read it again and retry');

/** A request as a step finds it: the record, its agreement, and where the agreement stands now. */
type Found = {
  readonly request: DataRequest;
  readonly agreement: AgreementRecord | undefined;
  readonly standing: StandingState;
};

/**
 * Runs a step on one request for a caller: loads it (404 if there is none) with its agreement's standing now, and
 * records a refusal with the coded reason, and what is known of the request by then, if the step refuses. The
 * step commits its own entry.
 */
const onRequest = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; action: string },
  step: (found: Found) => Promise<Answer>,
): Promise<Answer> =>
  auditedOn(
    deps,
    {
      principal: input.principal,
      action: input.action,
      target: { type: 'request', id: input.requestId },
      load: async (): Promise<Found | undefined> => {
        const request = await deps.requests.getRequest(input.requestId);
        if (request === undefined) return undefined;
        const agreement = await deps.agreements.getAgreement(request.agreement.id);
        return { request, agreement, standing: standingAt(agreement, deps.clock.now()) };
      },
      factsOf: ({ request, standing }) => ({ ...requestFacts(request), agreementStanding: standing }),
    },
    step,
  );

/**
 * Commits one step of a request: its next state, an `allowed` audit entry, its events and the idempotency record
 * of the answer. A lost race is a 409 (or, under an idempotency key, the answer of the call that won).
 */
const commitStep = async (
  deps: Pick<RequestDeps, 'requests'>,
  input: {
    previous: DataRequest;
    next: DataRequest;
    actor: AuditActor;
    action: string;
    requestHash?: string;
    /** The agreement's standing when the step was taken. */
    standing: StandingState;
    /** What this step adds to the entry (a decision's facts). */
    facts?: Pick<AuditFacts, 'decision' | 'textSha256'>;
    events: readonly ExchangeEvent[];
    call?: IdempotentCall | undefined;
    answer: Answer;
    now: Date;
  },
): Promise<Answer> => {
  const step: RequestStep = {
    audit: newAuditEntry(
      {
        actor: input.actor,
        action: input.action,
        outcome: 'allowed',
        ...requestFacts(input.next),
        agreementStanding: input.standing,
        ...input.facts,
        ...(input.requestHash === undefined ? {} : { requestHash: input.requestHash }),
      },
      input.now,
    ),
    events: input.events,
    ...(input.call === undefined
      ? {}
      : { idempotency: idempotencyRecord(input.call, input.answer, input.now) }),
  };
  if (!(await deps.requests.update(input.previous, input.next, step))) throw changedConcurrently();
  return input.answer;
};

// ---- Submitting -------------------------------------------------------------------------------------------

/**
 * `POST /v1/requests`: the decision engine judges the request; a refusal is a 403 naming every reason, recorded;
 * an accepted request gets its due date from its urgency and the agreement purpose, and is stored with the signed
 * request that asked.
 */
export const submitRequest = async (
  deps: RequestDeps,
  input: {
    principal: Principal;
    body: DataRequestBody;
    signed: SignedCopy;
    call?: IdempotentCall | undefined;
  },
): Promise<Answer> =>
  idempotently(deps.requests, input.call, async () => {
    const { principal, body, call } = input;
    const now = deps.clock.now();
    const { decision, agreement } = await judgeShareRequest(deps, principal, body, now);
    const judged = decisionAuditFacts(principal, body, decision, 'request.submit');
    const facts = {
      ...judged,
      subjectRef: body.subjectRef,
      textSha256: { ...judged.textSha256, justification: textSha256(body.justification) },
    };
    if (decision.decision === 'deny') {
      const refusal = {
        code: 'REQUEST_REFUSED' as const,
        message: 'the request is refused: it does not meet the agreement it names',
        details: decision.reasons.map((r) => `${r.code}: ${r.message}`),
      };
      const step: RequestStep = {
        audit: newAuditEntry(
          { ...facts, parties: [principal.organisationId, body.responderOrganisationId] },
          now,
        ),
        events: [],
        ...(call === undefined ? {} : { idempotency: idempotencyRecord(call, { refused: refusal }, now) }),
      };
      if (!(await deps.requests.refuse(step))) throw changedConcurrently();
      throw new AuthorisationError(refusal.code, refusal.message, refusal.details);
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
    const answer: Answer = { statusCode: 201, body: { request: requestView(request, now) } };
    const step: RequestStep = {
      ...submissionStep(request, facts, now),
      ...(call === undefined ? {} : { idempotency: idempotencyRecord(call, answer, now) }),
    };
    if (!(await deps.requests.create(request, input.signed, step))) throw changedConcurrently();
    return answer;
  });

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
    ...(input.reviewOverdue === true ? { reviewOverdue: true as const } : {}),
    revision: 1,
  };
};

/**
 * What creating a request writes with it: its allowed `request.submit` entry (the judged facts, the request's own
 * and the hashes of its free text) and its RequestSubmitted event.
 */
export const submissionStep = (request: DataRequest, facts: AuditFacts, now: Date): RequestStep => ({
  audit: newAuditEntry(
    {
      ...facts,
      action: 'request.submit',
      outcome: 'allowed',
      ...requestFacts(request),
      textSha256: { ...facts.textSha256, ...submissionTexts(request) },
    },
    now,
  ),
  events: [
    newExchangeEvent(
      'RequestSubmitted',
      {
        ...eventParties(request),
        agreementId: request.agreement.id,
        agreementVersion: request.agreement.version,
        purpose: request.purpose,
        dataCategories: [...request.dataCategories],
        urgency: request.urgency,
        dueAt: request.dueAt,
      },
      parties(request),
      now,
    ),
  ],
});

// ---- Reading ----------------------------------------------------------------------------------------------

export type RequestListFilter = {
  readonly box: 'inbox' | 'outbox';
  readonly status?: RequestStatus | undefined;
  /** Only requests due before this instant. */
  readonly dueBefore?: string | undefined;
  readonly overdue?: boolean | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
};

/**
 * `GET /v1/requests?box=inbox|outbox`: the caller's organisation's requests, newest first, filtered; the read
 * is recorded (`request.list`). A page may hold fewer than `limit` requests after filtering: follow `next`.
 */
export const listRequests = async (
  deps: RequestDeps,
  input: { principal: Principal; filter: RequestListFilter },
): Promise<{ requests: RequestView[]; next?: string }> => {
  const { principal, filter } = input;
  const page = await deps.requests.listRequests(filter.box, principal.organisationId, {
    limit: filter.limit,
    ...(filter.after === undefined ? {} : { after: filter.after }),
  });
  const now = deps.clock.now();
  const requests = page.requests
    .filter(
      (r) =>
        (filter.status === undefined || r.status === filter.status) &&
        (filter.dueBefore === undefined || r.dueAt < filter.dueBefore) &&
        (filter.overdue === undefined || isOverdue(r, now) === filter.overdue),
    )
    .map((r) => requestView(r, now));
  await deps.audit.record(
    newAuditEntry(
      {
        ...callerFacts(principal),
        action: 'request.list',
        target: { type: 'organisation', id: principal.organisationId },
        outcome: 'allowed',
        search: Object.fromEntries(
          Object.entries({ ...filter, limit: String(filter.limit) })
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        ),
      },
      now,
    ),
  );
  return { requests, ...(page.next === undefined ? {} : { next: page.next }) };
};

/** `GET /v1/requests/{requestId}`: one request, for its two parties only; the read is recorded. */
export const showRequest = (deps: RequestDeps, input: { principal: Principal; requestId: string }) =>
  onRequest(deps, { ...input, action: 'request.view' }, async ({ request, standing }) => {
    assertParty(input.principal, request);
    const now = deps.clock.now();
    await deps.audit.record(
      newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'request.view',
          outcome: 'allowed',
          ...requestFacts(request),
          agreementStanding: standing,
        },
        now,
      ),
    );
    return { statusCode: 200, body: { request: requestView(request, now) } };
  });

// ---- Deciding ---------------------------------------------------------------------------------------------

/**
 * The terms of the request's purpose, and who may act on it as `side`: only a user of that side with a role the
 * purpose allows (or one of `extraRoles`).
 */
const actingUnder = (
  principal: Principal,
  found: Found,
  side: Side,
  extraRoles: readonly UserRole[] = [],
) => {
  const terms = purposeOfRequest(found.agreement, found.request);
  const roles = side === 'requester' ? terms.rolesAllowedToRequest : terms.rolesAllowedToAnswer;
  const by = assertActsFor(principal, found.request, side, [...roles, ...extraRoles]);
  return { terms, by };
};

/**
 * As `actingUnder`, for work that needs the agreement in force: a decision, an upload, a release, a fetch. The
 * standing is checked second, so that another organisation is refused without learning it.
 */
const workingUnder = (principal: Principal, found: Found, side: Side) => {
  const acting = actingUnder(principal, found, side);
  assertInForce(found.standing);
  return acting;
};

/** `POST /v1/requests/{id}/decision`: the responder approves, approves in part or declines, always with reasons. */
export const decideRequest = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    decision: DecisionInput;
    call?: IdempotentCall | undefined;
  },
) =>
  idempotently(deps.requests, input.call, () =>
    onRequest(deps, { ...input, action: 'request.decide' }, async (found) => {
      const { request, standing } = found;
      const { by } = workingUnder(input.principal, found, 'responder');
      const now = deps.clock.now();
      const next = decideTransition(request, input.decision, by, now);
      if (next.decision === undefined) throw new Error('a decision is recorded');
      return commitStep(deps, {
        previous: request,
        next,
        ...callerFacts(input.principal),
        action: 'request.decide',
        standing,
        facts: decisionFacts(next.decision),
        events: [
          newExchangeEvent(
            'RequestDecided',
            { ...eventParties(next), outcome: input.decision.outcome, decidedAt: now.toISOString() },
            parties(next),
            now,
          ),
        ],
        call: input.call,
        answer: { statusCode: 200, body: { request: requestView(next, now) } },
        now,
      });
    }),
  );

// ---- Releasing --------------------------------------------------------------------------------------------

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const shareKey = (requestId: string, now: Date) => `shares/${requestId}/${ulid(now.getTime())}`;

export type UploadDeclaration = {
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string;
};

/**
 * `POST /v1/requests/{id}/uploads`: for a payload too large to travel in a signed body, a presigned PUT URL to a
 * key the exchange chose; the release then names the upload, and the exchange hashes what arrived.
 */
export const startUpload = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    declared: UploadDeclaration;
    call?: IdempotentCall | undefined;
  },
) =>
  idempotently(deps.requests, input.call, () =>
    onRequest(deps, { ...input, action: 'share.upload' }, async (found) => {
      const { request, standing } = found;
      workingUnder(input.principal, found, 'responder');
      assertSize(input.declared.size, sharePolicy.maxUploadBytes);
      const now = deps.clock.now();
      const upload = {
        uploadId: ulid(now.getTime()),
        objectKey: shareKey(request.id, now),
        ...input.declared,
        expiresAt: new Date(now.getTime() + sharePolicy.uploadSeconds * 1000).toISOString(),
      };
      const next = uploadTransition(request, upload);
      const url = await deps.payloads.presignUpload(
        upload.objectKey,
        input.declared,
        sharePolicy.uploadSeconds,
      );
      return commitStep(deps, {
        previous: request,
        next,
        ...callerFacts(input.principal),
        action: 'share.upload',
        standing,
        events: [],
        call: input.call,
        answer: {
          statusCode: 201,
          body: {
            upload: {
              uploadId: upload.uploadId,
              url,
              method: 'PUT',
              headers: { 'content-type': upload.contentType },
              expiresAt: upload.expiresAt,
            },
          },
        },
        now,
      });
    }),
  );

/** Deletes bytes of a failed release (best effort) unless the stored request points to them, or cannot be read. */
const discardUnreferenced = async (
  deps: RequestDeps,
  requestId: string,
  objectKey: string,
): Promise<void> => {
  const stored = await deps.requests.getRequest(requestId).catch(() => 'unknown' as const);
  if (stored === 'unknown' || stored?.share?.objectKey === objectKey) return;
  await deps.payloads.delete(objectKey).catch(() => undefined);
};

export type Release =
  | {
      readonly kind: 'inline';
      readonly content: Uint8Array;
      readonly sha256: string;
      readonly contentType: string;
      readonly dataCategories: readonly string[];
    }
  | { readonly kind: 'upload'; readonly uploadId: string; readonly dataCategories: readonly string[] };

/**
 * `POST /v1/requests/{id}/release`: the responder releases the payload of an approved request, inline or from an
 * upload. The exchange checks the SHA-256 and size itself; the share is kept until the purpose's retention ends.
 */
export const releaseShare = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; release: Release; call?: IdempotentCall | undefined },
) =>
  idempotently(deps.requests, input.call, () =>
    onRequest(deps, { ...input, action: 'share.release' }, async (found) => {
      const { request, standing } = found;
      const { terms, by } = workingUnder(input.principal, found, 'responder');
      const { release } = input;
      assertReleasable(request, release.dataCategories);
      const now = deps.clock.now();
      let stored: { objectKey: string; sha256: string; size: number; contentType: string };
      let written: string | undefined;
      if (release.kind === 'inline') {
        assertSize(release.content.byteLength, sharePolicy.maxInlineBytes);
        const sha256 = sha256Hex(release.content);
        if (sha256 !== release.sha256) {
          throw new InputError('PAYLOAD_HASH_MISMATCH', 'the content does not have the SHA-256 declared');
        }
        const key = shareKey(request.id, now);
        written = key;
        await deps.payloads.put(key, release.content, release.contentType).catch(async (error: unknown) => {
          // S3 may have stored the bytes and lost its answer: none may stay behind a release that failed.
          await deps.payloads.delete(key).catch(() => undefined);
          throw error;
        });
        stored = {
          objectKey: written,
          sha256,
          size: release.content.byteLength,
          contentType: release.contentType,
        };
      } else {
        const upload = request.upload;
        if (upload === undefined || upload.uploadId !== release.uploadId) {
          throw new InputError('UPLOAD_MISSING', 'there is no such upload for this request');
        }
        const arrived = await deps.payloads.digest(upload.objectKey);
        if (arrived === undefined)
          throw new InputError('UPLOAD_MISSING', 'nothing was uploaded to the upload URL');
        if (arrived.size !== upload.size || arrived.sha256 !== upload.sha256) {
          await deps.payloads.delete(upload.objectKey);
          throw arrived.size !== upload.size
            ? new InputError('PAYLOAD_SIZE_MISMATCH', 'the upload does not have the size declared')
            : new InputError('PAYLOAD_HASH_MISMATCH', 'the upload does not have the SHA-256 declared');
        }
        stored = {
          objectKey: upload.objectKey,
          sha256: arrived.sha256,
          size: arrived.size,
          contentType: upload.contentType,
        };
      }
      const next = releaseTransition(
        request,
        { ...stored, dataCategories: [...release.dataCategories] as never, releasedBy: by.userId },
        terms,
        now,
      );
      const share = next.share;
      if (share === undefined) throw new Error('a release makes a share');
      try {
        return await commitStep(deps, {
          previous: request,
          next,
          ...callerFacts(input.principal),
          action: 'share.release',
          standing,
          events: [
            newExchangeEvent(
              'ShareReleased',
              {
                ...eventParties(next),
                dataCategories: [...share.dataCategories],
                size: share.size,
                sha256: share.sha256,
                releasedAt: share.releasedAt,
                expiresAt: share.expiresAt,
              },
              parties(next),
              now,
            ),
          ],
          call: input.call,
          answer: { statusCode: 200, body: { request: requestView(next, now) } },
          now,
        });
      } catch (error) {
        // Bytes no record points to must not stay: best effort here (the failure itself is what is answered). A
        // commit whose answer was lost (a timeout) may have been applied: keep bytes the stored request points to,
        // or that it cannot be read to tell.
        if (written !== undefined) await discardUnreferenced(deps, request.id, written);
        throw error;
      }
    }),
  );

// ---- Fetching ---------------------------------------------------------------------------------------------

/**
 * `POST /v1/requests/{id}/fetch`: a short-lived grant (a presigned GET URL) to the share, for the requester only;
 * every fetch is counted and recorded, and refused after withdrawal, after expiry or over the limit.
 */
export const fetchShare = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; call?: IdempotentCall | undefined },
) =>
  idempotently(deps.requests, input.call, () =>
    onRequest(deps, { ...input, action: 'share.fetch' }, async (found) => {
      const { request, standing } = found;
      workingUnder(input.principal, found, 'requester');
      const now = deps.clock.now();
      const next = fetchTransition(request, now);
      const share = next.share;
      if (share === undefined) throw new Error('a fetched request has a share');
      // A grant is signed without calling S3, so the object is checked first: an unreachable store fails the
      // fetch (503) before anything is counted, and bytes that are gone (purged) are SHARE_EXPIRED, not a URL
      // the store cannot serve.
      if (!(await deps.payloads.exists(share.objectKey))) {
        throw new GoneError('SHARE_EXPIRED', 'the share is no longer stored');
      }
      const url = await deps.payloads.presignDownload(share.objectKey, sharePolicy.grantSeconds);
      return commitStep(deps, {
        previous: request,
        next,
        ...callerFacts(input.principal),
        action: 'share.fetch',
        standing,
        events: [
          newExchangeEvent(
            'ShareFetched',
            {
              ...eventParties(next),
              fetchCount: share.fetchCount,
              maxFetches: share.maxFetches,
              fetchedAt: now.toISOString(),
            },
            parties(next),
            now,
          ),
        ],
        call: input.call,
        answer: {
          statusCode: 200,
          body: {
            grant: {
              url,
              expiresAt: new Date(now.getTime() + sharePolicy.grantSeconds * 1000).toISOString(),
            },
            share: {
              sha256: share.sha256,
              size: share.size,
              contentType: share.contentType,
              dataCategories: share.dataCategories,
              expiresAt: share.expiresAt,
              fetchCount: share.fetchCount,
              maxFetches: share.maxFetches,
            },
          },
        },
        now,
      });
    }),
  );

// ---- Withdrawing, expiring, purging, closing ---------------------------------------------------------------

/** The standing of each agreement a sweep meets, read once per run: every system step's entry records it. */
const standingsOf = (deps: Pick<SweepDeps, 'agreements'>, now: Date) => {
  const known = new Map<string, Promise<StandingState>>();
  return (request: DataRequest): Promise<StandingState> => {
    const id = request.agreement.id;
    let standing = known.get(id);
    if (standing === undefined) {
      standing = deps.agreements.getAgreement(id).then((agreement) => standingAt(agreement, now));
      known.set(id, standing);
      // A read that failed fails only the step that made it: the next step reads again.
      standing.catch(() => known.delete(id));
    }
    return standing;
  };
};

const shareExpiredReasons = { withdrawn: 'withdrawn', expired: 'retention-ended' } as const;

/**
 * Deletes the bytes of an expired, withdrawn or closed share and records it; the request and its audit entries
 * remain. Safe to repeat: deleting an absent object succeeds, and a request already purged is left alone. The
 * parties of an expired or withdrawn share hear of it (ShareExpired); those of a closed one heard already when it
 * was closed (RequestClosed).
 */
export const purgeShare = async (
  deps: SweepDeps,
  requestId: string,
  standingOfRequest = standingsOf(deps, deps.clock.now()),
): Promise<boolean> => {
  const request = await deps.requests.getRequest(requestId);
  if (request === undefined || !awaitsPurge(request) || request.share === undefined) return false;
  const standing = await standingOfRequest(request);
  await deps.payloads.delete(request.share.objectKey);
  const now = deps.clock.now();
  const next = purgedTransition(request, now);
  const reason =
    request.status === 'withdrawn' || request.status === 'expired'
      ? shareExpiredReasons[request.status]
      : undefined;
  await commitStep(deps, {
    previous: request,
    next,
    actor: systemActor,
    action: 'share.delete',
    standing,
    events:
      reason === undefined
        ? []
        : [
            newExchangeEvent(
              'ShareExpired',
              { ...eventParties(next), reason, deletedAt: now.toISOString() },
              parties(next),
              now,
            ),
          ],
    answer: { statusCode: 200, body: undefined },
    now,
  });
  return true;
};

/**
 * `POST /v1/requests/{id}/withdraw`: the requester withdraws; no fetch succeeds after, and a released share's
 * bytes go on the purge work list, which the sweeper deletes on its next run (within a minute in AWS) as a system
 * action of its own: one answer, one audit entry.
 */
export const withdrawRequest = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; call?: IdempotentCall | undefined },
): Promise<Answer> =>
  idempotently(deps.requests, input.call, () =>
    onRequest(deps, { ...input, action: 'request.withdraw' }, async (found) => {
      const { request, standing } = found;
      // Withdrawing stops sharing: allowed whatever the agreement's standing (suspended, revoked, expired).
      const { by } = actingUnder(input.principal, found, 'requester', ['ig-lead']);
      const now = deps.clock.now();
      const next = withdrawTransition(request, by, now);
      return commitStep(deps, {
        previous: request,
        next,
        ...callerFacts(input.principal),
        action: 'request.withdraw',
        standing,
        events: [
          newExchangeEvent(
            'RequestWithdrawn',
            { ...eventParties(next), withdrawnAt: now.toISOString() },
            parties(next),
            now,
          ),
        ],
        call: input.call,
        answer: { statusCode: 200, body: { request: requestView(next, now) } },
        now,
      });
    }),
  );

export type SweepReport = {
  overdue: number;
  expired: number;
  purged: number;
  closed: number;
  failed: number;
};

const sweepBatch = 100;
/** Revoked agreements whose requests a sweep closes per run (each up to `sweepBatch` requests). */
const revocationBatch = 10;

/**
 * The scheduled sweep: closes the open requests of revoked agreements (RequestClosed, and a released share's bytes
 * deleted at once), flags requests the responder still owes past their due date (RequestOverdue, once), expires
 * shares whose retention ended, and deletes the bytes of expired, withdrawn and closed shares. Each request is its
 * own step with its own entry: one that fails is counted and retried on the next run, and does not hold up the
 * others. A revoked agreement leaves the work list once none of its requests is open.
 */
export const sweepRequests = async (deps: SweepDeps): Promise<SweepReport> => {
  const report: SweepReport = { overdue: 0, expired: 0, purged: 0, closed: 0, failed: 0 };
  const now = deps.clock.now();
  const standingOfRequest = standingsOf(deps, now);
  const attempt = async (done: Exclude<keyof SweepReport, 'failed'>, step: () => Promise<boolean>) => {
    try {
      if (await step()) report[done] += 1;
    } catch {
      report.failed += 1;
    }
  };
  const sweep = async (
    list: WorkList,
    done: Exclude<keyof SweepReport, 'failed'>,
    step: (request: DataRequest) => Promise<boolean>,
  ) => {
    for (const id of await deps.requests.listWork(list, now, sweepBatch)) {
      await attempt(done, async () => {
        const request = await deps.requests.getRequest(id);
        return request !== undefined && step(request);
      });
    }
  };
  const commitSystemStep = async (
    request: DataRequest,
    next: DataRequest | undefined,
    action: string,
    events: readonly ExchangeEvent[],
  ) => {
    if (next === undefined) return false;
    await commitStep(deps, {
      previous: request,
      next,
      actor: systemActor,
      action,
      standing: await standingOfRequest(request),
      events,
      answer: { statusCode: 200, body: undefined },
      now,
    });
    return true;
  };

  for (const agreementId of await deps.agreements.listRevocations(revocationBatch)) {
    const open = await deps.requests.listOpenUnder(agreementId, sweepBatch);
    if (open.length === 0) {
      await deps.agreements.finishRevocation(agreementId);
      continue;
    }
    for (const id of open) {
      await attempt('closed', async () => {
        const request = await deps.requests.getRequest(id);
        if (request === undefined || (await standingOfRequest(request)) !== 'revoked') return false;
        const status = request.status;
        if (!isClosable(status)) return false;
        const next = closeTransition(request, 'agreement-revoked', now);
        const closed = await commitSystemStep(request, next, 'request.close', [
          newExchangeEvent(
            'RequestClosed',
            {
              ...eventParties(request),
              agreementId: request.agreement.id,
              reason: 'agreement-revoked',
              previousStatus: status,
              closedAt: now.toISOString(),
            },
            parties(request),
            now,
          ),
        ]);
        if (closed && next?.share !== undefined) {
          await attempt('purged', () => purgeShare(deps, id, standingOfRequest));
        }
        return closed;
      });
    }
  }
  await sweep('due', 'overdue', (request) => {
    const next = overdueTransition(request, now);
    return commitSystemStep(request, next, 'request.overdue', [
      newExchangeEvent(
        'RequestOverdue',
        { ...eventParties(request), dueAt: request.dueAt },
        parties(request),
        now,
      ),
    ]);
  });
  await sweep('retention', 'expired', (request) =>
    commitSystemStep(request, expireTransition(request, now), 'share.expire', []),
  );
  await sweep('purge', 'purged', (request) => purgeShare(deps, request.id, standingOfRequest));
  return report;
};
