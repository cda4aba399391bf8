import * as z from 'zod';
import { dataCategoryCodes } from '../agreements/catalogue.ts';
import { shareRequestSchema } from '../agreements/decide.ts';
import { challengeSchema } from '../challenges/challenge.ts';
import { distinctList, isDistinct, maxFreeTextLength } from '../input-limits.ts';
import { registryId, userId } from '../registry/registry.ts';
import { subjectReferenceSchema } from '../subjects/subject-reference.ts';

/**
 * A data request: one organisation asks another of its footprint for information about a child, under an
 * agreement and purpose. Its life:
 *
 *   submitted ──decide──> approved | partially-approved ──release──> released ──retention ends──> expired
 *        │                          declined
 *        ├───────── withdrawn (from submitted, approved, partially-approved or released) ─────────┤
 *        └───────── closed (the same, when the agreement is revoked: the sweeper closes them) ────┘
 *
 * A request is overdue while the responder still owes it after its due date: `submitted`, or approved and not yet
 * released. A decision not to share is a record too: every decision carries its reasons.
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
  'closed',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const decisionOutcomes = ['approve', 'partial', 'decline'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

/**
 * The coded grounds a responder may give with a decision, beside its reasons in words, so that the audit log (which
 * holds the words only as their hash) shows why: held and needed; not held, or the child not identified; not
 * necessary or not proportionate for the purpose; or a DPA 2018 Schedule 2 restriction: prejudice to the prevention
 * or detection of crime (para 2), serious harm (Sch 3 paras 5, 7 and 12: health, social work, education data),
 * third-party information (para 16), legal professional privilege (para 19).
 */
export const requestDecisionReasonCodes = [
  'HELD_AND_NECESSARY',
  'NOT_HELD',
  'SUBJECT_NOT_IDENTIFIED',
  'NOT_NECESSARY',
  'NOT_PROPORTIONATE',
  'PREJUDICE_TO_CRIME_PREVENTION',
  'RISK_OF_SERIOUS_HARM',
  'THIRD_PARTY_INFORMATION',
  'LEGAL_PRIVILEGE',
  'OTHER',
] as const;

/** Why a request was closed without its parties: its agreement was revoked. */
export const closureReasons = ['agreement-revoked'] as const;

/**
 * A pseudonymous subject reference (docs/SUBJECT-REFERENCES.md): never a raw identifier. The exchange checks its
 * shape only; it cannot compute or reverse one.
 */
export const subjectRefSchema = subjectReferenceSchema;

/**
 * For a request about a child placed out of borough: the authority that placed the child and the one hosting the
 * placement (registry ids), so the IG question `placements` can follow such flows.
 */
export const placementSchema = z.strictObject({
  placingAuthority: registryId,
  hostAuthority: registryId,
});
export type Placement = z.infer<typeof placementSchema>;

/** What `POST /v1/requests` carries: the share request the decision engine judges, and what the responder needs. */
export const dataRequestBodySchema = shareRequestSchema.extend({
  subjectRef: subjectRefSchema,
  urgency: z.enum(urgencies),
  justification: z.string().trim().min(1).max(maxFreeTextLength),
  placement: placementSchema.optional(),
});
export type DataRequestBody = z.infer<typeof dataRequestBodySchema>;

const instant = z.iso.datetime();

export const requestDecisionSchema = z.object({
  outcome: z.enum(decisionOutcomes),
  reasons: z.string().trim().min(1).max(4000),
  reasonCodes: z
    .array(z.enum(requestDecisionReasonCodes))
    .min(1)
    .max(requestDecisionReasonCodes.length)
    .refine(isDistinct, 'reason codes repeat')
    .optional(),
  /** For `partial`: what is withheld (categories and/or a description), never the withheld data itself. */
  withheld: z
    .strictObject({
      dataCategories: distinctList(
        z.enum(dataCategoryCodes),
        dataCategoryCodes.length,
        'data categories',
      ).optional(),
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
  /** For a child placed out of borough: the placing and the host authority, as the requester stated them. */
  placement: placementSchema.optional(),
  /** The agreement version it was accepted under was past its review date then (flagged, not refused). */
  reviewOverdue: z.literal(true).optional(),
  /** When the overdue event was sent (once). */
  overdueNotifiedAt: instant.optional(),
  decision: requestDecisionSchema.optional(),
  upload: pendingUploadSchema.optional(),
  share: shareSchema.optional(),
  withdrawnAt: instant.optional(),
  withdrawnBy: userId.optional(),
  /** Set when the exchange closed the request (status `closed`): when, and why. */
  closed: z.object({ at: instant, reason: z.enum(closureReasons) }).optional(),
  /**
   * The CDOP case that asked, for a request sent by a child death review case (shared/domain/cdop): the link is
   * structured, never recovered from the justification's words.
   */
  cdopCase: z.object({ caseId: z.string().length(26) }).optional(),
  /** The requester's challenges of its answers, oldest first (shared/domain/challenges/challenge.ts). */
  challenges: z.array(challengeSchema).optional(),
  /** Bumped by every change; a write is conditional on the revision the writer read. */
  revision: z.number().int().positive(),
});
export type DataRequest = z.infer<typeof dataRequestSchema>;

/** The states in which the responder still owes the requester something: a decision, or the approved release. */
export const owedStatuses: readonly RequestStatus[] = ['submitted', 'approved', 'partially-approved'];

/** Whether the responder still owes an answer (a decision or, once approved, the release) past its due date. */
export const isOverdue = (request: DataRequest, now: Date): boolean =>
  owedStatuses.includes(request.status) && now.getTime() > Date.parse(request.dueAt);

/** Whether a request is still open: work may follow (a decision, a release, a fetch) until it ends. */
export const isOpen = (request: DataRequest): boolean =>
  owedStatuses.includes(request.status) || request.status === 'released';
