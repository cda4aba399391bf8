import * as z from 'zod';
import { sha256Hex } from '../audit/audit-entry.ts';
import { registryId } from '../registry/registry.ts';

/**
 * An anomaly alert (docs/IG.md "Anomaly alerts"): raised by the detector (DetectAnomalies) when a rule of
 * rules.ts fires on the sequenced audit log, for the IG leads of the organisations it concerns, who acknowledge it
 * and close it with a note. It names its rule, the user and client concerned and the leaf indexes of the entries
 * that triggered it; like the log, it holds no free text, only the SHA-256 of each note.
 */
export const alertRuleIds = [
  'bulk-access',
  'out-of-hours',
  'repeated-refusals',
  'cross-footprint',
  'past-review',
  'rare-client',
  'lost-key-used',
] as const;
export type AlertRuleId = (typeof alertRuleIds)[number];

export const alertStatuses = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** An alert id: `alt-` and a ULID, so ids order alerts by when they were raised. */
export const alertIdSchema = z.string().regex(/^alt-[0-9A-HJKMNP-TV-Z]{26}$/);

/** One acknowledgement or closure: who, when, and the SHA-256 of the note (the note itself stays with its author). */
const alertActionSchema = z.object({
  status: z.enum(['acknowledged', 'closed']),
  at: z.iso.datetime(),
  by: z.string().min(1),
  organisationId: registryId,
  noteSha256: sha256Hex,
});

export const alertSchema = z.object({
  id: alertIdSchema,
  rule: z.enum(alertRuleIds),
  status: z.enum(alertStatuses),
  /** When the detector raised it, and the time of the last entry that triggered it. */
  raisedAt: z.iso.datetime(),
  time: z.iso.datetime(),
  /** The organisations whose IG leads it is for: the one whose user or client acted, and the parties concerned. */
  organisations: z.array(registryId).min(1),
  userId: z.string().optional(),
  clientId: z.string().optional(),
  role: z.string().optional(),
  /** The leaf indexes of the audit entries that triggered it, oldest first. */
  entries: z.array(z.number().int().min(0)).min(1),
  /** The threshold the rule applied, when it has one, and what it counted. */
  threshold: z.number().int().min(0).optional(),
  observed: z.number().int().min(0).optional(),
  actions: z.array(alertActionSchema),
});
export type Alert = z.infer<typeof alertSchema>;

/** What a rule raises; the detector gives it its id, raisedAt and an empty history. */
export type AlertDraft = Omit<Alert, 'id' | 'status' | 'raisedAt' | 'actions'>;

/** Whether an alert concerns an organisation: the one test of who may see it besides the operator. */
export const alertConcerns = (alert: Pick<Alert, 'organisations'>, organisationId: string): boolean =>
  alert.organisations.includes(organisationId);
