import * as z from 'zod';
import { maxClockSkewSeconds } from '../auth/protocol.ts';
import { distinctList, maxFreeTextLength, maxLabelLength } from '../input-limits.ts';
import { type Footprint, membersOf, registryId, type User } from '../registry/registry.ts';
import { parseSubjectReference, subjectReferenceSchema } from '../subjects/subject-reference.ts';
import { type AgreementRecord, type AgreementStanding, agreementId, standingOf } from './agreement.ts';
import {
  consentExemptions,
  type DataCategory,
  dataCategoryCodes,
  type LawfulBasisCode,
  lawfulBasisCodes,
  pairingProblems,
  purposeCodes,
  purposes,
} from './catalogue.ts';

/** Consent as a request records it (R14): who obtained it from whom and when, or why it was not sought. */
export const consentSchema = z.discriminatedUnion('state', [
  z.strictObject({
    state: z.literal('obtained'),
    obtainedBy: z.string().min(1).max(maxLabelLength),
    obtainedFrom: z.enum(['child', 'parent', 'carer']),
    obtainedAt: z.iso.datetime(),
  }),
  z.strictObject({
    state: z.literal('refused'),
    /** Sharing despite refusal needs a DPA 2018 Sch 1 para 18(2) reason and a rationale. */
    exemption: z.enum(consentExemptions).optional(),
    rationale: z.string().min(1).max(maxFreeTextLength).optional(),
  }),
  z.strictObject({
    state: z.literal('not-sought'),
    exemption: z.enum(consentExemptions),
    rationale: z.string().min(1).max(maxFreeTextLength),
  }),
  z.strictObject({ state: z.literal('not-applicable') }),
]);
export type Consent = z.infer<typeof consentSchema>;

/** What a data request asks, as the decision engine judges it (and `POST /v1/decisions:evaluate` accepts). */
export const shareRequestSchema = z.strictObject({
  responderOrganisationId: registryId,
  agreementId,
  purpose: z.enum(purposeCodes),
  dataCategories: distinctList(z.enum(dataCategoryCodes), dataCategoryCodes.length, 'data categories'),
  lawfulBasis: distinctList(z.enum(lawfulBasisCodes), lawfulBasisCodes.length, 'lawful bases'),
  consent: consentSchema,
  /**
   * Who the request is about (docs/SUBJECT-REFERENCES.md). `POST /v1/requests` always carries one; a dry run may
   * leave it out. When present, it must be a reference of the agreement's footprint.
   */
  subjectRef: subjectReferenceSchema.optional(),
});
export type ShareRequest = z.infer<typeof shareRequestSchema>;

export const decisionReasonCodes = [
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_NOT_ACTIVE',
  'AGREEMENT_SUSPENDED',
  'AGREEMENT_REVOKED',
  'AGREEMENT_EXPIRED',
  'AGREEMENT_NOT_YET_VALID',
  'AGREEMENT_REVIEW_OVERDUE',
  'REQUESTER_IS_RESPONDER',
  'REQUESTER_NOT_A_PARTY',
  'RESPONDER_NOT_A_PARTY',
  'REQUESTER_NOT_IN_FOOTPRINT',
  'RESPONDER_NOT_IN_FOOTPRINT',
  'PURPOSE_NOT_IN_AGREEMENT',
  'PURPOSE_NOT_FOR_FOOTPRINT',
  'DATA_CATEGORY_NOT_ALLOWED',
  'LAWFUL_BASIS_NOT_IN_AGREEMENT',
  'LAWFUL_BASIS_NOT_PAIRED',
  'CONSENT_RULE_UNMET',
  'CONSENT_RATIONALE_BLANK',
  'CONSENT_OBTAINED_IN_FUTURE',
  'SUBJECT_REF_NOT_OF_FOOTPRINT',
  'USER_NOT_OF_ORGANISATION',
  'ROLE_NOT_ALLOWED',
] as const;
export type DecisionReasonCode = (typeof decisionReasonCodes)[number];
export type DecisionReason = { readonly code: DecisionReasonCode; readonly message: string };

export type Decision = {
  readonly decision: 'permit' | 'deny';
  readonly reasons: readonly DecisionReason[];
  /** The agreement version the request was judged by, when one is in force. */
  readonly agreement?: { readonly id: string; readonly version: number };
  /** The version in force is past its review date (a refusal only if the agreement says so). */
  readonly reviewOverdue?: boolean;
  /** The agreement's standing when judged (`in-force`, `suspended`, …), absent when there is no such agreement. */
  readonly standing?: AgreementStanding['state'];
};

export type DecisionWorld = {
  readonly footprints: readonly Footprint[];
  readonly users: readonly User[];
  /** The agreement the request names, if it exists. */
  readonly agreement: AgreementRecord | undefined;
};

export type Requester = { readonly organisationId: string; readonly userId?: string };

/**
 * Why an agreement not in force refuses: the one table of standing codes, used by submission here and by every
 * later step under the agreement (requests, CDOP cases), so each is refused for the same reason under one code.
 */
export const standingReasons = {
  'not-active': {
    code: 'AGREEMENT_NOT_ACTIVE',
    message: 'no version of the agreement has been signed by every party',
  },
  suspended: { code: 'AGREEMENT_SUSPENDED', message: 'the agreement is suspended' },
  revoked: { code: 'AGREEMENT_REVOKED', message: 'the agreement has been revoked' },
  expired: { code: 'AGREEMENT_EXPIRED', message: 'the agreement version in force has passed its end date' },
  'not-yet-valid': {
    code: 'AGREEMENT_NOT_YET_VALID',
    message: 'the agreement version in force has not started yet',
  },
} as const satisfies Record<Exclude<AgreementStanding['state'], 'in-force'>, DecisionReason>;

/**
 * The decision engine: judges a share request against the agreement it names, the registry and the time, and
 * lists every failed check as a coded reason. Deny by default: a permit needs an agreement version in force and no
 * reason against. Authority comes only from (agreement, its footprint, the purpose): two organisations sharing
 * some other footprint (a police BCU, say) is never enough.
 */
export const decide = (
  input: { readonly requester: Requester; readonly request: ShareRequest },
  world: DecisionWorld,
  now: Date,
): Decision => {
  const { requester, request } = input;
  const reasons: DecisionReason[] = [];
  const deny = (code: DecisionReasonCode, message: string) => reasons.push({ code, message });

  const user =
    requester.userId === undefined ? undefined : world.users.find((u) => u.id === requester.userId);
  if (
    requester.userId !== undefined &&
    (user === undefined || user.organisationId !== requester.organisationId)
  ) {
    deny('USER_NOT_OF_ORGANISATION', "the user is not one of the requesting organisation's");
  }
  // An organisation reads its own records directly: asking itself through the exchange would put an exchange
  // record, due date and audit trail around no sharing at all.
  if (request.responderOrganisationId === requester.organisationId) {
    deny('REQUESTER_IS_RESPONDER', 'an organisation cannot ask itself');
  }
  const consentReason = consentRecordProblem(request.consent, now);
  if (consentReason !== undefined) reasons.push(consentReason);

  const agreement = world.agreement;
  if (agreement === undefined || agreement.id !== request.agreementId) {
    deny('AGREEMENT_NOT_FOUND', `there is no agreement ${request.agreementId}`);
    return { decision: 'deny', reasons };
  }
  const standing = standingOf(agreement, now);
  if (standing.state !== 'in-force') reasons.push(standingReasons[standing.state]);
  // Judge by the version in force; failing that, by the latest signed version, else the latest draft, so that
  // every other problem is named too.
  const newestFirst = [...agreement.versions].sort((a, b) => b.version - a.version);
  const version = standing.version ?? newestFirst.find((v) => v.activatedAt !== undefined) ?? newestFirst[0];
  if (version === undefined) return { decision: 'deny', reasons, standing: standing.state };
  const content = version.content;
  const reviewOverdue = standing.state === 'in-force' && standing.reviewOverdue;
  if (reviewOverdue && content.blockWhenReviewOverdue) {
    deny('AGREEMENT_REVIEW_OVERDUE', `the agreement was due for review on ${content.reviewDate}`);
  }

  if (!content.parties.includes(requester.organisationId)) {
    deny('REQUESTER_NOT_A_PARTY', 'the requesting organisation is not a party to the agreement');
  }
  if (!content.parties.includes(request.responderOrganisationId)) {
    deny('RESPONDER_NOT_A_PARTY', 'the organisation asked is not a party to the agreement');
  }
  const footprint = world.footprints.find((f) => f.id === content.footprintId);
  const members = footprint === undefined ? [] : membersOf(footprint, now);
  if (!members.includes(requester.organisationId)) {
    deny(
      'REQUESTER_NOT_IN_FOOTPRINT',
      `the requesting organisation is not in the footprint ${content.footprintId}`,
    );
  }
  if (!members.includes(request.responderOrganisationId)) {
    deny(
      'RESPONDER_NOT_IN_FOOTPRINT',
      `the organisation asked is not in the footprint ${content.footprintId}`,
    );
  }

  // A reference names the footprint whose key made it; one of another footprint cannot be linked by the parties
  // of this agreement, and points at a child the agreement does not cover.
  if (
    request.subjectRef !== undefined &&
    parseSubjectReference(request.subjectRef)?.footprintId !== content.footprintId
  ) {
    deny(
      'SUBJECT_REF_NOT_OF_FOOTPRINT',
      `the subject reference is not one of the agreement's footprint ${content.footprintId}`,
    );
  }

  const purpose = content.purposes.find((p) => p.code === request.purpose);
  if (purpose === undefined) {
    deny('PURPOSE_NOT_IN_AGREEMENT', `the agreement does not cover ${request.purpose}`);
  } else {
    const allowedKinds: readonly string[] = purposes[purpose.code].footprintKinds;
    if (footprint === undefined || !allowedKinds.includes(footprint.kind)) {
      deny(
        'PURPOSE_NOT_FOR_FOOTPRINT',
        `${purpose.code} cannot be agreed across a ${footprint?.kind ?? 'missing'} footprint`,
      );
    }
    const notAllowed = request.dataCategories.filter((c) => !purpose.dataCategories.includes(c));
    if (notAllowed.length > 0) {
      deny('DATA_CATEGORY_NOT_ALLOWED', `the purpose does not allow: ${notAllowed.join(', ')}`);
    }
    const unrecorded = request.lawfulBasis.filter((b) => !purpose.lawfulBasis.includes(b));
    if (unrecorded.length > 0) {
      deny('LAWFUL_BASIS_NOT_IN_AGREEMENT', `the agreement does not record: ${unrecorded.join(', ')}`);
    }
    const unpaired = pairingProblems(
      request.dataCategories as DataCategory[],
      request.lawfulBasis as LawfulBasisCode[],
      content.appropriatePolicyDocument,
    );
    if (unpaired.length > 0) {
      deny(
        'LAWFUL_BASIS_NOT_PAIRED',
        `the lawful bases claimed do not cover the data: ${unpaired.join(', ')}`,
      );
    }
    const consentProblem = consentProblemOf(purpose.consentRule, request.consent);
    if (consentProblem !== undefined) deny('CONSENT_RULE_UNMET', consentProblem);
    if (user === undefined || !user.roles.some((r) => purpose.rolesAllowedToRequest.includes(r))) {
      deny(
        'ROLE_NOT_ALLOWED',
        `requests under ${purpose.code} are made by: ${purpose.rolesAllowedToRequest.join(', ')}`,
      );
    }
  }

  return {
    decision: reasons.length === 0 && standing.state === 'in-force' ? 'permit' : 'deny',
    reasons,
    ...(standing.state === 'in-force' ? { agreement: { id: agreement.id, version: version.version } } : {}),
    ...(reviewOverdue ? { reviewOverdue } : {}),
    standing: standing.state,
  };
};

/**
 * What makes a consent record itself untrue, whatever the purpose's rule: a rationale of only whitespace is no
 * rationale (the rule checks that one was given, this that it says something), and consent cannot have been
 * obtained after the request was made (allowing the signed-request protocol's clock skew between systems).
 */
const consentRecordProblem = (consent: Consent, now: Date): DecisionReason | undefined => {
  if ('rationale' in consent && consent.rationale !== undefined && consent.rationale.trim() === '') {
    return { code: 'CONSENT_RATIONALE_BLANK', message: 'the consent rationale is blank' };
  }
  if (
    consent.state === 'obtained' &&
    Date.parse(consent.obtainedAt) > now.getTime() + maxClockSkewSeconds * 1000
  ) {
    return { code: 'CONSENT_OBTAINED_IN_FUTURE', message: 'consent is recorded as obtained after now' };
  }
  return undefined;
};

/**
 * The consent rules (R14, R15): `required` needs consent obtained; `required-unless-exempt` accepts a Sch 1
 * para 18(2) exemption with a rationale instead; `not-required` does not ask for consent, but sharing against a
 * refusal still needs the exemption and rationale recorded.
 */
const consentProblemOf = (rule: string, consent: Consent): string | undefined => {
  const exempted =
    (consent.state === 'refused' || consent.state === 'not-sought') &&
    consent.exemption !== undefined &&
    consent.rationale !== undefined;
  switch (rule) {
    case 'required':
      return consent.state === 'obtained' ? undefined : 'the purpose requires consent obtained';
    case 'required-unless-exempt':
      return consent.state === 'obtained' || exempted
        ? undefined
        : 'the purpose requires consent, or a Schedule 1 para 18(2) exemption with a rationale';
    default:
      return consent.state !== 'refused' || exempted
        ? undefined
        : 'consent was refused: sharing needs a Schedule 1 para 18(2) exemption with a rationale';
  }
};
