import type { DataRequestSubmission } from '#client/pbx-client.ts';

/**
 * The everyday request of the seeded partnership: a Brent practitioner asks Harrow for a child's records under
 * the North West BCU MASH agreement (local/seed/agreement-seed.ts), consent not sought because asking would put
 * the child at risk. The demo, the end-to-end benchmark and the tests start from it.
 */
export const brentAsksHarrow = (
  subjectRef: string,
  overrides: Partial<DataRequestSubmission> = {},
): DataRequestSubmission => ({
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-nw-bcu-mash',
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
  consent: {
    state: 'not-sought',
    exemption: 'would-prejudice-protection',
    rationale: 'seeking consent would put the child at risk of significant harm',
  },
  subjectRef,
  urgency: 'urgent',
  justification: 'MASH referral: the school raised concerns about a Brent child with family in Harrow',
  ...overrides,
});
