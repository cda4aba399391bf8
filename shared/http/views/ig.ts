import * as z from 'zod';
import { consentExemptions, purposeCodes } from '../../domain/agreements/catalogue.ts';
import { auditOutcomes } from '../../domain/audit/audit-entry.ts';
import type {
  ChallengesAnswer,
  ChildAnswer,
  ConsentNotSoughtAnswer,
  DisclosureAnswer,
  OutcomesAnswer,
  OutstandingAnswer,
  PastReviewAnswer,
  PlacementsAnswer,
  RefusalsAnswer,
  ReportAnswer,
  RequestsAnswer,
} from '../../domain/ig/answers.ts';
import {
  beyondLastBucket,
  histogramBucketHours,
  listedPerResponder,
  monthPattern,
  quarterPattern,
} from '../../domain/ig/ig-terms.ts';
import type { ListedRestriction } from '../../domain/ig/list-restrictions.ts';
import { childEntrySchema } from '../../domain/ig/projection-items.ts';
import {
  endDate,
  type Restriction,
  restrictionInForce,
  restrictionReasonCodes,
} from '../../domain/ig/restriction.ts';
import { registryId } from '../../domain/registry/registry.ts';
import { requestStatuses } from '../../domain/requests/data-request.ts';
import { subjectReferenceSchema } from '../../domain/subjects/subject-reference.ts';

/**
 * The IG questions' queries and answers (`GET /v1/ig/*`, docs/IG.md). Every answer comes from the IG projection of
 * the sequenced audit log (shared/domain/ig/), says how fresh it is (`asOf`), whose rows it holds (`scope`) and the
 * months it covers, and is a list of rows of labelled numbers: one row a line of a table or a point of a chart.
 * Answers are strict objects, so a field added without saying so here fails the check of every real answer.
 */

// ---- Queries --------------------------------------------------------------------------------------------------

const month = z.string().regex(monthPattern, 'a month, YYYY-MM');
const quarter = z.string().regex(quarterPattern, 'a quarter, YYYYQn');

/** The months a question covers, both included, in UTC; the twelve months to the current one by default. */
const periodQuery = {
  from: month
    .optional()
    .describe('the first month (YYYY-MM, UTC), included; 11 months before `to` by default'),
  to: month.optional().describe('the last month (YYYY-MM, UTC), included; the current month by default'),
};

/** The query of every question but `child` and `report`. */
export const igPeriodQuery = z.strictObject(periodQuery);

export const requestGroupings = ['purpose', 'footprint', 'organisation', 'pair'] as const;
export const requestPeriods = ['month', 'quarter'] as const;

export const igRequestsQuery = z.strictObject({
  ...periodQuery,
  by: z.enum(requestPeriods).optional().describe('one row per month (the default) or per quarter'),
  group: z
    .enum(requestGroupings)
    .optional()
    .describe(
      'rows by purpose, footprint, organisation (once as requester, once as responder) or requester and ' +
        'responder pair (the default)',
    ),
});

/** `outstanding` covers every open request unless a period of submission is given. */
export const igOutstandingQuery = z.strictObject({
  from: month.optional().describe('only requests submitted in or after this month (YYYY-MM, UTC)'),
  to: month.optional().describe('only requests submitted in or before this month (YYYY-MM, UTC)'),
});

/** The most subject references one `child` question takes: one per footprint the asker works in. */
export const maxChildReferences = 10;

export const igChildQuery = z.strictObject({
  subjectRef: z
    .string()
    .min(1)
    .transform((value) => value.split(','))
    .pipe(z.array(subjectReferenceSchema).min(1).max(maxChildReferences))
    .describe(
      `the child's subject reference in each footprint (repeated, or separated by commas; at most ` +
        `${maxChildReferences}): the client derives them from the NHS number locally, which is never sent`,
    ),
});

export const igReportQuery = z.strictObject({
  quarter: quarter.describe('the quarter, e.g. 2026Q3 (July to September)'),
  footprint: registryId.describe('the footprint (partnership) the report covers'),
});

// ---- Parts of every answer ------------------------------------------------------------------------------------

/** A count: exact, or `<5` for 1 to 4 where the scope is counts only (and everywhere in the PQA report). */
export const igCount = z.union([z.number().int().min(0), z.literal('<5')]);

/** A share of a whole, 0 to 1; null when there is nothing to divide (or, under counts, too few to say). */
const rate = z.number().min(0).max(1).nullable();

/**
 * A percentile of a time, read from a histogram as the upper bound in hours of the bucket it falls in ("within 24
 * hours"), `>720` for the open last bucket; null when no time was recorded. The buckets are
 * {1, 4, 8, 24, 48, 72, 120, 168, 336, 720} hours and more.
 */
const withinHours = z
  .union([z.literal(histogramBucketHours), z.literal(beyondLastBucket)])
  .nullable()
  .describe(
    'the upper bound in hours of the histogram bucket the percentile falls in, or ">720"; null if none',
  );

/** Median and 90th percentile of a time, each to the bucket of the histogram (see `withinHours`). */
const timings = z.strictObject({ median: withinHours, p90: withinHours });

/** How fresh an answer is: the projection has folded in the log's leaves below `leaves`, as of `time`. */
export const igAsOf = z
  .strictObject({
    leaves: z.number().int().min(0).describe('the count of audit log leaves the answer includes'),
    time: z.iso
      .datetime()
      .nullable()
      .describe('when the projection last ran over the log; null before it first ran'),
  })
  .describe('the answer trails the log by the sequencer and projector intervals (docs/IG.md)');

/** Whose rows the answer holds: every organisation's, the asker's organisation's, or suppressed counts only. */
export const igScopes = ['all', 'organisation', 'counts'] as const;

const answerShape = {
  asOf: igAsOf,
  scope: z.enum(igScopes),
  /** For the `organisation` scope: the organisation whose rows these are (as requester or responder). */
  organisationId: registryId.optional(),
};

const periodShape = { ...answerShape, period: z.strictObject({ from: month, to: month }) };

/** The requester and responder of a row: the pair of organisations a count is about. */
const pair = { requester: registryId, responder: registryId };

// ---- child ----------------------------------------------------------------------------------------------------

/** One audit entry that carries one of the child's subject references, as the projection indexed it. */
export const igChildEntrySchema = z.strictObject({
  ...childEntrySchema.shape,
  subjectRef: subjectReferenceSchema,
  index: childEntrySchema.shape.index.describe('the leaf index: the entry and its proof are at this index'),
  time: z.iso.datetime(),
  restriction: z
    .strictObject({
      id: z.string(),
      organisationId: registryId,
      reasonCode: z.enum(restrictionReasonCodes),
      until: endDate,
    })
    .optional()
    .describe('the restriction in force on the entry now: it is withheld from subject access reports'),
});

/** `GET /v1/ig/child`: every entry that touched the child, oldest first; counts by action only under counts. */
export const igChildAnswer = z.strictObject({
  ...answerShape,
  references: z.number().int().min(1).describe('how many subject references were asked about'),
  entries: z
    .array(igChildEntrySchema)
    .optional()
    .describe('absent under the counts scope; oldest first, at most 2,000'),
  truncated: z.boolean().describe('more entries exist than the answer holds'),
  counts: z
    .array(z.strictObject({ action: z.string(), outcome: z.enum(auditOutcomes), count: igCount }))
    .describe('the entries by action and outcome'),
});

// ---- subject access: the disclosure and restrictions --------------------------------------------------------

/** `GET /v1/ig/child/disclosure`: the child's entries fit to disclose, restricted ones withheld and counted. */
export const igDisclosureAnswer = z.strictObject({
  ...answerShape,
  references: z.number().int().min(1).describe('how many subject references were asked about'),
  at: z.iso.datetime().describe('the time of the report: restrictions in force then are withheld'),
  entries: z
    .array(igChildEntrySchema.omit({ restriction: true }))
    .describe('the entries disclosed, oldest first, at most 2,000'),
  withheld: z
    .number()
    .int()
    .min(0)
    .describe('how many entries were withheld under a restriction (never which, or why)'),
  truncated: z.boolean().describe('more entries exist than the report holds'),
  counts: z
    .array(z.strictObject({ action: z.string(), outcome: z.enum(auditOutcomes), count: igCount }))
    .describe('the entries disclosed by action and outcome'),
});

/** The most characters of a reason in words (a restriction's, or a lift's). */
export const maxRestrictionReason = 2000;
const reasonText = z.string().trim().min(1).max(maxRestrictionReason);

/** `POST /v1/ig/restrictions`: restrict an entry concerning the caller's organisation from subject access reports. */
export const igRestrictBody = z.strictObject({
  index: z.number().int().min(0).describe('the leaf index of the entry, as the child answer gives it'),
  reasonCode: z.enum(restrictionReasonCodes).describe('the DPA 2018 Schedule 2 exemption relied on, coded'),
  reason: reasonText.describe('the reason in words: kept with the restriction, its SHA-256 alone in the log'),
  until: endDate.describe('the end date (YYYY-MM-DD, UTC, today or later): the restriction holds to its end'),
});

/** `POST /v1/ig/restrictions/{restrictionId}/lift`: lift a restriction before its end date. */
export const igLiftRestrictionBody = z.strictObject({
  reason: reasonText.describe(
    'why it is lifted early: kept with the restriction, its SHA-256 alone in the log',
  ),
});

export const igRestrictionSchema = z.strictObject({
  id: z.string(),
  organisationId: registryId,
  index: z.number().int().min(0),
  subjectRefs: z.array(subjectReferenceSchema).min(1),
  reasonCode: z.enum(restrictionReasonCodes),
  reason: z.string(),
  until: endDate,
  createdAt: z.iso.datetime(),
  createdBy: z.strictObject({ userId: z.string(), role: z.string().optional() }),
  state: z.enum(['restricted', 'lifted']),
  lifted: z.strictObject({ at: z.iso.datetime(), userId: z.string(), reason: z.string() }).optional(),
  inForce: z.boolean().describe('whether it withholds its entry now: not lifted, and its end date not over'),
});

export const igRestrictionAnswer = z.strictObject({ restriction: igRestrictionSchema });
export const igRestrictionListAnswer = z.strictObject({
  restrictions: z.array(igRestrictionSchema).describe("the organisation's restrictions, newest first"),
});

// ---- requests -------------------------------------------------------------------------------------------------

/** The counts of requests a row of `requests` holds (month of submission). */
const requestCounts = {
  submitted: igCount.describe('requests accepted'),
  refused: igCount.describe('submissions the decision engine refused'),
  approved: igCount,
  partial: igCount,
  declined: igCount,
  released: igCount,
  withdrawn: igCount,
  closed: igCount.describe('closed by the exchange when their agreement was revoked'),
};

export const igRequestsRowSchema = z.strictObject({
  period: z.string().describe('the month (YYYY-MM) or quarter (YYYYQn)'),
  label: z.string().describe('what the row is of, in words fit for a table heading or a chart series'),
  purpose: z.enum(purposeCodes).optional(),
  footprint: registryId.optional(),
  organisation: registryId.optional(),
  side: z.enum(['requester', 'responder']).optional().describe('for rows by organisation: as which party'),
  requester: registryId.optional(),
  responder: registryId.optional(),
  ...requestCounts,
  approvalRate: rate.describe('(approved + partial) / (approved + partial + declined)'),
  responseTime: timings.describe('submission to decision'),
});

/** `GET /v1/ig/requests`. */
export const igRequestsAnswer = z.strictObject({
  ...periodShape,
  by: z.enum(requestPeriods),
  group: z.enum(requestGroupings),
  rows: z.array(igRequestsRowSchema),
});

// ---- refusals, without-agreement, cross-footprint ----------------------------------------------------------

/** Refusals (by the engine) or declines (by people) of one pair, action and reason code over the period. */
export const igRefusalRowSchema = z.strictObject({
  requester: registryId,
  responder: registryId.optional().describe('absent when the refused call concerned no second organisation'),
  kind: z.enum(['refusal', 'decline']),
  action: z.string().describe('the step refused, e.g. request.submit; request.decide for declines'),
  reasonCode: z.string(),
  count: igCount,
});

const reasonTotal = z.strictObject({
  kind: z.enum(['refusal', 'decline']),
  reasonCode: z.string(),
  count: igCount,
});

/** `GET /v1/ig/refusals`, `/v1/ig/without-agreement` and `/v1/ig/cross-footprint`: rows and totals by reason. */
export const igRefusalsAnswer = z.strictObject({
  ...periodShape,
  rows: z.array(igRefusalRowSchema),
  totals: z.array(reasonTotal).describe('every row of a reason code added up'),
});

// ---- past-review ----------------------------------------------------------------------------------------------

export const igPastReviewRowSchema = z.strictObject({
  agreementId: z.string(),
  version: z.number().int().positive(),
  ...pair,
  accepted: igCount.describe('requests accepted while the version was past its review date (flagged)'),
  refused: igCount.describe('requests refused AGREEMENT_REVIEW_OVERDUE'),
});

/** `GET /v1/ig/past-review`. */
export const igPastReviewAnswer = z.strictObject({ ...periodShape, rows: z.array(igPastReviewRowSchema) });

// ---- consent-not-sought ---------------------------------------------------------------------------------------

export const igConsentRowSchema = z.strictObject({
  ...pair,
  purpose: z.enum(purposeCodes),
  footprint: registryId,
  exemption: z.enum(consentExemptions).describe('the DPA 2018 Sch 1 para 18(2) reason'),
  count: igCount,
});

/** `GET /v1/ig/consent-not-sought`: accepted requests where consent was not sought, by reason. */
export const igConsentNotSoughtAnswer = z.strictObject({
  ...periodShape,
  rows: z.array(igConsentRowSchema),
  totals: z.array(z.strictObject({ exemption: z.enum(consentExemptions), count: igCount })),
});

// ---- placements -----------------------------------------------------------------------------------------------

export const igPlacementRowSchema = z.strictObject({
  placingAuthority: registryId,
  hostAuthority: registryId,
  ...pair,
  purpose: z.enum(purposeCodes),
  submitted: igCount,
  approved: igCount,
  partial: igCount,
  declined: igCount,
  released: igCount,
});

/** `GET /v1/ig/placements`: requests about children placed out of borough. */
export const igPlacementsAnswer = z.strictObject({ ...periodShape, rows: z.array(igPlacementRowSchema) });

// ---- challenges -----------------------------------------------------------------------------------------------

export const igChallengesRowSchema = z.strictObject({
  month,
  ...pair,
  raised: igCount.describe('challenges raised in the month'),
  escalated: igCount.describe('challenges escalated a stage further'),
  upheld: igCount.describe('stages whose outcome was that the answer stands'),
  overturned: igCount.describe('stages that overturned the answer with a new decision'),
  resolvedOtherwise: igCount,
  overdue: igCount.describe('stages flagged past their due date without an outcome'),
});

/** `GET /v1/ig/challenges`: challenges of requests' answers and their outcomes, by pair and month. */
export const igChallengesAnswer = z.strictObject({ ...periodShape, rows: z.array(igChallengesRowSchema) });

// ---- outcomes -------------------------------------------------------------------------------------------------

export const igOutcomesRowSchema = z.strictObject({
  ...pair,
  submitted: igCount,
  withOutcome: igCount.describe('decided, withdrawn or closed'),
  open: igCount.describe('without an outcome yet'),
  approved: igCount,
  partial: igCount,
  declined: igCount,
  withdrawn: igCount,
  closed: igCount,
  outcomeRate: rate.describe('withOutcome / submitted'),
  timeToOutcome: timings.describe('submission to its first outcome'),
});

/** `GET /v1/ig/outcomes`: for requests submitted in the period, by pair. */
export const igOutcomesAnswer = z.strictObject({ ...periodShape, rows: z.array(igOutcomesRowSchema) });

// ---- outstanding ----------------------------------------------------------------------------------------------

export const igOpenRequestSchema = z.strictObject({
  requestId: z.string().length(26),
  requester: registryId,
  purpose: z.enum(purposeCodes),
  status: z.enum(requestStatuses),
  dueAt: z.iso.datetime(),
  overdue: z.boolean(),
  daysOverdue: z.number().int().min(0),
});

export const igOutstandingRowSchema = z.strictObject({
  responder: registryId,
  open: igCount.describe('owed: awaiting a decision, or approved and not released'),
  overdue: igCount.describe('open and past the due date now'),
  maxDaysOverdue: z.number().int().min(0).nullable().describe('null under counts'),
  requests: z
    .array(igOpenRequestSchema)
    .max(listedPerResponder)
    .optional()
    .describe(
      `absent under counts; the most overdue first, at most ${listedPerResponder} (\`open\` counts them all)`,
    ),
});

/** `GET /v1/ig/outstanding`: what each responder owes now, whenever it was asked. */
export const igOutstandingAnswer = z.strictObject({
  ...answerShape,
  period: z
    .strictObject({ from: month.optional(), to: month.optional() })
    .optional()
    .describe('the months of submission asked for; absent when every open request is counted'),
  now: z.iso.datetime().describe('the time overdue is judged at'),
  rows: z.array(igOutstandingRowSchema),
});

// ---- report ---------------------------------------------------------------------------------------------------

const codeCounts = z.array(z.strictObject({ reasonCode: z.string(), count: igCount }));

/** `GET /v1/ig/report`: the PQA quarterly indicators for a whole footprint, every count under 5 suppressed. */
export const igReportAnswer = z.strictObject({
  asOf: igAsOf,
  quarter,
  footprint: registryId,
  period: z.strictObject({ from: month, to: month }),
  requests: z.strictObject({
    ...requestCounts,
    approvalRate: rate,
    responseTime: timings,
  }),
  byPurpose: z.array(
    z.strictObject({ purpose: z.enum(purposeCodes), submitted: igCount, approvalRate: rate }),
  ),
  refusals: codeCounts.describe('engine refusals by reason code'),
  declines: codeCounts.describe('declines by the decision reason code'),
  pastReview: z.strictObject({ accepted: igCount, refused: igCount }),
  withoutAgreement: codeCounts,
  crossFootprint: codeCounts,
  consentNotSought: z.array(z.strictObject({ exemption: z.enum(consentExemptions), count: igCount })),
  placements: z.strictObject({ submitted: igCount }),
  challenges: z
    .strictObject({
      raised: igCount,
      escalated: igCount,
      upheld: igCount,
      overturned: igCount,
      resolvedOtherwise: igCount,
    })
    .describe("challenges of answers in the quarter and their stages' outcomes"),
  outcomes: z.strictObject({
    submitted: igCount,
    withOutcome: igCount,
    open: igCount,
    outcomeRate: rate,
    timeToOutcome: timings,
  }),
  outstanding: z.strictObject({ open: igCount, overdue: igCount }),
});

// ---- Answers of results ----------------------------------------------------------------------------------------

/**
 * A domain value typed with the answer schemas' mutable arrays (zod infers no `readonly`): the compiler still checks
 * every field of it against the schema; only `readonly` is taken off.
 */
type Writable<T> = T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
const writable = <T>(value: T): Writable<T> => value as Writable<T>;

export const igChildAnswerOf = (a: ChildAnswer): z.input<typeof igChildAnswer> => writable(a);
export const igRequestsAnswerOf = (a: RequestsAnswer): z.input<typeof igRequestsAnswer> => writable(a);
export const igRefusalsAnswerOf = (a: RefusalsAnswer): z.input<typeof igRefusalsAnswer> => writable(a);
export const igPastReviewAnswerOf = (a: PastReviewAnswer): z.input<typeof igPastReviewAnswer> => writable(a);
export const igConsentNotSoughtAnswerOf = (
  a: ConsentNotSoughtAnswer,
): z.input<typeof igConsentNotSoughtAnswer> => writable(a);
export const igPlacementsAnswerOf = (a: PlacementsAnswer): z.input<typeof igPlacementsAnswer> => writable(a);
export const igChallengesAnswerOf = (a: ChallengesAnswer): z.input<typeof igChallengesAnswer> => writable(a);
export const igOutcomesAnswerOf = (a: OutcomesAnswer): z.input<typeof igOutcomesAnswer> => writable(a);
export const igOutstandingAnswerOf = (a: OutstandingAnswer): z.input<typeof igOutstandingAnswer> =>
  writable(a);
export const igReportAnswerOf = (a: ReportAnswer): z.input<typeof igReportAnswer> => writable(a);

export const igDisclosureAnswerOf = (a: DisclosureAnswer): z.input<typeof igDisclosureAnswer> => writable(a);
export const igRestrictionAnswerOf = (r: Restriction, now: Date): z.input<typeof igRestrictionAnswer> => ({
  restriction: { ...writable(r), inForce: restrictionInForce(r, now) },
});
export const igRestrictionListAnswerOf = (
  restrictions: readonly ListedRestriction[],
): z.input<typeof igRestrictionListAnswer> => ({ restrictions: writable(restrictions) });

export type IgChildAnswer = z.input<typeof igChildAnswer>;
export type IgDisclosureAnswer = z.input<typeof igDisclosureAnswer>;
export type IgRestriction = z.input<typeof igRestrictionSchema>;
export type IgRequestsAnswer = z.input<typeof igRequestsAnswer>;
export type IgRefusalsAnswer = z.input<typeof igRefusalsAnswer>;
export type IgPastReviewAnswer = z.input<typeof igPastReviewAnswer>;
export type IgConsentNotSoughtAnswer = z.input<typeof igConsentNotSoughtAnswer>;
export type IgPlacementsAnswer = z.input<typeof igPlacementsAnswer>;
export type IgChallengesAnswer = z.input<typeof igChallengesAnswer>;
export type IgOutcomesAnswer = z.input<typeof igOutcomesAnswer>;
export type IgOutstandingAnswer = z.input<typeof igOutstandingAnswer>;
export type IgReportAnswer = z.input<typeof igReportAnswer>;

export { listedPerResponder };
