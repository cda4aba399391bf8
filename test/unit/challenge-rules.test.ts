import { describe, expect, it } from 'vitest';
import type { AgreementRecord } from '#shared/domain/agreements/agreement.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { challengeDueOf, defaultEscalation } from '#shared/domain/challenges/challenge.ts';
import {
  assertAnswersStage,
  assertChallenger,
  assertNewDecision,
  challengeOverdueTransition,
  escalateTransition,
  escalationOf,
  groundOf,
  outcomeTransition,
  raiseTransition,
} from '#shared/domain/challenges/challenge-rules.ts';
import { AuthorisationError, InputError } from '#shared/domain/errors.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { decideTransition, redecidableStatuses, workListsOf } from '#shared/domain/requests/lifecycle.ts';

// The pure rules of a challenge (shared/domain/challenges/challenge-rules.ts): what may be challenged, who acts at
// each stage, and the record after each step.

const submitted: DataRequest = {
  id: '01JD0000000000000000000000',
  status: 'submitted',
  requester: { organisationId: 'lb-brent', clientId: 'lb-brent-system', userId: 'lb-brent.practitioner' },
  responderOrganisationId: 'lb-harrow',
  agreement: { id: 'isa-nw-bcu-mash', version: 1 },
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status'],
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

const at = (iso: string) => new Date(iso);
const decidedAt = at('2026-11-23T12:00:00.000Z');
const harrow = { userId: 'lb-harrow.practitioner' };
const declined = decideTransition(submitted, { outcome: 'decline', reasons: 'no' }, harrow, decidedAt);
const brent = { userId: 'lb-brent.practitioner' };
const text = { reasons: 'needed', reasonCodes: ['NEEDED_TO_SAFEGUARD', 'NEEDED_TO_SAFEGUARD'] };
const raisedAt = at('2026-11-23T13:00:00.000Z');

const principal = (user: string, roles: string[]): Principal =>
  ({
    clientId: `${user.split('.')[0]}-system`,
    organisationId: user.split('.')[0],
    kid: 'k',
    alg: 'ES256',
    jti: 'j',
    requestHash: 'h',
    user: { id: user, roles },
  }) as Principal;

const raised = () => raiseTransition(declined, defaultEscalation, text, brent, raisedAt);

describe('what may be challenged', () => {
  it('is a decline, a partial approval or an answer owed past its due date', () => {
    expect(groundOf(declined, raisedAt)).toBe('declined');
    const partial = decideTransition(
      submitted,
      { outcome: 'partial', reasons: 'some', withheld: { dataCategories: ['identity-residence'] } },
      harrow,
      decidedAt,
    );
    expect(groundOf(partial, raisedAt)).toBe('partially-approved');
    expect(groundOf(submitted, raisedAt)).toBeUndefined();
    expect(groundOf(submitted, at('2026-11-25T00:00:00.000Z'))).toBe('overdue');
    const approved = decideTransition(submitted, { outcome: 'approve', reasons: 'yes' }, harrow, decidedAt);
    expect(groundOf(approved, raisedAt)).toBeUndefined();
    expect(groundOf(approved, at('2026-11-25T00:00:00.000Z'))).toBe('overdue');
    expect(() => raiseTransition(approved, defaultEscalation, text, brent, raisedAt)).toThrow(
      expect.objectContaining({ code: 'NOTHING_TO_CHALLENGE' }),
    );
  });
});

describe('raising', () => {
  it("opens stage 1 for the responder's first escalation role, due after its days, codes once each", () => {
    const { next, challenge } = raised();
    expect(next.revision).toBe(declined.revision + 1);
    expect(challenge).toEqual({
      n: 1,
      ground: 'declined',
      decidedAt: decidedAt.toISOString(),
      stages: [
        {
          stage: 1,
          role: 'ig-lead',
          openedBy: brent.userId,
          openedAt: raisedAt.toISOString(),
          dueAt: '2026-11-28T13:00:00.000Z',
          reasons: 'needed',
          reasonCodes: ['NEEDED_TO_SAFEGUARD'],
        },
      ],
    });
    expect(next.challenges).toEqual([challenge]);
    expect(workListsOf(next).challenge).toBe('2026-11-28T13:00:00.000Z');
  });

  it('refuses a second challenge while one is open, and the same decision challenged twice', () => {
    const { next, challenge } = raised();
    expect(() => raiseTransition(next, defaultEscalation, text, brent, raisedAt)).toThrow(
      expect.objectContaining({ code: 'CHALLENGE_OPEN' }),
    );
    const resolved = outcomeTransition(
      next,
      challenge,
      { outcome: 'upheld', reasons: 'stands', reasonCodes: ['DECISION_CORRECT'] },
      { userId: 'lb-harrow.ig-lead' },
      raisedAt,
    ).next;
    expect(() => raiseTransition(resolved, defaultEscalation, text, brent, raisedAt)).toThrow(
      expect.objectContaining({ code: 'NOTHING_TO_CHALLENGE' }),
    );
  });

  it("uses the agreement version's own escalation when it names one", () => {
    const escalation = { stages: [{ role: 'dpo' as const, days: 2 }] };
    const agreement = {
      id: 'isa-nw-bcu-mash',
      latestVersion: 2,
      versions: [
        { version: 1, content: { escalation } },
        { version: 2, content: {} },
      ],
    } as unknown as AgreementRecord;
    expect(escalationOf(agreement, declined)).toEqual(escalation);
    expect(escalationOf(agreement, { agreement: { id: 'isa-nw-bcu-mash', version: 2 } })).toEqual(
      defaultEscalation,
    );
    expect(escalationOf(undefined, declined)).toEqual(defaultEscalation);
  });
});

describe('who acts', () => {
  it('lets the user who asked and the requester IG roles challenge, no one else', () => {
    expect(assertChallenger(principal('lb-brent.practitioner', ['practitioner']), declined)).toEqual(brent);
    expect(assertChallenger(principal('lb-brent.dpo', ['dpo']), declined)).toEqual({
      userId: 'lb-brent.dpo',
    });
    for (const other of [
      principal('lb-brent.other', ['practitioner']),
      principal('lb-harrow.ig-lead', ['ig-lead']),
      principal('lb-barnet.ig-lead', ['ig-lead']),
    ]) {
      expect(() => assertChallenger(other, declined)).toThrow(AuthorisationError);
    }
  });

  it("lets only the responder's user with the stage's role record its outcome", () => {
    const { challenge } = raised();
    expect(assertAnswersStage(principal('lb-harrow.ig-lead', ['ig-lead']), declined, challenge)).toEqual({
      userId: 'lb-harrow.ig-lead',
    });
    for (const other of [
      principal('lb-harrow.caldicott-guardian', ['caldicott-guardian']),
      principal('lb-brent.ig-lead', ['ig-lead']),
    ]) {
      expect(() => assertAnswersStage(other, declined, challenge)).toThrow(AuthorisationError);
    }
  });
});

describe('escalation and outcomes', () => {
  const ig = { userId: 'lb-harrow.ig-lead' };
  const upheld = { outcome: 'upheld' as const, reasons: 'stands', reasonCodes: ['DECISION_CORRECT'] };

  it('escalates after an outcome or past the due date, never before, never beyond the last stage', () => {
    const first = raised();
    expect(() =>
      escalateTransition(first.next, first.challenge, defaultEscalation, text, brent, raisedAt),
    ).toThrow(expect.objectContaining({ code: 'STAGE_NOT_DUE' }));
    const late = at('2026-11-29T00:00:00.000Z');
    const unanswered = escalateTransition(first.next, first.challenge, defaultEscalation, text, brent, late);
    expect(unanswered.challenge.stages.map((s) => s.role)).toEqual(['ig-lead', 'caldicott-guardian']);
    expect(unanswered.challenge.stages[1]?.dueAt).toBe('2026-12-09T00:00:00.000Z');

    const answered = outcomeTransition(first.next, first.challenge, upheld, ig, raisedAt);
    const second = escalateTransition(
      answered.next,
      answered.challenge,
      defaultEscalation,
      text,
      brent,
      raisedAt,
    );
    const last = outcomeTransition(
      second.next,
      second.challenge,
      upheld,
      { userId: 'lb-harrow.caldicott-guardian' },
      raisedAt,
    );
    expect(() =>
      escalateTransition(last.next, last.challenge, defaultEscalation, text, brent, raisedAt),
    ).toThrow(expect.objectContaining({ code: 'LAST_STAGE_REACHED' }));
  });

  it('records one outcome a stage; an overturn decides anew in the same revision and ends the challenge', () => {
    const first = raised();
    const answered = outcomeTransition(first.next, first.challenge, upheld, ig, raisedAt);
    expect(() => outcomeTransition(answered.next, answered.challenge, upheld, ig, raisedAt)).toThrow(
      expect.objectContaining({ code: 'STAGE_RESOLVED' }),
    );
    const overturned = outcomeTransition(
      first.next,
      first.challenge,
      { outcome: 'overturned', reasons: 'wrong', reasonCodes: ['DECISION_WRONG'] },
      ig,
      raisedAt,
      (r) => decideTransition(r, { outcome: 'approve', reasons: 'yes' }, ig, raisedAt, redecidableStatuses),
    );
    expect(overturned.next).toMatchObject({
      status: 'approved',
      revision: first.next.revision + 1,
      decision: { outcome: 'approve', decidedBy: ig.userId },
    });
    expect(() =>
      escalateTransition(overturned.next, overturned.challenge, defaultEscalation, text, brent, raisedAt),
    ).toThrow(expect.objectContaining({ code: 'STAGE_RESOLVED' }));
    expect(() => assertNewDecision('overturned', false)).toThrow(InputError);
    expect(() => assertNewDecision('upheld', true)).toThrow(InputError);
    expect(() => assertNewDecision('resolved-otherwise', false)).not.toThrow();
  });

  it('flags an open stage past its due date once, and takes it off the work list', () => {
    const first = raised();
    expect(challengeOverdueTransition(first.next, raisedAt)).toBeUndefined();
    const late = at('2026-11-29T00:00:00.000Z');
    const flagged = challengeOverdueTransition(first.next, late);
    expect(flagged?.challenge.stages[0]?.overdueNotifiedAt).toBe(late.toISOString());
    if (flagged === undefined) throw new Error('flagged');
    expect(challengeOverdueTransition(flagged.next, late)).toBeUndefined();
    expect(challengeDueOf(flagged.next.challenges)).toBeUndefined();
    expect(workListsOf(flagged.next).challenge).toBeUndefined();
  });
});
