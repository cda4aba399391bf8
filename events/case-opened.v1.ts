import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import { cdopCaseParties, cdopCasePartiesShape } from './cdop-case-parties.ts';

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

/** The event of a case just opened: to its CDOP and to the organisation that notified the death. */
export const caseOpenedEvent = (opened: CdopCase, now: Date) =>
  newExchangeEvent(
    detailType,
    {
      ...cdopCaseParties(opened),
      footprintId: opened.footprintId,
      boroughOfResidence: opened.notification.boroughOfResidence,
      notifyingOrganisationId: opened.notification.notifyingOrganisationId,
      expected: opened.notification.expected,
      notificationSchemaVersion: opened.notification.schemaVersion,
    },
    [opened.cdopOrganisationId, opened.notification.notifyingOrganisationId],
    now,
  );
