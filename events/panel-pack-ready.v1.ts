import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import type { PanelPack } from '#shared/domain/cdop/panel-pack.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { cdopCaseParties, cdopCasePartiesShape } from './cdop-case-parties.ts';

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

/** The event of a pack just assembled: to the case's CDOP alone. */
export const panelPackReadyEvent = (c: CdopCase, pack: PanelPack, now: Date) =>
  newExchangeEvent(
    detailType,
    {
      ...cdopCaseParties(c),
      packHash: pack.packHash,
      reports: pack.reports.length,
      agenciesOutstanding: pack.agenciesOutstanding.length,
    },
    [c.cdopOrganisationId],
    now,
  );
