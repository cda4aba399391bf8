import * as z from 'zod';
import type { ResponsibleCdop } from '#shared/domain/cdop/case.ts';
import type { CdopNotification } from '#shared/domain/cdop/notification.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';

/**
 * A CDOP was notified of the death of a child resident in another CDOP's area, and the exchange passed the
 * notification on to the CDOP responsible (`cdopOrganisationId`), without the subject reference, which is
 * footprint-specific.
 */
export const detailType = 'DeathNotificationForwarded' as const;
export const source = 'pbx.cdop' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  forwardedByOrganisationId: z.string().min(1),
  /** The CDOP responsible for the child's borough of residence: the one notified. */
  cdopOrganisationId: z.string().min(1),
  footprintId: z.string().min(1),
  boroughOfResidence: z.string().min(1),
  notifyingOrganisationId: z.string().min(1),
  expected: z.boolean(),
});
export type DeathNotificationForwardedV1 = z.infer<typeof detailSchema>;

/**
 * The event of a notification passed on to the CDOP responsible: to that CDOP and the one that forwarded it. The
 * subject reference stays behind (it is derived with the forwarding footprint's key).
 */
export const deathNotificationForwardedEvent = (
  forwardedByOrganisationId: string,
  responsible: ResponsibleCdop,
  notification: CdopNotification,
  now: Date,
) =>
  newExchangeEvent(
    detailType,
    {
      forwardedByOrganisationId,
      cdopOrganisationId: responsible.cdopOrganisationId,
      footprintId: responsible.footprintId,
      boroughOfResidence: notification.boroughOfResidence,
      notifyingOrganisationId: notification.notifyingOrganisationId,
      expected: notification.expected,
    },
    [responsible.cdopOrganisationId, forwardedByOrganisationId],
    now,
  );
