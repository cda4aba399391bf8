import { describe, expect, it } from 'vitest';
import type { AgreementPurpose } from '#shared/domain/agreements/agreement.ts';
import { assertInForce } from '#shared/domain/agreements/agreement-in-force.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, GoneError, InputError } from '#shared/domain/errors.ts';
import { type DataRequest, isOpen, isOverdue } from '#shared/domain/requests/data-request.ts';
import {
  assertActsFor,
  assertParty,
  assertReleasable,
  closeTransition,
  decideTransition,
  defaultResponseHours,
  dueAtOf,
  expireTransition,
  fetchTransition,
  overdueTransition,
  purgedTransition,
  releaseTransition,
  sharePolicy,
  withdrawTransition,
  workListsOf,
} from '#shared/domain/requests/lifecycle.ts';

const purpose: AgreementPurpose = {
  code: 'SAFEGUARDING_REFERRAL_MASH',
  description: 'MASH enquiries',
  dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
  lawfulBasis: ['UKGDPR-6-1-e'],
  consentRule: 'not-required',
  rolesAllowedToRequest: ['practitioner'],
  rolesAllowedToAnswer: ['practitioner'],
  retentionDays: 30,
};

const submitted: DataRequest = {
  id: '01JD0000000000000000000000',
  status: 'submitted',
  requester: { organisationId: 'lb-brent', clientId: 'lb-brent-system', userId: 'lb-brent.practitioner' },
  responderOrganisationId: 'lb-harrow',
  agreement: { id: 'isa-nw-bcu-mash', version: 1 },
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
  lawfulBasis: ['UKGDPR-6-1-e'],
  consent: { state: 'not-applicable' },
  subjectRef: `sr1.north-west-bcu.${'A'.repeat(43)}`,
  urgency: 'urgent',
  justification: 'MASH referral',
  requestHash: 'h',
  submittedAt: '2026-11-23T09:00:00.000Z',
  dueAt: '2026-11-24T09:00:00.000Z',
  revision: 1,
};

const principal = (organisationId: string, roles: Principal['user'] extends infer U ? U : never) =>
  ({
    clientId: `${organisationId}-system`,
    organisationId,
    kid: 'k',
    alg: 'ES256',
    jti: 'j',
    requestHash: 'h',
    user: roles,
  }) as Principal;
const harrowPractitioner = principal('lb-harrow', { id: 'lb-harrow.practitioner', roles: ['practitioner'] });
const at = (iso: string) => new Date(iso);

const released = (): DataRequest => {
  const decided = decideTransition(
    submitted,
    { outcome: 'approve', reasons: 'ok' },
    { userId: 'lb-harrow.practitioner' },
    at('2026-11-23T10:00:00Z'),
  );
  return releaseTransition(
    decided,
    {
      objectKey: 'shares/x/y',
      sha256: 'a'.repeat(64),
      size: 10,
      contentType: 'application/json',
      dataCategories: ['identity-residence'],
      releasedBy: 'lb-harrow.practitioner',
    },
    purpose,
    at('2026-11-23T11:00:00Z'),
  );
};

describe('due dates and overdue', () => {
  it('takes the hours from the agreement purpose, else the defaults', () => {
    const now = at('2026-11-23T09:00:00Z');
    expect(dueAtOf(purpose, 'immediate', now)).toBe(
      new Date(now.getTime() + defaultResponseHours.immediate * 3_600_000).toISOString(),
    );
    expect(
      dueAtOf({ ...purpose, responseHours: { immediate: 1, urgent: 2, routine: 3 } }, 'routine', now),
    ).toBe('2026-11-23T12:00:00.000Z');
  });

  it('is overdue while approved but not released past due (the release is owed), never once released', () => {
    const approved = decideTransition(
      submitted,
      { outcome: 'partial', reasons: 'some', withheld: { dataCategories: ['education-attendance'] } },
      { userId: 'lb-harrow.practitioner' },
      at('2026-11-23T10:00:00Z'),
    );
    expect(workListsOf(approved)).toEqual({ due: submitted.dueAt });
    expect(isOverdue(approved, at('2026-11-24T09:00:01Z'))).toBe(true);
    expect(overdueTransition(approved, at('2026-11-24T10:00:00Z'))?.overdueNotifiedAt).toBe(
      '2026-11-24T10:00:00.000Z',
    );
    expect(isOverdue(released(), at('2026-11-25T00:00:00Z'))).toBe(false);
    const declined = decideTransition(
      submitted,
      { outcome: 'decline', reasons: 'not held' },
      { userId: 'lb-harrow.practitioner' },
      at('2026-11-23T10:00:00Z'),
    );
    expect(isOverdue(declined, at('2026-11-25T00:00:00Z'))).toBe(false);
    expect(workListsOf(declined)).toEqual({});
  });

  it('is overdue only while submitted and past due, and the overdue event is sent once', () => {
    expect(isOverdue(submitted, at('2026-11-24T09:00:00Z'))).toBe(false);
    expect(isOverdue(submitted, at('2026-11-24T09:00:01Z'))).toBe(true);
    expect(overdueTransition(submitted, at('2026-11-24T08:00:00Z'))).toBeUndefined();
    const flagged = overdueTransition(submitted, at('2026-11-24T10:00:00Z'));
    expect(flagged?.overdueNotifiedAt).toBe('2026-11-24T10:00:00.000Z');
    expect(flagged && overdueTransition(flagged, at('2026-11-25T10:00:00Z'))).toBeUndefined();
    expect(flagged && workListsOf(flagged)).toEqual({});
  });
});

describe('who may act', () => {
  it('lets only the named side with an allowed role act, and only the parties read', () => {
    expect(assertActsFor(harrowPractitioner, submitted, 'responder', ['practitioner'])).toEqual({
      userId: 'lb-harrow.practitioner',
    });
    expect(() => assertActsFor(harrowPractitioner, submitted, 'requester', ['practitioner'])).toThrow(
      AuthorisationError,
    );
    const igLead = principal('lb-harrow', { id: 'lb-harrow.ig-lead', roles: ['ig-lead'] });
    expect(() => assertActsFor(igLead, submitted, 'responder', ['practitioner'])).toThrow(AuthorisationError);
    expect(() =>
      assertActsFor(principal('lb-harrow', undefined), submitted, 'responder', ['practitioner']),
    ).toThrow(AuthorisationError);
    expect(assertParty(harrowPractitioner, submitted)).toBe('responder');
    expect(() =>
      assertParty(
        principal('lb-barnet', { id: 'lb-barnet.practitioner', roles: ['practitioner'] }),
        submitted,
      ),
    ).toThrow(AuthorisationError);
  });
});

describe('deciding', () => {
  const by = { userId: 'lb-harrow.practitioner' };
  const now = at('2026-11-23T10:00:00Z');

  it('records each outcome with its reasons and bumps the revision', () => {
    expect(decideTransition(submitted, { outcome: 'approve', reasons: 'ok' }, by, now)).toMatchObject({
      status: 'approved',
      revision: 2,
      decision: { outcome: 'approve', decidedBy: by.userId },
    });
    expect(decideTransition(submitted, { outcome: 'decline', reasons: 'not held' }, by, now).status).toBe(
      'declined',
    );
    const partial = decideTransition(
      submitted,
      { outcome: 'partial', reasons: 'part', withheld: { dataCategories: ['education-attendance'] } },
      by,
      now,
    );
    expect(partial.status).toBe('partially-approved');
    expect(() => assertReleasable(partial, ['education-attendance'])).toThrow(InputError);
    expect(() => assertReleasable(partial, ['identity-residence'])).not.toThrow();
  });

  it('refuses malformed partial decisions and deciding twice', () => {
    expect(() => decideTransition(submitted, { outcome: 'partial', reasons: 'x' }, by, now)).toThrow(
      InputError,
    );
    expect(() =>
      decideTransition(
        submitted,
        { outcome: 'approve', reasons: 'x', withheld: { description: 'y' } },
        by,
        now,
      ),
    ).toThrow(InputError);
    expect(() =>
      decideTransition(
        submitted,
        { outcome: 'partial', reasons: 'x', withheld: { dataCategories: ['health'] } },
        by,
        now,
      ),
    ).toThrow(InputError);
    const decided = decideTransition(submitted, { outcome: 'decline', reasons: 'x' }, by, now);
    expect(() => decideTransition(decided, { outcome: 'approve', reasons: 'x' }, by, now)).toThrow(
      ConflictError,
    );
    expect(() => assertReleasable(decided, ['identity-residence'])).toThrow(ConflictError);
    expect(() => assertReleasable(submitted, ['identity-residence'])).toThrow(ConflictError);
  });
});

describe('shares', () => {
  it('keep a share for the retention period and count fetches up to the limit', () => {
    const share = released();
    expect(share.share).toMatchObject({
      expiresAt: '2026-12-23T11:00:00.000Z',
      fetchCount: 0,
      maxFetches: sharePolicy.maxFetches,
    });
    expect(workListsOf(share)).toEqual({ retention: '2026-12-23T11:00:00.000Z' });
    let current = share;
    for (let i = 1; i <= sharePolicy.maxFetches; i += 1) {
      current = fetchTransition(current, at('2026-11-24T00:00:00Z'));
      expect(current.share?.fetchCount).toBe(i);
    }
    expect(() => fetchTransition(current, at('2026-11-24T00:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'FETCH_LIMIT_REACHED' }),
    );
  });

  it('refuses fetches after expiry, after withdrawal and before release', () => {
    const share = released();
    expect(() => fetchTransition(share, at('2026-12-23T11:00:00Z'))).toThrow(GoneError);
    const withdrawn = withdrawTransition(
      share,
      { userId: 'lb-brent.practitioner' },
      at('2026-11-24T00:00:00Z'),
    );
    expect(() => fetchTransition(withdrawn, at('2026-11-24T00:00:01Z'))).toThrow(
      expect.objectContaining({ code: 'SHARE_WITHDRAWN' }),
    );
    expect(() => fetchTransition(submitted, at('2026-11-24T00:00:01Z'))).toThrow(ConflictError);
  });

  it('moves expired and withdrawn shares onto the purge list until their bytes are deleted', () => {
    const share = released();
    expect(expireTransition(share, at('2026-12-23T10:59:59Z'))).toBeUndefined();
    const expired = expireTransition(share, at('2026-12-23T11:00:00Z'));
    expect(expired?.status).toBe('expired');
    expect(expired && workListsOf(expired)).toEqual({ purge: '2026-12-23T11:00:00.000Z' });
    const purged = expired && purgedTransition(expired, at('2026-12-23T11:05:00Z'));
    expect(purged?.share?.deletedAt).toBe('2026-12-23T11:05:00.000Z');
    expect(purged && workListsOf(purged)).toEqual({});
    const withdrawn = withdrawTransition(
      share,
      { userId: 'lb-brent.practitioner' },
      at('2026-11-24T00:00:00Z'),
    );
    expect(workListsOf(withdrawn)).toEqual({ purge: '2026-11-24T00:00:00.000Z' });
    expect(() => withdrawTransition(withdrawn, { userId: 'x.y' }, at('2026-11-24T00:00:00Z'))).toThrow(
      ConflictError,
    );
  });
});

describe('the agreement in force, and its revocation', () => {
  it('lets work go on only while the agreement is in force, refused with the engine codes otherwise', () => {
    expect(() => assertInForce('in-force')).not.toThrow();
    for (const [standing, code] of [
      ['suspended', 'AGREEMENT_SUSPENDED'],
      ['revoked', 'AGREEMENT_REVOKED'],
      ['expired', 'AGREEMENT_EXPIRED'],
      ['not-active', 'AGREEMENT_NOT_ACTIVE'],
      ['not-yet-valid', 'AGREEMENT_NOT_YET_VALID'],
    ] as const) {
      expect(() => assertInForce(standing)).toThrow(expect.objectContaining({ code }));
      expect(() => assertInForce(standing)).toThrow(AuthorisationError);
    }
  });

  it('closes open requests (a released share goes on the purge list) and leaves ended ones alone', () => {
    const now = at('2026-11-25T00:00:00Z');
    const closedSubmitted = closeTransition(submitted, 'agreement-revoked', now);
    expect(closedSubmitted).toMatchObject({
      status: 'closed',
      closed: { at: '2026-11-25T00:00:00.000Z', reason: 'agreement-revoked' },
      revision: 2,
    });
    expect(closedSubmitted && [isOpen(closedSubmitted), workListsOf(closedSubmitted)]).toEqual([false, {}]);
    const closedShare = closeTransition(released(), 'agreement-revoked', now);
    expect(closedShare && workListsOf(closedShare)).toEqual({ purge: '2026-11-25T00:00:00.000Z' });
    expect(closedShare && purgedTransition(closedShare, now).share?.deletedAt).toBe(now.toISOString());
    expect(closedShare && closeTransition(closedShare, 'agreement-revoked', now)).toBeUndefined();
    const withdrawn = withdrawTransition(submitted, { userId: 'lb-brent.practitioner' }, now);
    expect(closeTransition(withdrawn, 'agreement-revoked', now)).toBeUndefined();
    expect([isOpen(submitted), isOpen(released()), isOpen(withdrawn)]).toEqual([true, true, false]);
  });
});
