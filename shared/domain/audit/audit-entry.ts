import { createHash } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { ulid } from '../ids.ts';

/**
 * One audit entry per action, allowed, refused or failed. It says who did what to which target, with which
 * outcome and why, under which agreement and lawful basis. It never carries payload data: a subject appears
 * only as its pseudonymous reference, a request only as the hash of its signed bytes.
 */
export const auditOutcomes = ['allowed', 'refused', 'failed'] as const;

/** A hex SHA-256, as the log keeps hashes. */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** The hex SHA-256 of a text as UTF-8: what the log holds of free text and of ids that are not well formed. */
export const textSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const auditActorSchema = z.object({
  /** `client` for a signed caller, `system` for the exchange itself (seeding, sweepers), `anonymous` otherwise. */
  kind: z.enum(['client', 'system', 'anonymous']),
  clientId: z.string().optional(),
  userId: z.string().optional(),
  organisationId: z.string().optional(),
  role: z.string().optional(),
  /** For a refused request: the client the token claimed to be, which the exchange could not confirm. */
  claimedClientId: z.string().optional(),
  /** For a refused request: the key (`kid`) the token named, so a key reported lost can be seen tried again. */
  claimedKeyId: z.string().optional(),
});

export const auditEntrySchema = z.object({
  id: z.string().length(26),
  time: z.iso.datetime(),
  actor: auditActorSchema,
  /** dotted, past-tense-free verb phrase: `registry.organisation.register`, `request.authenticate`. */
  action: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/),
  /**
   * What the action was on. An id the caller sent that is not well formed is never recorded verbatim (it could be
   * any text, a name or an NHS number): the target then holds only `malformedIdSha256`, the hex SHA-256 of it.
   */
  target: z
    .object({
      type: z.string().min(1),
      id: z.string().min(1).optional(),
      malformedIdSha256: sha256Hex.optional(),
    })
    .refine((t) => (t.id === undefined) !== (t.malformedIdSha256 === undefined), {
      message: 'a target has an id or the SHA-256 of a malformed one, not both',
    })
    .optional(),
  outcome: z.enum(auditOutcomes),
  reasonCodes: z.array(z.string()),
  agreement: z.object({ id: z.string(), version: z.number().int().positive() }).optional(),
  /**
   * The standing of the agreement when the action was judged (`in-force`, `suspended`, `revoked`, `expired`,
   * `not-active`, `not-yet-valid`), for actions taken under an agreement.
   */
  agreementStanding: z.string().optional(),
  /** Present (true) when the agreement version in force was past its review date: flagged, not refused. */
  reviewOverdue: z.literal(true).optional(),
  purpose: z.string().optional(),
  lawfulBasis: z.array(z.string()).optional(),
  consentState: z.string().optional(),
  /** The DPA 2018 Sch 1 para 18(2) exemption code, when consent was refused or not sought. */
  consentExemption: z.string().optional(),
  /**
   * For an entry that records a decision on a request: its outcome (`approve`, `partial`, `decline`), the
   * coded reasons given, and the data categories withheld.
   */
  decision: z
    .object({
      outcome: z.string().min(1),
      reasonCodes: z.array(z.string()).optional(),
      withheldCategories: z.array(z.string()).optional(),
    })
    .optional(),
  /**
   * Free text stays in the record, never in the log: the log holds the hex SHA-256 of each text by field name
   * (`justification`, `rationale`, `reasons`, `reason`), so the record can be shown to be the one that was logged.
   */
  textSha256: z.record(z.string(), sha256Hex).optional(),
  /**
   * For an entry that records a step of a challenge of a request's answer: which challenge and stage, what it
   * disputes, the role that answers the stage, the coded reasons and, once recorded, the stage's outcome.
   */
  challenge: z
    .object({
      n: z.number().int().min(1),
      stage: z.number().int().min(1),
      ground: z.string().min(1),
      role: z.string().min(1),
      reasonCodes: z.array(z.string()),
      outcome: z.string().min(1).optional(),
    })
    .optional(),
  subjectRef: z.string().optional(),
  /**
   * For a listing (`request.list`): the subject references of the page it showed (at most 100), so that the IG
   * question `child` can count the listings that touched a child. Pseudonymous, as `subjectRef` is.
   */
  subjectRefs: z.array(z.string()).optional(),
  /** For an accepted `request.submit`: the date the responder owes an answer by. */
  dueAt: z.iso.datetime().optional(),
  /** For a request about a child placed out of borough: the placing and the host authority (registry ids). */
  placement: z.object({ placingAuthority: z.string(), hostAuthority: z.string() }).optional(),
  dataCategories: z.array(z.string()).optional(),
  /** Unpadded base64url SHA-256 of the signed request (its compact JWS), binding the entry to what was asked. */
  requestHash: z.string().optional(),
  /**
   * The API Gateway request id of the answer this entry records (the `apigw-requestid` response header), binding
   * the entry to exactly one answer: every answered request has one entry with its id. Absent for actions outside
   * a request (seeding, schedules). Part of the leaf like every other field.
   */
  requestId: z.string().min(1).optional(),
  /** For `audit.search`: the filter's non-personal fields (a subject reference only as `given`). */
  search: z.record(z.string(), z.string()).optional(),
  /**
   * The organisations an action concerns beside its actor (a data request's requester and responder), so each
   * one's IG lead finds it in a scoped search.
   */
  parties: z.array(z.string()).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditActor = z.infer<typeof auditActorSchema>;

export type AuditFacts = Omit<AuditEntry, 'id' | 'time' | 'reasonCodes'> & {
  reasonCodes?: readonly string[];
};

export const systemActor: AuditActor = { kind: 'system' };

/**
 * Stamps an entry with its time and a time-ordered unique id (ULID). Ids order entries for reading; the audit
 * log's own sequence (its Merkle leaf index) is assigned when entries are sequenced into the log. The facts are
 * typed; the store that writes the entry checks it against the schema once, at that boundary (`appendAudit`).
 */
export const newAuditEntry = (facts: AuditFacts, now: Date): AuditEntry =>
  // Object.assign rather than spread: every answer makes an entry, and V8 spreads a fresh object into a literal
  // ten times more slowly (`npm run bench:auth`).
  Object.assign({}, facts, {
    reasonCodes: [...(facts.reasonCodes ?? [])],
    id: ulid(now.getTime()),
    time: now.toISOString(),
  });

/**
 * The bytes of an entry as a Merkle leaf: its canonical JSON (UTF-8). Anyone holding an exported entry recomputes
 * them, so the leaf hash binds every field of the entry.
 */
export const auditLeafData = (entry: AuditEntry): Uint8Array =>
  new TextEncoder().encode(canonicalJson(auditEntrySchema.parse(entry)));

/**
 * What a use case's result says of the audit log: the entries it committed for the call it answered (its state
 * change's entry, an audited read's entry). None for a read that audits nothing itself: its answer is then audited
 * by the operation (shared/http/operation-handler.ts). A value in the result, never a count kept on the side.
 */
export type Audited = { readonly audited: readonly AuditEntry[] };
