import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemblePanelPack, type PanelCaseSummary } from '#shared/domain/cdop/panel-pack.ts';
import {
  parseReport,
  type ReportingForm,
  redactBody,
  redactionMarker,
  separateIdentifying,
} from '#shared/domain/cdop/reporting-form.ts';
import { isValidNhsNumber } from '#shared/domain/subjects/subject-reference.ts';

// The panel pack removes part A values in the forms people write them (issue 12, finding 10), tested against a
// small reference model: `spellingsOf` lists the usual ways of writing each value, and every one of them, written
// in a sentence of an agency's account, must come out as the sentence with the marker in its place.

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const pad = (n: number) => String(n).padStart(2, '0');
const ordinal = (d: number) => {
  const tens = d % 100;
  if (tens >= 11 && tens <= 13) return `${d}th`;
  return `${d}${{ 1: 'st', 2: 'nd', 3: 'rd' }[d % 10] ?? 'th'}`;
};

/** The reference model: the usual spellings of each kind of identifying value. */
const spellingsOf = {
  date: (iso: string): string[] => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    const month = months[m - 1] ?? '';
    const short = month.slice(0, 3);
    const years = [String(y), String(y).slice(2)];
    const days = [String(d), pad(d)];
    const numbers = [String(m), pad(m)];
    const numeric = ['/', '.', '-', ' '].flatMap((sep) =>
      days.flatMap((day) => numbers.flatMap((mm) => years.map((yy) => `${day}${sep}${mm}${sep}${yy}`))),
    );
    const iso8601 = ['-', '/', '.', ' ', ''].map((sep) => `${y}${sep}${pad(m)}${sep}${pad(d)}`);
    const named = [month, short, month.toUpperCase(), short.toLowerCase()].flatMap((name) => [
      `${d} ${name} ${y}`,
      `${ordinal(d)} ${name} ${y}`,
      `${ordinal(d)} of ${name} ${y}`,
      `${d}-${name}-${y}`,
      `${name} ${d}, ${y}`,
      `${name} ${ordinal(d)} ${y}`,
      `${ordinal(d)} ${name}`,
      `${d} ${name}`,
    ]);
    return [...numeric, ...iso8601, ...named];
  },
  nhsNumber: (n: string): string[] =>
    ['', ' ', '-'].map((sep) => `${n.slice(0, 3)}${sep}${n.slice(3, 6)}${sep}${n.slice(6)}`),
  postcode: (p: string): string[] => {
    const [outward = '', inward = ''] = p.split(' ');
    return [`${outward} ${inward}`, `${outward}${inward}`].flatMap((s) => [
      s,
      s.toLowerCase(),
      s[0] + s.slice(1).toLowerCase(),
    ]);
  },
  name: (name: string): string[] =>
    [name, name.toUpperCase(), name.toLowerCase()].flatMap((n) => [n, `${n}'s`, `${n}’s`]),
};

/** NHS numbers with a valid modulus 11 check digit. */
const nhsNumber = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
  .map((digits) => {
    const sum = digits.reduce((s, digit, i) => s + digit * (10 - i), 0);
    const check = 11 - (sum % 11);
    return check === 10 ? undefined : `${digits.join('')}${check === 11 ? 0 : check}`;
  })
  .filter((n): n is string => n !== undefined && isValidNhsNumber(n));

const letter = (chars: string) => fc.constantFrom(...chars.split(''));
const postcode = fc
  .tuple(
    fc.array(letter('ABCDEFGHKLMNPRSTUWY'), { minLength: 1, maxLength: 2 }),
    fc.integer({ min: 1, max: 20 }),
    fc.integer({ min: 0, max: 9 }),
    fc.array(letter('ABDEFGHJLNPQRSTUWXYZ'), { minLength: 2, maxLength: 2 }),
  )
  .map(([area, district, sector, unit]) => `${area.join('')}${district} ${sector}${unit.join('')}`);
const name = fc.array(letter('bcdfghklmnprstvwz'), { minLength: 3, maxLength: 4 }).chain((consonants) =>
  fc.array(letter('aeiou'), { minLength: consonants.length, maxLength: consonants.length }).map((vowels) => {
    const word = consonants.map((c, i) => `${c}${vowels[i]}`).join('');
    return word[0]?.toUpperCase() + word.slice(1);
  }),
);
const dateOfBirth = fc
  .date({ min: new Date('2008-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const reportWith = (ids: {
  given: string;
  family: string;
  dateOfBirth: string;
  nhsNumber: string;
  postcode: string;
}): ReportingForm =>
  parseReport('2026', {
    schemaVersion: '2026',
    caseId: 'case-01',
    agencyId: 'lb-havering',
    partA: {
      child: {
        givenNames: ids.given,
        familyName: ids.family,
        dateOfBirth: ids.dateOfBirth,
        nhsNumber: ids.nhsNumber,
        address: { lines: ['Flat B'], postcode: ids.postcode },
      },
      agencyCaseNumbers: [],
      completedBy: { name: 'Named Nurse', jobTitle: 'Named nurse', contact: 'the safeguarding team' },
    },
    partB: {
      involvement: { status: 'past', services: [] },
      concerns: { safeguardingConcerns: 'no', childProtectionPlan: 'no', lookedAfter: 'no' },
      factors: { intrinsicToChild: [], familyAndEnvironment: [], serviceProvision: [] },
    },
  });

const redactedSummary = (report: ReportingForm, summary: string): string | undefined =>
  redactBody(
    {
      ...separateIdentifying(report).body,
      partB: { ...report.partB, involvement: { ...report.partB.involvement, summary } },
    },
    report.partA,
  ).partB.involvement.summary;

const filler = ['seen', 'on', 'at', 'clinic', 'today'];

describe('the panel pack removes identifying values in every usual format', () => {
  const report = reportWith({
    given: 'Amara',
    family: 'Okonkwo',
    dateOfBirth: '2024-02-10',
    nhsNumber: '9434765919',
    postcode: 'RM1 9ZZ',
  });

  it('the reproduction: a date of birth written 10/02/2024', () => {
    expect(redactedSummary(report, 'Born 10/02/2024 at term.')).toBe(`Born ${redactionMarker} at term.`);
  });

  it('examples of each kind', () => {
    for (const written of [
      '2024-02-10',
      '10/02/2024',
      '10.02.24',
      '10 Feb 2024',
      '10th February 2024',
      'February 10, 2024',
      '943 476 5919',
      '943-476-5919',
      'rm19zz',
      'RM1 9ZZ',
      "OKONKWO'S",
      'okonkwo',
      'Amara’s',
    ]) {
      expect(redactedSummary(report, `Seen on ${written} at clinic.`), written).toBe(
        `Seen on ${redactionMarker} at clinic.`,
      );
    }
  });

  it('leaves ordinary words alone: a name is matched as a word, not inside another', () => {
    const ann = reportWith({
      given: 'Ann',
      family: 'Okonkwo',
      dateOfBirth: '2024-02-10',
      nhsNumber: '9434765919',
      postcode: 'RM1 9ZZ',
    });
    expect(redactedSummary(ann, 'A planned annual review.')).toBe('A planned annual review.');
  });

  it('property: every spelling of every value is replaced by the marker, and nothing else is', () => {
    const kinds = ['date', 'nhsNumber', 'postcode', 'given', 'family'] as const;
    fc.assert(
      fc.property(
        fc.record({ given: name, family: name, dateOfBirth, nhsNumber, postcode }),
        fc.constantFrom(...kinds),
        fc.nat(),
        (ids, kind, pick) => {
          fc.pre(ids.given !== ids.family && !filler.includes(ids.given.toLowerCase()));
          fc.pre(!filler.includes(ids.family.toLowerCase()));
          const forms =
            kind === 'date'
              ? spellingsOf.date(ids.dateOfBirth)
              : kind === 'nhsNumber'
                ? spellingsOf.nhsNumber(ids.nhsNumber)
                : kind === 'postcode'
                  ? spellingsOf.postcode(ids.postcode)
                  : spellingsOf.name(ids[kind]);
          const written = forms[pick % forms.length] ?? '';
          const r = reportWith(ids);
          expect(redactedSummary(r, `Seen on ${written} at clinic today.`), written).toBe(
            `Seen on ${redactionMarker} at clinic today.`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every spelling of the example date of birth', () => {
    for (const written of spellingsOf.date('2024-02-10')) {
      expect(redactedSummary(report, `Seen on ${written} at clinic.`), written).toBe(
        `Seen on ${redactionMarker} at clinic.`,
      );
    }
  });
});

describe('a declined agency in the panel pack', () => {
  const summary: PanelCaseSummary = {
    caseId: 'case-01',
    cdopFootprintId: 'bhr-cdop-area',
    boroughOfResidence: 'lb-havering',
    dateOfBirth: '2024-02-10',
    dateOfDeath: '2024-09-03',
    expected: false,
    placeCategory: 'home',
    diedInFootprint: true,
    agenciesRequested: ['lb-havering', 'lb-redbridge', 'met-ea-bcu'],
    agenciesDeclined: ['lb-redbridge'],
  };

  it('is listed as declined, not outstanding', () => {
    const pack = assemblePanelPack(summary, []);
    expect(pack.agenciesOutstanding).toEqual(['lb-havering', 'met-ea-bcu']);
    expect(pack.agenciesDeclined).toEqual(['lb-redbridge']);
  });
});
