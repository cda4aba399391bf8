import { describe, expect, it } from 'vitest';
import { agreementSeed } from '#local/seed/agreement-seed.ts';
import {
  type AgreementContent,
  type AgreementRecord,
  contentHashOf,
} from '#shared/domain/agreements/agreement.ts';
import {
  caseAgreementOf,
  pendingAskRule,
  standingFacts,
  standingNeeded,
  standingRefusalFor,
} from '#shared/domain/cdop/case-agreement.ts';

// Which agreement judges a case, and what each case step and the tracker do under each of its standings
// (issue 12, finding 1): the table of case-agreement.ts checked row by row.

const now = new Date('2026-11-23T10:00:00Z');
const activatedAt = '2026-10-01T00:00:00.000Z';
const bhrCase = { footprintId: 'bhr-cdop-area', cdopOrganisationId: 'bhr-cdop' };
const seeded = agreementSeed.find((a) => a.id === 'isa-bhr-cdop');
if (seeded === undefined) throw new Error('the seed has isa-bhr-cdop');

const agreementWith = (
  id: string,
  change: Partial<Pick<AgreementRecord, 'suspended' | 'revoked'>> = {},
  content: Partial<AgreementContent> = {},
): AgreementRecord => {
  const full = { ...seeded.content, ...content };
  return {
    id,
    latestVersion: 1,
    ...change,
    versions: [
      {
        agreementId: id,
        version: 1,
        content: full,
        contentHash: contentHashOf(full),
        createdAt: '2026-09-01T09:00:00.000Z',
        createdBy: 'bhr-cdop.ig-lead',
        signatures: [],
        activatedAt,
      },
    ],
  };
};
const event = { at: '2026-11-01T00:00:00.000Z', by: 'lb-havering.ig-lead', reason: 'test' };
const inForce = agreementWith('isa-bhr-cdop');
const suspended = agreementWith('isa-bhr-cdop', { suspended: event });
const revoked = agreementWith('isa-bhr-cdop', { revoked: event });
const expired = agreementWith('isa-bhr-cdop', {}, { validTo: '2026-10-31' });
const overdue = (block: boolean) =>
  agreementWith('isa-bhr-cdop', {}, { reviewDate: '2026-11-01', blockWhenReviewOverdue: block });

const judged = (agreement: AgreementRecord | undefined) =>
  caseAgreementOf(bhrCase, agreement === undefined ? [] : [agreement], now);

describe("the CDOP's child death review agreement of a case", () => {
  it('is found whatever its standing, the one in force first, another CDOP never', () => {
    expect(judged(suspended).standing?.state).toBe('suspended');
    expect(judged(revoked).standing?.state).toBe('revoked');
    const replacement = agreementWith('isa-bhr-cdop-2027');
    expect(caseAgreementOf(bhrCase, [revoked, replacement], now).agreement?.id).toBe('isa-bhr-cdop-2027');
    expect(caseAgreementOf(bhrCase, [revoked, suspended], now).standing?.state).toBe('suspended');
    const other = { footprintId: 'brent-harrow-cdop-area', cdopOrganisationId: 'brent-harrow-cdop' };
    expect(caseAgreementOf(other, [inForce], now)).toEqual({ agreement: undefined, standing: undefined });
  });

  it('stops each step as its row says, with the engine’s codes', () => {
    const codes = (agreement: AgreementRecord | undefined) =>
      Object.fromEntries(
        Object.keys(standingNeeded).map((action) => [
          action,
          standingRefusalFor(action as keyof typeof standingNeeded, judged(agreement))?.code ?? 'allowed',
        ]),
      );
    expect(codes(inForce)).toEqual({
      'cdop.case.open': 'allowed',
      'cdop.case.view': 'allowed',
      'cdop.report.request': 'allowed',
      'cdop.pack.assemble': 'allowed',
      'cdop.pack.fetch': 'allowed',
      'cdop.case.export': 'allowed',
      'cdop.case.close': 'allowed',
    });
    expect(codes(suspended)).toEqual({
      'cdop.case.open': 'allowed',
      'cdop.case.view': 'allowed',
      'cdop.report.request': 'AGREEMENT_SUSPENDED',
      'cdop.pack.assemble': 'AGREEMENT_SUSPENDED',
      'cdop.pack.fetch': 'AGREEMENT_SUSPENDED',
      'cdop.case.export': 'AGREEMENT_SUSPENDED',
      'cdop.case.close': 'AGREEMENT_SUSPENDED',
    });
    for (const [agreement, code] of [
      [revoked, 'AGREEMENT_REVOKED'],
      [expired, 'AGREEMENT_EXPIRED'],
    ] as const) {
      expect(codes(agreement)).toEqual({
        'cdop.case.open': 'allowed',
        'cdop.case.view': 'allowed',
        'cdop.report.request': code,
        'cdop.pack.assemble': code,
        'cdop.pack.fetch': code,
        'cdop.case.export': code,
        'cdop.case.close': 'allowed',
      });
    }
    // No agreement at all: the engine judges each ask (and names the agreement needed); the pack needs one.
    expect(codes(undefined)).toMatchObject({
      'cdop.report.request': 'allowed',
      'cdop.pack.assemble': 'AGREEMENT_NOT_FOUND',
      'cdop.case.close': 'allowed',
    });
  });

  it('past its review date: flagged in the entry, refused only when the agreement blocks then', () => {
    expect(standingFacts(judged(overdue(false)))).toEqual({
      agreementStanding: 'in-force',
      reviewOverdue: true,
    });
    expect(standingRefusalFor('cdop.pack.assemble', judged(overdue(false)))).toBeUndefined();
    expect(standingRefusalFor('cdop.pack.assemble', judged(overdue(true)))?.code).toBe(
      'AGREEMENT_REVIEW_OVERDUE',
    );
    expect(standingFacts(judged(inForce))).toEqual({ agreementStanding: 'in-force' });
    expect(standingFacts(judged(undefined))).toEqual({});
  });

  it('the tracker creates asks under an agreement in force, waits while suspended, ends them once it has ended', () => {
    expect(pendingAskRule(judged(inForce))).toBe('create');
    expect(pendingAskRule(judged(overdue(false)))).toBe('create');
    expect(pendingAskRule(judged(suspended))).toBe('wait');
    expect(pendingAskRule(judged(overdue(true)))).toBe('wait');
    expect(pendingAskRule(judged(undefined))).toBe('wait');
    expect(pendingAskRule(judged(revoked))).toBe('end');
    expect(pendingAskRule(judged(expired))).toBe('end');
  });
});
