import { consoleClientOf } from '#console/config.ts';
import type {
  Client,
  Footprint,
  Organisation,
  Registry,
  User,
  UserRole,
} from '#shared/domain/registry/registry.ts';

/**
 * The reference data of the local exchange: the real footprints of the partnership documents (see
 * ../shared/DESIGN.md "Real footprints" and the domain brief, section 2, for line references). A shared police BCU
 * is not a shared CDOP: Barnet is in the North West BCU with Brent and Harrow, but its CDOP covers Barnet only.
 */

const organisations: Organisation[] = [
  { id: 'lb-barnet', name: 'London Borough of Barnet', kind: 'local-authority' },
  { id: 'lb-brent', name: 'London Borough of Brent', kind: 'local-authority' },
  { id: 'lb-harrow', name: 'London Borough of Harrow', kind: 'local-authority' },
  { id: 'lb-barking-dagenham', name: 'London Borough of Barking and Dagenham', kind: 'local-authority' },
  { id: 'lb-havering', name: 'London Borough of Havering', kind: 'local-authority' },
  { id: 'lb-redbridge', name: 'London Borough of Redbridge', kind: 'local-authority' },
  { id: 'bedford-borough', name: 'Bedford Borough Council', kind: 'local-authority' },
  { id: 'central-bedfordshire', name: 'Central Bedfordshire Council', kind: 'local-authority' },
  { id: 'luton-borough', name: 'Luton Borough Council', kind: 'local-authority' },
  { id: 'milton-keynes', name: 'Milton Keynes City Council', kind: 'local-authority' },
  { id: 'met-nw-bcu', name: 'Metropolitan Police, North West Basic Command Unit', kind: 'police' },
  { id: 'met-ea-bcu', name: 'Metropolitan Police, East Area Basic Command Unit', kind: 'police' },
  { id: 'luton-ccg', name: 'Luton Clinical Commissioning Group', kind: 'health-commissioner' },
  { id: 'bedfordshire-ccg', name: 'Bedfordshire Clinical Commissioning Group', kind: 'health-commissioner' },
  { id: 'brent-harrow-cdop', name: 'Brent and Harrow CDOP secretariat', kind: 'cdop-secretariat' },
  { id: 'barnet-cdop', name: 'Barnet CDOP secretariat', kind: 'cdop-secretariat' },
  { id: 'bhr-cdop', name: 'BHR CDOP secretariat', kind: 'cdop-secretariat' },
  { id: 'beds-luton-cdop', name: 'Bedfordshire and Luton CDOP secretariat', kind: 'cdop-secretariat' },
  { id: 'milton-keynes-cdop', name: 'Milton Keynes CDOP secretariat', kind: 'cdop-secretariat' },
  { id: 'pbx-operations', name: 'pbx exchange operations', kind: 'exchange-operator' },
];

const members = (from: string, ids: readonly string[]) =>
  ids.map((organisationId) => ({ organisationId, from }));

/** Statutory child death review arrangements under Working Together 2018 began on 29 September 2019. */
const cdrArrangements = '2019-09-29';

const footprints: Footprint[] = [
  {
    id: 'north-west-bcu',
    name: 'North West BCU (Metropolitan Police)',
    kind: 'police-bcu',
    validFrom: '2018-11-01',
    memberships: members('2018-11-01', ['met-nw-bcu', 'lb-barnet', 'lb-brent', 'lb-harrow']),
    note: 'Brent, Harrow and Barnet (002:66); Barnet part of it since November 2018 (000:307)',
  },
  {
    id: 'east-area-bcu',
    name: 'East Area BCU (Metropolitan Police)',
    kind: 'police-bcu',
    validFrom: '2018-11-01',
    memberships: members('2018-11-01', ['met-ea-bcu', 'lb-barking-dagenham', 'lb-havering', 'lb-redbridge']),
    note: 'Barking and Dagenham stated (003:806); Havering and Redbridge implied (003:357)',
  },
  {
    id: 'brent-harrow-cdop-area',
    name: 'Brent and Harrow CDOP',
    kind: 'cdop',
    validFrom: cdrArrangements,
    memberships: members(cdrArrangements, ['brent-harrow-cdop', 'lb-brent', 'lb-harrow']),
    note: 'Brent and Harrow Child Death Overview Panel (002:46)',
  },
  {
    id: 'barnet-cdop-area',
    name: 'Barnet CDOP',
    kind: 'cdop',
    validFrom: cdrArrangements,
    memberships: members(cdrArrangements, ['barnet-cdop', 'lb-barnet']),
    note: 'reviews deaths of children in the borough of Barnet (000:720)',
  },
  {
    id: 'bhr-cdop-area',
    name: 'BHR CDOP',
    kind: 'cdop',
    validFrom: '2021-03-01',
    // The police BCU covering the three boroughs takes part in child death review (joint agency response).
    memberships: members('2021-03-01', [
      'bhr-cdop',
      'lb-barking-dagenham',
      'lb-havering',
      'lb-redbridge',
      'met-ea-bcu',
    ]),
    note: 'monthly BHR CDOP panels since March 2021 across the three boroughs (003:503)',
  },
  {
    id: 'beds-luton-cdop-area',
    name: 'Bedfordshire and Luton CDOP',
    kind: 'cdop',
    validFrom: cdrArrangements,
    memberships: members(cdrArrangements, [
      'beds-luton-cdop',
      'bedford-borough',
      'central-bedfordshire',
      'luton-borough',
      'luton-ccg',
      'bedfordshire-ccg',
    ]),
    note: 'child death review partners (004:361)',
  },
  {
    id: 'milton-keynes-cdop-area',
    name: 'Milton Keynes CDOP',
    kind: 'cdop',
    validFrom: cdrArrangements,
    memberships: members(cdrArrangements, ['milton-keynes-cdop', 'milton-keynes']),
    note: 'liaises with Bedfordshire and Luton CDOP on learning themes only, not case data (004:365)',
  },
  {
    id: 'bhr-safeguarding-partnership',
    name: 'BHR safeguarding partnership',
    kind: 'safeguarding-partnership',
    validFrom: '2019-04-01',
    memberships: members('2019-04-01', ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge']),
    note: 'Barking, Havering and Redbridge Safeguarding Partnership, established 2019/20 (003:49)',
  },
];

/**
 * Two clients per organisation: its case-management or CDOP system calling the signed API, and its console client,
 * through which the web console signs each call for the person signed in (console/config.ts, `consoleClientOf`).
 */
const clients: Client[] = organisations.flatMap((organisation): Client[] => [
  {
    id: `${organisation.id}-system`,
    organisationId: organisation.id,
    name: `${organisation.name} system`,
    status: 'active',
  },
  {
    id: consoleClientOf(organisation.id),
    organisationId: organisation.id,
    name: `${organisation.name} console`,
    status: 'active',
  },
]);

const user = (organisation: Organisation, name: string, title: string, roles: UserRole[]): User => ({
  id: `${organisation.id}.${name}`,
  organisationId: organisation.id,
  displayName: `${organisation.name}: ${title}`,
  roles,
  status: 'active',
});

/**
 * A few users per organisation, by role (role titles, not people): every party has an IG lead who manages its
 * keys and signs agreements; CDOP secretariats have a manager and a coordinator; the operator has an operator.
 */
const users: User[] = organisations.flatMap((o) => {
  switch (o.kind) {
    case 'exchange-operator':
      return [user(o, 'operator', 'exchange operator', ['operator'])];
    case 'cdop-secretariat':
      return [
        user(o, 'ig-lead', 'IG lead', ['ig-lead']),
        user(o, 'manager', 'CDOP manager', ['cdop-manager']),
        user(o, 'coordinator', 'CDOP coordinator', ['cdop-coordinator']),
      ];
    default:
      return [
        user(o, 'ig-lead', 'IG lead', ['ig-lead']),
        user(o, 'caldicott-guardian', 'Caldicott guardian', ['caldicott-guardian']),
        user(o, 'practitioner', 'practitioner', ['practitioner']),
        // Brent's safeguarding partnership's independent scrutineer: counts only, small numbers suppressed.
        ...(o.id === 'lb-brent' ? [user(o, 'scrutineer', 'independent scrutineer', ['scrutineer'])] : []),
      ];
  }
});

export const registrySeed: Registry = { organisations, footprints, clients, users };
