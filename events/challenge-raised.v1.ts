import * as z from 'zod';
import type { Challenge } from '#shared/domain/challenges/challenge.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { challengeParties, challengePartiesShape } from './challenge-parties.ts';

/** The requester challenged a decline, a partial approval or an overdue answer */
export const detailType = 'ChallengeRaised' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...challengePartiesShape,
  dueAt: z.iso.datetime(),
});
export type ChallengeRaisedV1 = z.infer<typeof detailSchema>;

/** The event of a challenge just  stage 1 is open.:raised, at its current stage. */
export const challengeRaisedEvent = (request: DataRequest, challenge: Challenge, now: Date) => {
  const { detail, stage, recipients } = challengeParties(request, challenge);
  return newExchangeEvent(detailType, { ...detail, dueAt: stage.dueAt }, recipients, now);
};
