import * as z from 'zod';
import { purposeCodes } from '../agreements/catalogue.ts';
import { auditOutcomes } from '../audit/audit-entry.ts';
import { logCursorSchema } from '../audit/follow-log.ts';
import { requestStatuses } from '../requests/data-request.ts';

/**
 * The items of the IG projection (docs/IG.md "How the answers are kept"): what the projector (project.ts) folds the
 * sequenced audit log into, and the questions read. None holds personal data: requests appear by id, organisations
 * by registry id, and a child only as the pseudonymous subject reference its own entries already carry.
 */

/**
 * The aggregates, each kept per calendar month (UTC). The fold writes six kinds of rows:
 * - `month`: requests of one pair, purpose and footprint by month of submission (counts, exemptions, histograms;
 *   `owedOpened` and `owedClosed` count the times a request came to be owed, and stopped being owed: owedStatuses);
 * - `refusals`: engine refusals and declines of one pair, step and footprint by month of the refusal or decline;
 * - `review`: requests under an agreement version past its review date, accepted or refused, by month;
 * - `placement`: requests about children placed out of borough, by month of submission;
 * - `challenges`: challenges of requests' answers of one pair and footprint, by month of each step (raised, by
 *   ground; escalated; each stage's outcome; stages flagged overdue);
 * - `due`: owed requests of one pair and footprint by the day they are due (in the month of that day) and month of
 *   submission, counted `owedOpened` and `owedClosed` as `month` rows are: what falls due after a day, without
 *   reading the requests (outstanding.ts).
 *
 * And seven rollups of the `month` rows, at the grain the answers group by, so that an answer reads as many rows as
 * it has groups, however many requests the month held (rollups.ts derives them):
 * - `pair`: by requester and responder (the requests by pair, and the outcomes);
 * - `side`: by organisation as requester or as responder (the requests by organisation);
 * - `purpose`, `footprint`: by purpose or footprint, once for the whole partnership (viewer `*`) and once for each
 *   organisation a request concerns (viewer its requester, and its responder), so that an organisation's answer
 *   reads its own rows;
 * - `report`: by footprint and purpose (the PQA report);
 * - `consent`: the requests whose consent was not sought, by pair, purpose and footprint, counted by reason;
 * - `owed`: the requests owed, by pair and footprint (`owedOpened` less `owedClosed`: owedNow).
 * Rollups are never written as rows: they are made with each month's sheet, and from the rows written since when
 * a question reads them.
 */
export const foldedKinds = ['month', 'refusals', 'review', 'placement', 'challenges', 'due'] as const;
export type FoldedKind = (typeof foldedKinds)[number];
export const rollupKinds = ['pair', 'side', 'purpose', 'footprint', 'report', 'consent', 'owed'] as const;
export type RollupKind = (typeof rollupKinds)[number];
export const aggregateKinds = [...foldedKinds, ...rollupKinds] as const;
export type AggregateKind = (typeof aggregateKinds)[number];

/** Whether a kind is a rollup of the `month` rows. */
export const isRollupKind = (kind: AggregateKind): kind is RollupKind =>
  (rollupKinds as readonly string[]).includes(kind);

/** The fields that name each kind's rows, in key order (the item's sort key joins them with `#`). */
export const aggregateKeyFields = {
  month: ['requester', 'responder', 'purpose', 'footprint'],
  refusals: ['requester', 'responder', 'action', 'footprint'],
  review: ['agreementId', 'version', 'requester', 'responder', 'footprint'],
  placement: ['placingAuthority', 'hostAuthority', 'purpose', 'requester', 'responder', 'footprint'],
  challenges: ['requester', 'responder', 'footprint'],
  due: ['responder', 'requester', 'footprint', 'submitted', 'day'],
  pair: ['requester', 'responder'],
  side: ['organisation', 'side'],
  purpose: ['viewer', 'purpose'],
  footprint: ['viewer', 'footprint'],
  report: ['footprint', 'purpose'],
  consent: ['requester', 'responder', 'purpose', 'footprint'],
  owed: ['responder', 'requester', 'footprint'],
} as const satisfies Record<AggregateKind, readonly string[]>;

/** The viewer of the rollup rows kept for the whole partnership (the operator's and scrutineers' answers). */
export const everyone = '*';

/** A field an aggregate's row has no value for (a refusal that concerned no second organisation, say). */
export const noValue = '-';

/**
 * One aggregate row: its kind, month and naming fields, and its counts and histograms by name. Counts are named
 * by the counters of each kind (`submitted`, `refusal:AGREEMENT_NOT_FOUND`, `exemption:cannot-be-given`, …);
 * histograms (`response`, `outcome`) have one count per bucket of ig-terms.ts `histogramBucketHours`, and one more.
 */
export const aggregateSchema = z.object({
  kind: z.enum(aggregateKinds),
  month: z.string(),
  fields: z.record(z.string(), z.string()),
  counts: z.record(z.string(), z.number().int().min(0)),
  histograms: z.record(z.string(), z.array(z.number().int().min(0))),
});
export type Aggregate = z.infer<typeof aggregateSchema>;

/** The small state of one request the fold needs to place its later entries (no subject reference). */
export const requestStateSchema = z.object({
  id: z.string(),
  submittedAt: z.string(),
  month: z.string(),
  requester: z.string(),
  responder: z.string(),
  purpose: z.enum(purposeCodes),
  footprint: z.string(),
  dueAt: z.string(),
  placement: z.object({ placingAuthority: z.string(), hostAuthority: z.string() }).optional(),
  status: z.enum(requestStatuses),
  /** The time of its first outcome (decision, withdrawal or closure). */
  outcomeAt: z.string().optional(),
  decidedAt: z.string().optional(),
});
export type RequestState = z.infer<typeof requestStateSchema>;

/** A request the responder still owes (awaiting a decision, or approved and not released). */
export const openRequestSchema = z.object({
  requestId: z.string(),
  requester: z.string(),
  responder: z.string(),
  purpose: z.enum(purposeCodes),
  footprint: z.string(),
  month: z.string(),
  status: z.enum(requestStatuses),
  dueAt: z.string(),
});
export type OpenRequest = z.infer<typeof openRequestSchema>;

/** One entry that carried a subject reference, indexed under it. */
export const childEntrySchema = z.object({
  subjectRef: z.string(),
  index: z.number().int().min(0),
  time: z.string(),
  action: z.string(),
  outcome: z.enum(auditOutcomes),
  reasonCodes: z.array(z.string()),
  actor: z.object({
    organisationId: z.string().optional(),
    clientId: z.string().optional(),
    userId: z.string().optional(),
    role: z.string().optional(),
  }),
  target: z.object({ type: z.string(), id: z.string().optional() }).optional(),
  purpose: z.string().optional(),
  agreement: z.object({ id: z.string(), version: z.number().int().positive() }).optional(),
  parties: z.array(z.string()).optional(),
});
export type ChildEntryItem = z.infer<typeof childEntrySchema>;

/**
 * Where one month's aggregate rows stand (docs/IG.md "How the answers are kept"). Every so often the projector
 * folds a month's rows into a sheet: every row of every kind of that month, in a few large items, so a question
 * reads a year as a few dozen items rather than tens of thousands. `sheet` is the generation of the month's
 * current sheet (0: none yet); the rows written since are kept under that generation, each holding what was
 * added since the sheet, and `rows` counts them. A row's count is the sheet's plus its rows'.
 */
export const monthStateSchema = z.object({
  sheet: z.number().int().min(0),
  rows: z.number().int().min(0),
});
export type MonthState = z.infer<typeof monthStateSchema>;

/** A month with no sheet and no rows. */
export const emptyMonth: MonthState = { sheet: 0, rows: 0 };

/**
 * Where the projection stands: the next leaf index to fold, when a run last moved or confirmed it, and each
 * month's sheet generation and rows (absent: none).
 */
export const igCursorSchema = logCursorSchema.extend({
  months: z.record(z.string(), monthStateSchema).optional(),
});
export type IgCursor = z.infer<typeof igCursorSchema>;

/** How many requests a row counts as owed now: those that came to be owed less those that stopped. */
export const owedNow = (row: Pick<Aggregate, 'counts'>): number =>
  (row.counts.owedOpened ?? 0) - (row.counts.owedClosed ?? 0);

/** The key of an aggregate row: its kind, month and the values of its naming fields. */
export const aggregateKeyOf = (aggregate: Pick<Aggregate, 'kind' | 'month' | 'fields'>): string =>
  [
    aggregate.kind,
    aggregate.month,
    ...aggregateKeyFields[aggregate.kind].map((f) => aggregate.fields[f] ?? noValue),
  ].join('#');
