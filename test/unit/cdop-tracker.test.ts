import { describe, expect, it } from 'vitest';
import { agreementSeed } from '#local/seed/agreement-seed.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { type AgreementRecord, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { type CdopCase, openCase } from '#shared/domain/cdop/case.ts';
import type { TrackDeps } from '#shared/domain/cdop/case-deps.ts';
import { trackCases } from '#shared/domain/cdop/track-cases.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import type { CaseStore, ReportAsk } from '#shared/ports/case-store.ts';
import { fixedClock } from '../support/fixed-clock.ts';

// The case tracker settles each pending ask by the standing of the agreement the ask was made under (issue 12,
// finding 1): not by whatever agreement covers the case now, so an ask made under a revoked agreement is never
// sent under its replacement. In-memory stores: the tracker's decisions, not DynamoDB, are under test here
// (test/integration/cdop-agreement-standing.test.ts runs it against DynamoDB Local).

const now = new Date('2026-11-23T10:00:00Z');
const caseId = '01JD0000000000000000000001';
const requestId = '01JD0000000000000000000002';
const askId = '01JD0000000000000000000003';
const seeded = agreementSeed.find((a) => a.id === 'isa-bhr-cdop');
if (seeded === undefined) throw new Error('the seed has isa-bhr-cdop');

const agreement = (id: string, change: Partial<Pick<AgreementRecord, 'suspended' | 'revoked'>> = {}) => ({
  id,
  latestVersion: 1,
  ...change,
  versions: [
    {
      agreementId: id,
      version: 1,
      content: seeded.content,
      contentHash: contentHashOf(seeded.content),
      createdAt: '2026-09-01T09:00:00.000Z',
      createdBy: 'bhr-cdop.ig-lead',
      signatures: [],
      activatedAt: '2026-10-01T00:00:00.000Z',
    },
  ],
});
const event = { at: '2026-11-01T00:00:00.000Z', by: 'lb-havering.ig-lead', reason: 'test' };

const askedCase = (): CdopCase => {
  const opened = openCase(
    {
      id: caseId,
      notification: {
        schemaVersion: '2026',
        subjectRef: deriveSubjectReference(
          { footprintId: 'bhr-cdop-area', key: new Uint8Array(32).fill(7) },
          { kind: 'nhs-number', nhsNumber: '9434765919' },
        ),
        boroughOfResidence: 'lb-havering',
        dateOfDeath: '2026-11-20',
        expected: false,
        place: { kind: 'in-footprint' },
        notifyingOrganisationId: 'lb-havering',
      },
    },
    registrySeed,
    { organisationId: 'bhr-cdop', userId: 'bhr-cdop.coordinator' },
    now,
  );
  if (opened.outcome !== 'opened') throw new Error('the case opens');
  return {
    ...opened.case,
    agencies: [
      {
        organisationId: 'lb-redbridge',
        requestId,
        askId,
        requestedAt: now.toISOString(),
        dueAt: '2026-12-21T10:00:00.000Z',
      },
    ],
  };
};

const ask = (c: CdopCase): ReportAsk => ({
  askId,
  caseId,
  requester: { organisationId: 'bhr-cdop', clientId: 'bhr-cdop-system', userId: 'bhr-cdop.coordinator' },
  requestHash: 'hash-of-the-signed-ask',
  signed: { token: 'signed.token.here', body: '{}' },
  requests: [
    {
      requestId,
      agreement: { id: 'isa-bhr-cdop', version: 1 },
      dueAt: '2026-12-21T10:00:00.000Z',
      body: {
        responderOrganisationId: 'lb-redbridge',
        agreementId: 'isa-bhr-cdop',
        purpose: 'CDR_CASE_REVIEW',
        dataCategories: ['child-death-details'],
        lawfulBasis: ['UKGDPR-6-1-e'],
        consent: { state: 'not-applicable' },
        subjectRef: c.notification.subjectRef,
        urgency: 'routine',
        justification: `Child death review case ${caseId}`,
      },
    },
  ],
});

/** Runs the tracker once over the case under these agreements; what it stored. */
const trackUnder = async (agreements: readonly AgreementRecord[]) => {
  let stored = askedCase();
  const created: DataRequest[] = [];
  const audit: AuditEntry[] = [];
  const cases: Pick<CaseStore, 'listOpenCases' | 'getAsk' | 'update'> = {
    listOpenCases: async () => [stored],
    getAsk: async () => ask(stored),
    update: async (previous, next, step) => {
      if (previous.revision !== stored.revision) return false;
      stored = next;
      audit.push(step.audit);
      return true;
    },
  };
  const deps = {
    cases: cases as CaseStore,
    requests: {
      getRequest: async (id: string) => created.find((r) => r.id === id),
      create: async (request: DataRequest, _signed: unknown, step: { audit: AuditEntry }) => {
        created.push(request);
        audit.push(step.audit);
        return true;
      },
    },
    agreements: { listAgreements: async () => [...agreements] },
    audit: { record: async (entry: AuditEntry) => void audit.push(entry) },
    clock: fixedClock(now.toISOString()),
  } as unknown as TrackDeps;
  const summary = await trackCases(deps);
  return { summary, stored, created, audit };
};

describe('the case tracker and the agreement of each ask', () => {
  it('makes the request under the agreement in force, its entry naming the standing', async () => {
    const { created, audit } = await trackUnder([agreement('isa-bhr-cdop')]);
    expect(created.map((r) => r.id)).toEqual([requestId]);
    expect(audit.find((e) => e.action === 'request.submit')).toMatchObject({ agreementStanding: 'in-force' });
  });

  it('leaves the ask pending while its agreement is suspended', async () => {
    const { created, stored, audit } = await trackUnder([agreement('isa-bhr-cdop', { suspended: event })]);
    expect(created).toEqual([]);
    expect(stored.agencies[0]?.endedAt).toBeUndefined();
    expect(audit.some((e) => e.action === 'cdop.report.end')).toBe(false);
  });

  it('ends an ask whose agreement was revoked, even when a new agreement covers the case now', async () => {
    const { created, stored, audit } = await trackUnder([
      agreement('isa-bhr-cdop', { revoked: event }),
      agreement('isa-bhr-cdop-2027'),
    ]);
    expect(created).toEqual([]);
    expect(stored.agencies[0]).toMatchObject({ endedReason: 'AGREEMENT_REVOKED' });
    expect(audit.filter((e) => e.action === 'cdop.report.end')).toEqual([
      expect.objectContaining({ reasonCodes: ['AGREEMENT_REVOKED'], agreementStanding: 'revoked' }),
    ]);
    // The case's own agreement is now the replacement, in force: the tracker's pass says so.
    expect(audit.find((e) => e.action === 'cdop.case.track')).toMatchObject({
      agreementStanding: 'in-force',
    });
  });
});
