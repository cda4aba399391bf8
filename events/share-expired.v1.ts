import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** A released share's payload was deleted: its retention ended or the request was withdrawn. */
export const detailType = 'ShareExpired' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  reason: z.enum(['retention-ended', 'withdrawn']),
  deletedAt: z.iso.datetime(),
});
export type ShareExpiredV1 = z.infer<typeof detailSchema>;

export const shareExpiredEvent = (request: DataRequest, reason: ShareExpiredV1['reason'], now: Date) => {
  const { detail, recipients } = requestParties(request);
  return newExchangeEvent(detailType, { ...detail, reason, deletedAt: now.toISOString() }, recipients, now);
};
