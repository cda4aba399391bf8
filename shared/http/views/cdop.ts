import * as z from 'zod';
import { deathCategoryCodes, learningThemes } from '../../domain/cdop/analysis.ts';
import type { AssembleCasePackResult } from '../../domain/cdop/assemble-pack.ts';
import {
  type CdopCase,
  caseIdSchema,
  casePackSchema,
  cdopCaseSchema,
  responsibleCdopSchema,
  timelineEntrySchema,
} from '../../domain/cdop/case.ts';
import type { CdopFiguresResult } from '../../domain/cdop/case-figures.ts';
import type { CloseCdopCaseResult } from '../../domain/cdop/close-case.ts';
import type { ExportCdopCaseResult } from '../../domain/cdop/export-case.ts';
import { agencySuggestionSchema } from '../../domain/cdop/fan-out.ts';
import type { FetchCasePackResult } from '../../domain/cdop/fetch-pack.ts';
import type { ListCdopCasesResult } from '../../domain/cdop/list-cases.ts';
import { ncmdExportSchemas } from '../../domain/cdop/ncmd-export.ts';
import { notificationSchemas } from '../../domain/cdop/notification.ts';
import type { OpenCdopCaseResult } from '../../domain/cdop/open-case.ts';
import { panelPackSchema } from '../../domain/cdop/panel-pack.ts';
import { askOutcomeSchema, type RequestCdopReportsResult } from '../../domain/cdop/request-reports.ts';
import type { ShowCdopCaseResult } from '../../domain/cdop/show-case.ts';
import {
  type AgencyReportStatus,
  agencyReportStatuses,
  agencyStatuses,
  caseTimeline,
  outstandingAcrossCases,
} from '../../domain/cdop/tracking.ts';
import { registryId } from '../../domain/registry/registry.ts';
import type { DataRequest } from '../../domain/requests/data-request.ts';

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
export const cdopCaseAnswer = z.strictObject(caseViewShape);

/** `POST /v1/cdop/cases`: the case opened (201), or the CDOP to notify instead (200). */
export const openCdopCaseAnswer = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('opened'), ...caseViewShape, suggestions }),
  z.strictObject({
    outcome: z.literal('notify-instead'),
    notifyInstead: responsibleCdopSchema,
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

/** `POST /v1/cdop/cases/{caseId}/requests`: each ask's outcome, and the case as it now is. */
export const requestCdopReportsAnswer = z.strictObject({
  items: z.array(askOutcomeSchema),
  ...caseViewShape,
});

// ---- The panel pack and the NCMD export ---------------------------------------------------------------------

/** `POST /v1/cdop/cases/{caseId}/pack`: what the case records of the pack just assembled. */
export const assemblePanelPackAnswer = z.strictObject({ pack: casePackSchema });

/** `GET /v1/cdop/cases/{caseId}/pack`: the pack itself (panel-pack.ts). */
export const panelPackAnswer = z.strictObject({ pack: panelPackSchema });

/** `GET /v1/cdop/cases/{caseId}/ncmd-export`: the export, in the shape of the version it names. */
export const ncmdExportAnswer = z.strictObject({ export: ncmdExportSchemas['2026'] });

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
export const cdopFiguresAnswer = z.discriminatedUnion('for', [
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

// ---- Answers of results ----------------------------------------------------------------------------------------

/**
 * A domain value typed with the answer schemas' mutable arrays (zod infers no `readonly`): the compiler still checks
 * every field of it against the schema; only `readonly` is taken off a value built for this answer.
 */
type Writable<T> = T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
const writable = <T>(value: T): Writable<T> => value as Writable<T>;

/** A case as the API shows it: the record, each agency's report status at `now`, and the timeline. */
const caseView = (c: CdopCase, requests: readonly DataRequest[], now: Date) => ({
  case: c,
  agencies: agencyStatuses(c, requests, now),
  timeline: caseTimeline(c, requests, now),
});

export const openCdopCaseAnswerOf = (
  result: OpenCdopCaseResult,
  now: Date,
): z.input<typeof openCdopCaseAnswer> =>
  result.kind === 'opened'
    ? { outcome: 'opened', ...caseView(result.case, [], now), suggestions: result.suggestions }
    : { outcome: 'notify-instead', notifyInstead: result.notifyInstead, reason: result.reason };

export const listCdopCasesAnswerOf = (
  { cases, requests }: ListCdopCasesResult,
  now: Date,
): z.input<typeof listCdopCasesAnswer> => ({
  cases: cases.map((c) => {
    const statuses = agencyStatuses(c, requests, now);
    const count = (status: AgencyReportStatus) => statuses.filter((s) => s.status === status).length;
    return {
      id: c.id,
      status: c.status,
      footprintId: c.footprintId,
      boroughOfResidence: c.notification.boroughOfResidence,
      dateOfDeath: c.notification.dateOfDeath,
      expected: c.notification.expected,
      createdAt: c.createdAt,
      agencies: statuses.length,
      answered: count('answered'),
      overdue: count('overdue'),
      declined: count('declined'),
      ...(c.closure === undefined ? {} : { closedAt: c.closure.closedAt }),
    };
  }),
  outstanding: writable(outstandingAcrossCases(cases, requests, now)),
});

export const getCdopCaseAnswerOf = (
  result: ShowCdopCaseResult,
  now: Date,
): z.input<typeof getCdopCaseAnswer> => ({
  ...caseView(result.case, result.requests, now),
  suggestions: writable(result.suggestions),
});

export const requestCdopReportsAnswerOf = (
  result: RequestCdopReportsResult,
  now: Date,
): z.input<typeof requestCdopReportsAnswer> => ({
  items: result.items,
  ...caseView(result.case, result.requests, now),
});

export const assemblePanelPackAnswerOf = (
  result: AssembleCasePackResult,
): z.input<typeof assemblePanelPackAnswer> => ({ pack: result.pack });

export const getPanelPackAnswerOf = (result: FetchCasePackResult): z.input<typeof panelPackAnswer> => ({
  pack: writable(result.pack),
});

export const closeCdopCaseAnswerOf = (
  result: CloseCdopCaseResult,
  now: Date,
): z.input<typeof cdopCaseAnswer> => caseView(result.case, result.requests, now);

export const exportCdopCaseAnswerOf = (result: ExportCdopCaseResult): z.input<typeof ncmdExportAnswer> => ({
  export: result.export,
});

export const getCdopFiguresAnswerOf = (result: CdopFiguresResult): z.input<typeof cdopFiguresAnswer> =>
  result.for === 'publication'
    ? {
        for: 'publication',
        figures: writable(result.figures),
        learningThemes: writable(result.learningThemes),
      }
    : { for: 'internal', figures: writable(result.figures), learningThemes: writable(result.learningThemes) };
