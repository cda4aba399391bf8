import { z } from 'zod';
import {
  agreementContentSchema,
  agreementSchema,
  agreementVersionSchema,
} from '../domain/agreements/agreement.ts';
import { purposeCodes } from '../domain/agreements/catalogue.ts';
import { decisionReasonCodes, shareRequestSchema } from '../domain/agreements/decide.ts';
import { auditEntrySchema, auditOutcomes } from '../domain/audit/audit-entry.ts';
import { maxLeavesPerPage } from '../domain/audit/audit-proofs.ts';
import { maxSearchResultsPerPage } from '../domain/audit/search.ts';
import { exchangeEventSchema } from '../domain/events/exchange-event.ts';
import { maxEventsPerPage } from '../domain/events/list-events.ts';
import { clientKeySchema } from '../domain/registry/client-key.ts';
import { witnessName, witnessSchema } from '../domain/registry/witnesses.ts';
import { dataRequestBodySchema } from '../domain/requests/data-request.ts';
import { idFormats } from './path-ids.ts';
import {
  assemblePanelPackAnswer,
  closeCdopCaseAnswer,
  closeCdopCaseBody,
  exportCdopCaseAnswer,
  exportCdopCaseQuery,
  getCdopCaseAnswer,
  getCdopFiguresAnswer,
  getCdopFiguresQuery,
  getPanelPackAnswer,
  listCdopCasesAnswer,
  listCdopCasesQuery,
  openCdopCaseAnswer,
  openCdopCaseBody,
  requestCdopReportsAnswer,
  requestCdopReportsBody,
} from './views/cdop.ts';
import {
  decideRequestBody,
  fetchAnswerSchema,
  listRequestsQuery,
  releaseShareBody,
  requestAnswerSchema,
  requestListAnswerSchema,
  requestViewSchema,
  startUploadBody,
  uploadAnswerSchema,
} from './views/requests.ts';

/**
 * The bodies and answers of every route, by route id (functions/routes.ts). Handlers parse their request bodies
 * with the schemas here and the OpenAPI document (shared/http/openapi.ts) is generated from the same ones, so
 * what is documented is what is enforced.
 */

// Request bodies.

const addClientKeyBody = z.strictObject({
  jwk: z.unknown().describe('the public JWK (EC P-256 or OKP Ed25519) with its kid and alg'),
  notBefore: z.iso.datetime().optional(),
  notAfter: z.iso.datetime().optional(),
});

const createAgreementBody = z.strictObject({
  id: agreementSchema.shape.id.optional().describe('a stable id; generated when omitted'),
  content: agreementContentSchema,
});

const proposeVersionBody = z.strictObject({ content: agreementContentSchema });

const signVersionBody = z.strictObject({
  contentHash: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'unpadded base64url SHA-256')
    .describe("the version's canonical content hash, as the signer checked it"),
});

const standingChangeBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

// Answers.

export const errorBodySchema = z.object({
  error: z.string().describe('a stable SCREAMING_SNAKE code'),
  message: z.string(),
  details: z.array(z.string()).optional(),
});

export const agreementStandingSchema = z.object({
  state: z.enum(['in-force', 'not-active', 'suspended', 'revoked', 'expired', 'not-yet-valid']),
  /** The version that judges requests now (for not-yet-valid and expired, the one that would). */
  version: z.number().int().positive().optional(),
  reviewOverdue: z.boolean().optional(),
});

/** An agreement as the API shows it: its record, every version, and where it stands now. */
export const agreementViewSchema = agreementSchema.extend({
  versions: z.array(agreementVersionSchema),
  standing: agreementStandingSchema,
});
export type AgreementView = z.infer<typeof agreementViewSchema>;

export const decisionSchema = z.object({
  decision: z.enum(['permit', 'deny']),
  reasons: z.array(z.object({ code: z.enum(decisionReasonCodes), message: z.string() })),
  agreement: z.object({ id: z.string(), version: z.number().int().positive() }).optional(),
  reviewOverdue: z.boolean().optional(),
});

const agreementAnswer = z.object({ agreement: agreementViewSchema });

// The audit log (docs/ARCHITECTURE.md "The Merkle log"). Hashes are standard base64 of 32 bytes.

/** A tree size or leaf index in a query string: canonical decimal, as a safe integer. */
const treeNumber = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,15})$/, 'a non-negative decimal integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'at most 2^53 - 1');
const base64Hash = z.string().describe('standard base64 of a 32-byte SHA-256 hash');

export const inclusionProofQuery = z.strictObject({
  index: treeNumber.describe('the leaf index'),
  size: treeNumber.optional().describe("the tree size; the latest checkpoint's when omitted"),
});
export const consistencyProofQuery = z.strictObject({
  from: treeNumber.describe('the older tree size'),
  to: treeNumber.optional().describe("the newer tree size; the latest checkpoint's when omitted"),
});
export const auditCheckpointQuery = z.strictObject({
  size: treeNumber
    .optional()
    .describe('the tree size of an earlier published checkpoint; the latest when omitted'),
});
export const auditEvidenceQuery = z.strictObject({
  size: treeNumber.optional().describe("the published checkpoint's tree size; the latest when omitted"),
  from: treeNumber.optional().describe('the first leaf index of the range; 0 when omitted'),
  to: treeNumber.optional().describe('the end of the range (exclusive); the size when omitted'),
  cursor: treeNumber
    .optional()
    .describe("the first leaf of this page (a previous page's `next`); `from` when omitted"),
});
export const auditLeavesQuery = z.strictObject({
  from: treeNumber.optional().describe('the first leaf index; 0 when omitted'),
  limit: treeNumber
    .refine((n) => n >= 1 && n <= maxLeavesPerPage, `1 to ${maxLeavesPerPage}`)
    .optional()
    .describe(`at most ${maxLeavesPerPage}; 100 when omitted`),
});

const isoTime = z.iso.datetime({ offset: true });
export const auditSearchQuery = z.strictObject({
  // Every filter but the subject reference is recorded in the search's entry: each must be well formed, never any
  // text a caller typed (issue 12 finding 7).
  organisation: idFormats.organisation
    .optional()
    .describe('entries where this organisation acted or was the target'),
  from: isoTime.optional().describe('entries at or after this ISO 8601 time'),
  to: isoTime.optional().describe('entries before this ISO 8601 time'),
  subjectRef: z.string().min(1).optional().describe('the pseudonymous subject reference'),
  action: auditEntrySchema.shape.action.optional(),
  outcome: z.enum(auditOutcomes).optional(),
  agreementId: idFormats.agreement.optional(),
  purpose: z.enum(purposeCodes).optional(),
  cursor: treeNumber
    .optional()
    .describe("the leaf index to search from (a previous page's `next`); 0 when omitted"),
  limit: treeNumber
    .refine((n) => n >= 1 && n <= maxSearchResultsPerPage, `1 to ${maxSearchResultsPerPage}`)
    .optional()
    .describe(`the most entries per page, at most ${maxSearchResultsPerPage}; 100 when omitted`),
});
export const auditSearchAnswerSchema = z.union([
  z.object({
    entries: z.array(z.object({ index: z.number().int().nonnegative(), entry: auditEntrySchema })),
    next: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('the `cursor` of the next page, while the search goes on (a page may hold no entries)'),
  }),
  z.object({
    counts: z
      .array(
        z.object({
          action: z.string(),
          outcome: z.enum(auditOutcomes),
          count: z.union([z.number().int().positive(), z.literal('<5')]),
        }),
      )
      .describe('for scrutineers: counts by action and outcome, numbers under 5 given as "<5"'),
  }),
]);

export const auditCheckpointSchema = z.object({
  note: z.string().describe('the C2SP signed note (tlog-checkpoint text and signature lines)'),
  size: z.number().int().nonnegative(),
  rootHash: base64Hash,
  origin: z.string().describe('the log origin, `<exchangeId>/audit`'),
  cosignatures: z
    .array(
      z.object({
        name: z.string().describe("the witness key name of one of the note's cosignature lines"),
        witnessKey: z.string().describe('the verifier key the line verified with when it was stored'),
        recordedAt: z.iso.datetime(),
      }),
    )
    .optional()
    .describe('the witnesses whose cosignature lines the note carries (their keys are not yet registered)'),
});

/** A witness's cosignature of a published checkpoint (c2sp.org/tlog-cosignature). */
export const cosignCheckpointBody = z.strictObject({
  note: z
    .string()
    .min(1)
    .max(16_384)
    .describe("the exchange's checkpoint note with the witness's line added"),
  witnessKey: z
    .string()
    .min(1)
    .max(1024)
    .describe("the witness's note verifier key (name+hash+base64), to check its line with"),
});
export const registerWitnessBody = z.strictObject({
  name: witnessName.describe('the witness key name, the name in its cosignature lines'),
  verifierKey: witnessSchema.shape.verifierKey.describe(
    "the witness's note verifier key (name+hash+base64), of that name",
  ),
});
export const witnessAnswer = z.object({ witness: witnessSchema });
export const witnessListSchema = z.object({ witnesses: z.array(witnessSchema) });
export const cosignCheckpointAnswer = z.object({
  size: z.number().int().nonnegative(),
  rootHash: base64Hash,
  witness: z.string(),
  witnessKey: z.string(),
});
export const inclusionProofSchema = z.object({
  index: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  leafHash: base64Hash,
  proof: z.array(base64Hash).describe('RFC 9162 section 2.1.3 audit path, leaf to root'),
});
export const consistencyProofSchema = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  proof: z.array(base64Hash).describe('RFC 9162 section 2.1.4 consistency proof'),
});
/** A leaf as the caller's scope sees it (docs/AUDIT.md "Who may see an audit entry"). */
const auditLeafViewSchema = z.object({
  index: z.number().int().nonnegative(),
  leafHash: base64Hash.describe('SHA-256(0x00 || canonical JSON of entry), RFC 6962 section 2.1'),
  entry: auditEntrySchema
    .optional()
    .describe("the entry, when it concerns the caller's organisation (or the caller is the operator)"),
});
export const auditLeavesSchema = z.object({
  leaves: z.array(auditLeafViewSchema),
  next: z.number().int().positive().optional().describe('the `from` of the next page, while there is one'),
});
export const auditEvidenceSchema = z.object({
  checkpoint: auditCheckpointSchema.describe('the published checkpoint of the size asked for, as archived'),
  from: z.number().int().nonnegative(),
  to: z.number().int().positive(),
  boundary: z
    .array(base64Hash)
    .describe('the perfect subtrees outside [from, to), left to right (docs/AUDIT.md "Evidence packs")'),
  leaves: z.array(auditLeafViewSchema).describe('from `cursor` on, in index order'),
  next: z.number().int().positive().optional().describe('the `cursor` of the next page, while there is one'),
});
const versionAnswer = z.object({ version: agreementVersionSchema });

// The event feed (events/README.md): each organisation's domain events, oldest first.

export const listEventsQuery = z.strictObject({
  after: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'an event id (ULID)')
    .optional()
    .describe(
      "events after this id (a previous page's `next`, or the last id seen); from the oldest when omitted",
    ),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, 'a positive decimal integer')
    .transform(Number)
    .refine((n) => n <= maxEventsPerPage, `1 to ${maxEventsPerPage}`)
    .optional()
    .describe(`the most events per page, at most ${maxEventsPerPage}; 50 when omitted`),
});
export const eventFeedSchema = z.object({
  events: z.array(exchangeEventSchema),
  next: z
    .string()
    .optional()
    .describe('the `after` of the next page, while there may be one (a page may then hold fewer events)'),
});

/** Schemas published by name under `components.schemas`; every other schema is inlined where it is used. */
export const namedSchemas = {
  DataRequest: requestViewSchema,
  DataRequestSubmission: dataRequestBodySchema,
  Error: errorBodySchema,
  AgreementContent: agreementContentSchema,
  AgreementVersion: agreementVersionSchema,
  AgreementStanding: agreementStandingSchema,
  Agreement: agreementViewSchema,
  ShareRequest: shareRequestSchema,
  Decision: decisionSchema,
  AgreementAnswer: agreementAnswer,
  AgreementVersionAnswer: versionAnswer,
  ClientKey: clientKeySchema,
  AddClientKeyRequest: addClientKeyBody,
  CreateAgreementRequest: createAgreementBody,
  ProposeAgreementVersionRequest: proposeVersionBody,
  SignAgreementVersionRequest: signVersionBody,
  AgreementStandingChangeRequest: standingChangeBody,
  AuditEntry: auditEntrySchema,
  AuditCheckpoint: auditCheckpointSchema,
  InclusionProof: inclusionProofSchema,
  ConsistencyProof: consistencyProofSchema,
  AuditLeaves: auditLeavesSchema,
  AuditEvidence: auditEvidenceSchema,
  AuditSearchAnswer: auditSearchAnswerSchema,
  ExchangeEvent: exchangeEventSchema,
  EventFeed: eventFeedSchema,
} as const satisfies Record<string, z.ZodType>;

export type ApiOperation = {
  readonly summary: string;
  readonly status: 200 | 201;
  /** The request body, parsed by the handler with this very schema. */
  readonly body?: z.ZodType;
  /** The query parameters, parsed by the handler with this very schema (every value a string). */
  readonly query?: z.ZodObject;
  /** The success answer, when it has a fixed shape. */
  readonly answer?: z.ZodType;
};

/** One entry per route of functions/routes.ts; the OpenAPI builder refuses a route without one. */
export const apiOperations = {
  GetHealth: { summary: 'Whether the exchange and its stores answer', status: 200 },
  GetDiscovery: { summary: 'The exchange id and signing protocol parameters', status: 200 },
  GetRegistry: { summary: 'Organisations, footprints, clients and their public keys', status: 200 },
  GetOpenApi: { summary: 'This document', status: 200 },
  GetWhoami: { summary: 'Who the exchange takes the caller to be', status: 200 },
  ListClientKeys: {
    summary: "A client's keys",
    status: 200,
    answer: z.object({ keys: z.array(clientKeySchema) }),
  },
  AddClientKey: {
    summary: 'Registers a public key for a client (rotation)',
    status: 201,
    body: addClientKeyBody,
    answer: z.object({ key: clientKeySchema }),
  },
  RevokeClientKey: {
    summary: "Revokes a client's key",
    status: 200,
    answer: z.object({ key: clientKeySchema }),
  },
  CreateAgreement: {
    summary: 'Drafts an information-sharing agreement as version 1, awaiting every party’s signature',
    status: 201,
    body: createAgreementBody,
    answer: agreementAnswer,
  },
  ListAgreements: {
    summary: 'Every agreement with its versions and standing',
    status: 200,
    answer: z.object({ agreements: z.array(agreementViewSchema) }),
  },
  GetAgreement: {
    summary: 'One agreement with every version and its standing',
    status: 200,
    answer: agreementAnswer,
  },
  ProposeAgreementVersion: {
    summary: 'Proposes a new version; the version in force stays in force until every party signs this one',
    status: 201,
    body: proposeVersionBody,
    answer: versionAnswer,
  },
  SignAgreementVersion: {
    summary: "Signs a version's content hash for the caller's organisation (IG lead or Caldicott guardian)",
    status: 201,
    body: signVersionBody,
    answer: versionAnswer,
  },
  SuspendAgreement: {
    summary: 'Suspends an agreement: requests under it are refused until it is resumed',
    status: 200,
    body: standingChangeBody,
    answer: agreementAnswer,
  },
  ResumeAgreement: {
    summary: 'Lifts a suspension',
    status: 200,
    body: standingChangeBody,
    answer: agreementAnswer,
  },
  RevokeAgreement: {
    summary: 'Revokes an agreement, finally',
    status: 200,
    body: standingChangeBody,
    answer: agreementAnswer,
  },
  EvaluateDecision: {
    summary: 'Dry run: whether a share request would be permitted, with every reason against (audited)',
    status: 200,
    body: shareRequestSchema,
    answer: decisionSchema,
  },
  GetAuditCheckpoint: {
    summary:
      "The audit log's latest signed checkpoint, or an earlier one by size (IG lead, Caldicott guardian, DPO or " +
      'operator)',
    status: 200,
    query: auditCheckpointQuery,
    answer: auditCheckpointSchema,
  },
  GetInclusionProof: {
    summary: 'An inclusion proof of one audit log leaf against a tree size',
    status: 200,
    query: inclusionProofQuery,
    answer: inclusionProofSchema,
  },
  GetConsistencyProof: {
    summary: 'A consistency proof between two tree sizes of the audit log',
    status: 200,
    query: consistencyProofQuery,
    answer: consistencyProofSchema,
  },
  CosignAuditCheckpoint: {
    summary:
      "Stores a registered witness's cosignature of a published checkpoint (an IG lead of the witness's organisation)",
    status: 201,
    body: cosignCheckpointBody,
    answer: cosignCheckpointAnswer,
  },
  RegisterAuditWitness: {
    summary:
      "Registers the caller's organisation's witness of the audit log: its name and verifier key (IG lead)",
    status: 201,
    body: registerWitnessBody,
    answer: witnessAnswer,
  },
  ListAuditWitnesses: {
    summary: 'The registered witnesses of the audit log, with their organisations and keys (audit readers)',
    status: 200,
    answer: witnessListSchema,
  },
  ListAuditLeaves: {
    summary: 'Sequenced audit entries with their leaf hashes, paginated (audited as an export)',
    status: 200,
    query: auditLeavesQuery,
    answer: auditLeavesSchema,
  },
  GetAuditEvidence: {
    summary:
      'One page of evidence against a published checkpoint: the caller’s entries in full, others as leaf hashes, ' +
      'and the subtree hashes around the range (audited as an export, once per page)',
    status: 200,
    query: auditEvidenceQuery,
    answer: auditEvidenceSchema,
  },
  SearchAudit: {
    summary:
      'Searches the sequenced audit log: IG lead, Caldicott guardian or DPO (their organisation), operator (all), ' +
      'scrutineer (suppressed counts only); audited',
    status: 200,
    query: auditSearchQuery,
    answer: auditSearchAnswerSchema,
  },
  ListEvents: {
    summary: "The caller's organisation's domain events, oldest first, after a cursor (events/README.md)",
    status: 200,
    query: listEventsQuery,
    answer: eventFeedSchema,
  },
  SubmitRequest: {
    summary:
      'Asks another organisation for information about a child; judged by the decision engine (403 with every ' +
      'reason when refused). Idempotency-Key makes retries safe.',
    status: 201,
    body: dataRequestBodySchema,
    answer: requestAnswerSchema,
  },
  ListRequests: {
    summary: "The caller's organisation's inbox or outbox, newest first, filtered (audited)",
    status: 200,
    query: listRequestsQuery,
    answer: requestListAnswerSchema,
  },
  GetRequest: {
    summary: 'One request, for its requester and responder only (audited)',
    status: 200,
    answer: requestAnswerSchema,
  },
  DecideRequest: {
    summary: "The responder's decision: approve, partial (saying what is withheld) or decline, with reasons",
    status: 200,
    body: decideRequestBody,
    answer: requestAnswerSchema,
  },
  StartShareUpload: {
    summary: 'A presigned upload URL for a large payload, to a key the exchange chooses',
    status: 201,
    body: startUploadBody,
    answer: uploadAnswerSchema,
  },
  ReleaseShare: {
    summary: 'Releases the payload of an approved request, inline or from an upload; SHA-256 checked',
    status: 200,
    body: releaseShareBody,
    answer: requestAnswerSchema,
  },
  FetchShare: {
    summary: 'A short-lived grant to download a released share (requester only; counted and audited)',
    status: 200,
    answer: fetchAnswerSchema,
  },
  WithdrawRequest: {
    summary: 'The requester withdraws a request; a released share is deleted',
    status: 200,
    answer: requestAnswerSchema,
  },
  OpenCdopCase: {
    summary:
      "A CDOP manager or coordinator opens a case on notification of a child's death (201); a child resident in " +
      "another CDOP's area is passed on to that CDOP instead (200, outcome notify-instead)",
    status: 201,
    body: openCdopCaseBody,
    answer: openCdopCaseAnswer,
  },
  ListCdopCases: {
    summary: "The caller's CDOP's cases, and who is outstanding across its open cases (audited)",
    status: 200,
    query: listCdopCasesQuery,
    answer: listCdopCasesAnswer,
  },
  GetCdopCase: {
    summary:
      'One case: each agency asked with its report status, the timeline and the agencies to ask (audited)',
    status: 200,
    answer: getCdopCaseAnswer,
  },
  RequestCdopReports: {
    summary:
      "Asks agencies for their reports: a data request to each under the CDOP's child death review agreement; " +
      'each refusal names its reasons and the agreement needed. Idempotency-Key makes retries safe.',
    status: 200,
    body: requestCdopReportsBody,
    answer: requestCdopReportsAnswer,
  },
  AssemblePanelPack: {
    summary: 'Assembles the panel pack from the reports received, identifying parts left out (case runners)',
    status: 201,
    answer: assemblePanelPackAnswer,
  },
  GetPanelPack: {
    summary: "The latest panel pack, for the CDOP's panel members only (every fetch audited)",
    status: 200,
    answer: getPanelPackAnswer,
  },
  CloseCdopCase: {
    summary:
      "Closes a case with the panel's analysis (category of death, modifiable factors, learning themes)",
    status: 200,
    body: closeCdopCaseBody,
    answer: closeCdopCaseAnswer,
  },
  ExportCdopCase: {
    summary: 'A closed case in the shape of the national child mortality database forms, versioned (audited)',
    status: 200,
    query: exportCdopCaseQuery,
    answer: exportCdopCaseAnswer,
  },
  GetCdopFigures: {
    summary:
      "The CDOP's figures for a financial year and its quarters by borough of residence, small numbers suppressed " +
      'for publication, and de-identified learning themes for a neighbouring CDOP (audited)',
    status: 200,
    query: getCdopFiguresQuery,
    answer: getCdopFiguresAnswer,
  },
} as const satisfies Record<string, ApiOperation>;
