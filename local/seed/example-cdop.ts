/**
 * Example CDOP forms (made-up people, places and numbers) for the case workspace demo (scripts/demo-cdop.ts), its
 * tests and docs/CDOP.md: one notification, one agency reporting form and one panel analysis, each of the current
 * form version. One source, so the demo and the tests exercise the same documents.
 */

/** A 2026 notification of the death of a Havering child, to the BHR CDOP. */
export const exampleNotification = (subjectRef: string, overrides: Record<string, unknown> = {}) => ({
  schemaVersion: '2026',
  subjectRef,
  boroughOfResidence: 'lb-havering',
  dateOfDeath: '2026-11-02',
  expected: false,
  place: { kind: 'in-footprint' },
  placeCategory: 'home',
  notifyingOrganisationId: 'met-ea-bcu',
  ...overrides,
});

/** The example child's identifying details, as every agency's part A gives them (and the pack must never show). */
export const exampleChild = {
  givenNames: 'Amara Jade',
  familyName: 'Okonkwo',
  dateOfBirth: '2024-02-10',
  nhsNumber: '9434765919',
  address: { lines: ['12 Elm Row', 'Romford'], postcode: 'RM1 9ZZ' },
};

/** An agency's 2026 reporting form for a case: part A identifies, part B is its account. */
export const exampleReport = (caseId: string, agencyId: string, overrides: Record<string, unknown> = {}) => ({
  schemaVersion: '2026',
  caseId,
  agencyId,
  partA: {
    child: { ...exampleChild, address: { ...exampleChild.address, lines: [...exampleChild.address.lines] } },
    parentsOrCarers: [{ name: 'Grace Okonkwo', relationship: 'mother' }],
    agencyCaseNumbers: [`${agencyId.toUpperCase()}-778812`],
    completedBy: { name: 'Pat Example', jobTitle: 'Named professional', contact: '01708 000000' },
  },
  partB: {
    involvement: {
      status: 'past',
      services: ['universal services'],
      summary: 'Routine contacts, all attended.',
    },
    concerns: { safeguardingConcerns: 'no', childProtectionPlan: 'no', lookedAfter: 'no' },
    factors: {
      intrinsicToChild: [],
      familyAndEnvironment: [{ code: 'smoking-in-household', present: 'yes', detail: 'A parent smoked.' }],
      serviceProvision: [],
    },
  },
  ...overrides,
});

/** The panel's 2026 analysis of a case reviewed on `panelDate`. */
export const exampleAnalysis = (
  caseId: string,
  panelDate: string,
  overrides: Record<string, unknown> = {},
) => ({
  schemaVersion: '2026',
  caseId,
  panelDate,
  categoryOfDeath: 'sudden-unexpected-unexplained',
  modifiableFactors: { identified: true, domains: ['social-environment'] },
  learningThemes: [{ code: 'safer-sleeping' }, { code: 'smoking-in-pregnancy-or-home' }],
  ...overrides,
});
