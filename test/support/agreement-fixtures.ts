import { agreementSeed } from '#local/seed/agreement-seed.ts';
import type { AgreementContent } from '#shared/domain/agreements/agreement.ts';

/**
 * An agreement of the Brent and Harrow CDOP with Brent and Harrow for child death reviews, as a test creates it:
 * `label` names the test in its title and its DPIA and policy references.
 */
export const brentHarrowReviewAgreement = (label: string, reference: string): AgreementContent => ({
  title: `${label}: Brent and Harrow child death review`,
  parties: ['brent-harrow-cdop', 'lb-brent', 'lb-harrow'],
  footprintId: 'brent-harrow-cdop-area',
  purposes: [
    {
      code: 'CDR_CASE_REVIEW',
      description: 'case information for the review of a child death',
      dataCategories: ['identity-residence', 'child-death-details', 'health'],
      lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
      consentRule: 'not-required',
      rolesAllowedToRequest: ['practitioner', 'cdop-manager'],
      rolesAllowedToAnswer: ['practitioner'],
      retentionDays: 730,
    },
  ],
  validFrom: '2025-01-01',
  reviewDate: '2099-12-31',
  blockWhenReviewOverdue: false,
  dpiaReference: `DPIA-${reference}-1`,
  appropriatePolicyDocument: `APD-${reference}-1`,
});

const mash = agreementSeed.find((a) => a.id === 'isa-nw-bcu-mash');
if (mash === undefined) throw new Error('the seed has the North West BCU MASH agreement');

/**
 * An agreement of a test's own with the content of the seeded North West BCU MASH agreement (so the example
 * request fits it), under `id` and with `changes`, for `seedAgreements`.
 */
export const mashAgreementAs = (id: string, changes: Partial<AgreementContent> = {}) => ({
  id,
  content: { ...mash.content, title: `${mash.content.title} (${id})`, ...changes },
});
