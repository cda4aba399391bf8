import * as z from 'zod';
import { cdopCasePartiesShape } from './cdop-case-parties.ts';

/** The pack of a case for the panel was assembled from the reports received (`packHash`: its SHA-256, hex). */
export const detailType = 'PanelPackReady' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...cdopCasePartiesShape,
  packHash: z.string().regex(/^[0-9a-f]{64}$/),
  reports: z.number().int().min(0),
  agenciesOutstanding: z.number().int().min(0),
});
export type PanelPackReadyV1 = z.infer<typeof detailSchema>;
