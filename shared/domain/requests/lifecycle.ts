import type { AgreementPurpose, AgreementRecord } from '../agreements/agreement.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { challengeDueOf } from '../challenges/challenge.ts';
import { AuthorisationError, ConflictError, GoneError, InputError, TooLargeError } from '../errors.ts';
import type { UserRole } from '../registry/registry.ts';
import {
  type closureReasons,
  type DataRequest,
  owedStatuses,
  type PendingUpload,
  type RequestDecision,
  type RequestStatus,
  type Share,
  type Urgency,
} from './data-request.ts';

/**
 * The pure rules of a request's life: who may take each step, from which state, and what state follows. The use
 * cases (one module each: submit-request.ts, decide-request.ts, …) read, call these, and commit what they return
 * through the step pipeline (shared/domain/steps/run-step.ts).
 */

/**
 * Hours to answer when the agreement sets none: `immediate` for a child at risk now (a strategy discussion the
 * same day), `urgent` one day (the LADO's one working day), `routine` five days (the National Panel's five working
 * days). Calendar hours: working days need a bank-holiday calendar the exchange does not have yet.
 */
export const defaultResponseHours: Readonly<Record<Urgency, number>> = {
  immediate: 4,
  urgent: 24,
  routine: 120,
};

/** Limits on shares, the same for every agreement until an agreement needs its own. */
export const sharePolicy = {
  /** How many times the requester may fetch a share. */
  maxFetches: 5,
  /** How long a fetch grant (a presigned download URL) lives. */
  grantSeconds: 300,
  /** How long a presigned upload URL lives. */
  uploadSeconds: 900,
  /**
   * Inline releases travel base64-encoded in a signed request body, which is at most 1 MiB
   * (protocol.ts maxSignedBodyBytes): 768 KiB of payload fills it, so larger payloads go by upload.
   */
  maxInlineBytes: 768 * 1024,
  /** Presigned uploads; a single S3 PUT takes up to 5 GB, this keeps a Lambda's hashing pass short. */
  maxUploadBytes: 200 * 1024 * 1024,
} as const;

const hour = 3_600_000;
const day = 24 * hour;

export const dueAtOf = (purpose: AgreementPurpose, urgency: Urgency, submittedAt: Date): string =>
  new Date(
    submittedAt.getTime() + (purpose.responseHours ?? defaultResponseHours)[urgency] * hour,
  ).toISOString();

export const retentionEndOf = (purpose: AgreementPurpose, releasedAt: Date): string =>
  new Date(releasedAt.getTime() + purpose.retentionDays * day).toISOString();

/** The purpose of the agreement version a request was accepted under (its terms bind the whole life). */
export const purposeOfRequest = (
  agreement: AgreementRecord | undefined,
  request: Pick<DataRequest, 'agreement' | 'purpose'>,
): AgreementPurpose => {
  const version = agreement?.versions.find((v) => v.version === request.agreement.version);
  const purpose = version?.content.purposes.find((p) => p.code === request.purpose);
  if (purpose === undefined) {
    // The version was in force when the request was accepted and versions are never changed or deleted.
    throw new Error(`agreement ${request.agreement.id} v${request.agreement.version} lost its purpose`);
  }
  return purpose;
};

export type Side = 'requester' | 'responder';

/**
 * Whether the caller acts for one side of the request, as a user with one of `roles`. Other organisations are
 * refused whatever their role: a request is seen only by its two parties.
 */
export const assertActsFor = (
  principal: Principal,
  request: DataRequest,
  side: Side,
  roles: readonly UserRole[],
): { userId: string } => {
  const organisationId =
    side === 'requester' ? request.requester.organisationId : request.responderOrganisationId;
  if (principal.organisationId !== organisationId) {
    throw new AuthorisationError('NOT_PERMITTED', `only the ${side} of the request may do this`);
  }
  const user = principal.user;
  if (user === undefined || !user.roles.some((r) => roles.includes(r))) {
    throw new AuthorisationError(
      'NOT_PERMITTED',
      `this step is taken by a user with a role of: ${roles.join(', ')}`,
      [`roles: ${roles.join(', ')}`],
    );
  }
  return { userId: user.id };
};

/** Whether the caller is one of the request's two parties (to read it). */
export const assertParty = (principal: Principal, request: DataRequest): Side => {
  if (principal.organisationId === request.requester.organisationId) return 'requester';
  if (principal.organisationId === request.responderOrganisationId) return 'responder';
  throw new AuthorisationError('NOT_PERMITTED', 'only the two parties of a request may see it');
};

const assertStatus = (request: DataRequest, allowed: readonly RequestStatus[], step: string): void => {
  if (!allowed.includes(request.status)) {
    throw new ConflictError('WRONG_STATE', `a ${request.status} request cannot be ${step}`, [
      `status: ${request.status}`,
    ]);
  }
};

const next = (request: DataRequest, changes: Partial<DataRequest>): DataRequest => ({
  ...request,
  ...changes,
  revision: request.revision + 1,
});

export type DecisionInput = Pick<RequestDecision, 'outcome' | 'reasons'> & {
  readonly reasonCodes?: RequestDecision['reasonCodes'] | undefined;
  readonly withheld?: RequestDecision['withheld'] | undefined;
};

/**
 * A decision on the request: from `submitted` by the decide step, or anew when a challenge's stage overturns the
 * answer (shared/domain/challenges/record-outcome.ts: from the states a challenge disputes, `redecidableStatuses`).
 */
export const decideTransition = (
  request: DataRequest,
  input: DecisionInput,
  by: { userId: string },
  now: Date,
  from: readonly RequestStatus[] = ['submitted'],
): DataRequest => {
  assertStatus(request, from, 'decided');
  if (input.outcome === 'partial' && input.withheld === undefined) {
    throw new InputError('INVALID_INPUT', 'a partial approval says what is withheld', ['withheld: required']);
  }
  if (input.outcome !== 'partial' && input.withheld !== undefined) {
    throw new InputError('INVALID_INPUT', 'only a partial approval withholds', ['withheld: not allowed']);
  }
  const strange = (input.withheld?.dataCategories ?? []).filter(
    (c) => !(request.dataCategories as readonly string[]).includes(c),
  );
  if (strange.length > 0) {
    throw new InputError('INVALID_INPUT', 'only requested data categories can be withheld', [
      `withheld.dataCategories: ${strange.join(', ')}`,
    ]);
  }
  const status = { approve: 'approved', partial: 'partially-approved', decline: 'declined' } as const;
  return next(request, {
    status: status[input.outcome],
    decision: {
      outcome: input.outcome,
      reasons: input.reasons,
      ...(input.reasonCodes === undefined ? {} : { reasonCodes: [...new Set(input.reasonCodes)] }),
      ...(input.withheld === undefined ? {} : { withheld: input.withheld }),
      decidedBy: by.userId,
      decidedAt: now.toISOString(),
    },
  });
};

/** The states an overturned challenge decides a request anew from: a decline, a partial approval, or one owed. */
export const redecidableStatuses: readonly RequestStatus[] = [
  'submitted',
  'approved',
  'partially-approved',
  'declined',
];

/** The data categories a release may carry: those requested, less those the decision withheld. */
export const releasableCategories = (request: DataRequest): string[] => {
  const withheld = request.decision?.withheld?.dataCategories ?? [];
  return request.dataCategories.filter((c) => !withheld.includes(c));
};

export const assertReleasable = (request: DataRequest, dataCategories: readonly string[]): void => {
  assertStatus(request, ['approved', 'partially-approved'], 'released');
  const allowed = releasableCategories(request);
  const beyond = dataCategories.filter((c) => !allowed.includes(c));
  if (beyond.length > 0) {
    throw new InputError(
      'INVALID_INPUT',
      'a release carries only categories that were requested and not withheld',
      [`dataCategories: ${beyond.join(', ')}`],
    );
  }
};

export const assertSize = (size: number, limit: number): void => {
  if (size > limit) {
    throw new TooLargeError('PAYLOAD_TOO_LARGE', `the payload is larger than ${limit} bytes`);
  }
};

/** A presigned upload awaiting its release; a later upload replaces an earlier one that was never released. */
export const uploadTransition = (request: DataRequest, upload: PendingUpload): DataRequest => {
  assertStatus(request, ['approved', 'partially-approved'], 'uploaded to');
  return next(request, { upload });
};

export const releaseTransition = (
  request: DataRequest,
  share: Omit<Share, 'fetchCount' | 'maxFetches' | 'expiresAt' | 'releasedAt'>,
  purpose: AgreementPurpose,
  now: Date,
): DataRequest => {
  const { upload: _consumed, ...rest } = request;
  return next(rest, {
    status: 'released',
    share: {
      ...share,
      releasedAt: now.toISOString(),
      expiresAt: retentionEndOf(purpose, now),
      fetchCount: 0,
      maxFetches: sharePolicy.maxFetches,
    },
  });
};

/** A fetch is refused after withdrawal, after expiry, before release and over the access limit. */
export const fetchTransition = (request: DataRequest, now: Date): DataRequest => {
  if (request.status === 'withdrawn') throw new GoneError('SHARE_WITHDRAWN', 'the request was withdrawn');
  const share = request.share;
  if (request.status === 'expired' || (share !== undefined && now.getTime() >= Date.parse(share.expiresAt))) {
    throw new GoneError('SHARE_EXPIRED', 'the share has passed the end of its retention period');
  }
  assertStatus(request, ['released'], 'fetched');
  if (share === undefined) throw new Error(`released request ${request.id} has no share`);
  if (share.fetchCount >= share.maxFetches) {
    throw new AuthorisationError('FETCH_LIMIT_REACHED', `the share may be fetched ${share.maxFetches} times`);
  }
  return next(request, {
    share: { ...share, fetchCount: share.fetchCount + 1, lastFetchedAt: now.toISOString() },
  });
};

export const withdrawTransition = (request: DataRequest, by: { userId: string }, now: Date): DataRequest => {
  assertStatus(request, ['submitted', 'approved', 'partially-approved', 'released'], 'withdrawn');
  const { upload: _abandoned, ...rest } = request;
  return next(rest, { status: 'withdrawn', withdrawnAt: now.toISOString(), withdrawnBy: by.userId });
};

/** The states a request is closed from when its agreement is revoked: every state in which work could follow. */
export const closableStatuses = ['submitted', 'approved', 'partially-approved', 'released'] as const;
export type ClosableStatus = (typeof closableStatuses)[number];
export const isClosable = (status: RequestStatus): status is ClosableStatus =>
  (closableStatuses as readonly RequestStatus[]).includes(status);

/**
 * The exchange closes a request it may no longer serve (its agreement was revoked): nothing more can be decided,
 * released or fetched, a pending upload is abandoned and a released share's bytes go on the purge list. A request
 * that already ended (declined, withdrawn, expired, closed) is left as it is.
 */
export const closeTransition = (
  request: DataRequest,
  reason: (typeof closureReasons)[number],
  now: Date,
): DataRequest | undefined => {
  if (!isClosable(request.status)) return undefined;
  const { upload: _abandoned, ...rest } = request;
  return next(rest, { status: 'closed', closed: { at: now.toISOString(), reason } });
};

export const expireTransition = (request: DataRequest, now: Date): DataRequest | undefined =>
  request.status === 'released' && request.share !== undefined && now >= new Date(request.share.expiresAt)
    ? next(request, { status: 'expired' })
    : undefined;

/**
 * The responder still owes the request (a decision, or the release of an approved one) past its due date: flagged
 * once. A request approved in time but never released is as late as one never decided.
 */
export const overdueTransition = (request: DataRequest, now: Date): DataRequest | undefined =>
  awaitsOverdueCheck(request) && now > new Date(request.dueAt)
    ? next(request, { overdueNotifiedAt: now.toISOString() })
    : undefined;

const awaitsOverdueCheck = (request: DataRequest): boolean =>
  owedStatuses.includes(request.status) && request.overdueNotifiedAt === undefined;

/** The ended states whose share's bytes must go. */
const purgedStatuses: readonly RequestStatus[] = ['expired', 'withdrawn', 'closed'];

/** Bytes that must go: a share whose request expired, was withdrawn or closed, and that is not deleted yet. */
export const awaitsPurge = (request: DataRequest): boolean =>
  request.share !== undefined &&
  request.share.deletedAt === undefined &&
  purgedStatuses.includes(request.status);

export const purgedTransition = (request: DataRequest, now: Date): DataRequest => {
  if (!awaitsPurge(request) || request.share === undefined) {
    throw new Error(`request ${request.id} has no share to purge`);
  }
  return next(request, { share: { ...request.share, deletedAt: now.toISOString() } });
};

/**
 * The work lists a request belongs on, each with the instant it becomes due: the overdue check while the responder
 * owes it (a decision or the release), the retention sweep while its share is released, the purge while bytes must
 * be deleted, the challenge check while a challenge's open stage awaits its overdue flag. The store keeps these in step with every write.
 */
export type WorkList = 'due' | 'retention' | 'purge' | 'challenge';

/** Every work list, as the store keeps them in step. */
export const workLists: readonly WorkList[] = ['due', 'retention', 'purge', 'challenge'];

export const workListsOf = (request: DataRequest): Partial<Record<WorkList, string>> => {
  const challengeDue = challengeDueOf(request.challenges);
  return {
    ...(awaitsOverdueCheck(request) ? { due: request.dueAt } : {}),
    ...(request.status === 'released' && request.share !== undefined
      ? { retention: request.share.expiresAt }
      : {}),
    ...(awaitsPurge(request)
      ? {
          purge: request.withdrawnAt ?? request.closed?.at ?? request.share?.expiresAt ?? request.submittedAt,
        }
      : {}),
    ...(challengeDue === undefined ? {} : { challenge: challengeDue }),
  };
};
