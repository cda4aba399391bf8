import * as z from 'zod';
import { requestPartiesShape } from './request-parties.ts';

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
