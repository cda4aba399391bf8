import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import type { ReminderIntent } from '#shared/domain/cdop/tracking.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { cdopCaseParties, cdopCasePartiesShape } from './cdop-case-parties.ts';

/**
 * An agency's reporting form for a case is due soon or overdue, and the agency is reminded. `requestId` names the
 * data request when the form was asked for through the exchange.
 */
export const detailType = 'ReportReminder' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...cdopCasePartiesShape,
  agencyOrganisationId: z.string().min(1),
  requestId: z.string().min(1).optional(),
  dueAt: z.iso.datetime(),
  kind: z.enum(['report-due-soon', 'report-overdue']),
  daysOverdue: z.number().int().min(0),
});
export type ReportReminderV1 = z.infer<typeof detailSchema>;

/** The event of a reminder the case tracker sends: to the case's CDOP and the agency reminded. */
export const reportReminderEvent = (c: CdopCase, reminder: ReminderIntent, now: Date) =>
  newExchangeEvent(
    detailType,
    {
      ...cdopCaseParties(c),
      agencyOrganisationId: reminder.organisationId,
      ...(reminder.requestId === undefined ? {} : { requestId: reminder.requestId }),
      dueAt: reminder.dueAt,
      kind: reminder.kind,
      daysOverdue: reminder.daysOverdue,
    },
    [c.cdopOrganisationId, reminder.organisationId],
    now,
  );
