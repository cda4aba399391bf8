import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** The responder released a share for an approved request; the requester may fetch it until it expires. */
export const detailType = 'ShareReleased' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  dataCategories: z.array(z.string().min(1)).min(1),
  /** Payload size in bytes. */
  size: z.number().int().nonnegative(),
  /** Lower-case hex SHA-256 of the payload bytes, so the requester can check what it fetched. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  releasedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type ShareReleasedV1 = z.infer<typeof detailSchema>;

/** The event of a share just released (the request's next state, which holds it). */
export const shareReleasedEvent = (released: DataRequest, now: Date) => {
  const share = released.share;
  if (share === undefined) throw new TypeError('a released request holds its share');
  const { detail, recipients } = requestParties(released);
  return newExchangeEvent(
    detailType,
    {
      ...detail,
      dataCategories: [...share.dataCategories],
      size: share.size,
      sha256: share.sha256,
      releasedAt: share.releasedAt,
      expiresAt: share.expiresAt,
    },
    recipients,
    now,
  );
};
