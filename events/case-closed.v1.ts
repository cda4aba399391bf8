import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { cdopCaseParties, cdopCasePartiesShape } from './cdop-case-parties.ts';

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

/** The event of a case just closed (its next state, which holds the closure): to its CDOP and every agency asked. */
export const caseClosedEvent = (closed: CdopCase, now: Date) => {
  if (closed.closure === undefined) throw new TypeError('a closed case holds its closure');
  return newExchangeEvent(
    detailType,
    {
      ...cdopCaseParties(closed),
      closedAt: closed.closure.closedAt,
      analysisFormVersion: closed.closure.analysis.schemaVersion,
    },
    [closed.cdopOrganisationId, ...closed.agencies.map((a) => a.organisationId)],
    now,
  );
};
