import { z } from 'zod';
import { purposeCodes } from '../../domain/agreements/catalogue.ts';
import { decisionReasonCodes } from '../../domain/agreements/decide.ts';
import { deathCategoryCodes, learningThemes } from '../../domain/cdop/analysis.ts';
import {
  caseIdSchema,
  casePackSchema,
  cdopCaseSchema,
  refusedAskSchema,
  timelineEntrySchema,
} from '../../domain/cdop/case.ts';
import { suggestionReasons } from '../../domain/cdop/fan-out.ts';
import { ncmdExportSchemas } from '../../domain/cdop/ncmd-export.ts';
import { notificationSchemas } from '../../domain/cdop/notification.ts';
import { panelPackSchema } from '../../domain/cdop/panel-pack.ts';
import { agencyReportStatuses } from '../../domain/cdop/tracking.ts';
import { organisationKinds, registryId } from '../../domain/registry/registry.ts';

/**
 * The CDOP operations' bodies, queries and answers (docs/CDOP.md), and the views the answers show. Answers are
 * exact: each is a strict object built from the domain's own schemas, so a field the exchange adds without saying
 * so here fails the check of every real answer, and a client (cli/commands/cdop.ts) reads them with these very
 * schemas.
 */

// ---- Bodies and queries ---------------------------------------------------------------------------------------

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

export const exportCdopCaseQuery = z.strictObject({
  version: z.string().min(1).max(20).optional().describe('the NCMD export version; the newest when omitted'),
});

export const getCdopFiguresQuery = z.strictObject({
  year: z
    .string()
    .regex(/^\d{4}$/)
    .describe('the calendar year the financial year starts in (1 April)'),
  for: z
    .enum(['publication', 'internal'])
    .default('publication')
    .describe('publication (small numbers suppressed, the default) or internal (exact counts)'),
});

// ---- A case -------------------------------------------------------------------------------------------------

const instant = z.iso.datetime();
const days = z.number().int().min(0);

/** One agency asked on a case, with its report status now (tracking.ts `AgencyTracking`). */
export const agencyTrackingSchema = z.strictObject({
  organisationId: registryId,
  requestId: z.string().min(1).optional(),
  requestedAt: instant,
  dueAt: instant,
  status: z.enum(agencyReportStatuses),
  daysOverdue: days.optional(),
  declinedReasons: z.string().optional(),
  answeredAt: instant.optional(),
  withdrawnAt: instant.optional(),
  /** An ask that ended without a report because the agreement ended (revoked, expired), and the engine's code. */
  endedAt: instant.optional(),
  endedReason: z.string().optional(),
});

/** An agency the registry suggests asking (fan-out.ts `suggestAgencies`). */
export const agencySuggestionSchema = z.strictObject({
  organisationId: registryId,
  name: z.string(),
  kind: z.enum(organisationKinds),
  why: z.enum(suggestionReasons),
  inFootprint: z.boolean(),
});

/** A case as the API shows it: the record, each agency's report status, and the timeline. */
const caseViewShape = {
  case: cdopCaseSchema,
  agencies: z.array(agencyTrackingSchema),
  timeline: z.array(z.strictObject(timelineEntrySchema.shape)),
};

const suggestions = z.array(agencySuggestionSchema);

/** `GET /v1/cdop/cases/{caseId}`: the case, and the agencies the registry suggests asking. */
export const getCdopCaseAnswer = z.strictObject({ ...caseViewShape, suggestions });

/** `POST /v1/cdop/cases/{caseId}/close`: the closed case. */
export const closeCdopCaseAnswer = z.strictObject(caseViewShape);

/** `POST /v1/cdop/cases`: the case opened (201), or the CDOP to notify instead (200). */
export const openCdopCaseAnswer = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('opened'), ...caseViewShape, suggestions }),
  z.strictObject({
    outcome: z.literal('notify-instead'),
    notifyInstead: z.strictObject({
      cdopOrganisationId: registryId,
      footprintId: registryId,
      footprintName: z.string(),
    }),
    reason: z.string(),
  }),
]);

// ---- Lists --------------------------------------------------------------------------------------------------

const notification = notificationSchemas['2026'].shape;

/** One case of a CDOP's list, with its report counts. */
export const caseSummarySchema = z.strictObject({
  id: caseIdSchema,
  status: cdopCaseSchema.shape.status,
  footprintId: registryId,
  boroughOfResidence: notification.boroughOfResidence,
  dateOfDeath: notification.dateOfDeath,
  expected: notification.expected,
  createdAt: instant,
  agencies: days,
  answered: days,
  overdue: days,
  declined: days,
  closedAt: instant.optional(),
});

/** Who still owes a report across a CDOP's open cases (tracking.ts `OutstandingByAgency`). */
export const outstandingByAgencySchema = z.strictObject({
  organisationId: registryId,
  reports: z.array(
    z.strictObject({
      caseId: caseIdSchema,
      cdopOrganisationId: registryId,
      requestId: z.string().min(1).optional(),
      dueAt: instant,
      status: z.enum(['requested', 'overdue']),
      daysOverdue: days,
    }),
  ),
  overdue: days,
  maxDaysOverdue: days,
});

/** `GET /v1/cdop/cases`. */
export const listCdopCasesAnswer = z.strictObject({
  cases: z.array(caseSummarySchema),
  outstanding: z.array(outstandingByAgencySchema),
});

// ---- Asking agencies ----------------------------------------------------------------------------------------

const refusedAsk = refusedAskSchema.shape;

/** What became of each agency asked (fan-out.ts `FanOutItem`, with the id of its data request). */
export const fanOutItemSchema = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('permitted'),
    organisationId: registryId,
    requestId: z.string().min(1),
    dueAt: instant,
  }),
  z.strictObject({
    outcome: z.literal('refused'),
    organisationId: registryId,
    reasons: z.array(z.strictObject({ code: z.enum(decisionReasonCodes), message: z.string() })),
    agreementNeeded: z.strictObject({
      ...refusedAsk.agreementNeeded.shape,
      purpose: z.enum(purposeCodes),
      coveredElsewhere: z.array(
        z.strictObject(refusedAsk.agreementNeeded.shape.coveredElsewhere.element.shape),
      ),
    }),
  }),
  z.strictObject({
    outcome: z.literal('already-requested'),
    organisationId: registryId,
    requestId: z.string().min(1).optional(),
  }),
]);

/** `POST /v1/cdop/cases/{caseId}/requests`: each ask's outcome, and the case as it now is. */
export const requestCdopReportsAnswer = z.strictObject({
  items: z.array(fanOutItemSchema),
  ...caseViewShape,
});

// ---- The panel pack and the NCMD export ---------------------------------------------------------------------

/** `POST /v1/cdop/cases/{caseId}/pack`: what the case records of the pack just assembled. */
export const assemblePanelPackAnswer = z.strictObject({ pack: casePackSchema });

/** `GET /v1/cdop/cases/{caseId}/pack`: the pack itself (panel-pack.ts). */
export const getPanelPackAnswer = z.strictObject({ pack: panelPackSchema });

/** `GET /v1/cdop/cases/{caseId}/ncmd-export`: the export, in the shape of the version it names. */
export const exportCdopCaseAnswer = z.strictObject({ export: ncmdExportSchemas['2026'] });

// ---- Figures ------------------------------------------------------------------------------------------------

const figuresOf = <C extends z.ZodType>(cell: C) =>
  z.strictObject({
    notified: cell,
    reviewed: cell,
    closed: cell,
    withModifiableFactors: cell,
    byCategory: z.record(z.enum(deathCategoryCodes), cell),
  });

const annualFiguresOf = <C extends z.ZodType>(cell: C) => {
  const table = z.strictObject({
    period: z.strictObject({ label: z.string(), from: z.iso.date(), to: z.iso.date() }),
    rows: z.array(z.strictObject({ borough: registryId, figures: figuresOf(cell) })),
    total: figuresOf(cell),
  });
  return z.strictObject({ year: table, quarters: z.tuple([table, table, table, table]) });
};

const themeCodes = Object.keys(learningThemes) as [
  keyof typeof learningThemes,
  ...(keyof typeof learningThemes)[],
];

/** A count of 1 to 4 published as `<5`; `c` a cell suppressed so that no `<5` can be worked out (figures.ts). */
const publishedCell = z.union([z.number().int().min(0), z.literal('<5'), z.literal('c')]);

const learningThemesAnswer = z.array(
  z.strictObject({
    year: z.string().regex(/^\d{4}\/\d{2}$/),
    theme: z.enum(themeCodes),
    label: z.string(),
    cases: z.union([z.number().int().min(0), z.literal('<5')]),
  }),
);

/** `GET /v1/cdop/figures`: small numbers suppressed for publication, exact counts for internal use. */
export const getCdopFiguresAnswer = z.discriminatedUnion('for', [
  z.strictObject({
    for: z.literal('publication'),
    figures: annualFiguresOf(publishedCell),
    learningThemes: learningThemesAnswer,
  }),
  z.strictObject({
    for: z.literal('internal'),
    figures: annualFiguresOf(z.number().int().min(0)),
    learningThemes: learningThemesAnswer,
  }),
]);
