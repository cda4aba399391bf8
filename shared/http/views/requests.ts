import * as z from 'zod';
import { shareRequestSchema } from '../../domain/agreements/decide.ts';
import {
  type DataRequest,
  dataRequestBodySchema,
  dataRequestSchema,
  decisionOutcomes,
  isOverdue,
  requestDecisionSchema,
  requestStatuses,
  shareSchema,
} from '../../domain/requests/data-request.ts';
import type { Fetched } from '../../domain/requests/fetch-share.ts';
import type { RequestList } from '../../domain/requests/list-requests.ts';
import type { UploadStarted } from '../../domain/requests/start-upload.ts';
import { idFormats } from '../path-ids.ts';

/**
 * What the data request operations take and answer (shared/domain/requests/): bodies, queries, answer schemas, and
 * the mappers from each use case's typed result to its answer, which the compiler checks against the schema. The
 * views are built here, at the HTTP layer, never in the domain.
 */

// Answers.

export const requestViewSchema = dataRequestSchema.extend({
  overdue: z
    .boolean()
    .describe('past its due date and still owed: awaiting a decision, or approved and not released'),
});
export type RequestView = z.infer<typeof requestViewSchema>;

/** A request as the API shows it to its parties: the record, and whether it is overdue now. */
export const requestView = (request: DataRequest, now: Date): RequestView => ({
  ...request,
  overdue: isOverdue(request, now),
});

export const requestAnswer = z.object({ request: requestViewSchema });

/** The answer of every step whose result is the request's new state (submit, show, decide, release, withdraw). */
export const requestAnswerOf = (
  result: { readonly request: DataRequest },
  now: Date,
): z.input<typeof requestAnswer> => ({ request: requestView(result.request, now) });

export const requestListAnswer = z.object({
  requests: z.array(requestViewSchema),
  next: z.string().optional().describe('the `after` of the next page, while there is one'),
});

export const requestListAnswerOf = (result: RequestList, now: Date): z.input<typeof requestListAnswer> => ({
  requests: result.requests.map((request) => requestView(request, now)),
  ...(result.next === undefined ? {} : { next: result.next }),
});

export const uploadAnswer = z.object({
  upload: z.object({
    uploadId: z.string(),
    url: z.string().describe('presigned PUT URL; send the bytes with the content-type header below'),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
    expiresAt: z.string(),
  }),
});

export const uploadAnswerOf = ({ upload }: UploadStarted): z.input<typeof uploadAnswer> => ({
  upload: {
    uploadId: upload.uploadId,
    url: upload.url,
    method: 'PUT',
    headers: { 'content-type': upload.contentType },
    expiresAt: upload.expiresAt,
  },
});

export const fetchAnswer = z.object({
  grant: z.object({ url: z.string().describe('presigned GET URL'), expiresAt: z.string() }),
  share: shareSchema
    .pick({ sha256: true, size: true, contentType: true, dataCategories: true, expiresAt: true })
    .extend({ fetchCount: z.number().int(), maxFetches: z.number().int() }),
});

export const fetchAnswerOf = ({ grant, share }: Fetched): z.input<typeof fetchAnswer> => ({
  grant,
  share: {
    sha256: share.sha256,
    size: share.size,
    contentType: share.contentType,
    dataCategories: share.dataCategories,
    expiresAt: share.expiresAt,
    fetchCount: share.fetchCount,
    maxFetches: share.maxFetches,
  },
});

// Bodies and queries.

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
const contentType = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z]+\/[a-z0-9.+-]+(;.*)?$/i, 'a media type');

/** The submission of a request: the domain's own schema, the body calls are parsed with. */
export const submitRequestBody = dataRequestBodySchema;

export const listRequestsQuery = z.strictObject({
  box: z.enum(['inbox', 'outbox']).describe('requests the organisation received (inbox) or sent (outbox)'),
  status: z.enum(requestStatuses).optional(),
  dueBefore: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('only requests due before this ISO 8601 time'),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  after: idFormats.request.optional().describe("a previous page's `next`"),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, 'a positive decimal integer')
    .transform(Number)
    .refine((n) => n <= 100, '1 to 100')
    .optional()
    .describe('at most 100; 50 when omitted'),
});

export const decideRequestBody = z.strictObject({
  outcome: z.enum(decisionOutcomes),
  reasons: z.string().trim().min(1).max(4000).describe('why: a decision not to share is a record too'),
  reasonCodes: requestDecisionSchema.shape.reasonCodes.describe(
    'the coded grounds, which the audit log records (it holds the reasons only as their SHA-256)',
  ),
  withheld: requestDecisionSchema.shape.withheld.describe('for `partial` only: what is withheld'),
});

export const startUploadBody = z.strictObject({
  size: z.number().int().positive(),
  sha256: sha256Hex,
  contentType,
});

export const releaseShareBody = z.union([
  z.strictObject({
    content: z
      .base64()
      .describe('the payload, standard base64 (at most 768 KiB decoded: the signed body is at most 1 MiB)'),
    sha256: sha256Hex,
    contentType,
    dataCategories: shareRequestSchema.shape.dataCategories,
  }),
  z.strictObject({
    uploadId: z.string().length(26).describe('an upload started with POST /v1/requests/{requestId}/uploads'),
    dataCategories: shareRequestSchema.shape.dataCategories,
  }),
]);
