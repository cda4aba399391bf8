import * as z from 'zod';
import { cdopCasePartiesShape } from './cdop-case-parties.ts';

/** An agency's reporting form for a case reached the CDOP. */
export const detailType = 'ReportReceived' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...cdopCasePartiesShape,
  agencyOrganisationId: z.string().min(1),
  requestId: z.string().min(1),
  receivedAt: z.iso.datetime(),
});
export type ReportReceivedV1 = z.infer<typeof detailSchema>;
