import * as z from 'zod';
import { cdopCasePartiesShape } from './cdop-case-parties.ts';

/** The panel reviewed a case and the CDOP closed it with its analysis form. */
export const detailType = 'CaseClosed' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...cdopCasePartiesShape,
  closedAt: z.iso.datetime(),
  analysisFormVersion: z.string().min(1),
});
export type CaseClosedV1 = z.infer<typeof detailSchema>;
