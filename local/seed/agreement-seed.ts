import type { AgreementContent, AgreementPurpose } from '#shared/domain/agreements/agreement.ts';
import {
  type AgreementDeps,
  createAgreement,
  signVersion,
} from '#shared/domain/agreements/manage-agreements.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';

/**
 * The information-sharing agreements of the local exchange, modelled on the partnership documents (see
 * ../shared/domain-brief.md sections 2, 3 and 9): a MASH-enquiry agreement across the North West BCU, child death
 * review agreements for three CDOP footprints, and a missing-children agreement across the East Area BCU. The
 * documents do not reproduce the real ISAs' lawful-basis clauses (brief 3.3); the bases here are the ones such
 * agreements commonly record, chosen so that each purpose satisfies the pairing rules.
 */

export type AgreementSeed = { readonly id: string; readonly content: AgreementContent };

/** Reviewed at least annually (brief R7: arrangements are reviewed every year). */
const term = { validFrom: '2026-10-01', reviewDate: '2027-09-30', blockWhenReviewOverdue: false } as const;

const cdrBases: AgreementPurpose['lawfulBasis'] = [
  'UKGDPR-6-1-e',
  'UKGDPR-9-2-g',
  'DPA2018-S1-P2-18',
  'CA2004-s16M',
  'WT2018',
];

/** Child death review (Children Act 2004 s16M; Working Together 2018, chapter 5): case data, then learning. */
const cdrPurposes = (cdop: string): AgreementPurpose[] => [
  {
    code: 'CDR_CASE_REVIEW',
    description: `Case information about a child who died, for the ${cdop} review of the death`,
    dataCategories: [
      'identity-residence',
      'child-death-details',
      'health',
      'mental-health',
      'protection-status',
      'looked-after-status',
      'education-attendance',
    ],
    lawfulBasis: cdrBases,
    // Statutory reviews do not rest on consent; a refusal still needs a Schedule 1 para 18(2) reason recorded.
    consentRule: 'not-required',
    rolesAllowedToRequest: ['cdop-manager', 'cdop-coordinator', 'practitioner'],
    rolesAllowedToAnswer: ['practitioner', 'cdop-manager', 'cdop-coordinator'],
    retentionDays: 730,
  },
  {
    code: 'CDR_LEARNING_THEMES',
    description: `De-identified themes and modifiable factors from ${cdop} reviews, for shared learning`,
    dataCategories: ['child-death-details'],
    lawfulBasis: cdrBases,
    consentRule: 'not-required',
    rolesAllowedToRequest: ['cdop-manager', 'cdop-coordinator'],
    rolesAllowedToAnswer: ['cdop-manager', 'cdop-coordinator', 'practitioner'],
    retentionDays: 1095,
  },
];

const missingChild = (area: string): AgreementPurpose => ({
  code: 'MISSING_CHILD',
  description: `Missing episodes and return home interviews of children across ${area}`,
  dataCategories: ['identity-residence', 'missing-episodes', 'looked-after-status', 'exploitation-flags'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s17', 'CA2004-s11', 'WT2018'],
  consentRule: 'not-required',
  rolesAllowedToRequest: ['practitioner'],
  rolesAllowedToAnswer: ['practitioner'],
  retentionDays: 365,
});

export const agreementSeed: readonly AgreementSeed[] = [
  {
    id: 'isa-nw-bcu-mash',
    content: {
      title: 'North West BCU: cross-borough MASH enquiries',
      parties: ['lb-barnet', 'lb-brent', 'lb-harrow', 'met-nw-bcu'],
      footprintId: 'north-west-bcu',
      purposes: [
        {
          code: 'SAFEGUARDING_REFERRAL_MASH',
          description:
            'Information held by partners in the North West BCU about a child referred to a MASH, to decide ' +
            'the response to the referral',
          dataCategories: [
            'identity-residence',
            'looked-after-status',
            'protection-status',
            'domestic-abuse',
            'education-attendance',
            'health',
            'criminal-offence',
          ],
          lawfulBasis: [
            'UKGDPR-6-1-e',
            'UKGDPR-9-2-g',
            'DPA2018-S1-P2-18',
            'UKGDPR-10',
            'CA1989-s17',
            'CA1989-s47',
            'CA2004-s11',
            'WT2018',
          ],
          consentRule: 'required-unless-exempt',
          rolesAllowedToRequest: ['practitioner'],
          rolesAllowedToAnswer: ['practitioner'],
          retentionDays: 365,
        },
        missingChild('the North West BCU'),
      ],
      ...term,
      dpiaReference: 'DPIA-NWBCU-MASH-2026',
      appropriatePolicyDocument:
        'APD-NWBCU-2026: North West BCU partners, special category and criminal data',
    },
  },
  {
    id: 'isa-brent-harrow-cdop',
    content: {
      title: 'Brent and Harrow CDOP: child death review',
      parties: ['brent-harrow-cdop', 'lb-brent', 'lb-harrow'],
      footprintId: 'brent-harrow-cdop-area',
      purposes: cdrPurposes('Brent and Harrow CDOP'),
      ...term,
      dpiaReference: 'DPIA-BH-CDOP-2026',
      appropriatePolicyDocument: 'APD-BH-CDOP-2026: Brent and Harrow child death review partners',
    },
  },
  {
    id: 'isa-bhr-cdop',
    content: {
      title: 'BHR CDOP: child death review across Barking and Dagenham, Havering and Redbridge',
      parties: ['bhr-cdop', 'lb-barking-dagenham', 'lb-havering', 'lb-redbridge', 'met-ea-bcu'],
      footprintId: 'bhr-cdop-area',
      purposes: cdrPurposes('BHR CDOP'),
      ...term,
      dpiaReference: 'DPIA-BHR-CDOP-2026',
      appropriatePolicyDocument: 'APD-BHR-CDOP-2026: BHR child death review partners',
    },
  },
  {
    id: 'isa-beds-luton-cdop',
    content: {
      title: 'Bedfordshire and Luton CDOP: child death review',
      parties: [
        'beds-luton-cdop',
        'bedford-borough',
        'central-bedfordshire',
        'luton-borough',
        'luton-ccg',
        'bedfordshire-ccg',
      ],
      footprintId: 'beds-luton-cdop-area',
      purposes: cdrPurposes('Bedfordshire and Luton CDOP'),
      ...term,
      dpiaReference: 'DPIA-BL-CDOP-2026',
      appropriatePolicyDocument: 'APD-BL-CDOP-2026: Bedfordshire and Luton child death review partners',
    },
  },
  {
    id: 'isa-east-area-missing',
    content: {
      title: 'East Area BCU: missing children',
      parties: ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge', 'met-ea-bcu'],
      footprintId: 'east-area-bcu',
      purposes: [missingChild('the East Area BCU')],
      ...term,
      dpiaReference: 'DPIA-EA-MISSING-2026',
      // A missing child cannot wait for two stages: a challenged answer goes straight to the responder's Caldicott
      // guardian, who has two days; past that the partnership's dispute resolution takes over, outside the exchange.
      escalation: { stages: [{ role: 'caldicott-guardian', days: 2 }] },
    },
  },
];

/**
 * The principal a party's IG lead signs with when the exchange seeds on its behalf: the organisation's system
 * client vouching for its IG lead. There is no signed request behind it, which `requestHash` says.
 */
export const seedingPrincipal = (organisationId: string): Principal => ({
  clientId: `${organisationId}-system`,
  organisationId,
  kid: 'seed',
  alg: 'ES256',
  user: { id: `${organisationId}.ig-lead`, roles: ['ig-lead'] },
  jti: `seed-${organisationId}`,
  requestHash: 'seed',
});

export type AgreementSeedSummary = { readonly created: number; readonly signatures: number };

/**
 * Creates each seeded agreement through the use cases, as its first party's IG lead, then has every party's IG
 * lead sign version 1, so each becomes active. Idempotent: an existing agreement is not created again and a party
 * that has signed does not sign again; an agreement someone revoked, or moved past version 1, is left alone.
 */
export const seedAgreements = async (
  deps: AgreementDeps,
  seed: readonly AgreementSeed[] = agreementSeed,
): Promise<AgreementSeedSummary> => {
  let created = 0;
  let signatures = 0;
  for (const { id, content } of seed) {
    let agreement = await deps.agreements.getAgreement(id);
    if (agreement === undefined) {
      const [creator] = content.parties;
      if (creator === undefined) throw new TypeError(`seeded agreement ${id} has no parties`);
      agreement = (await createAgreement(deps, { principal: seedingPrincipal(creator), id, content }))
        .agreement;
      created += 1;
    }
    const first = agreement.versions.find((v) => v.version === 1);
    if (first === undefined || agreement.revoked !== undefined || agreement.latestVersion !== 1) continue;
    for (const party of first.content.parties) {
      if (first.signatures.some((s) => s.organisationId === party)) continue;
      await signVersion(deps, {
        principal: seedingPrincipal(party),
        agreementId: id,
        version: 1,
        contentHash: first.contentHash,
      });
      signatures += 1;
    }
  }
  return { created, signatures };
};
