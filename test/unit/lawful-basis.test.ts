import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AgreementContent, agreementContentSchema } from '#shared/domain/agreements/agreement.ts';
import {
  type DataCategory,
  dataCategories,
  dataCategoryCodes,
  type LawfulBasisCode,
  lawfulBasisCodes,
  type PairingProblem,
  pairingProblems,
} from '#shared/domain/agreements/catalogue.ts';

/**
 * The lawful-basis pairing rules (issue 4; UK GDPR Art 6, 9, 10; DPA 2018 s10 and Schedule 1). Each rule is
 * provoked alone, from bases that otherwise cover the data, and shown satisfied by the basis it asks for.
 */

const apd = 'APD-PARTNERSHIP-2025';

type Case = readonly [
  name: string,
  categories: DataCategory[],
  bases: LawfulBasisCode[],
  policyDocument: string | undefined,
  expected: PairingProblem[],
];

const cases: Case[] = [
  // Every share needs an Art 6 ground; a statutory gateway is not one.
  ['no Art 6 ground', ['identity-residence'], ['CA2004-s11'], apd, ['ART6_GROUND_MISSING']],
  ['no Art 6 ground, only Art 9', ['health'], ['UKGDPR-9-2-c'], apd, ['ART6_GROUND_MISSING']],
  ['Art 6(1)(e) public task', ['identity-residence'], ['UKGDPR-6-1-e', 'CA2004-s11'], apd, []],
  ['Art 6(1)(c) legal obligation', ['protection-status'], ['UKGDPR-6-1-c'], undefined, []],

  // Special-category data needs an Art 9 ground.
  ['health without Art 9', ['health'], ['UKGDPR-6-1-e'], apd, ['ART9_GROUND_MISSING']],
  [
    'child death details without Art 9',
    ['identity-residence', 'child-death-details'],
    ['UKGDPR-6-1-e', 'CA2004-s16M', 'DPA2018-S1-P2-18'],
    apd,
    ['ART9_GROUND_MISSING'],
  ],
  ['health with Art 9(2)(c) vital interests', ['health'], ['UKGDPR-6-1-d', 'UKGDPR-9-2-c'], undefined, []],
  [
    'ethnicity with Art 9(2)(a) explicit consent',
    ['ethnicity'],
    ['UKGDPR-6-1-a', 'UKGDPR-9-2-a'],
    undefined,
    [],
  ],
  ['ordinary data needs no Art 9 ground', ['missing-episodes'], ['UKGDPR-6-1-e'], undefined, []],

  // Art 9(2)(g) needs a Schedule 1 Part 2 condition (DPA 2018 s10(3)).
  [
    'Art 9(2)(g) without a Part 2 condition',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g'],
    apd,
    ['SCHEDULE1_PART2_CONDITION_MISSING'],
  ],
  [
    'Art 9(2)(g) with only a Part 1 condition',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P1-2'],
    apd,
    ['SCHEDULE1_PART2_CONDITION_MISSING'],
  ],
  [
    'Art 9(2)(g) with Part 2 para 18 (safeguarding)',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
    apd,
    [],
  ],
  [
    'Art 9(2)(g) with Part 2 para 6 (statutory purposes)',
    ['mental-health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-6'],
    apd,
    [],
  ],

  // Art 9(2)(g) needs an appropriate policy document (DPA 2018 Sch 1 para 5).
  [
    'Art 9(2)(g) without a policy document',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
    undefined,
    ['APPROPRIATE_POLICY_DOCUMENT_MISSING'],
  ],
  [
    'Art 9(2)(g) with a blank policy document',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
    '   ',
    ['APPROPRIATE_POLICY_DOCUMENT_MISSING'],
  ],
  [
    'Art 9(2)(g) without a Part 2 condition or a policy document',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g'],
    undefined,
    ['SCHEDULE1_PART2_CONDITION_MISSING', 'APPROPRIATE_POLICY_DOCUMENT_MISSING'],
  ],

  // Art 9(2)(h) needs Schedule 1 Part 1 para 2 (DPA 2018 s10(2)).
  [
    'Art 9(2)(h) without Part 1 para 2',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-h'],
    undefined,
    ['SCHEDULE1_PART1_CONDITION_MISSING'],
  ],
  [
    'Art 9(2)(h) with only a Part 2 condition',
    ['health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-h', 'DPA2018-S1-P2-18'],
    undefined,
    ['SCHEDULE1_PART1_CONDITION_MISSING'],
  ],
  [
    'Art 9(2)(h) with Part 1 para 2',
    ['health', 'disability'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-h', 'DPA2018-S1-P1-2'],
    undefined,
    [],
  ],

  // Criminal-offence data needs Art 10 with a Schedule 1 condition of its own (DPA 2018 s10(5)).
  [
    'criminal-offence data on Art 6 alone',
    ['criminal-offence'],
    ['UKGDPR-6-1-e'],
    apd,
    ['CRIMINAL_OFFENCE_CONDITION_MISSING'],
  ],
  [
    'criminal-offence data with Art 10 but no Schedule 1 condition',
    ['criminal-offence'],
    ['UKGDPR-6-1-e', 'UKGDPR-10'],
    apd,
    ['CRIMINAL_OFFENCE_CONDITION_MISSING'],
  ],
  [
    'criminal-offence data with a Schedule 1 condition but no Art 10',
    ['allegations-against-staff'],
    ['UKGDPR-6-1-e', 'DPA2018-S1-P2-18'],
    apd,
    ['CRIMINAL_OFFENCE_CONDITION_MISSING'],
  ],
  [
    'criminal-offence data with a statutory gateway instead of Art 10',
    ['criminal-offence'],
    ['UKGDPR-6-1-e', 'CDA1998-s115', 'DPA2018-S1-P2-6'],
    apd,
    ['CRIMINAL_OFFENCE_CONDITION_MISSING'],
  ],
  [
    'criminal-offence data with Art 10 and Part 2 para 18',
    ['criminal-offence'],
    ['UKGDPR-6-1-e', 'UKGDPR-10', 'DPA2018-S1-P2-18'],
    apd,
    [],
  ],
  [
    'allegations against staff with Art 10 and Part 1 para 2',
    ['allegations-against-staff'],
    ['UKGDPR-6-1-e', 'UKGDPR-10', 'DPA2018-S1-P1-2'],
    apd,
    [],
  ],

  // Several rules at once: each unmet rule is named.
  [
    'special and criminal data on a statutory gateway alone',
    ['health', 'criminal-offence'],
    ['CA1989-s47'],
    apd,
    ['ART6_GROUND_MISSING', 'ART9_GROUND_MISSING', 'CRIMINAL_OFFENCE_CONDITION_MISSING'],
  ],
  [
    'special and criminal data fully covered',
    ['health', 'criminal-offence', 'identity-residence'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'UKGDPR-10', 'CA1989-s47'],
    apd,
    [],
  ],
];

describe('pairingProblems', () => {
  it.each(cases)('%s', (_, categories, bases, policyDocument, expected) => {
    expect(pairingProblems(categories, bases, policyDocument).sort()).toEqual([...expected].sort());
  });

  it('names every pairing problem in at least one case above, alone', () => {
    const alone = new Set(cases.filter(([, , , , e]) => e.length === 1).map(([, , , , e]) => e[0]));
    const all: PairingProblem[] = [
      'ART6_GROUND_MISSING',
      'ART9_GROUND_MISSING',
      'SCHEDULE1_PART2_CONDITION_MISSING',
      'APPROPRIATE_POLICY_DOCUMENT_MISSING',
      'SCHEDULE1_PART1_CONDITION_MISSING',
      'CRIMINAL_OFFENCE_CONDITION_MISSING',
    ];
    expect([...alone].sort()).toEqual([...all].sort());
  });

  it('agrees with a direct restatement of the rules for any categories, bases and policy document', () => {
    const kindOf = (b: LawfulBasisCode) =>
      b.startsWith('UKGDPR-6-')
        ? 'art6'
        : b.startsWith('UKGDPR-9-')
          ? 'art9'
          : b === 'UKGDPR-10'
            ? 'art10'
            : b.startsWith('DPA2018-S1-P1-')
              ? 'sch1-part1'
              : b.startsWith('DPA2018-S1-P2-')
                ? 'sch1-part2'
                : 'gateway';
    const model = (categories: DataCategory[], bases: LawfulBasisCode[], doc: string | undefined) => {
      const has = (kind: string) => bases.some((b) => kindOf(b) === kind);
      const special = categories.some((c) => dataCategories[c].special);
      const criminal = categories.some((c) => dataCategories[c].criminal);
      const problems = new Set<PairingProblem>();
      if (!has('art6')) problems.add('ART6_GROUND_MISSING');
      if (special && !has('art9')) problems.add('ART9_GROUND_MISSING');
      if (bases.includes('UKGDPR-9-2-g') && !has('sch1-part2'))
        problems.add('SCHEDULE1_PART2_CONDITION_MISSING');
      if (bases.includes('UKGDPR-9-2-g') && (doc ?? '').trim() === '')
        problems.add('APPROPRIATE_POLICY_DOCUMENT_MISSING');
      if (bases.includes('UKGDPR-9-2-h') && !bases.includes('DPA2018-S1-P1-2'))
        problems.add('SCHEDULE1_PART1_CONDITION_MISSING');
      if (criminal && !(has('art10') && (has('sch1-part1') || has('sch1-part2'))))
        problems.add('CRIMINAL_OFFENCE_CONDITION_MISSING');
      return [...problems].sort();
    };
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...dataCategoryCodes), { minLength: 1 }),
        fc.uniqueArray(fc.constantFrom(...lawfulBasisCodes), { minLength: 1 }),
        fc.option(fc.constantFrom(apd, '', ' '), { nil: undefined }),
        (categories, bases, doc) => {
          expect(pairingProblems(categories, bases, doc).sort()).toEqual(model(categories, bases, doc));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

const purpose = (
  dataCategories: DataCategory[],
  lawfulBasis: LawfulBasisCode[],
): AgreementContent['purposes'][number] => ({
  code: 'SAFEGUARDING_REFERRAL_MASH',
  description: 'Cross-borough MASH enquiry',
  dataCategories,
  lawfulBasis,
  consentRule: 'required-unless-exempt',
  rolesAllowedToRequest: ['practitioner'],
  rolesAllowedToAnswer: ['practitioner'],
  retentionDays: 365,
});

/** `null` leaves the appropriate policy document out. */
const content = (
  purposes: AgreementContent['purposes'],
  appropriatePolicyDocument: string | null,
): unknown => ({
  title: 'North West BCU MASH enquiries',
  parties: ['lb-barnet', 'lb-brent', 'lb-harrow', 'met-nw-bcu'],
  footprintId: 'north-west-bcu',
  purposes,
  validFrom: '2025-04-01',
  reviewDate: '2027-03-31',
  blockWhenReviewOverdue: false,
  dpiaReference: 'DPIA-NW-MASH-2025',
  ...(appropriatePolicyDocument === null ? {} : { appropriatePolicyDocument }),
});

/** The pairing problems the schema reports, by purpose index. */
const schemaProblems = (input: unknown): [number, string][] => {
  const parsed = agreementContentSchema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => {
    expect(i.path.slice(0, 1)).toEqual(['purposes']);
    expect(i.path[2]).toBe('lawfulBasis');
    return [Number(i.path[1]), i.message];
  });
};

describe('the agreement schema and the pairing rules', () => {
  // Art 9(2)(h) needs no policy document, so this purpose pairs with or without one.
  const paired = purpose(
    ['identity-residence', 'health'],
    ['UKGDPR-6-1-e', 'UKGDPR-9-2-h', 'DPA2018-S1-P1-2', 'CA1989-s47'],
  );

  it('accepts an agreement whose every purpose pairs', () => {
    expect(schemaProblems(content([paired], apd))).toEqual([]);
    expect(schemaProblems(content([paired], null))).toEqual([]);
    const viaG = purpose(['health'], ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18']);
    expect(agreementContentSchema.safeParse(content([viaG], apd)).success).toBe(true);
  });

  it.each([
    ['no Art 6 ground', purpose(['identity-residence'], ['CA1989-s47']), apd, 'ART6_GROUND_MISSING'],
    ['special category without Art 9', purpose(['health'], ['UKGDPR-6-1-e']), apd, 'ART9_GROUND_MISSING'],
    [
      'Art 9(2)(g) without a Part 2 condition',
      purpose(['health'], ['UKGDPR-6-1-e', 'UKGDPR-9-2-g']),
      apd,
      'SCHEDULE1_PART2_CONDITION_MISSING',
    ],
    [
      'Art 9(2)(g) without an appropriate policy document',
      purpose(['health'], ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18']),
      null,
      'APPROPRIATE_POLICY_DOCUMENT_MISSING',
    ],
    [
      'Art 9(2)(h) without Part 1 para 2',
      purpose(['health'], ['UKGDPR-6-1-e', 'UKGDPR-9-2-h']),
      apd,
      'SCHEDULE1_PART1_CONDITION_MISSING',
    ],
    [
      'criminal-offence data without Art 10 and a condition',
      purpose(['criminal-offence'], ['UKGDPR-6-1-e', 'UKGDPR-10']),
      apd,
      'CRIMINAL_OFFENCE_CONDITION_MISSING',
    ],
  ])('refuses a purpose with %s, naming the purpose and the rule', (_, unpaired, doc, problem) => {
    const second = { ...unpaired, code: 'MISSING_CHILD' as const };
    expect(schemaProblems(content([paired, second], doc))).toEqual([[1, problem]]);
  });
});
