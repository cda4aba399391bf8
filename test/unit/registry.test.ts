import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import {
  type Footprint,
  findRegistryProblems,
  footprintsOf,
  membersOf,
  type Registry,
  sharedFootprints,
} from '#shared/domain/registry/registry.ts';

const today = new Date('2026-11-23T12:00:00Z');

const footprint = (id: string) => {
  const found = registrySeed.footprints.find((f) => f.id === id);
  if (found === undefined) throw new Error(`no seeded footprint ${id}`);
  return found;
};

describe('the seeded registry', () => {
  it('is consistent', () => {
    expect(findRegistryProblems(registrySeed)).toEqual([]);
  });

  it.each([
    ['north-west-bcu', 'police-bcu', ['lb-barnet', 'lb-brent', 'lb-harrow', 'met-nw-bcu']],
    ['east-area-bcu', 'police-bcu', ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge', 'met-ea-bcu']],
    ['brent-harrow-cdop-area', 'cdop', ['brent-harrow-cdop', 'lb-brent', 'lb-harrow']],
    ['barnet-cdop-area', 'cdop', ['barnet-cdop', 'lb-barnet']],
    // The East Area BCU takes part in BHR child death reviews (the joint agency response).
    [
      'bhr-cdop-area',
      'cdop',
      ['bhr-cdop', 'lb-barking-dagenham', 'lb-havering', 'lb-redbridge', 'met-ea-bcu'],
    ],
    [
      'beds-luton-cdop-area',
      'cdop',
      [
        'bedford-borough',
        'bedfordshire-ccg',
        'beds-luton-cdop',
        'central-bedfordshire',
        'luton-borough',
        'luton-ccg',
      ],
    ],
    ['milton-keynes-cdop-area', 'cdop', ['milton-keynes', 'milton-keynes-cdop']],
    [
      'bhr-safeguarding-partnership',
      'safeguarding-partnership',
      ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge'],
    ],
  ])('holds %s (%s) with its real members', (id, kind, members) => {
    expect(footprint(id).kind).toBe(kind);
    expect(membersOf(footprint(id), today).sort()).toEqual(members);
  });

  it('gives every organisation exactly one system client and one console client', () => {
    for (const suffix of ['-system', '-console']) {
      const clients = registrySeed.clients.filter((c) => c.id.endsWith(suffix));
      expect(clients.map((c) => c.organisationId).sort()).toEqual(
        registrySeed.organisations.map((o) => o.id).sort(),
      );
      expect(clients.every((c) => c.id === `${c.organisationId}${suffix}`)).toBe(true);
    }
    expect(registrySeed.clients).toHaveLength(2 * registrySeed.organisations.length);
  });

  it('knows a shared BCU is not a shared CDOP: Barnet and Brent share a BCU but no CDOP', () => {
    expect(
      sharedFootprints(registrySeed, 'lb-barnet', 'lb-brent', 'police-bcu', today).map((f) => f.id),
    ).toEqual(['north-west-bcu']);
    expect(sharedFootprints(registrySeed, 'lb-barnet', 'lb-brent', 'cdop', today)).toEqual([]);
    expect(footprintsOf(registrySeed, 'lb-barnet', today, 'cdop').map((f) => f.id)).toEqual([
      'barnet-cdop-area',
    ]);
    expect(membersOf(footprint('brent-harrow-cdop-area'), today)).not.toContain('lb-barnet');
  });

  it('keeps Milton Keynes out of the Bedfordshire and Luton CDOP', () => {
    expect(sharedFootprints(registrySeed, 'milton-keynes', 'luton-borough', 'cdop', today)).toEqual([]);
  });

  it('has no BHR CDOP before its panels began in March 2021', () => {
    expect(membersOf(footprint('bhr-cdop-area'), new Date('2021-02-28T23:59:59Z'))).toEqual([]);
    expect(membersOf(footprint('bhr-cdop-area'), new Date('2021-03-01T00:00:00Z'))).toHaveLength(5);
  });
});

describe('findRegistryProblems', () => {
  const base: Registry = {
    organisations: [
      { id: 'org-a', name: 'A', kind: 'local-authority' },
      { id: 'org-b', name: 'B', kind: 'police' },
    ],
    footprints: [
      {
        id: 'fp-one',
        name: 'One',
        kind: 'cdop',
        validFrom: '2020-01-01',
        validTo: '2030-12-31',
        memberships: [{ organisationId: 'org-a', from: '2020-01-01' }],
      },
    ],
    clients: [{ id: 'org-a-system', organisationId: 'org-a', name: 'A system', status: 'active' }],
    users: [
      {
        id: 'org-a.ig-lead',
        organisationId: 'org-a',
        displayName: 'A IG lead',
        roles: ['ig-lead'],
        status: 'active',
      },
    ],
  };
  const withFootprint = (changes: Partial<Footprint>): Registry => ({
    ...base,
    footprints: [{ ...(base.footprints[0] as Footprint), ...changes }],
  });

  it('accepts a consistent registry', () => {
    expect(findRegistryProblems(base)).toEqual([]);
  });

  it.each<[string, Registry, RegExp]>([
    [
      'a duplicate organisation',
      { ...base, organisations: [...base.organisations, ...base.organisations.slice(0, 1)] },
      /duplicate organisation id org-a/,
    ],
    [
      'a dangling member',
      withFootprint({ memberships: [{ organisationId: 'org-z', from: '2020-01-01' }] }),
      /unknown organisation org-z/,
    ],
    [
      'a membership before the footprint',
      withFootprint({ memberships: [{ organisationId: 'org-a', from: '2019-01-01' }] }),
      /outside the footprint/,
    ],
    [
      'a membership ending after the footprint',
      withFootprint({ memberships: [{ organisationId: 'org-a', from: '2020-01-01', to: '2031-01-01' }] }),
      /outside the footprint/,
    ],
    [
      'a footprint ending before it starts',
      withFootprint({ validTo: '2019-01-01' }),
      /ends before it starts/,
    ],
    [
      'a client of no organisation',
      { ...base, clients: [{ id: 'ghost-system', organisationId: 'ghost', name: 'G', status: 'active' }] },
      /client ghost-system names unknown organisation ghost/,
    ],
  ])('reports %s', (_, registry, problem) => {
    expect(findRegistryProblems(registry).join('\n')).toMatch(problem);
  });
});

describe('membersOf, against a reference model', () => {
  const day = fc.integer({ min: 0, max: 3_650 }).map((n) => new Date(Date.UTC(2018, 0, 1) + n * 86_400_000));
  const iso = (d: Date) => d.toISOString().slice(0, 10);

  it('lists exactly the members whose membership and footprint cover the day', () => {
    fc.assert(
      fc.property(
        day,
        day,
        fc.array(
          fc.tuple(fc.constantFrom('org-a', 'org-b', 'org-c'), day, fc.option(day, { nil: undefined })),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        day,
        (validFrom, validTo, raw, at) => {
          const f: Footprint = {
            id: 'fp-prop',
            name: 'prop',
            kind: 'police-bcu',
            validFrom: iso(validFrom),
            ...(validTo < validFrom ? {} : { validTo: iso(validTo) }),
            memberships: raw.map(([organisationId, from, to]) => ({
              organisationId,
              from: iso(from),
              ...(to === undefined ? {} : { to: iso(to) }),
            })),
          };
          const d = at.getTime();
          const inForce = d >= validFrom.getTime() && (validTo < validFrom || d <= validTo.getTime());
          const expected = inForce
            ? raw
                .filter(([, from, to]) => d >= from.getTime() && (to === undefined || d <= to.getTime()))
                .map(([o]) => o)
            : [];
          expect(membersOf(f, at)).toEqual(expected);
        },
      ),
    );
  });
});
