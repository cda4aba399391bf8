import { createHash } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { distinctList, isDistinct, maxFreeTextLength, maxLabelLength } from '../input-limits.ts';
import { isoDate, registryId, userId, userRoles } from '../registry/registry.ts';
import {
  consentRules,
  dataCategoryCodes,
  lawfulBasisCodes,
  pairingProblems,
  purposeCodes,
  purposes,
} from './catalogue.ts';

export const agreementPurposeSchema = z.strictObject({
  code: z.enum(purposeCodes),
  description: z.string().min(1).max(maxFreeTextLength),
  dataCategories: distinctList(z.enum(dataCategoryCodes), dataCategoryCodes.length, 'data categories'),
  lawfulBasis: distinctList(z.enum(lawfulBasisCodes), lawfulBasisCodes.length, 'lawful bases'),
  consentRule: z.enum(consentRules),
  rolesAllowedToRequest: distinctList(z.enum(userRoles), userRoles.length, 'roles'),
  rolesAllowedToAnswer: distinctList(z.enum(userRoles), userRoles.length, 'roles'),
  /** How long released data is kept before the exchange deletes it. */
  retentionDays: z.number().int().min(1).max(36_500),
  /**
   * Hours the responder has to answer a request, by urgency (calendar hours; no bank-holiday calendar yet).
   * When absent, the exchange's defaults apply (shared/domain/requests/lifecycle.ts).
   */
  responseHours: z
    .strictObject({
      immediate: z.number().int().min(1).max(8_760),
      urgent: z.number().int().min(1).max(8_760),
      routine: z.number().int().min(1).max(8_760),
    })
    .optional(),
});
export type AgreementPurpose = z.infer<typeof agreementPurposeSchema>;

/**
 * Who, at the responder, answers a challenge of a decision or of a late answer (docs/REQUESTS.md, "Challenge and
 * escalation"): one stage after another, each a role of the responder's users and the days it has to record an
 * outcome. A requester who disagrees with a stage's outcome, or has none by its due date, escalates to the next.
 * When an agreement names none, `defaultEscalation` applies (shared/domain/challenges/challenge.ts).
 */
export const escalationSchema = z.strictObject({
  stages: z
    .array(z.strictObject({ role: z.enum(userRoles), days: z.number().int().min(1).max(90) }))
    .min(1)
    .max(5),
});
export type Escalation = z.infer<typeof escalationSchema>;

/** More parties than any footprint has members: an agreement is signed by each, one request at a time. */
const maxParties = 100;

/**
 * The content of one version of an information-sharing agreement: what the parties sign. The pairing rules are
 * part of its validity: an agreement cannot record a purpose whose lawful bases do not cover its data categories.
 */
export const agreementContentSchema = z
  .strictObject({
    title: z.string().min(1).max(maxLabelLength),
    parties: z
      .array(registryId)
      .min(2)
      .max(maxParties)
      .refine(isDistinct, 'parties repeat')
      .meta({ uniqueItems: true }),
    footprintId: registryId,
    purposes: z
      .array(agreementPurposeSchema)
      .min(1)
      .max(purposeCodes.length)
      .refine((ps) => isDistinct(ps.map((p) => p.code)), 'a purpose appears twice'),
    validFrom: isoDate,
    validTo: isoDate.optional(),
    reviewDate: isoDate,
    /** Whether requests are refused once the review date has passed (otherwise they are only flagged). */
    blockWhenReviewOverdue: z.boolean(),
    dpiaReference: z.string().min(1).max(maxLabelLength),
    appropriatePolicyDocument: z.string().min(1).max(maxLabelLength).optional(),
    /** The stages of a challenge at the responder; the documented default when absent. */
    escalation: escalationSchema.optional(),
  })
  .superRefine((content, ctx) => {
    if (content.validTo !== undefined && content.validTo < content.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validTo is before validFrom' });
    }
    content.purposes.forEach((purpose, i) => {
      for (const problem of pairingProblems(
        purpose.dataCategories,
        purpose.lawfulBasis,
        content.appropriatePolicyDocument,
      )) {
        ctx.addIssue({ code: 'custom', path: ['purposes', i, 'lawfulBasis'], message: problem });
      }
    });
  });
export type AgreementContent = z.infer<typeof agreementContentSchema>;

export const agreementSignatureSchema = z.object({
  organisationId: registryId,
  userId,
  role: z.enum(['ig-lead', 'caldicott-guardian']),
  clientId: registryId,
  contentHash: z.string(),
  signedAt: z.iso.datetime(),
  /** Hash of the signed API request that carried the signature: the signer's non-repudiable record. */
  requestHash: z.string(),
});
export type AgreementSignature = z.infer<typeof agreementSignatureSchema>;

export const agreementVersionSchema = z.object({
  agreementId: z.string(),
  version: z.number().int().positive(),
  content: agreementContentSchema,
  contentHash: z.string(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  signatures: z.array(agreementSignatureSchema),
  /** Set when the last party signed: from then on this version is in force (within its validity dates). */
  activatedAt: z.iso.datetime().optional(),
});
export type AgreementVersion = z.infer<typeof agreementVersionSchema>;

const lifecycleEventSchema = z.object({ at: z.iso.datetime(), by: z.string(), reason: z.string().min(1) });

/** An agreement's id, as the exchange mints or a creator chooses it: checked wherever one is sent. */
export const agreementId = z.string().regex(/^isa-[a-z0-9-]{3,60}$/, 'isa- and 3 to 60 of a-z 0-9 -');

export const agreementSchema = z.object({
  id: agreementId,
  latestVersion: z.number().int().positive(),
  suspended: lifecycleEventSchema.optional(),
  revoked: lifecycleEventSchema.optional(),
});
export type Agreement = z.infer<typeof agreementSchema>;

/** An agreement with every version, as the decision engine and the API read it. */
export type AgreementRecord = Agreement & { readonly versions: readonly AgreementVersion[] };

/** What a party signs: the SHA-256 of the version's canonical content, unpadded base64url. */
export const contentHashOf = (content: AgreementContent): string =>
  createHash('sha256').update(canonicalJson(content)).digest('base64url');

/** The footprint kinds a purpose may be agreed across; an agreement's footprint must be one of them. */
export const footprintKindsFor = (code: AgreementPurpose['code']): readonly string[] =>
  purposes[code].footprintKinds;

export type AgreementStanding =
  | { readonly state: 'in-force'; readonly version: AgreementVersion; readonly reviewOverdue: boolean }
  | {
      readonly state: 'not-active' | 'suspended' | 'revoked' | 'expired' | 'not-yet-valid';
      readonly version?: AgreementVersion;
    };

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The version that judges a request arriving at `now`: the latest version that every party had signed by then and
 * whose validity has begun. A newer version waiting for signatures, or signed but not yet started, leaves the older
 * one in force, so a change never opens a gap. Suspension and revocation cover the whole agreement.
 */
export const standingOf = (agreement: AgreementRecord, now: Date): AgreementStanding => {
  if (agreement.revoked !== undefined && Date.parse(agreement.revoked.at) <= now.getTime())
    return { state: 'revoked' };
  if (agreement.suspended !== undefined && Date.parse(agreement.suspended.at) <= now.getTime()) {
    return { state: 'suspended' };
  }
  const signed = [...agreement.versions]
    .filter((v) => v.activatedAt !== undefined && Date.parse(v.activatedAt) <= now.getTime())
    .sort((a, b) => b.version - a.version);
  const day = dayOf(now);
  const version = signed.find((v) => v.content.validFrom <= day);
  if (version === undefined) {
    return signed[0] === undefined ? { state: 'not-active' } : { state: 'not-yet-valid', version: signed[0] };
  }
  if (version.content.validTo !== undefined && day > version.content.validTo)
    return { state: 'expired', version };
  return { state: 'in-force', version, reviewOverdue: day > version.content.reviewDate };
};

/** The parties who govern an agreement now: those of the version in force, else of the latest version. */
export const governingParties = (agreement: AgreementRecord, now: Date): readonly string[] => {
  // Suspension does not change who governs (they are the ones who may resume it).
  const { suspended: _suspended, revoked: _revoked, ...unsuspended } = agreement;
  const standing = standingOf(unsuspended, now);
  const latest = [...agreement.versions].sort((a, b) => b.version - a.version)[0];
  return (standing.version ?? latest)?.content.parties ?? [];
};
