import * as z from 'zod';
import { requestPartiesShape } from './request-parties.ts';

/** A data request passed its due time without a decision. */
export const detailType = 'RequestOverdue' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  dueAt: z.iso.datetime(),
});
export type RequestOverdueV1 = z.infer<typeof detailSchema>;
