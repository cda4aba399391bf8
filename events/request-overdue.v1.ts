import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** A data request passed its due time without a decision. */
export const detailType = 'RequestOverdue' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  dueAt: z.iso.datetime(),
});
export type RequestOverdueV1 = z.infer<typeof detailSchema>;

export const requestOverdueEvent = (request: DataRequest, now: Date) => {
  const { detail, recipients } = requestParties(request);
  return newExchangeEvent(detailType, { ...detail, dueAt: request.dueAt }, recipients, now);
};
