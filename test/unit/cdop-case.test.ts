import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { parseAnalysis } from '#shared/domain/cdop/analysis.ts';
import {
  type CaseActor,
  type CdopCase,
  closeCase,
  endPendingAsks,
  openCase,
  recordAgencyRequests,
} from '#shared/domain/cdop/case.ts';
import { parseNotification } from '#shared/domain/cdop/notification.ts';
import {
  agencyStatuses,
  caseTimeline,
  outstandingAcrossCases,
  reminderKey,
  remindersDue,
  trackCase,
} from '#shared/domain/cdop/tracking.ts';
import { AuthorisationError, ConflictError, InputError } from '#shared/domain/errors.ts';
import { dayOf } from '#shared/domain/registry/registry.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';

/**
 * The CDOP case on the real seeded registry: who may open a case for which child, the versioned notification, and
 * the tracking of agencies' reports (overdue, declined, answered, withdrawn; reminders; the timeline).
 */

const now = new Date('2026-11-23T10:00:00Z');
const key = (footprintId: string) => ({ footprintId, key: new Uint8Array(32).fill(7) });
const child = { kind: 'nhs-number', nhsNumber: '943 476 5919' } as const;
const bhrRef = deriveSubjectReference(key('bhr-cdop-area'), child);

const bhrCoordinator: CaseActor = { organisationId: 'bhr-cdop', userId: 'bhr-cdop.coordinator' };
const bhrManager: CaseActor = { organisationId: 'bhr-cdop', userId: 'bhr-cdop.manager' };

const notification = (change: Record<string, unknown> = {}) => ({
  schemaVersion: '2026',
  subjectRef: bhrRef,
  boroughOfResidence: 'lb-havering',
  dateOfDeath: '2026-11-20',
  expected: false,
  place: { kind: 'in-footprint' },
  notifyingOrganisationId: 'lb-havering',
  ...change,
});

const caseId = '01JD0000000000000000000001';
const open = (change: Record<string, unknown> = {}, by: CaseActor = bhrCoordinator, id = caseId) =>
  openCase({ id, notification: notification(change) }, registrySeed, by, now);

const opened = (): CdopCase => {
  const result = open();
  if (result.outcome !== 'opened') throw new Error('the case should open');
  return result.case;
};

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return { type: (e as Error).name, code: (e as { code?: string }).code };
  }
  return undefined;
};

describe('the notification schema', () => {
  it('parses by the version it names', () => {
    const parsed = parseNotification(notification());
    expect(parsed.schemaVersion).toBe('2026');
    expect(parsed).toEqual(notification());
    expect(
      parseNotification(notification({ place: { kind: 'out-of-footprint', area: 'Camden' } })).place,
    ).toEqual({ kind: 'out-of-footprint', area: 'Camden' });
  });

  it('refuses an unknown or missing schema version', () => {
    for (const schemaVersion of ['2019', 2026, undefined]) {
      const error = (() => {
        try {
          parseNotification(notification({ schemaVersion }));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', details: ['schemaVersion: one of 2026'] });
    }
  });

  it('refuses raw identifiers, unknown fields and an out-of-footprint place without its area', () => {
    expect(codeOf(() => parseNotification(notification({ subjectRef: '9434765919' })))).toEqual({
      type: 'InputError',
      code: 'INVALID_INPUT',
    });
    expect(codeOf(() => parseNotification(notification({ childName: 'x' })))?.code).toBe('INVALID_INPUT');
    expect(codeOf(() => parseNotification(notification({ place: { kind: 'out-of-footprint' } })))?.code).toBe(
      'INVALID_INPUT',
    );
    expect(codeOf(() => parseNotification('not an object'))?.code).toBe('INVALID_INPUT');
  });
});

describe('opening a case', () => {
  it('lets the BHR CDOP coordinator open a case for a Havering child', () => {
    const result = open();
    expect(result.outcome).toBe('opened');
    if (result.outcome !== 'opened') return;
    expect(result.case).toMatchObject({
      id: caseId,
      cdopOrganisationId: 'bhr-cdop',
      footprintId: 'bhr-cdop-area',
      status: 'open',
      createdBy: 'bhr-cdop.coordinator',
      createdAt: now.toISOString(),
      agencies: [],
      timeline: [{ kind: 'case-opened', by: 'bhr-cdop.coordinator', at: now.toISOString() }],
    });
    expect(open({}, bhrManager).outcome).toBe('opened');
  });

  it('sends a Brent child notified to BHR CDOP to Brent and Harrow CDOP, storing nothing', () => {
    const result = open({
      boroughOfResidence: 'lb-brent',
      subjectRef: deriveSubjectReference(key('brent-harrow-cdop-area'), child),
    });
    expect(result).toMatchObject({
      outcome: 'notify-instead',
      notifyInstead: { cdopOrganisationId: 'brent-harrow-cdop', footprintId: 'brent-harrow-cdop-area' },
    });
    expect('case' in result).toBe(false);
  });

  it('names the Barnet CDOP for a Barnet child: a shared police BCU is not a shared CDOP', () => {
    const byBrentHarrow = openCase(
      { id: caseId, notification: notification({ boroughOfResidence: 'lb-barnet' }) },
      registrySeed,
      { organisationId: 'brent-harrow-cdop', userId: 'brent-harrow-cdop.manager' },
      now,
    );
    expect(byBrentHarrow).toMatchObject({
      outcome: 'notify-instead',
      notifyInstead: { cdopOrganisationId: 'barnet-cdop', footprintId: 'barnet-cdop-area' },
    });
  });

  it('is refused to anyone but a CDOP manager or coordinator of a CDOP secretariat', () => {
    for (const by of [
      { organisationId: 'bhr-cdop', userId: 'bhr-cdop.ig-lead' },
      { organisationId: 'lb-havering', userId: 'lb-havering.practitioner' },
      { organisationId: 'bhr-cdop', userId: 'brent-harrow-cdop.manager' },
      { organisationId: 'bhr-cdop', userId: 'bhr-cdop.nobody' },
    ]) {
      expect(codeOf(() => open({}, by))).toEqual({ type: 'AuthorisationError', code: 'NOT_PERMITTED' });
    }
    const suspended = {
      ...registrySeed,
      users: registrySeed.users.map((u) =>
        u.id === 'bhr-cdop.coordinator' ? { ...u, status: 'suspended' as const } : u,
      ),
    };
    expect(() =>
      openCase({ id: caseId, notification: notification() }, suspended, bhrCoordinator, now),
    ).toThrow(AuthorisationError);
  });

  it('refuses bad input with coded errors', () => {
    const invalid = { type: 'InputError', code: 'INVALID_INPUT' };
    expect(codeOf(() => open({ schemaVersion: '2027' }))).toEqual(invalid);
    expect(codeOf(() => open({ boroughOfResidence: 'met-ea-bcu' }))).toEqual(invalid);
    expect(codeOf(() => open({ boroughOfResidence: 'lb-nowhere' }))).toEqual(invalid);
    expect(codeOf(() => open({ notifyingOrganisationId: 'nhs-nowhere' }))).toEqual(invalid);
    expect(codeOf(() => open({ dateOfDeath: '2026-11-24' }))).toEqual(invalid);
    expect(codeOf(() => open({}, bhrCoordinator, 'case-1'))).toEqual(invalid);
    // A reference derived with another footprint's key cannot be matched by the BHR agencies.
    const brentRef = deriveSubjectReference(key('brent-harrow-cdop-area'), child);
    expect(codeOf(() => open({ subjectRef: brentRef }))).toEqual(invalid);
  });

  it('refuses a second open case for the same child', () => {
    const existing = opened();
    const again = () =>
      openCase(
        { id: '01JD0000000000000000000002', notification: notification() },
        { ...registrySeed, cases: [existing] },
        bhrCoordinator,
        now,
      );
    expect(again).toThrow(ConflictError);
    expect(codeOf(again)?.code).toBe('ALREADY_EXISTS');
  });

  it('closes once, by the CDOP that holds the case, with the analysis of that case', () => {
    const c = opened();
    const analysis = parseAnalysis('2026', {
      schemaVersion: '2026',
      caseId: c.id,
      panelDate: dayOf(now),
      categoryOfDeath: 'infection',
      modifiableFactors: { identified: false },
      learningThemes: [],
    });
    expect(
      codeOf(() =>
        closeCase(
          c,
          analysis,
          registrySeed,
          { organisationId: 'brent-harrow-cdop', userId: 'brent-harrow-cdop.manager' },
          now,
        ),
      ),
    ).toEqual({ type: 'AuthorisationError', code: 'NOT_PERMITTED' });
    expect(
      codeOf(() =>
        closeCase(c, { ...analysis, caseId: '01JD00000000000000000000X1' }, registrySeed, bhrManager, now),
      ),
    ).toEqual({ type: 'ConflictError', code: 'WRONG_STATE' });
    const closed = closeCase(c, analysis, registrySeed, bhrManager, now);
    expect(closed).toMatchObject({
      status: 'closed',
      closure: { closedBy: 'bhr-cdop.manager', analysis: { categoryOfDeath: 'infection' } },
      revision: c.revision + 1,
    });
    expect(closed.timeline.at(-1)?.kind).toBe('case-closed');
    expect(codeOf(() => closeCase(closed, analysis, registrySeed, bhrManager, now))).toEqual({
      type: 'ConflictError',
      code: 'WRONG_STATE',
    });
    expect(
      codeOf(() =>
        recordAgencyRequests(
          closed,
          [{ organisationId: 'lb-havering', dueAt: now.toISOString() }],
          registrySeed,
          bhrManager,
          now,
        ),
      ),
    ).toEqual({ type: 'ConflictError', code: 'WRONG_STATE' });
  });
});

// --- tracking ---------------------------------------------------------------------------------------------------

const askedAt = new Date('2026-11-01T10:00:00Z');
const dueAt = '2026-11-15T10:00:00.000Z';

const request = (id: string, responder: string, change: Partial<DataRequest> = {}): DataRequest => ({
  id,
  status: 'submitted',
  requester: { organisationId: 'bhr-cdop', clientId: 'bhr-cdop-system', userId: 'bhr-cdop.coordinator' },
  responderOrganisationId: responder,
  agreement: { id: 'isa-bhr-cdop', version: 1 },
  purpose: 'CDR_CASE_REVIEW',
  dataCategories: ['identity-residence', 'child-death-details'],
  lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
  consent: { state: 'not-applicable' },
  subjectRef: bhrRef,
  urgency: 'routine',
  justification: 'child death review',
  requestHash: 'h',
  submittedAt: askedAt.toISOString(),
  dueAt: '2026-11-06T10:00:00.000Z',
  revision: 1,
  ...change,
});

const ids = {
  havering: '01JD00000000000000000000H1',
  bd: '01JD00000000000000000000B1',
  redbridge: '01JD00000000000000000000R1',
  pending: '01JD00000000000000000000P1',
} as const;

const decision = (outcome: 'approve' | 'decline', by: string, at: string, reasons = 'ok') => ({
  outcome,
  reasons,
  decidedBy: by,
  decidedAt: at,
});

const requests: DataRequest[] = [
  request(ids.havering, 'lb-havering', {
    status: 'released',
    decision: decision('approve', 'lb-havering.practitioner', '2026-11-05T09:00:00.000Z'),
    share: {
      objectKey: 'shares/h',
      sha256: 'a'.repeat(64),
      size: 10,
      contentType: 'application/json',
      dataCategories: ['identity-residence'],
      releasedBy: 'lb-havering.practitioner',
      releasedAt: '2026-11-06T09:00:00.000Z',
      expiresAt: '2028-11-06T09:00:00.000Z',
      fetchCount: 0,
      maxFetches: 5,
    },
  }),
  request(ids.bd, 'lb-barking-dagenham', {
    status: 'declined',
    decision: decision(
      'decline',
      'lb-barking-dagenham.practitioner',
      '2026-11-04T09:00:00.000Z',
      'no record of the child',
    ),
  }),
  request(ids.redbridge, 'lb-redbridge'),
];

const trackedCase = (): CdopCase => {
  const c = openCase(
    { id: caseId, notification: notification({ dateOfDeath: '2026-10-30' }) },
    registrySeed,
    bhrCoordinator,
    askedAt,
  );
  if (c.outcome !== 'opened') throw new Error('the case should open');
  return recordAgencyRequests(
    c.case,
    [
      { organisationId: 'lb-havering', requestId: ids.havering, dueAt },
      { organisationId: 'lb-barking-dagenham', requestId: ids.bd, dueAt },
      { organisationId: 'lb-redbridge', requestId: ids.redbridge, dueAt },
      { organisationId: 'met-ea-bcu', dueAt: '2026-11-25T10:00:00.000Z' },
    ],
    registrySeed,
    bhrCoordinator,
    askedAt,
  );
};

describe('tracking reports', () => {
  it('gives each agency its status: answered, declined with reasons, overdue, requested', () => {
    expect(agencyStatuses(trackedCase(), requests, now)).toEqual([
      {
        organisationId: 'lb-havering',
        requestId: ids.havering,
        requestedAt: askedAt.toISOString(),
        dueAt,
        status: 'answered',
        answeredAt: '2026-11-06T09:00:00.000Z',
      },
      {
        organisationId: 'lb-barking-dagenham',
        requestId: ids.bd,
        requestedAt: askedAt.toISOString(),
        dueAt,
        status: 'declined',
        declinedReasons: 'no record of the child',
      },
      {
        organisationId: 'lb-redbridge',
        requestId: ids.redbridge,
        requestedAt: askedAt.toISOString(),
        dueAt,
        status: 'overdue',
        daysOverdue: 8,
      },
      {
        organisationId: 'met-ea-bcu',
        requestId: undefined,
        requestedAt: askedAt.toISOString(),
        dueAt: '2026-11-25T10:00:00.000Z',
        status: 'requested',
      },
    ]);
  });

  it('counts a withdrawn request as withdrawn, and an approved but unreleased one as still owed', () => {
    const changed = [
      {
        ...requests[0],
        status: 'withdrawn',
        withdrawnAt: '2026-11-07T09:00:00.000Z',
        withdrawnBy: 'bhr-cdop.manager',
      },
      requests[1],
      { ...requests[2], status: 'approved' },
    ] as DataRequest[];
    expect(agencyStatuses(trackedCase(), changed, now).map((t) => t.status)).toEqual([
      'withdrawn',
      'declined',
      'overdue',
      'requested',
    ]);
  });

  it('refuses to ask the same agency twice on a case', () => {
    expect(
      codeOf(() =>
        recordAgencyRequests(
          trackedCase(),
          [{ organisationId: 'lb-havering', dueAt }],
          registrySeed,
          bhrCoordinator,
          now,
        ),
      ),
    ).toEqual({ type: 'ConflictError', code: 'ALREADY_EXISTS' });
  });

  it('builds the timeline from the case and its requests, oldest first', () => {
    const timeline = caseTimeline(trackedCase(), requests, now);
    expect(timeline.map((e) => [e.kind, e.organisationId])).toEqual([
      ['case-opened', 'lb-havering'],
      ['report-requested', 'lb-havering'],
      ['report-requested', 'lb-barking-dagenham'],
      ['report-requested', 'lb-redbridge'],
      ['report-requested', 'met-ea-bcu'],
      ['report-declined', 'lb-barking-dagenham'],
      ['report-approved', 'lb-havering'],
      ['report-received', 'lb-havering'],
      ['report-overdue', 'lb-redbridge'],
    ]);
    expect(timeline.find((e) => e.kind === 'report-declined')?.detail).toBe('no record of the child');
    expect(caseTimeline(trackedCase(), requests).some((e) => e.kind === 'report-overdue')).toBe(false);
  });

  it('lists who is outstanding across open cases, most overdue first, and ignores closed cases', () => {
    const first = trackedCase();
    const second: CdopCase = {
      ...first,
      id: '01JD0000000000000000000009',
      agencies: [
        {
          organisationId: 'lb-redbridge',
          requestedAt: askedAt.toISOString(),
          dueAt: '2026-11-20T10:00:00.000Z',
        },
      ],
    };
    const closed: CdopCase = { ...first, id: '01JD0000000000000000000008', status: 'closed' };
    expect(outstandingAcrossCases([first, second, closed], requests, now)).toEqual([
      {
        organisationId: 'lb-redbridge',
        overdue: 2,
        maxDaysOverdue: 8,
        reports: [
          {
            caseId,
            cdopOrganisationId: 'bhr-cdop',
            requestId: ids.redbridge,
            dueAt,
            status: 'overdue',
            daysOverdue: 8,
          },
          {
            caseId: '01JD0000000000000000000009',
            cdopOrganisationId: 'bhr-cdop',
            requestId: undefined,
            dueAt: '2026-11-20T10:00:00.000Z',
            status: 'overdue',
            daysOverdue: 3,
          },
        ],
      },
      {
        organisationId: 'met-ea-bcu',
        overdue: 0,
        maxDaysOverdue: 0,
        reports: [
          {
            caseId,
            cdopOrganisationId: 'bhr-cdop',
            requestId: undefined,
            dueAt: '2026-11-25T10:00:00.000Z',
            status: 'requested',
            daysOverdue: 0,
          },
        ],
      },
    ]);
  });

  it('makes reminders due: overdue ones weekly, a due-soon one once', () => {
    const c = trackedCase();
    const due = remindersDue([c], requests, now, new Map());
    expect(due.map((r) => [r.kind, r.organisationId, r.daysOverdue])).toEqual([
      ['report-overdue', 'lb-redbridge', 8],
      ['report-due-soon', 'met-ea-bcu', 0],
    ]);
    const redbridge = reminderKey(caseId, 'lb-redbridge');
    const police = reminderKey(caseId, 'met-ea-bcu');
    // Reminded two days ago (after the due date) and the police already told: nothing yet.
    const recent = new Map([
      [redbridge, '2026-11-21T10:00:00.000Z'],
      [police, '2026-11-22T10:00:00.000Z'],
    ]);
    expect(remindersDue([c], requests, now, recent)).toEqual([]);
    // A week after the last overdue reminder, it goes again.
    expect(
      remindersDue([c], requests, new Date('2026-11-28T10:00:00Z'), recent).map((r) => r.organisationId),
    ).toEqual(['lb-redbridge', 'met-ea-bcu']);
    // A reminder sent before the due date does not stand for the overdue one.
    expect(
      remindersDue([c], requests, now, new Map([[redbridge, '2026-11-13T10:00:00.000Z']]))[0],
    ).toMatchObject({
      kind: 'report-overdue',
      organisationId: 'lb-redbridge',
    });
    expect(remindersDue([{ ...c, status: 'closed' }], requests, now, new Map())).toEqual([]);
  });
});

describe('one pass of the case tracker', () => {
  it('announces each report received once, reminds once per period, and changes nothing when nothing changed', () => {
    const first = trackCase(trackedCase(), requests, now);
    if (first === undefined) throw new Error('the first pass changes the case');
    expect(first.received.map((r) => r.organisationId)).toEqual(['lb-havering']);
    expect(first.reminders.map((r) => [r.kind, r.organisationId])).toEqual([
      ['report-overdue', 'lb-redbridge'],
      ['report-due-soon', 'met-ea-bcu'],
    ]);
    expect(first.next.agencies.map((a) => a.lastSeenStatus)).toEqual([
      'answered',
      'declined',
      'overdue',
      'requested',
    ]);
    expect(first.next.timeline.filter((e) => e.kind === 'reminder-sent')).toHaveLength(2);
    expect(first.next.revision).toBe(trackedCase().revision + 1);

    // The same day again: nothing new to announce, no reminder repeated, so nothing to write.
    expect(trackCase(first.next, requests, now)).toBeUndefined();

    // A week on, the overdue report is reminded again; the answered one is not announced again.
    const weekOn = new Date(now.getTime() + 7 * 86_400_000);
    const later = trackCase(first.next, requests, weekOn);
    expect(later?.received).toEqual([]);
    expect(later?.reminders.map((r) => [r.kind, r.organisationId])).toEqual([
      ['report-overdue', 'lb-redbridge'],
      ['report-overdue', 'met-ea-bcu'],
    ]);
    expect(trackCase({ ...first.next, status: 'closed' }, requests, weekOn)).toBeUndefined();
  });
});

describe('under an agreement that is not in force', () => {
  it('the tracker sends no reminder, and still notes what arrived', () => {
    const paused = trackCase(trackedCase(), requests, now, undefined, { remind: false });
    expect(paused?.reminders).toEqual([]);
    expect(paused?.received.map((r) => r.organisationId)).toEqual(['lb-havering']);
    expect(paused?.next.timeline.some((e) => e.kind === 'reminder-sent')).toBe(false);
  });

  it('an ended ask is ended, not outstanding, and never reminded', () => {
    const ended = endPendingAsks(
      trackedCase(),
      [{ organisationId: 'met-ea-bcu', reasonCode: 'AGREEMENT_REVOKED' }],
      now,
    );
    expect(ended.revision).toBe(trackedCase().revision + 1);
    expect(ended.timeline.at(-1)).toMatchObject({
      kind: 'report-ended',
      organisationId: 'met-ea-bcu',
      detail: 'AGREEMENT_REVOKED',
    });
    expect(agencyStatuses(ended, requests, now).find((t) => t.organisationId === 'met-ea-bcu')).toMatchObject(
      {
        status: 'ended',
        endedAt: now.toISOString(),
        endedReason: 'AGREEMENT_REVOKED',
      },
    );
    expect(
      outstandingAcrossCases([ended], requests, now).some((o) => o.organisationId === 'met-ea-bcu'),
    ).toBe(false);
    expect(remindersDue([ended], requests, now, new Map()).map((r) => r.organisationId)).toEqual([
      'lb-redbridge',
    ]);
    // Ending again changes nothing on the agency: it ended once.
    const again = endPendingAsks(
      ended,
      [{ organisationId: 'met-ea-bcu', reasonCode: 'AGREEMENT_EXPIRED' }],
      now,
    );
    expect(again.agencies).toEqual(ended.agencies);
  });
});
