import * as z from 'zod';
import { cdopCasePartiesShape } from './cdop-case-parties.ts';

/** A CDOP opened a case on notification of a child's death. */
export const detailType = 'CaseOpened' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...cdopCasePartiesShape,
  footprintId: z.string().min(1),
  boroughOfResidence: z.string().min(1),
  notifyingOrganisationId: z.string().min(1),
  expected: z.boolean(),
  notificationSchemaVersion: z.string().min(1),
});
export type CaseOpenedV1 = z.infer<typeof detailSchema>;
