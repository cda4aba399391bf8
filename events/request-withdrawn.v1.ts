import * as z from 'zod';
import { requestPartiesShape } from './request-parties.ts';

/** The requester withdrew a data request. */
export const detailType = 'RequestWithdrawn' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  withdrawnAt: z.iso.datetime(),
});
export type RequestWithdrawnV1 = z.infer<typeof detailSchema>;
