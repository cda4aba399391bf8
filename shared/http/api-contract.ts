import * as z from 'zod';
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
import { clientKeySchema, publicJwkSchema, signingAlgorithms } from '../domain/registry/client-key.ts';
import { keyRevocationReasons } from '../domain/registry/manage-client-keys.ts';
import {
  clientSchema,
  footprintSchema,
  organisationKinds,
  organisationSchema,
} from '../domain/registry/registry.ts';
import { witnessName, witnessSchema } from '../domain/registry/witnesses.ts';
import { dataRequestBodySchema } from '../domain/requests/data-request.ts';
import { idFormats } from './path-ids.ts';
import { requestViewSchema } from './views/requests.ts';

/**
 * The bodies, queries and answers of the operations (shared/http/operations.ts names which is whose; the CDOP ones
 * are in views/cdop.ts). Calls are parsed with these very schemas, answers are typed by them and the OpenAPI
 * document (shared/http/openapi.ts) is generated from them, so what is documented is what is enforced.
 */

// Public information and the caller.

export const healthAnswer = z.object({
  status: z.literal('ok'),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

export const discoveryAnswer = z.object({
  exchangeId: z.string(),
  authorizationScheme: z.string(),
  tokenType: z.string(),
  algorithms: z.array(z.enum(signingAlgorithms)),
  maxLifetimeSeconds: z.number().int().positive(),
  maxClockSkewSeconds: z.number().int().nonnegative(),
  maxAuthorizationBytes: z.number().int().positive(),
  maxSignedBodyBytes: z.number().int().positive(),
  registry: z.string(),
  protocol: z.string(),
  audit: z.object({
    origin: z.string().describe('the log origin, `<exchangeId>/audit`'),
    checkpointKey: z.string().describe("the checkpoints' note verifier key"),
  }),
});

const publishedKeySchema = clientKeySchema
  .pick({ kid: true, alg: true, status: true, notBefore: true, notAfter: true })
  .extend({ jwk: publicJwkSchema });

export const publishedRegistryAnswer = z.object({
  exchange: z.object({ id: z.string(), algorithms: z.array(z.enum(signingAlgorithms)) }),
  organisations: z.array(organisationSchema),
  footprints: z.array(footprintSchema),
  clients: z.array(clientSchema.extend({ keys: z.array(publishedKeySchema) })),
});

export const openApiAnswer = z.record(z.string(), z.unknown()).describe('an OpenAPI 3.1 document');

export const whoamiAnswer = z.object({
  client: z.object({ id: z.string(), name: z.string() }),
  organisation: z.object({ id: z.string(), name: z.string(), kind: z.enum(organisationKinds) }),
  user: z.object({ id: z.string(), displayName: z.string(), roles: z.array(z.string()) }).nullable(),
  key: z.object({ kid: z.string(), alg: z.enum(signingAlgorithms) }),
});

export const clientKeysAnswer = z.object({ keys: z.array(clientKeySchema) });
export const clientKeyAnswer = z.object({ key: clientKeySchema });
/** Why a key is revoked: `lost` or `compromised` has the exchange watch for the key being tried again. */
export const revokeClientKeyQuery = z.object({ reason: z.enum(keyRevocationReasons).optional() });

// Request bodies.

export const addClientKeyBody = z.strictObject({
  jwk: z.unknown().describe('the public JWK (EC P-256 or OKP Ed25519) with its kid and alg'),
  notBefore: z.iso.datetime().optional(),
  notAfter: z.iso.datetime().optional(),
});

export const createAgreementBody = z.strictObject({
  id: agreementSchema.shape.id.optional().describe('a stable id; generated when omitted'),
  content: agreementContentSchema,
});

export const proposeVersionBody = z.strictObject({ content: agreementContentSchema });

export const signVersionBody = z.strictObject({
  contentHash: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'unpadded base64url SHA-256')
    .describe("the version's canonical content hash, as the signer checked it"),
});

export const standingChangeBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

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

export const agreementAnswer = z.object({ agreement: agreementViewSchema });
export const agreementListAnswer = z.object({ agreements: z.array(agreementViewSchema) });

/** The share request a dry run judges. */
export const evaluateDecisionBody = shareRequestSchema;

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
export const versionAnswer = z.object({ version: agreementVersionSchema });

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
