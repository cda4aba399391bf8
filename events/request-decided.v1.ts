import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** The responder decided a data request: approved it, approved part of it, or declined it. */
export const detailType = 'RequestDecided' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  outcome: z.enum(['approve', 'partial', 'decline']),
  decidedAt: z.iso.datetime(),
});
export type RequestDecidedV1 = z.infer<typeof detailSchema>;

/** The event of a request just decided (its next state, which holds the decision). */
export const requestDecidedEvent = (decided: DataRequest, now: Date) => {
  if (decided.decision === undefined) throw new TypeError('a decided request holds its decision');
  const { detail, recipients } = requestParties(decided);
  return newExchangeEvent(
    detailType,
    { ...detail, outcome: decided.decision.outcome, decidedAt: now.toISOString() },
    recipients,
    now,
  );
};
