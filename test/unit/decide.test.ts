import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import {
  type AgreementContent,
  type AgreementRecord,
  type AgreementVersion,
  contentHashOf,
} from '#shared/domain/agreements/agreement.ts';
import type { ConsentRule } from '#shared/domain/agreements/catalogue.ts';
import {
  type Consent,
  type DecisionReasonCode,
  type DecisionWorld,
  decide,
  decisionReasonCodes,
  type Requester,
  type ShareRequest,
} from '#shared/domain/agreements/decide.ts';
import { type Footprint, sharedFootprints } from '#shared/domain/registry/registry.ts';

/**
 * The decision engine, one check at a time: every reason code is provoked alone from a request that is otherwise
 * permitted, on the real seeded registry and a hand-written agreement signed by every party.
 */

const now = new Date('2026-06-01T10:00:00Z');
const agreementId = 'isa-brent-harrow-cdop-cdr';

const baseContent: AgreementContent = {
  title: 'Brent and Harrow CDOP: child death review',
  parties: ['brent-harrow-cdop', 'lb-brent', 'lb-harrow'],
  footprintId: 'brent-harrow-cdop-area',
  purposes: [
    {
      code: 'CDR_CASE_REVIEW',
      description: 'Agency reports on a child death for the CDOP',
      dataCategories: ['identity-residence', 'protection-status', 'health', 'child-death-details'],
      lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
      consentRule: 'not-required',
      rolesAllowedToRequest: ['practitioner', 'cdop-manager', 'cdop-coordinator'],
      rolesAllowedToAnswer: ['practitioner', 'cdop-manager'],
      retentionDays: 730,
    },
  ],
  validFrom: '2025-01-01',
  validTo: '2027-12-31',
  reviewDate: '2026-12-31',
  blockWhenReviewOverdue: false,
  dpiaReference: 'DPIA-BH-CDOP-2025',
  appropriatePolicyDocument: 'APD-BH-CDOP-2025',
};

/** A version every party has signed (or none, when `activatedAt` is undefined), with the exact content hash. */
const versionOf = (
  content: AgreementContent,
  version: number,
  activatedAt: string | undefined,
): AgreementVersion => {
  const contentHash = contentHashOf(content);
  const signers = activatedAt === undefined ? content.parties.slice(1) : content.parties;
  return {
    agreementId,
    version,
    content,
    contentHash,
    createdAt: '2024-12-01T09:00:00.000Z',
    createdBy: 'lb-brent.ig-lead',
    signatures: signers.map((organisationId) => ({
      organisationId,
      userId: `${organisationId}.ig-lead`,
      role: 'ig-lead',
      clientId: `${organisationId}-system`,
      contentHash,
      signedAt: activatedAt ?? '2024-12-02T09:00:00.000Z',
      requestHash: `request-signed-by-${organisationId}`,
    })),
    ...(activatedAt === undefined ? {} : { activatedAt }),
  };
};

const record = (versions: AgreementVersion[], extra: Partial<AgreementRecord> = {}): AgreementRecord => ({
  id: agreementId,
  latestVersion: Math.max(...versions.map((v) => v.version)),
  versions,
  ...extra,
});

const signedAt = '2024-12-20T12:00:00.000Z';
const baseAgreement = record([versionOf(baseContent, 1, signedAt)]);

const baseWorld: DecisionWorld = {
  footprints: registrySeed.footprints,
  users: registrySeed.users,
  agreement: baseAgreement,
};

const brentPractitioner: Requester = { organisationId: 'lb-brent', userId: 'lb-brent.practitioner' };

const baseRequest: ShareRequest = {
  responderOrganisationId: 'lb-harrow',
  agreementId,
  purpose: 'CDR_CASE_REVIEW',
  dataCategories: ['identity-residence', 'health', 'child-death-details'],
  lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
  consent: { state: 'not-applicable' },
};

type Scenario = {
  readonly requester?: Requester;
  readonly request?: Partial<ShareRequest>;
  readonly world?: Partial<DecisionWorld>;
  readonly at?: Date;
};

const judge = (s: Scenario = {}) =>
  decide(
    { requester: s.requester ?? brentPractitioner, request: { ...baseRequest, ...s.request } },
    { ...baseWorld, ...s.world },
    s.at ?? now,
  );

const codesOf = (s: Scenario = {}) => judge(s).reasons.map((r) => r.code);

const withContent = (change: Partial<AgreementContent>, extra: Partial<AgreementRecord> = {}) =>
  record([versionOf({ ...baseContent, ...change }, 1, signedAt)], extra);

const withPurpose = (change: Partial<AgreementContent['purposes'][number]>) => {
  const [first] = baseContent.purposes;
  if (first === undefined) throw new Error('the base agreement has a purpose');
  return withContent({ purposes: [{ ...first, ...change }] });
};

const lifecycle = (at: string) => ({ at, by: 'lb-harrow.ig-lead', reason: 'partnership review' });

/** Brent's membership of its CDOP footprint ended before the request (time-bounded membership). */
const brentLeftCdop: Footprint[] = registrySeed.footprints.map((f) =>
  f.id !== 'brent-harrow-cdop-area'
    ? f
    : {
        ...f,
        memberships: f.memberships.map((m) =>
          m.organisationId === 'lb-brent' ? { ...m, to: '2026-05-31' } : m,
        ),
      },
);

/** One scenario per reason code; the record type makes the table fail to compile if a code is left out. */
const provokedAlone: Record<DecisionReasonCode, Scenario> = {
  AGREEMENT_NOT_FOUND: { request: { agreementId: 'isa-no-such-agreement' } },
  AGREEMENT_NOT_ACTIVE: { world: { agreement: record([versionOf(baseContent, 1, undefined)]) } },
  AGREEMENT_SUSPENDED: {
    world: { agreement: { ...baseAgreement, suspended: lifecycle('2026-05-01T00:00:00.000Z') } },
  },
  AGREEMENT_REVOKED: {
    world: { agreement: { ...baseAgreement, revoked: lifecycle('2026-05-01T00:00:00.000Z') } },
  },
  AGREEMENT_EXPIRED: { world: { agreement: withContent({ validTo: '2026-05-31' }) } },
  AGREEMENT_NOT_YET_VALID: { world: { agreement: withContent({ validFrom: '2026-06-02' }) } },
  AGREEMENT_REVIEW_OVERDUE: {
    world: { agreement: withContent({ reviewDate: '2026-05-31', blockWhenReviewOverdue: true }) },
  },
  // Brent is a party and in the footprint, but asks itself.
  REQUESTER_IS_RESPONDER: { request: { responderOrganisationId: 'lb-brent' } },
  // Brent is in the footprint but not a party.
  REQUESTER_NOT_A_PARTY: {
    world: { agreement: withContent({ parties: ['brent-harrow-cdop', 'lb-harrow'] }) },
  },
  // Harrow is in the footprint but not a party.
  RESPONDER_NOT_A_PARTY: {
    world: { agreement: withContent({ parties: ['brent-harrow-cdop', 'lb-brent'] }) },
  },
  // Barnet is a party but not in the Brent and Harrow CDOP footprint.
  REQUESTER_NOT_IN_FOOTPRINT: {
    requester: { organisationId: 'lb-barnet', userId: 'lb-barnet.practitioner' },
    world: { agreement: withContent({ parties: [...baseContent.parties, 'lb-barnet'] }) },
  },
  RESPONDER_NOT_IN_FOOTPRINT: {
    request: { responderOrganisationId: 'lb-barnet' },
    world: { agreement: withContent({ parties: [...baseContent.parties, 'lb-barnet'] }) },
  },
  PURPOSE_NOT_IN_AGREEMENT: { request: { purpose: 'CDR_LEARNING_THEMES' } },
  // Defence in depth: createAgreement refuses such an agreement, but the engine does not rely on that.
  PURPOSE_NOT_FOR_FOOTPRINT: {
    request: { purpose: 'SAFEGUARDING_REFERRAL_MASH' },
    world: { agreement: withPurpose({ code: 'SAFEGUARDING_REFERRAL_MASH' }) },
  },
  DATA_CATEGORY_NOT_ALLOWED: {
    request: { dataCategories: ['identity-residence', 'education-attendance'] },
  },
  LAWFUL_BASIS_NOT_IN_AGREEMENT: {
    request: { lawfulBasis: [...baseRequest.lawfulBasis, 'CA1989-s47'] },
  },
  // Every basis claimed is recorded, but the claim leaves the health data without an Art 9 ground.
  LAWFUL_BASIS_NOT_PAIRED: { request: { lawfulBasis: ['UKGDPR-6-1-e', 'CA2004-s16M'] } },
  CONSENT_RULE_UNMET: { request: { consent: { state: 'refused' } } },
  // The purpose does not need consent, but the exemption it records must say why.
  CONSENT_RATIONALE_BLANK: {
    request: { consent: { state: 'not-sought', exemption: 'cannot-be-given', rationale: ' \t\n ' } },
  },
  CONSENT_OBTAINED_IN_FUTURE: {
    request: {
      consent: {
        state: 'obtained',
        obtainedBy: 'lb-brent.practitioner',
        obtainedFrom: 'parent',
        obtainedAt: '2026-06-01T10:01:00.001Z',
      },
    },
  },
  // A reference made with the North West BCU's key, under an agreement across the Brent and Harrow CDOP area.
  SUBJECT_REF_NOT_OF_FOOTPRINT: { request: { subjectRef: `sr1.north-west-bcu.${'A'.repeat(43)}` } },
  // Harrow's practitioner has an allowed role, but is not Brent's.
  USER_NOT_OF_ORGANISATION: { requester: { organisationId: 'lb-brent', userId: 'lb-harrow.practitioner' } },
  ROLE_NOT_ALLOWED: { requester: { organisationId: 'lb-brent', userId: 'lb-brent.ig-lead' } },
};

describe('decide', () => {
  it('permits a Brent practitioner asking Harrow under the Brent and Harrow CDOP agreement', () => {
    expect(judge()).toEqual({
      decision: 'permit',
      reasons: [],
      agreement: { id: agreementId, version: 1 },
      standing: 'in-force',
    });
  });

  it.each(decisionReasonCodes.map((code) => [code, provokedAlone[code]] as const))(
    'refuses with %s alone',
    (code, scenario) => {
      const decision = judge(scenario);
      expect(decision.decision).toBe('deny');
      expect(decision.reasons.map((r) => r.code)).toEqual([code]);
    },
  );

  it('refuses a requester whose footprint membership ended before the request', () => {
    expect(codesOf({ world: { footprints: brentLeftCdop } })).toEqual(['REQUESTER_NOT_IN_FOOTPRINT']);
    expect(codesOf({ world: { footprints: brentLeftCdop }, at: new Date('2026-05-31T23:59:59Z') })).toEqual(
      [],
    );
  });

  it('refuses a user that does not exist, and a request with no user', () => {
    expect(codesOf({ requester: { organisationId: 'lb-brent', userId: 'lb-brent.nobody' } }).sort()).toEqual([
      'ROLE_NOT_ALLOWED',
      'USER_NOT_OF_ORGANISATION',
    ]);
    expect(judge({ requester: { organisationId: 'lb-brent' } }).decision).toBe('deny');
  });

  it('refuses when the footprint is missing from the registry', () => {
    expect(codesOf({ world: { footprints: [] } }).sort()).toEqual([
      'PURPOSE_NOT_FOR_FOOTPRINT',
      'REQUESTER_NOT_IN_FOOTPRINT',
      'RESPONDER_NOT_IN_FOOTPRINT',
    ]);
  });

  it('names every failed check, not only the first', () => {
    const decision = judge({
      requester: { organisationId: 'lb-barnet', userId: 'lb-barnet.ig-lead' },
      request: {
        responderOrganisationId: 'met-nw-bcu',
        dataCategories: ['criminal-offence'],
        lawfulBasis: ['UKGDPR-6-1-e', 'CDA1998-s115'],
        consent: { state: 'refused' },
      },
    });
    expect(decision.decision).toBe('deny');
    expect(decision.reasons.map((r) => r.code).sort()).toEqual([
      'CONSENT_RULE_UNMET',
      'DATA_CATEGORY_NOT_ALLOWED',
      'LAWFUL_BASIS_NOT_IN_AGREEMENT',
      'LAWFUL_BASIS_NOT_PAIRED',
      'REQUESTER_NOT_A_PARTY',
      'REQUESTER_NOT_IN_FOOTPRINT',
      'RESPONDER_NOT_A_PARTY',
      'RESPONDER_NOT_IN_FOOTPRINT',
      'ROLE_NOT_ALLOWED',
    ]);
  });
});

describe('the rules of issue 12, finding 11', () => {
  const obtainedAt = (at: string): Consent => ({
    state: 'obtained',
    obtainedBy: 'lb-brent.practitioner',
    obtainedFrom: 'parent',
    obtainedAt: at,
  });

  it('refuses an organisation asking itself, though it is a party in the footprint', () => {
    expect(codesOf({ request: { responderOrganisationId: 'lb-brent' } })).toEqual(['REQUESTER_IS_RESPONDER']);
  });

  it('allows consent obtained up to the clock skew ahead of now, and refuses it a millisecond later', () => {
    expect(codesOf({ request: { consent: obtainedAt('2026-06-01T10:00:00.000Z') } })).toEqual([]);
    expect(codesOf({ request: { consent: obtainedAt('2026-06-01T10:01:00.000Z') } })).toEqual([]);
    expect(codesOf({ request: { consent: obtainedAt('2026-06-01T10:01:00.001Z') } })).toEqual([
      'CONSENT_OBTAINED_IN_FUTURE',
    ]);
    expect(codesOf({ request: { consent: obtainedAt('2027-01-01T00:00:00.000Z') } })).toEqual([
      'CONSENT_OBTAINED_IN_FUTURE',
    ]);
  });

  it('counts a rationale of only whitespace as blank, with or without a refusal, once', () => {
    for (const rationale of [' ', '\u00a0\t', '\n\n']) {
      const refused: Consent = { state: 'refused', exemption: 'would-prejudice-protection', rationale };
      expect(codesOf({ request: { consent: refused } })).toEqual(['CONSENT_RATIONALE_BLANK']);
      const exempt = withPurpose({ consentRule: 'required-unless-exempt' });
      expect(codesOf({ world: { agreement: exempt }, request: { consent: refused } })).toEqual([
        'CONSENT_RATIONALE_BLANK',
      ]);
    }
    const said: Consent = { state: 'refused', exemption: 'would-prejudice-protection', rationale: ' risk ' };
    expect(codesOf({ request: { consent: said } })).toEqual([]);
  });

  it("accepts references of the agreement's footprint, shared or local, and refuses any other footprint's", () => {
    const mac = `${'B'.repeat(42)}A`;
    expect(codesOf({ request: { subjectRef: `sr1.brent-harrow-cdop-area.${mac}` } })).toEqual([]);
    expect(codesOf({ request: { subjectRef: `srl1.brent-harrow-cdop-area.${mac}` } })).toEqual([]);
    for (const other of ['north-west-bcu', 'bhr-cdop-area', 'brent-harrow-cdop-are']) {
      expect(codesOf({ request: { subjectRef: `sr1.${other}.${mac}` } })).toEqual([
        'SUBJECT_REF_NOT_OF_FOOTPRINT',
      ]);
    }
  });

  it('lets one Schedule 1 condition serve both Art 9 and Art 10 (DPA 2018 s10(5))', () => {
    const agreement = withPurpose({
      dataCategories: ['identity-residence', 'health', 'criminal-offence'],
      lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'UKGDPR-10', 'DPA2018-S1-P2-18'],
    });
    expect(
      codesOf({
        world: { agreement },
        request: {
          dataCategories: ['health', 'criminal-offence'],
          lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'UKGDPR-10', 'DPA2018-S1-P2-18'],
        },
      }),
    ).toEqual([]);
  });
});

describe('same BCU is not enough', () => {
  it('refuses Brent asking Barnet under the Brent and Harrow CDOP agreement, though both are in the North West BCU', () => {
    expect(
      sharedFootprints(registrySeed, 'lb-brent', 'lb-barnet', 'police-bcu', now).map((f) => f.id),
    ).toEqual(['north-west-bcu']);
    const decision = judge({ request: { responderOrganisationId: 'lb-barnet' } });
    expect(decision.decision).toBe('deny');
    expect(decision.reasons.map((r) => r.code).sort()).toEqual([
      'RESPONDER_NOT_A_PARTY',
      'RESPONDER_NOT_IN_FOOTPRINT',
    ]);
  });

  it('does not let a BCU agreement carry a child death review purpose', () => {
    const bcu = withContent({
      footprintId: 'north-west-bcu',
      parties: ['lb-barnet', 'lb-brent', 'lb-harrow'],
    });
    expect(codesOf({ world: { agreement: bcu }, request: { responderOrganisationId: 'lb-barnet' } })).toEqual(
      ['PURPOSE_NOT_FOR_FOOTPRINT'],
    );
  });
});

describe('the version in force', () => {
  const v2Content: AgreementContent = {
    ...baseContent,
    purposes: baseContent.purposes.map((p) => ({
      ...p,
      dataCategories: [...p.dataCategories, 'mental-health'],
    })),
  };
  const withMentalHealth: Scenario['request'] = {
    dataCategories: ['identity-residence', 'mental-health'],
  };

  it('keeps version 1 in force while version 2 awaits signatures', () => {
    const agreement = record([versionOf(baseContent, 1, signedAt), versionOf(v2Content, 2, undefined)]);
    expect(judge({ world: { agreement } })).toMatchObject({
      decision: 'permit',
      agreement: { id: agreementId, version: 1 },
    });
    const refused = judge({ world: { agreement }, request: withMentalHealth });
    expect(refused.reasons.map((r) => r.code)).toEqual(['DATA_CATEGORY_NOT_ALLOWED']);
    expect(refused.agreement).toEqual({ id: agreementId, version: 1 });
  });

  it('judges by the version in force when the request arrives', () => {
    const v2Activated = '2026-06-01T12:00:00.000Z';
    const agreement = record([versionOf(baseContent, 1, signedAt), versionOf(v2Content, 2, v2Activated)]);
    const before = new Date('2026-06-01T11:59:59.999Z');
    const after = new Date(v2Activated);
    expect(codesOf({ world: { agreement }, request: withMentalHealth, at: before })).toEqual([
      'DATA_CATEGORY_NOT_ALLOWED',
    ]);
    expect(judge({ world: { agreement }, request: withMentalHealth, at: after })).toMatchObject({
      decision: 'permit',
      agreement: { id: agreementId, version: 2 },
    });
  });

  it('keeps version 1 in force while a signed version 2 has not started yet: a change never opens a gap', () => {
    const later: AgreementContent = { ...v2Content, validFrom: '2026-07-01' };
    const agreement = record([versionOf(baseContent, 1, signedAt), versionOf(later, 2, signedAt)]);
    expect(judge({ world: { agreement } })).toMatchObject({ decision: 'permit', agreement: { version: 1 } });
    expect(
      judge({ world: { agreement }, at: new Date('2026-07-01T00:00:00Z'), request: withMentalHealth }),
    ).toMatchObject({
      decision: 'permit',
      agreement: { version: 2 },
    });
  });

  it('is not yet valid when its only signed version starts later', () => {
    const agreement = record([versionOf({ ...baseContent, validFrom: '2026-07-01' }, 1, signedAt)]);
    expect(codesOf({ world: { agreement } })).toEqual(['AGREEMENT_NOT_YET_VALID']);
  });

  it('is not active before its last signature, though the dates are valid', () => {
    const agreement = record([versionOf(baseContent, 1, '2026-06-01T10:00:00.001Z')]);
    expect(codesOf({ world: { agreement } })).toEqual(['AGREEMENT_NOT_ACTIVE']);
    expect(codesOf({ world: { agreement }, at: new Date('2026-06-01T10:00:00.001Z') })).toEqual([]);
  });

  it('treats the validity dates as whole days, inclusive', () => {
    const agreement = withContent({ validFrom: '2026-06-01', validTo: '2026-06-01' });
    expect(codesOf({ world: { agreement }, at: new Date('2026-06-01T00:00:00Z') })).toEqual([]);
    expect(codesOf({ world: { agreement }, at: new Date('2026-06-01T23:59:59.999Z') })).toEqual([]);
    expect(codesOf({ world: { agreement }, at: new Date('2026-06-02T00:00:00Z') })).toEqual([
      'AGREEMENT_EXPIRED',
    ]);
    expect(codesOf({ world: { agreement }, at: new Date('2026-05-31T23:59:59.999Z') })).toEqual([
      'AGREEMENT_NOT_YET_VALID',
    ]);
  });

  it('is not suspended or revoked before the suspension or revocation', () => {
    const suspended = { ...baseAgreement, suspended: lifecycle('2026-06-01T10:00:00.001Z') };
    const revoked = { ...baseAgreement, revoked: lifecycle('2026-06-01T10:00:00.001Z') };
    expect(codesOf({ world: { agreement: suspended } })).toEqual([]);
    expect(codesOf({ world: { agreement: revoked } })).toEqual([]);
  });
});

describe('review overdue', () => {
  const overdue = (blockWhenReviewOverdue: boolean) =>
    withContent({ reviewDate: '2026-05-31', blockWhenReviewOverdue });

  it('is flagged but permitted when the agreement does not block', () => {
    expect(judge({ world: { agreement: overdue(false) } })).toEqual({
      decision: 'permit',
      reasons: [],
      agreement: { id: agreementId, version: 1 },
      reviewOverdue: true,
      standing: 'in-force',
    });
  });

  it('is refused when the agreement blocks', () => {
    const decision = judge({ world: { agreement: overdue(true) } });
    expect(decision.decision).toBe('deny');
    expect(decision.reviewOverdue).toBe(true);
    expect(decision.reasons.map((r) => r.code)).toEqual(['AGREEMENT_REVIEW_OVERDUE']);
  });

  it('is not overdue on the review date itself', () => {
    const decision = judge({
      world: { agreement: withContent({ reviewDate: '2026-06-01', blockWhenReviewOverdue: true }) },
    });
    expect(decision.decision).toBe('permit');
    expect(decision.reviewOverdue).toBeUndefined();
  });
});

describe('consent rules', () => {
  const obtained: Consent = {
    state: 'obtained',
    obtainedBy: 'lb-brent.practitioner',
    obtainedFrom: 'parent',
    obtainedAt: '2026-05-20T09:00:00.000Z',
  };
  const refused: Consent = { state: 'refused' };
  const refusedExemptionOnly: Consent = { state: 'refused', exemption: 'would-prejudice-protection' };
  const refusedExempt: Consent = {
    state: 'refused',
    exemption: 'would-prejudice-protection',
    rationale: 'asking the parent would alert the alleged abuser',
  };
  const notSought: Consent = {
    state: 'not-sought',
    exemption: 'cannot-be-given',
    rationale: 'the child has died; the parents cannot be located',
  };
  const notApplicable: Consent = { state: 'not-applicable' };

  const table: [ConsentRule, string, Consent, boolean][] = [
    ['required', 'obtained', obtained, true],
    ['required', 'refused', refused, false],
    ['required', 'refused with an exemption but no rationale', refusedExemptionOnly, false],
    ['required', 'refused with an exemption and a rationale', refusedExempt, false],
    ['required', 'not sought with an exemption', notSought, false],
    ['required', 'not applicable', notApplicable, false],
    ['not-required', 'obtained', obtained, true],
    ['not-required', 'refused', refused, false],
    ['not-required', 'refused with an exemption but no rationale', refusedExemptionOnly, false],
    ['not-required', 'refused with an exemption and a rationale', refusedExempt, true],
    ['not-required', 'not sought with an exemption', notSought, true],
    ['not-required', 'not applicable', notApplicable, true],
    ['required-unless-exempt', 'obtained', obtained, true],
    ['required-unless-exempt', 'refused', refused, false],
    ['required-unless-exempt', 'refused with an exemption but no rationale', refusedExemptionOnly, false],
    ['required-unless-exempt', 'refused with an exemption and a rationale', refusedExempt, true],
    ['required-unless-exempt', 'not sought with an exemption', notSought, true],
    ['required-unless-exempt', 'not applicable', notApplicable, false],
  ];

  it.each(table)('%s, consent %s: met %s', (consentRule, _, consent, met) => {
    const codes = codesOf({ world: { agreement: withPurpose({ consentRule }) }, request: { consent } });
    expect(codes).toEqual(met ? [] : ['CONSENT_RULE_UNMET']);
  });
});
