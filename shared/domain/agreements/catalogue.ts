import type { FootprintKind } from '../registry/registry.ts';

/**
 * The vocabulary agreements are written in: purposes, data categories and lawful bases. Codes are stable (they
 * appear in signed agreements and audit entries); labels are for people. Sources: ../shared/domain-brief.md
 * section 9 (purposes R9, categories R17, consent R14) and the statutes it cites. The catalogue records what each
 * basis is; which bases an agreement relies on is the parties' decision, recorded in the agreement they sign.
 */

/** Purposes, each with the kinds of footprint it can be agreed across (R9, R10). */
export const purposes = {
  CDR_CASE_REVIEW: { label: 'Child death review: case data for the CDOP', footprintKinds: ['cdop'] },
  CDR_LEARNING_THEMES: {
    label: 'Child death review: de-identified learning themes',
    footprintKinds: ['cdop'],
  },
  SAFEGUARDING_REFERRAL_MASH: {
    label: 'Cross-borough MASH enquiry',
    footprintKinds: ['police-bcu', 'safeguarding-partnership'],
  },
  MISSING_CHILD: {
    label: 'Missing child episodes and return home interviews',
    footprintKinds: ['police-bcu', 'safeguarding-partnership'],
  },
  EXPLOITATION_MASE_CEG: {
    label: 'Child exploitation (MASE / CEG)',
    footprintKinds: ['police-bcu', 'safeguarding-partnership'],
  },
  DOMESTIC_ABUSE_MARAC: {
    label: 'Domestic abuse (MARAC)',
    footprintKinds: ['police-bcu', 'safeguarding-partnership'],
  },
  LADO_ALLEGATION: {
    label: 'Allegation against a person working with children (LADO)',
    footprintKinds: ['police-bcu', 'safeguarding-partnership'],
  },
  SERIOUS_INCIDENT_RAPID_REVIEW: {
    label: 'Serious incident rapid review / LCSPR',
    footprintKinds: ['police-bcu', 'safeguarding-partnership', 'cdop'],
  },
  PERFORMANCE_AGGREGATE: {
    label: 'Aggregate performance figures',
    footprintKinds: ['police-bcu', 'safeguarding-partnership', 'cdop'],
  },
} as const satisfies Record<string, { label: string; footprintKinds: readonly FootprintKind[] }>;
export type PurposeCode = keyof typeof purposes;
export const purposeCodes = Object.keys(purposes) as PurposeCode[];

/**
 * Data categories (R17), flagged as UK GDPR Art 9 special-category data or Art 10 criminal-offence data, which
 * need conditions of their own.
 */
export const dataCategories = {
  'identity-residence': { label: 'Identity and residence', special: false, criminal: false },
  'looked-after-status': {
    label: 'Looked-after status and placing authority',
    special: false,
    criminal: false,
  },
  'protection-status': { label: 'Child protection or child in need status', special: false, criminal: false },
  'missing-episodes': {
    label: 'Missing episodes and return home interviews',
    special: false,
    criminal: false,
  },
  'exploitation-flags': { label: 'Exploitation flags and NRM decisions', special: false, criminal: false },
  'domestic-abuse': { label: 'Domestic abuse in the household', special: false, criminal: false },
  'education-attendance': { label: 'Education and attendance', special: false, criminal: false },
  health: { label: 'Health information', special: true, criminal: false },
  'mental-health': { label: 'Mental health (CAMHS)', special: true, criminal: false },
  disability: { label: 'Disability', special: true, criminal: false },
  ethnicity: { label: 'Ethnicity, for disproportionality analysis', special: true, criminal: false },
  'child-death-details': {
    label: 'Child death details: cause grouping, modifiable factors',
    special: true,
    criminal: false,
  },
  'criminal-offence': { label: 'Criminal offence and offender data', special: false, criminal: true },
  'allegations-against-staff': { label: 'Allegations against staff', special: false, criminal: true },
} as const satisfies Record<string, { label: string; special: boolean; criminal: boolean }>;
export type DataCategory = keyof typeof dataCategories;
export const dataCategoryCodes = Object.keys(dataCategories) as DataCategory[];

export type LawfulBasisKind =
  | 'art6'
  | 'art9'
  | 'schedule1-part1'
  | 'schedule1-part2'
  | 'art10'
  | 'statutory-gateway';

/** Lawful bases and conditions. Codes name the instrument and provision, so they read in an audit entry. */
export const lawfulBases = {
  'UKGDPR-6-1-a': { kind: 'art6', label: 'UK GDPR Art 6(1)(a) consent' },
  'UKGDPR-6-1-c': { kind: 'art6', label: 'UK GDPR Art 6(1)(c) legal obligation' },
  'UKGDPR-6-1-d': { kind: 'art6', label: 'UK GDPR Art 6(1)(d) vital interests' },
  'UKGDPR-6-1-e': { kind: 'art6', label: 'UK GDPR Art 6(1)(e) public task' },
  'UKGDPR-9-2-a': { kind: 'art9', label: 'UK GDPR Art 9(2)(a) explicit consent' },
  'UKGDPR-9-2-c': { kind: 'art9', label: 'UK GDPR Art 9(2)(c) vital interests' },
  'UKGDPR-9-2-g': { kind: 'art9', label: 'UK GDPR Art 9(2)(g) substantial public interest' },
  'UKGDPR-9-2-h': { kind: 'art9', label: 'UK GDPR Art 9(2)(h) health or social care' },
  'DPA2018-S1-P1-2': {
    kind: 'schedule1-part1',
    label: 'DPA 2018 Sch 1 Part 1 para 2: health or social care purposes',
  },
  'DPA2018-S1-P2-6': {
    kind: 'schedule1-part2',
    label: 'DPA 2018 Sch 1 Part 2 para 6: statutory and government purposes',
  },
  'DPA2018-S1-P2-18': {
    kind: 'schedule1-part2',
    label: 'DPA 2018 Sch 1 Part 2 para 18: safeguarding of children and individuals at risk',
  },
  'UKGDPR-10': {
    kind: 'art10',
    label: 'UK GDPR Art 10 criminal offence data, with a DPA 2018 Sch 1 condition',
  },
  'CA1989-s17': { kind: 'statutory-gateway', label: 'Children Act 1989 s17 (children in need)' },
  'CA1989-s47': {
    kind: 'statutory-gateway',
    label: 'Children Act 1989 s47 (enquiries into significant harm)',
  },
  'CA2004-s11': { kind: 'statutory-gateway', label: 'Children Act 2004 s11 (duty to safeguard)' },
  'CA2004-s16M': {
    kind: 'statutory-gateway',
    label: 'Children Act 2004 s16M (child death review arrangements)',
  },
  'CDA1998-s115': {
    kind: 'statutory-gateway',
    label: 'Crime and Disorder Act 1998 s115 (disclosure to partners)',
  },
  WT2018: { kind: 'statutory-gateway', label: 'Working Together to Safeguard Children 2018' },
} as const satisfies Record<string, { kind: LawfulBasisKind; label: string }>;
export type LawfulBasisCode = keyof typeof lawfulBases;
export const lawfulBasisCodes = Object.keys(lawfulBases) as LawfulBasisCode[];

/** Why a set of bases does not cover a set of data categories: one code per unmet pairing rule. */
export type PairingProblem =
  | 'ART6_GROUND_MISSING'
  | 'ART9_GROUND_MISSING'
  | 'SCHEDULE1_PART2_CONDITION_MISSING'
  | 'APPROPRIATE_POLICY_DOCUMENT_MISSING'
  | 'SCHEDULE1_PART1_CONDITION_MISSING'
  | 'CRIMINAL_OFFENCE_CONDITION_MISSING';

const kindsOf = (bases: readonly LawfulBasisCode[]) => new Set(bases.map((b) => lawfulBases[b].kind));

/**
 * The pairing rules (issue 4; ICO guidance on special category and criminal offence data):
 * - every share needs an Art 6 ground;
 * - special-category data needs an Art 9 ground;
 * - Art 9(2)(g) needs a Schedule 1 Part 2 condition and an appropriate policy document (DPA 2018 s10(3), Sch 1
 *   para 5);
 * - Art 9(2)(h) needs the Schedule 1 Part 1 para 2 condition (DPA 2018 s10(2));
 * - criminal-offence data needs Art 10 with a Schedule 1 Part 1 or Part 2 condition (DPA 2018 s10(5)); one
 *   condition may serve both Art 9 and Art 10, so it need not be a second one.
 * Returns every unmet rule; none means the bases cover the categories.
 */
export const pairingProblems = (
  categories: readonly DataCategory[],
  bases: readonly LawfulBasisCode[],
  appropriatePolicyDocument: string | undefined,
): PairingProblem[] => {
  const kinds = kindsOf(bases);
  const problems: PairingProblem[] = [];
  if (!kinds.has('art6')) problems.push('ART6_GROUND_MISSING');
  const special = categories.some((c) => dataCategories[c].special);
  const criminal = categories.some((c) => dataCategories[c].criminal);
  if (special && !kinds.has('art9')) problems.push('ART9_GROUND_MISSING');
  if (bases.includes('UKGDPR-9-2-g')) {
    if (!kinds.has('schedule1-part2')) problems.push('SCHEDULE1_PART2_CONDITION_MISSING');
    if (appropriatePolicyDocument === undefined || appropriatePolicyDocument.trim() === '') {
      problems.push('APPROPRIATE_POLICY_DOCUMENT_MISSING');
    }
  }
  if (bases.includes('UKGDPR-9-2-h') && !bases.includes('DPA2018-S1-P1-2')) {
    problems.push('SCHEDULE1_PART1_CONDITION_MISSING');
  }
  if (criminal && !(kinds.has('art10') && (kinds.has('schedule1-part1') || kinds.has('schedule1-part2')))) {
    problems.push('CRIMINAL_OFFENCE_CONDITION_MISSING');
  }
  return problems;
};

/** Consent rules a purpose can carry (R15), and the states a request records (R14). */
export const consentRules = ['required', 'not-required', 'required-unless-exempt'] as const;
export type ConsentRule = (typeof consentRules)[number];

/** DPA 2018 Sch 1 para 18(2): why consent was not sought. */
export const consentExemptions = [
  'cannot-be-given',
  'cannot-reasonably-be-expected-to-be-obtained',
  'would-prejudice-protection',
] as const;
export type ConsentExemption = (typeof consentExemptions)[number];
