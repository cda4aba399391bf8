import { z } from 'zod';

/** A data request passed its due time without a decision. */
export const detailType = 'RequestOverdue' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  requestId: z.string().min(1),
  requesterOrganisationId: z.string().min(1),
  responderOrganisationId: z.string().min(1),
  dueAt: z.iso.datetime(),
});
export type RequestOverdueV1 = z.infer<typeof detailSchema>;
