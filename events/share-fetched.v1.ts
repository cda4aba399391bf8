import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** The requester fetched a released share (one of at most `maxFetches`). */
export const detailType = 'ShareFetched' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  fetchCount: z.number().int().positive(),
  maxFetches: z.number().int().positive(),
  fetchedAt: z.iso.datetime(),
});
export type ShareFetchedV1 = z.infer<typeof detailSchema>;

/** The event of a share just fetched (the request's next state, which counts the fetch). */
export const shareFetchedEvent = (fetched: DataRequest, now: Date) => {
  const share = fetched.share;
  if (share === undefined) throw new TypeError('a fetched request holds its share');
  const { detail, recipients } = requestParties(fetched);
  return newExchangeEvent(
    detailType,
    {
      ...detail,
      fetchCount: share.fetchCount,
      maxFetches: share.maxFetches,
      fetchedAt: now.toISOString(),
    },
    recipients,
    now,
  );
};
