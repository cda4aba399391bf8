import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import { reportingFormVersions } from '#shared/domain/cdop/reporting-form.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { cdopCaseParties, cdopCasePartiesShape } from './cdop-case-parties.ts';

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

/** The event of an ask permitted: to the case's CDOP and the agency asked, naming the form version to use. */
export const reportRequestedEvent = (
  c: CdopCase,
  asked: { readonly organisationId: string; readonly requestId: string; readonly dueAt: string },
  now: Date,
) =>
  newExchangeEvent(
    detailType,
    {
      ...cdopCaseParties(c),
      agencyOrganisationId: asked.organisationId,
      requestId: asked.requestId,
      dueAt: asked.dueAt,
      reportingFormVersion: reportingFormVersions.at(-1) ?? '2026',
    },
    [c.cdopOrganisationId, asked.organisationId],
    now,
  );
