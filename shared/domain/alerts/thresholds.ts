import * as z from 'zod';
import type { UserRole } from '../registry/registry.ts';

/**
 * The thresholds of the anomaly rules (docs/IG.md "Anomaly alerts"), per organisation: an organisation's
 * `alertThresholds` in the registry overrides any of the defaults, and the rules judge each entry by the
 * thresholds of the organisation whose user or client acted.
 */
const hourMinute = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');

export const alertThresholdsSchema = z.object({
  /** Bulk access: more than this many distinct children (subject references) touched by one user in an hour. */
  bulkAccessChildren: z.number().int().min(1).max(10_000).optional(),
  /** Repeated refusals: more than this many refused entries of one user, or of one client, in an hour. */
  refusalsPerHour: z.number().int().min(1).max(10_000).optional(),
  /** Rare client: a share fetched from a client with fewer than this many of the organisation's fetches in 30 days. */
  rareClientFetches: z.number().int().min(1).max(50).optional(),
  /** Working hours, Europe/London, Monday to Friday, of the roles that keep them (`officeHoursRoles`). */
  workingHours: z.object({ from: hourMinute, to: hourMinute }).optional(),
});
type AlertThresholdsSetting = z.infer<typeof alertThresholdsSchema>;

export type AlertThresholds = {
  readonly bulkAccessChildren: number;
  readonly refusalsPerHour: number;
  readonly rareClientFetches: number;
  readonly workingHours: { readonly from: string; readonly to: string };
};

/** The defaults, documented in docs/IG.md. */
export const defaultAlertThresholds: AlertThresholds = {
  bulkAccessChildren: 20,
  refusalsPerHour: 10,
  rareClientFetches: 3,
  workingHours: { from: '07:00', to: '19:00' },
};

/**
 * The roles that work office hours: their access to a child's data outside them is an alert. Operators, IG roles
 * (who answer incidents) and any role not named here are exempt; the registry has no separate emergency-duty role,
 * so out-of-hours duty is done under a role not listed.
 */
export const officeHoursRoles: readonly UserRole[] = ['practitioner', 'cdop-coordinator', 'cdop-manager'];

/** An organisation's thresholds: its setting over the defaults. */
export const thresholdsOf = (setting: AlertThresholdsSetting | undefined): AlertThresholds => ({
  bulkAccessChildren: setting?.bulkAccessChildren ?? defaultAlertThresholds.bulkAccessChildren,
  refusalsPerHour: setting?.refusalsPerHour ?? defaultAlertThresholds.refusalsPerHour,
  rareClientFetches: setting?.rareClientFetches ?? defaultAlertThresholds.rareClientFetches,
  workingHours: setting?.workingHours ?? defaultAlertThresholds.workingHours,
});

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Whether an instant falls in working hours, Monday to Friday, in Europe/London (so through both clock changes). */
export const isWithinWorkingHours = (iso: string, hours: AlertThresholds['workingHours']): boolean => {
  const parts = Object.fromEntries(londonParts.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  if (parts.weekday === 'Sat' || parts.weekday === 'Sun') return false;
  const time = `${parts.hour}:${parts.minute}`;
  return time >= hours.from && time < hours.to;
};

/** The calendar day in Europe/London of an instant, `YYYY-MM-DD`: out-of-hours alerts are once per user a day. */
export const londonDayOf = (iso: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(iso));
