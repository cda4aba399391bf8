import { z } from 'zod';

/** The requester withdrew a data request. */
export const detailType = 'RequestWithdrawn' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  requestId: z.string().min(1),
  requesterOrganisationId: z.string().min(1),
  responderOrganisationId: z.string().min(1),
  withdrawnAt: z.iso.datetime(),
});
export type RequestWithdrawnV1 = z.infer<typeof detailSchema>;
