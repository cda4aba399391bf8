import type { AgreementRecord, Escalation } from '../agreements/agreement.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ConflictError, InputError, NotFoundError } from '../errors.ts';
import type { UserRole } from '../registry/registry.ts';
import { type DataRequest, isOverdue } from '../requests/data-request.ts';
import { assertActsFor } from '../requests/lifecycle.ts';
import {
  type Challenge,
  type ChallengeGround,
  type ChallengeOutcome,
  type ChallengeStage,
  currentStage,
  defaultEscalation,
  isOpenChallenge,
} from './challenge.ts';

/**
 * The pure rules of a challenge (challenge.ts): what may be challenged, who raises, escalates and answers each
 * stage, and the request's next record after each step. The use cases (raise-challenge.ts, escalate-challenge.ts,
 * record-outcome.ts) read, call these, and commit what they return through the request step pipeline.
 */

const day = 86_400_000;

/** The requester's roles that may challenge besides the user who asked: its information governance roles. */
export const challengerRoles: readonly UserRole[] = ['ig-lead', 'caldicott-guardian', 'dpo'];

/** The escalation stages of the agreement version the request was accepted under, or the default. */
export const escalationOf = (
  agreement: AgreementRecord | undefined,
  request: Pick<DataRequest, 'agreement'>,
): Escalation =>
  agreement?.versions.find((v) => v.version === request.agreement.version)?.content.escalation ??
  defaultEscalation;

/** What a challenge of the request now would dispute; undefined when there is nothing to challenge. */
export const groundOf = (request: DataRequest, now: Date): ChallengeGround | undefined => {
  if (request.status === 'declined') return 'declined';
  if (request.status === 'partially-approved') return 'partially-approved';
  return isOverdue(request, now) ? 'overdue' : undefined;
};

/** The open challenge of a request, if any: there is at most one at a time. */
export const openChallengeOf = (request: DataRequest): Challenge | undefined =>
  (request.challenges ?? []).find(isOpenChallenge);

/** Whether a stage is open past its due date: what the sweeper flags, once, and what lets the requester escalate. */
export const isStageOverdue = (stage: ChallengeStage, now: Date): boolean =>
  stage.outcome === undefined && now.getTime() > Date.parse(stage.dueAt);

/**
 * The requester's user who asked, or one of its IG roles: those who may challenge and escalate. Another
 * organisation, the responder included, is refused whatever its role.
 */
export const assertChallenger = (principal: Principal, request: DataRequest): { userId: string } => {
  if (principal.user?.id === request.requester.userId) {
    return assertActsFor(principal, request, 'requester', principal.user.roles);
  }
  return assertActsFor(principal, request, 'requester', challengerRoles);
};

/** The responder's user with the escalation role of the challenge's current stage: who records its outcome. */
export const assertAnswersStage = (
  principal: Principal,
  request: DataRequest,
  challenge: Challenge,
): { userId: string } => assertActsFor(principal, request, 'responder', [currentStage(challenge).role]);

/** The request's challenge number `n`: 404 when there is none. */
export const challengeOf = (request: DataRequest, n: number): Challenge => {
  const challenge = request.challenges?.find((c) => c.n === n);
  if (challenge === undefined) {
    throw new NotFoundError('NOT_FOUND', `the request has no challenge ${n}`);
  }
  return challenge;
};

export type ChallengeText = { readonly reasons: string; readonly reasonCodes: readonly string[] };

const stageOf = (
  escalation: Escalation,
  stage: number,
  text: ChallengeText,
  by: { userId: string },
  now: Date,
): ChallengeStage => {
  const terms = escalation.stages[stage - 1];
  if (terms === undefined) throw new Error(`escalation has no stage ${stage}`);
  return {
    stage,
    role: terms.role,
    openedBy: by.userId,
    openedAt: now.toISOString(),
    dueAt: new Date(now.getTime() + terms.days * day).toISOString(),
    reasons: text.reasons,
    reasonCodes: [...new Set(text.reasonCodes)] as ChallengeStage['reasonCodes'],
  };
};

const withChallenge = (request: DataRequest, challenge: Challenge): DataRequest => ({
  ...request,
  challenges: [...(request.challenges ?? []).filter((c) => c.n !== challenge.n), challenge].sort(
    (a, b) => a.n - b.n,
  ),
  revision: request.revision + 1,
});

/** When the decision a challenge on `ground` disputes was made; none for an undecided overdue request. */
const decidedAtOf = (request: DataRequest, ground: ChallengeGround): string | undefined =>
  ground === 'overdue' && request.status === 'submitted' ? undefined : request.decision?.decidedAt;

/** The earlier challenge of this very answer (the same ground and decision), if any. */
const challengedBefore = (request: DataRequest, ground: ChallengeGround): Challenge | undefined => {
  const decidedAt = decidedAtOf(request, ground);
  return (request.challenges ?? []).find((c) => c.ground === ground && c.decidedAt === decidedAt);
};

/** Whether the request's answer may be challenged now (by its requester): `raiseTransition` would not refuse. */
export const isChallengeable = (request: DataRequest, now: Date): boolean => {
  const ground = groundOf(request, now);
  return (
    ground !== undefined &&
    openChallengeOf(request) === undefined &&
    challengedBefore(request, ground) === undefined
  );
};

/**
 * A new challenge at stage 1, to the responder's first escalation role. Refused when there is nothing to challenge
 * (an approval, a release, an answer not yet due), when a challenge is already open, and when this very decision
 * (or this same lateness) was challenged before: escalate that challenge instead.
 */
export const raiseTransition = (
  request: DataRequest,
  escalation: Escalation,
  text: ChallengeText,
  by: { userId: string },
  now: Date,
): { next: DataRequest; challenge: Challenge } => {
  const ground = groundOf(request, now);
  if (ground === undefined) {
    throw new ConflictError(
      'NOTHING_TO_CHALLENGE',
      'only a decline, a partial approval or an overdue answer can be challenged',
      [`status: ${request.status}`],
    );
  }
  const open = openChallengeOf(request);
  if (open !== undefined) {
    throw new ConflictError('CHALLENGE_OPEN', `challenge ${open.n} is still open: escalate it instead`, [
      `challenge: ${open.n}`,
    ]);
  }
  const decidedAt = decidedAtOf(request, ground);
  const before = challengedBefore(request, ground);
  if (before !== undefined) {
    throw new ConflictError(
      'NOTHING_TO_CHALLENGE',
      `this answer was challenged before (challenge ${before.n})`,
      [`challenge: ${before.n}`],
    );
  }
  const challenge: Challenge = {
    n: (request.challenges?.length ?? 0) + 1,
    ground,
    ...(decidedAt === undefined ? {} : { decidedAt }),
    stages: [stageOf(escalation, 1, text, by, now)],
  };
  return { next: withChallenge(request, challenge), challenge };
};

/**
 * The challenge goes a stage further: when the requester disagrees with the stage's outcome (upheld, or resolved
 * otherwise), or has none by its due date. Refused after an overturn (the requester got a new decision: challenge
 * that one), before an open stage's due date, and at the last stage.
 */
export const escalateTransition = (
  request: DataRequest,
  challenge: Challenge,
  escalation: Escalation,
  text: ChallengeText,
  by: { userId: string },
  now: Date,
): { next: DataRequest; challenge: Challenge } => {
  const stage = currentStage(challenge);
  if (stage.outcome?.outcome === 'overturned') {
    throw new ConflictError('STAGE_RESOLVED', 'the challenge was resolved by a new decision', [
      `stage: ${stage.stage}`,
      'outcome: overturned',
    ]);
  }
  if (stage.outcome === undefined && !isStageOverdue(stage, now)) {
    throw new ConflictError('STAGE_NOT_DUE', `stage ${stage.stage} awaits its outcome until ${stage.dueAt}`, [
      `stage: ${stage.stage}`,
      `dueAt: ${stage.dueAt}`,
    ]);
  }
  if (stage.stage >= escalation.stages.length) {
    throw new ConflictError('LAST_STAGE_REACHED', `stage ${stage.stage} is the last stage of escalation`, [
      `stage: ${stage.stage}`,
    ]);
  }
  const escalated: Challenge = {
    ...challenge,
    stages: [...challenge.stages, stageOf(escalation, stage.stage + 1, text, by, now)],
  };
  return { next: withChallenge(request, escalated), challenge: escalated };
};

export type OutcomeInput = ChallengeText & { readonly outcome: ChallengeOutcome };

/**
 * The stage's outcome, in the request's next revision; for an overturn, `redecide` is the decide step's own
 * transition, which records the new decision in the same revision. Refused when the stage already has one.
 */
export const outcomeTransition = (
  request: DataRequest,
  challenge: Challenge,
  input: OutcomeInput,
  by: { userId: string },
  now: Date,
  redecide?: (request: DataRequest) => DataRequest,
): { next: DataRequest; challenge: Challenge } => {
  const stage = currentStage(challenge);
  if (stage.outcome !== undefined) {
    throw new ConflictError('STAGE_RESOLVED', `stage ${stage.stage} already has its outcome`, [
      `stage: ${stage.stage}`,
      `outcome: ${stage.outcome.outcome}`,
    ]);
  }
  const resolved: Challenge = {
    ...challenge,
    stages: [
      ...challenge.stages.slice(0, -1),
      {
        ...stage,
        outcome: {
          outcome: input.outcome,
          reasons: input.reasons,
          reasonCodes: [...new Set(input.reasonCodes)] as NonNullable<
            ChallengeStage['outcome']
          >['reasonCodes'],
          recordedBy: by.userId,
          recordedAt: now.toISOString(),
        },
      },
    ],
  };
  const decided = redecide === undefined ? request : { ...redecide(request), revision: request.revision };
  return { next: withChallenge(decided, resolved), challenge: resolved };
};

/** An overturn comes with its new decision; the other outcomes come without one. */
export const assertNewDecision = (outcome: ChallengeOutcome, hasDecision: boolean): void => {
  if (outcome === 'overturned' && !hasDecision) {
    throw new InputError('INVALID_INPUT', 'an overturn records the new decision', ['decision: required']);
  }
  if (outcome !== 'overturned' && hasDecision) {
    throw new InputError('INVALID_INPUT', 'only an overturn records a new decision', [
      'decision: not allowed',
    ]);
  }
};

/** The open stage past its due date and not yet flagged: the sweeper flags it once. */
export const challengeOverdueTransition = (
  request: DataRequest,
  now: Date,
): { next: DataRequest; challenge: Challenge } | undefined => {
  const challenge = openChallengeOf(request);
  if (challenge === undefined) return undefined;
  const stage = currentStage(challenge);
  if (!isStageOverdue(stage, now) || stage.overdueNotifiedAt !== undefined) return undefined;
  const flagged: Challenge = {
    ...challenge,
    stages: [...challenge.stages.slice(0, -1), { ...stage, overdueNotifiedAt: now.toISOString() }],
  };
  return { next: withChallenge(request, flagged), challenge: flagged };
};
