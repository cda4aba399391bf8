import * as z from 'zod';
import type { Escalation } from '../agreements/agreement.ts';
import { isDistinct, maxFreeTextLength } from '../input-limits.ts';
import { userId, userRoles } from '../registry/registry.ts';

/**
 * A challenge of a request's answer: the requester disputes a decline or a partial approval, or a request the
 * responder owes past its due date. It goes to the responder's escalation role for its first stage (the agreement's
 * `escalation`, else `defaultEscalation`), who records an outcome with reasons; a requester who disagrees, or has no
 * outcome by the stage's due date, escalates it a stage further, up to the last. Its life, stage by stage:
 *
 *   raise ──> stage 1 open ──outcome──> upheld | overturned (a new decision) | resolved-otherwise
 *                   │                        │ (upheld, resolved otherwise)
 *                   └──past due──┬───────────┘
 *                                └──escalate──> stage 2 open ──> … up to the last stage
 *
 * A challenge lives in its request's record (shared/domain/requests/data-request.ts `challenges`), so the request,
 * its challenges and the decision an overturn changes commit together.
 */

/** What may be challenged: a decline, a partial approval, or an answer owed past its due date. */
export const challengeGrounds = ['declined', 'partially-approved', 'overdue'] as const;
export type ChallengeGround = (typeof challengeGrounds)[number];

export const challengeOutcomes = ['upheld', 'overturned', 'resolved-otherwise'] as const;
export type ChallengeOutcome = (typeof challengeOutcomes)[number];

/**
 * The coded grounds of a challenge or an escalation, beside its reasons in words (which the audit log holds only as
 * their SHA-256): the information is needed to protect the child; the decision misjudged necessity or
 * proportionality, or withheld more than it had to; the exemption relied on does not apply; no answer in time; the
 * stage's outcome did not address the challenge.
 */
export const challengeReasonCodes = [
  'NEEDED_TO_SAFEGUARD',
  'NECESSITY_MISJUDGED',
  'PROPORTIONALITY_MISJUDGED',
  'WITHHELD_TOO_MUCH',
  'EXEMPTION_NOT_APPLICABLE',
  'NO_ANSWER_IN_TIME',
  'OUTCOME_NOT_ADDRESSED',
  'OTHER',
] as const;

/** The coded grounds of a stage's outcome. */
export const outcomeReasonCodes = [
  'DECISION_CORRECT',
  'NEW_INFORMATION',
  'DECISION_WRONG',
  'ANSWER_GIVEN',
  'AGREED_WITH_REQUESTER',
  'OTHER',
] as const;

/**
 * The stages when an agreement names none: the responder's IG lead within 5 days, then its Caldicott guardian
 * within 10 (the designated lead first, then the guardian of confidentiality: the partnerships' usual ladder).
 */
export const defaultEscalation: Escalation = {
  stages: [
    { role: 'ig-lead', days: 5 },
    { role: 'caldicott-guardian', days: 10 },
  ],
};

const instant = z.iso.datetime();

const codes = <const C extends readonly [string, ...string[]]>(values: C) =>
  z.array(z.enum(values)).min(1).max(values.length).refine(isDistinct, 'reason codes repeat');

export const challengeReasonsSchema = z.string().trim().min(1).max(maxFreeTextLength);
export const challengeReasonCodesSchema = codes(challengeReasonCodes);
export const outcomeReasonCodesSchema = codes(outcomeReasonCodes);

export const stageOutcomeSchema = z.object({
  outcome: z.enum(challengeOutcomes),
  reasons: z.string(),
  reasonCodes: z.array(z.enum(outcomeReasonCodes)),
  recordedBy: userId,
  recordedAt: instant,
});
export type StageOutcome = z.infer<typeof stageOutcomeSchema>;

/** One stage of a challenge: who at the responder answers it and by when, why it was opened, and its outcome. */
export const challengeStageSchema = z.object({
  stage: z.number().int().min(1),
  role: z.enum(userRoles),
  /** The requester's user who raised the challenge (stage 1) or escalated it. */
  openedBy: userId,
  openedAt: instant,
  dueAt: instant,
  reasons: z.string(),
  reasonCodes: z.array(z.enum(challengeReasonCodes)),
  outcome: stageOutcomeSchema.optional(),
  /** When the stage's overdue event was sent (once). */
  overdueNotifiedAt: instant.optional(),
});
export type ChallengeStage = z.infer<typeof challengeStageSchema>;

export const challengeSchema = z.object({
  /** 1 for a request's first challenge, and so on. */
  n: z.number().int().min(1),
  ground: z.enum(challengeGrounds),
  /** When the decision challenged was made; absent for a challenge of an undecided overdue request. */
  decidedAt: instant.optional(),
  stages: z.array(challengeStageSchema).min(1),
});
export type Challenge = z.infer<typeof challengeSchema>;

/** The stage a challenge is at: its last. */
export const currentStage = (challenge: Challenge): ChallengeStage => {
  const stage = challenge.stages.at(-1);
  if (stage === undefined) throw new Error(`challenge ${challenge.n} has no stage`);
  return stage;
};

/** Whether a challenge still awaits an outcome at its current stage. */
export const isOpenChallenge = (challenge: Challenge): boolean =>
  currentStage(challenge).outcome === undefined;

/**
 * When the open challenge among `challenges` falls due at its current stage, while it awaits the overdue flag: the
 * request's entry on the sweeper's `challenge` work list (shared/domain/requests/lifecycle.ts workListsOf).
 */
export const challengeDueOf = (challenges: readonly Challenge[] | undefined): string | undefined => {
  const open = challenges?.find(isOpenChallenge);
  if (open === undefined) return undefined;
  const stage = currentStage(open);
  return stage.overdueNotifiedAt === undefined ? stage.dueAt : undefined;
};
