import { describe, expect, it } from 'vitest';
import type { AgreementView } from '#client/pbx-client.ts';
import {
  agreementList,
  contentView,
  isAgreementId,
  parseSignForm,
  parseStandingForm,
  standingTag,
  standingText,
  versionViews,
} from '#console/agreements-view.ts';
import { type AgreementContent, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import { agreementViewSchema } from '#shared/http/api-contract.ts';

const content: AgreementContent = {
  title: 'Brent and Harrow child death review',
  parties: ['brent-harrow-cdop', 'lb-brent', 'lb-harrow'],
  footprintId: 'brent-harrow-cdop-area',
  purposes: [
    {
      code: 'CDR_CASE_REVIEW',
      description: 'case information for the review of a child death',
      dataCategories: ['identity-residence', 'child-death-details'],
      lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
      consentRule: 'not-required',
      rolesAllowedToRequest: ['practitioner'],
      rolesAllowedToAnswer: ['practitioner'],
      retentionDays: 730,
    },
  ],
  validFrom: '2026-10-01',
  reviewDate: '2027-09-30',
  blockWhenReviewOverdue: false,
  dpiaReference: 'DPIA-1',
  appropriatePolicyDocument: 'APD-1',
};
const hash = contentHashOf(content);

const signature = (organisationId: string, contentHash = hash) => ({
  organisationId,
  userId: `${organisationId}.ig-lead`,
  role: 'ig-lead' as const,
  clientId: `${organisationId}-console`,
  contentHash,
  signedAt: '2026-12-03T09:00:00.000Z',
  requestHash: 'rh',
});

const agreement = (
  overrides: Partial<AgreementView> = {},
  signedBy: string[] = ['lb-harrow'],
): AgreementView =>
  agreementViewSchema.parse({
    id: 'isa-test-story',
    latestVersion: 1,
    versions: [
      {
        agreementId: 'isa-test-story',
        version: 1,
        content,
        contentHash: hash,
        createdAt: '2026-12-01T09:00:00.000Z',
        createdBy: 'lb-harrow.ig-lead',
        signatures: signedBy.map((o) => signature(o)),
      },
    ],
    standing: { state: 'not-active' },
    ...overrides,
  });

const brentLead = { organisationId: 'lb-brent', roles: ['ig-lead'] };

describe('agreement lists and standing', () => {
  it("splits the organisation's agreements from the others, by id, and flags a signature awaited", () => {
    const other = agreementViewSchema.parse({
      ...agreement(),
      id: 'isa-another',
      versions: [
        {
          ...agreement().versions[0],
          agreementId: 'isa-another',
          content: { ...content, parties: ['lb-barnet', 'lb-harrow'] },
        },
      ],
    });
    const { ours, others } = agreementList([other, agreement()], 'lb-brent');
    expect(ours.map((a) => [a.id, a.awaitingUs])).toEqual([['isa-test-story', true]]);
    expect(others.map((a) => [a.id, a.awaitingUs])).toEqual([['isa-another', false]]);
    expect(agreementList([agreement()], 'lb-harrow').ours[0]?.awaitingUs).toBe(false);
  });

  it('says where an agreement stands, with who suspended it and why', () => {
    expect(standingText(agreement({ standing: { state: 'in-force', version: 1 } }))).toBe(
      'In force (version 1)',
    );
    expect(
      standingText(agreement({ standing: { state: 'in-force', version: 2, reviewOverdue: true } })),
    ).toBe('In force (version 2), past its review date');
    const suspended = agreement({
      standing: { state: 'suspended' },
      suspended: { at: '2026-12-03T09:00:00.000Z', by: 'lb-brent.ig-lead', reason: 'a breach review' },
    });
    expect(standingText(suspended)).toBe('Suspended by lb-brent.ig-lead: a breach review');
    expect(standingTag(suspended)).toEqual({ text: 'Suspended', classes: 'govuk-tag--orange' });
  });

  it('knows an agreement id before asking the exchange', () => {
    expect(isAgreementId('isa-nw-bcu-mash')).toBe(true);
    expect(isAgreementId('ISA-X')).toBe(false);
    expect(isAgreementId('not an id')).toBe(false);
  });
});

describe('versions and signatures', () => {
  it('shows who has signed, and offers the sign form only to a signing role of a party yet to sign', () => {
    const [version] = versionViews(agreement(), brentLead);
    expect(version?.signatures.map((s) => [s.organisationId, s.signed])).toEqual([
      ['brent-harrow-cdop', false],
      ['lb-brent', false],
      ['lb-harrow', true],
    ]);
    expect(version?.signatures[2]?.text).toBe(
      'Signed on 3 December 2026 at 9:00am by lb-harrow.ig-lead (IG lead) through lb-harrow-console',
    );
    expect(version?.awaiting).toEqual(['brent-harrow-cdop', 'lb-brent']);
    expect(version).toMatchObject({ hashMatches: true, signable: true, labels: ['latest'] });
    expect(versionViews(agreement(), { organisationId: 'lb-brent', roles: ['dpo'] })[0]?.signable).toBe(
      false,
    );
    expect(versionViews(agreement(), { organisationId: 'lb-harrow', roles: ['ig-lead'] })[0]?.signable).toBe(
      false,
    );
    expect(versionViews(agreement(), { organisationId: 'lb-barnet', roles: ['ig-lead'] })[0]?.signable).toBe(
      false,
    );
  });

  it('never offers to sign a version whose stated hash is not its content’s, nor a revoked agreement', () => {
    const tampered = agreement();
    const first = tampered.versions[0];
    if (first === undefined) throw new Error('no version');
    const changed = { ...tampered, versions: [{ ...first, content: { ...content, title: 'changed' } }] };
    expect(versionViews(changed, brentLead)[0]).toMatchObject({ hashMatches: false, signable: false });
    const revoked = agreement({
      standing: { state: 'revoked' },
      revoked: { at: '2026-12-03T09:00:00.000Z', by: 'lb-harrow.ig-lead', reason: 'ended' },
    });
    expect(versionViews(revoked, brentLead)[0]?.signable).toBe(false);
  });

  it('shows the content in words: parties, dates, purposes with their categories and lawful bases', () => {
    const view = contentView(content);
    expect(view.rows.map((r) => [r.key.text, r.value.text])).toContainEqual([
      'Valid',
      'From 1 October 2026, with no end date',
    ]);
    expect(view.purposes[0]?.name).toBe('Child death review: case data for the CDOP');
    expect(view.purposes[0]?.rows[1]?.value.text).toContain('UK GDPR Art 6(1)(e) public task');
  });
});

describe('the sign and standing forms', () => {
  const version = agreement().versions[0];
  if (version === undefined) throw new Error('no version');

  it('signs only the hash the person saw, once they confirm it', () => {
    expect(parseSignForm({ contentHash: hash, confirm: 'yes' }, version)).toEqual({
      ok: true,
      value: { contentHash: hash },
    });
    const unconfirmed = parseSignForm({ contentHash: hash }, version);
    expect(unconfirmed).toMatchObject({ ok: false, errors: [{ href: '#confirm-1' }] });
    const stale = parseSignForm({ contentHash: 'x'.repeat(43), confirm: 'yes' }, version);
    expect(stale).toMatchObject({
      ok: false,
      fieldErrors: { 'confirm-1': expect.stringContaining('has changed') },
    });
    const changed = parseSignForm(
      { contentHash: hash, confirm: 'yes' },
      { ...version, contentHash: 'y'.repeat(43) },
    );
    expect(changed.ok).toBe(false);
  });

  it('needs a reason to suspend or resume, of at most 1,000 characters', () => {
    expect(parseStandingForm({ reason: '  a breach review ' }, 'suspend')).toEqual({
      ok: true,
      value: { reason: 'a breach review' },
    });
    expect(parseStandingForm({ reason: '   ' }, 'suspend')).toEqual({
      ok: false,
      errors: [{ text: 'Enter why you are suspending the agreement', href: '#suspend-reason' }],
      fieldErrors: { 'suspend-reason': 'Enter why you are suspending the agreement' },
    });
    expect(parseStandingForm({}, 'resume')).toMatchObject({
      ok: false,
      fieldErrors: { 'resume-reason': 'Enter why you are resuming the agreement' },
    });
    expect(parseStandingForm({ reason: 'x'.repeat(1001) }, 'resume')).toMatchObject({
      ok: false,
      fieldErrors: { 'resume-reason': 'The reason must be 1,000 characters or fewer' },
    });
  });
});
