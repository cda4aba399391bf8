import * as z from 'zod';
import type { Challenge } from '#shared/domain/challenges/challenge.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { challengeParties, challengePartiesShape } from './challenge-parties.ts';

/** A challenge's open stage passed its due date without an outcome (sent once per stage). */
export const detailType = 'ChallengeOverdue' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...challengePartiesShape,
  dueAt: z.iso.datetime(),
});
export type ChallengeOverdueV1 = z.infer<typeof detailSchema>;

/** The event of a challenge just overdue, at its current stage. */
export const challengeOverdueEvent = (request: DataRequest, challenge: Challenge, now: Date) => {
  const { detail, stage, recipients } = challengeParties(request, challenge);
  return newExchangeEvent(detailType, { ...detail, dueAt: stage.dueAt }, recipients, now);
};
