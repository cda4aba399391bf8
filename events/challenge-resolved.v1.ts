import * as z from 'zod';
import { type Challenge, challengeOutcomes } from '#shared/domain/challenges/challenge.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { type DataRequest, decisionOutcomes } from '#shared/domain/requests/data-request.ts';
import { challengeParties, challengePartiesShape } from './challenge-parties.ts';

/**
 * The responder's escalation role recorded the outcome of a challenge's stage: upheld, overturned (with the new
 * decision's outcome; a RequestDecided event goes with it) or resolved otherwise.
 */
export const detailType = 'ChallengeResolved' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...challengePartiesShape,
  outcome: z.enum(challengeOutcomes),
  newDecision: z.enum(decisionOutcomes).optional(),
  recordedAt: z.iso.datetime(),
});
export type ChallengeResolvedV1 = z.infer<typeof detailSchema>;

/** The event of a stage's outcome just recorded (the request's next state, holding any new decision). */
export const challengeResolvedEvent = (request: DataRequest, challenge: Challenge, now: Date) => {
  const { detail, stage, recipients } = challengeParties(request, challenge);
  if (stage.outcome === undefined) throw new TypeError('a resolved stage holds its outcome');
  return newExchangeEvent(
    detailType,
    {
      ...detail,
      outcome: stage.outcome.outcome,
      ...(stage.outcome.outcome === 'overturned' && request.decision !== undefined
        ? { newDecision: request.decision.outcome }
        : {}),
      recordedAt: now.toISOString(),
    },
    recipients,
    now,
  );
};
