import * as z from 'zod';
import type { Challenge } from '#shared/domain/challenges/challenge.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { challengeParties, challengePartiesShape } from './challenge-parties.ts';

/** The requester escalated a challenge to its next stage (the stage named), after an outcome it disputes or none in time. */
export const detailType = 'ChallengeEscalated' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...challengePartiesShape,
  dueAt: z.iso.datetime(),
});
export type ChallengeEscalatedV1 = z.infer<typeof detailSchema>;

/** The event of a challenge just escalated, at its current stage. */
export const challengeEscalatedEvent = (request: DataRequest, challenge: Challenge, now: Date) => {
  const { detail, stage, recipients } = challengeParties(request, challenge);
  return newExchangeEvent(detailType, { ...detail, dueAt: stage.dueAt }, recipients, now);
};
