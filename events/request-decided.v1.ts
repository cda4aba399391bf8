import * as z from 'zod';
import { requestPartiesShape } from './request-parties.ts';

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
