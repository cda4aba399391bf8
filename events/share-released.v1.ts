import * as z from 'zod';
import { requestPartiesShape } from './request-parties.ts';

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
