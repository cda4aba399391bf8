import * as z from 'zod';
import { requestPartiesShape } from './request-parties.ts';

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
