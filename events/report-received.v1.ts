import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import type { AgencyTracking } from '#shared/domain/cdop/tracking.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { cdopCaseParties, cdopCasePartiesShape } from './cdop-case-parties.ts';

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

/** The event of an agency's report the case tracker saw arrive: to the case's CDOP and the agency. */
export const reportReceivedEvent = (c: CdopCase, received: AgencyTracking, now: Date) =>
  newExchangeEvent(
    detailType,
    {
      ...cdopCaseParties(c),
      agencyOrganisationId: received.organisationId,
      requestId: received.requestId ?? '',
      receivedAt: received.answeredAt ?? now.toISOString(),
    },
    [c.cdopOrganisationId, received.organisationId],
    now,
  );
