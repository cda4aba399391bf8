import * as z from 'zod';
import { type Alert, alertRuleIds } from '#shared/domain/alerts/alert.ts';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';

/**
 * An anomaly rule fired (docs/IG.md "Anomaly alerts"): sent to the feed of each organisation the alert concerns,
 * for its IG leads. It names the alert, its rule, the user and client concerned and the leaf indexes of the audit
 * entries that triggered it: never a subject reference.
 */
export const detailType = 'AlertRaised' as const;
export const source = 'pbx.alerts' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  alertId: z.string(),
  rule: z.enum(alertRuleIds),
  /** The leaf indexes of the entries that triggered it, oldest first. */
  entries: z.array(z.number().int().min(0)),
  /** The time of the last entry that triggered it. */
  time: z.iso.datetime(),
  raisedAt: z.iso.datetime(),
  userId: z.string().optional(),
  clientId: z.string().optional(),
});
export type AlertRaisedV1 = z.infer<typeof detailSchema>;

export const alertRaisedEvent = (alert: Alert, now: Date) =>
  newExchangeEvent(
    detailType,
    {
      alertId: alert.id,
      rule: alert.rule,
      entries: alert.entries,
      time: alert.time,
      raisedAt: alert.raisedAt,
      ...(alert.userId === undefined ? {} : { userId: alert.userId }),
      ...(alert.clientId === undefined ? {} : { clientId: alert.clientId }),
    },
    alert.organisations,
    now,
  );
