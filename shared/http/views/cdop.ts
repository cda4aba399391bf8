import * as z from 'zod';
import { cdopCaseSchema, timelineEntrySchema } from '../../domain/cdop/case.ts';
import { agencyReportStatuses } from '../../domain/cdop/tracking.ts';

/**
 * The bodies, queries and answers of the CDOP case workspace operations (shared/http/operations.ts).
 */

export const openCdopCaseBody = z.strictObject({
  notification: z
    .record(z.string(), z.unknown())
    .describe('a notification form; `schemaVersion` names its version (shared/domain/cdop/notification.ts)'),
});

export const requestCdopReportsBody = z.strictObject({
  agencies: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(50)
    .describe('registry ids of the agencies to ask'),
});

export const closeCdopCaseBody = z.strictObject({
  analysis: z
    .record(z.string(), z.unknown())
    .describe(
      "the panel's analysis form; `schemaVersion` names its version (shared/domain/cdop/analysis.ts)",
    ),
});

export const listCdopCasesQuery = z.strictObject({ status: z.enum(['open', 'closed']).optional() });

export const ncmdExportQuery = z.strictObject({
  version: z.string().min(1).max(20).optional().describe('the NCMD export version; the newest when omitted'),
});

export const cdopFiguresQuery = z.strictObject({
  year: z
    .string()
    .regex(/^\d{4}$/)
    .describe('the calendar year the financial year starts in (1 April)'),
  for: z
    .enum(['publication', 'internal'])
    .default('publication')
    .describe('publication (small numbers suppressed, the default) or internal (exact counts)'),
});

const agencyTrackingSchema = z.object({
  organisationId: z.string(),
  requestId: z.string().optional(),
  requestedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  status: z.enum(agencyReportStatuses),
  daysOverdue: z.number().int().optional(),
  declinedReasons: z.string().optional(),
  /** An ask that ended without a report because the agreement ended (revoked, expired), and the engine's code. */
  endedAt: z.iso.datetime().optional(),
  endedReason: z.string().optional(),
});

export const cdopCaseAnswer = z.object({
  case: cdopCaseSchema,
  agencies: z.array(agencyTrackingSchema),
  timeline: z.array(timelineEntrySchema),
});

/** An opened case, or the CDOP a child resident elsewhere is passed on to. */
export const openCdopCaseAnswer = z.union([
  cdopCaseAnswer.extend({ outcome: z.literal('opened') }).loose(),
  z.looseObject({ outcome: z.literal('notify-instead') }),
]);
export const listCdopCasesAnswer = z.looseObject({ cases: z.array(z.looseObject({ id: z.string() })) });
export const requestCdopReportsAnswer = cdopCaseAnswer.extend({ items: z.array(z.looseObject({})) }).loose();
export const panelPackAnswer = z.looseObject({});
export const ncmdExportAnswer = z.looseObject({});
export const cdopFiguresAnswer = z.looseObject({});
