import * as z from 'zod';
import { cdopCasePartiesShape } from './cdop-case-parties.ts';

/** The CDOP asked an agency for its reporting form (a data request under its child death review agreement). */
export const detailType = 'ReportRequested' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...cdopCasePartiesShape,
  agencyOrganisationId: z.string().min(1),
  requestId: z.string().min(1),
  dueAt: z.iso.datetime(),
  reportingFormVersion: z.string().min(1),
});
export type ReportRequestedV1 = z.infer<typeof detailSchema>;
