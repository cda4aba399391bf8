import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** The requester withdrew a data request. */
export const detailType = 'RequestWithdrawn' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  withdrawnAt: z.iso.datetime(),
});
export type RequestWithdrawnV1 = z.infer<typeof detailSchema>;

export const requestWithdrawnEvent = (request: DataRequest, now: Date) => {
  const { detail, recipients } = requestParties(request);
  return newExchangeEvent(detailType, { ...detail, withdrawnAt: now.toISOString() }, recipients, now);
};
