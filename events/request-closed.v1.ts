import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/**
 * The exchange closed a request that was still open, because the agreement it was made under was revoked: nothing
 * more can be decided, released or fetched, and a released share's bytes are deleted (the `share.delete` audit
 * entry records when).
 */
export const detailType = 'RequestClosed' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  agreementId: z.string().min(1),
  reason: z.enum(['agreement-revoked']),
  /** The state it was closed from: a decision or a release still owed, or a share that could still be fetched. */
  previousStatus: z.enum(['submitted', 'approved', 'partially-approved', 'released']),
  closedAt: z.iso.datetime(),
});
export type RequestClosedV1 = z.infer<typeof detailSchema>;

/** The event of a request closed by the exchange, from the state it was in (`previous`). */
export const requestClosedEvent = (
  previous: DataRequest & { readonly status: RequestClosedV1['previousStatus'] },
  reason: RequestClosedV1['reason'],
  now: Date,
) => {
  const { detail, recipients } = requestParties(previous);
  return newExchangeEvent(
    detailType,
    {
      ...detail,
      agreementId: previous.agreement.id,
      reason,
      previousStatus: previous.status,
      closedAt: now.toISOString(),
    },
    recipients,
    now,
  );
};
