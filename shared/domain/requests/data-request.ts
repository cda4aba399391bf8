import { z } from 'zod';
import { dataCategoryCodes } from '../agreements/catalogue.ts';
import { shareRequestSchema } from '../agreements/decide.ts';
import { registryId, userId } from '../registry/registry.ts';
import { subjectReferenceSchema } from '../subjects/subject-reference.ts';

/**
 * A data request: one organisation asks another of its footprint for information about a child, under an
 * agreement and purpose. Its life:
 *
 *   submitted ──decide──> approved | partially-approved ──release──> released ──retention ends──> expired
 *        │                          declined
 *        └───────── withdrawn (from submitted, approved, partially-approved or released) ─────────┘
 *
 * A request is overdue while it is `submitted` after its due date. A decision not to share is a record too:
 * every decision carries its reasons.
 */

export const urgencies = ['immediate', 'urgent', 'routine'] as const;
export type Urgency = (typeof urgencies)[number];

export const requestStatuses = [
  'submitted',
  'approved',
  'partially-approved',
  'declined',
  'released',
  'expired',
  'withdrawn',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const decisionOutcomes = ['approve', 'partial', 'decline'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

/**
 * A pseudonymous subject reference (docs/SUBJECT-REFERENCES.md): never a raw identifier. The exchange checks its
 * shape only; it cannot compute or reverse one.
 */
export const subjectRefSchema = subjectReferenceSchema;

/** What `POST /v1/requests` carries: the share request the decision engine judges, and what the responder needs. */
export const dataRequestBodySchema = shareRequestSchema.extend({
  subjectRef: subjectRefSchema,
  urgency: z.enum(urgencies),
  justification: z.string().trim().min(1).max(4000),
});
export type DataRequestBody = z.infer<typeof dataRequestBodySchema>;

const instant = z.iso.datetime();

export const requestDecisionSchema = z.object({
  outcome: z.enum(decisionOutcomes),
  reasons: z.string().trim().min(1).max(4000),
  /** For `partial`: what is withheld (categories and/or a description), never the withheld data itself. */
  withheld: z
    .object({
      dataCategories: z.array(z.enum(dataCategoryCodes)).optional(),
      description: z.string().trim().min(1).max(2000).optional(),
    })
    .optional(),
  decidedBy: userId,
  decidedAt: instant,
});
export type RequestDecision = z.infer<typeof requestDecisionSchema>;

/** A released share: where its bytes are, what they are, how often they were fetched and until when they are kept. */
export const shareSchema = z.object({
  /** Server-generated S3 key; never chosen by a caller. */
  objectKey: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  contentType: z.string().min(1).max(200),
  dataCategories: z.array(z.enum(dataCategoryCodes)).min(1),
  releasedBy: userId,
  releasedAt: instant,
  /** The end of the agreement purpose's retention period: the sweeper deletes the bytes then. */
  expiresAt: instant,
  fetchCount: z.number().int().nonnegative(),
  maxFetches: z.number().int().positive(),
  lastFetchedAt: instant.optional(),
  deletedAt: instant.optional(),
});
export type Share = z.infer<typeof shareSchema>;

/** A large payload's pending upload: the object key the exchange chose and what the responder declared. */
export const pendingUploadSchema = z.object({
  uploadId: z.string().length(26),
  objectKey: z.string().min(1),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().min(1).max(200),
  expiresAt: instant,
});
export type PendingUpload = z.infer<typeof pendingUploadSchema>;

export const dataRequestSchema = z.object({
  id: z.string().length(26),
  status: z.enum(requestStatuses),
  requester: z.object({ organisationId: registryId, clientId: registryId, userId }),
  responderOrganisationId: registryId,
  agreement: z.object({ id: z.string().min(1), version: z.number().int().positive() }),
  purpose: shareRequestSchema.shape.purpose,
  dataCategories: shareRequestSchema.shape.dataCategories,
  lawfulBasis: shareRequestSchema.shape.lawfulBasis,
  consent: shareRequestSchema.shape.consent,
  subjectRef: subjectRefSchema,
  urgency: z.enum(urgencies),
  justification: z.string(),
  /** Unpadded base64url SHA-256 of the signed request that asked (its compact JWS). */
  requestHash: z.string(),
  submittedAt: instant,
  dueAt: instant,
  /** When the overdue event was sent (once). */
  overdueNotifiedAt: instant.optional(),
  decision: requestDecisionSchema.optional(),
  upload: pendingUploadSchema.optional(),
  share: shareSchema.optional(),
  withdrawnAt: instant.optional(),
  withdrawnBy: userId.optional(),
  /** Bumped by every change; a write is conditional on the revision the writer read. */
  revision: z.number().int().positive(),
});
export type DataRequest = z.infer<typeof dataRequestSchema>;

/** Whether the responder still owes an answer past its due date. */
export const isOverdue = (request: DataRequest, now: Date): boolean =>
  request.status === 'submitted' && now.getTime() > Date.parse(request.dueAt);
