import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { agreementSeed } from '#local/seed/agreement-seed.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { textSha256 } from '#shared/domain/audit/audit-entry.ts';
import { defaultEscalation } from '#shared/domain/challenges/challenge.ts';
import { escalateChallenge } from '#shared/domain/challenges/escalate-challenge.ts';
import type { RequestDeps } from '#shared/domain/requests/request-deps.ts';
import { sweepRequests } from '#shared/domain/requests/sweep-requests.ts';
import type { Clock } from '#shared/ports/clock.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import {
  type Caller,
  eventsAbout,
  mashReferral,
  principalOf,
  recordingCaller,
  requestStoresOf,
} from '../support/request-exchange.ts';

// Challenge and escalation of a request's answer, through the API against DynamoDB Local: raised on a decline,
// upheld at stage 1, escalated to stage 2 and overturned with a new decision; every refusal answered with its code
// and recorded as `refused`; events to both parties; an unanswered stage flagged overdue by the sweeper.

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let deps: (clock: Clock) => RequestDeps;
let brent: Caller;
let brentIgLead: Caller;
let harrow: Caller;
let harrowIgLead: Caller;
let harrowGuardian: Caller;
let barnet: Caller;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  ({ audit, deps } = requestStoresOf(exchange));
  const caller = (user: string) => recordingCaller(exchange, user);
  brent = await caller('lb-brent.practitioner');
  brentIgLead = await caller('lb-brent.ig-lead');
  harrow = await caller('lb-harrow.practitioner');
  harrowIgLead = await caller('lb-harrow.ig-lead');
  harrowGuardian = await caller('lb-harrow.caldicott-guardian');
  barnet = await caller('lb-barnet.practitioner');
});

afterAll(async () => {
  await exchange?.stop();
});

const ok = <T>(response: PbxResponse<T>): T => {
  if (response.status >= 300) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};

const declined = async (justification: string) => {
  const { request } = ok(await brent.submitRequest(mashReferral(justification)));
  ok(
    await harrow.decideRequest(request.id, {
      outcome: 'decline',
      reasons: 'not proportionate for a referral at this stage',
      reasonCodes: ['NOT_PROPORTIONATE'],
    }),
  );
  return request.id;
};

const entriesOf = async (requestId: string, action: string) =>
  (await audit.readAll()).filter((e) => e.target?.id === requestId && e.action === action);

/** A refusal: its status and code, and a `refused` entry with that code for the signed call that was refused. */
const expectRefused = async (
  requestId: string,
  by: Caller,
  action: string,
  response: PbxResponse<unknown>,
  status: number,
  code: string,
) => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ error: code });
  const entry = (await audit.readAll()).find((e) => e.requestHash === by.lastHash() && e.action === action);
  expect(entry).toMatchObject({ outcome: 'refused', reasonCodes: [code], target: { id: requestId } });
};

const typesFor = async (organisationId: string, requestId: string) =>
  (await eventsAbout(exchange, organisationId, requestId)).map((e) => e.type);

const raising = {
  reasons: 'the child is at risk; police hold the address history we need for the strategy discussion',
  reasonCodes: ['NEEDED_TO_SAFEGUARD', 'PROPORTIONALITY_MISJUDGED'],
};

describe('a challenge of a decline', () => {
  it('is upheld at stage 1, escalated to stage 2 and overturned with a new decision', async () => {
    const id = await declined('MASH referral: challenged decline');

    // Only the requester challenges: not another organisation, not the responder.
    await expectRefused(
      id,
      barnet,
      'challenge.raise',
      await barnet.raiseChallenge(id, raising),
      403,
      'NOT_PERMITTED',
    );
    await expectRefused(
      id,
      harrowIgLead,
      'challenge.raise',
      await harrowIgLead.raiseChallenge(id, raising),
      403,
      'NOT_PERMITTED',
    );

    const raised = await brent.raiseChallenge(id, raising, 'challenge-raise-0001');
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const challenge = ok(raised).challenge;
    expect(challenge).toMatchObject({
      n: 1,
      ground: 'declined',
      stages: [{ stage: 1, role: 'ig-lead', openedBy: 'lb-brent.practitioner', reasons: raising.reasons }],
    });
    // The default escalation: the IG lead has five days.
    const [first] = challenge.stages;
    expect(Date.parse(first?.dueAt ?? '') - Date.parse(first?.openedAt ?? '')).toBe(5 * 86_400_000);
    expect(await brent.raiseChallenge(id, raising, 'challenge-raise-0001')).toEqual(raised);
    // The request shows its challenges.
    expect(ok(await harrow.getRequest(id)).request.challenges).toEqual([challenge]);
    expect(ok(await harrow.listChallenges(id)).challenges).toEqual([challenge]);
    expect((await barnet.listChallenges(id)).status).toBe(403);

    await expectRefused(
      id,
      brentIgLead,
      'challenge.raise',
      await brentIgLead.raiseChallenge(id, raising),
      409,
      'CHALLENGE_OPEN',
    );
    // Escalating before the stage's due date, with no outcome yet, is refused.
    await expectRefused(
      id,
      brent,
      'challenge.escalate',
      await brent.escalateChallenge(id, 1, raising),
      409,
      'STAGE_NOT_DUE',
    );

    // Stage 1 is the responder's IG lead's: not its practitioner, not its Caldicott guardian.
    const upholding = {
      outcome: 'upheld' as const,
      reasons: 'the decision was proportionate on what was known',
      reasonCodes: ['DECISION_CORRECT'],
    };
    for (const wrong of [harrow, harrowGuardian]) {
      await expectRefused(
        id,
        wrong,
        'challenge.resolve',
        await wrong.recordChallengeOutcome(id, 1, upholding),
        403,
        'NOT_PERMITTED',
      );
    }
    const upheld = ok(await harrowIgLead.recordChallengeOutcome(id, 1, upholding));
    expect(upheld.challenge.stages[0]?.outcome).toMatchObject({
      outcome: 'upheld',
      recordedBy: 'lb-harrow.ig-lead',
    });
    expect(upheld.request.status).toBe('declined');
    await expectRefused(
      id,
      harrowIgLead,
      'challenge.resolve',
      await harrowIgLead.recordChallengeOutcome(id, 1, upholding),
      409,
      'STAGE_RESOLVED',
    );

    // The requester disagrees: stage 2, the Caldicott guardian's, ten days.
    const escalated = ok(
      await brentIgLead.escalateChallenge(id, 1, {
        reasons: 'the outcome did not weigh the risk to the child',
        reasonCodes: ['OUTCOME_NOT_ADDRESSED'],
      }),
    );
    const second = escalated.challenge.stages[1];
    expect(second).toMatchObject({ stage: 2, role: 'caldicott-guardian', openedBy: 'lb-brent.ig-lead' });
    expect(Date.parse(second?.dueAt ?? '') - Date.parse(second?.openedAt ?? '')).toBe(10 * 86_400_000);

    // An overturn carries its new decision; the request is decided anew, as the decide step decides.
    const overturning = {
      outcome: 'overturned' as const,
      reasons: 'the risk outweighs the intrusion; share what is needed',
      reasonCodes: ['DECISION_WRONG'],
    };
    expect((await harrowGuardian.recordChallengeOutcome(id, 1, overturning)).body).toMatchObject({
      error: 'INVALID_INPUT',
    });
    const overturned = ok(
      await harrowGuardian.recordChallengeOutcome(id, 1, {
        ...overturning,
        decision: {
          outcome: 'partial',
          reasons: 'protection status shared; the rest is not held',
          reasonCodes: ['HELD_AND_NECESSARY', 'NOT_HELD'],
          withheld: { dataCategories: ['identity-residence'] },
        },
      }),
    );
    expect(overturned.request).toMatchObject({
      status: 'partially-approved',
      decision: { outcome: 'partial', decidedBy: 'lb-harrow.caldicott-guardian' },
    });
    expect(overturned.challenge.stages[1]?.outcome?.outcome).toBe('overturned');
    await expectRefused(
      id,
      brent,
      'challenge.escalate',
      await brent.escalateChallenge(id, 1, raising),
      409,
      'STAGE_RESOLVED',
    );

    // Both parties heard of every step; the overturn's new decision too.
    for (const org of ['lb-brent', 'lb-harrow']) {
      const types = await typesFor(org, id);
      expect(types.filter((t) => t === 'ChallengeRaised')).toHaveLength(1);
      expect(types.filter((t) => t === 'ChallengeEscalated')).toHaveLength(1);
      expect(types.filter((t) => t === 'ChallengeResolved')).toHaveLength(2);
      expect(types.filter((t) => t === 'RequestDecided')).toHaveLength(2);
    }
    const resolvedEvents = (await eventsAbout(exchange, 'lb-brent', id)).filter(
      (e) => e.type === 'ChallengeResolved',
    );
    expect(resolvedEvents.map((e) => e.detail)).toMatchObject([
      { challenge: 1, stage: 1, outcome: 'upheld', role: 'ig-lead' },
      { challenge: 1, stage: 2, outcome: 'overturned', newDecision: 'partial', role: 'caldicott-guardian' },
    ]);

    // The log holds codes and outcomes, the words only as their SHA-256.
    const [raisedEntry] = await entriesOf(id, 'challenge.raise').then((es) =>
      es.filter((e) => e.outcome === 'allowed'),
    );
    expect(raisedEntry).toMatchObject({
      challenge: { n: 1, stage: 1, ground: 'declined', role: 'ig-lead', reasonCodes: raising.reasonCodes },
      textSha256: { challengeReasons: textSha256(raising.reasons) },
      parties: ['lb-brent', 'lb-harrow'],
    });
    expect(JSON.stringify(await entriesOf(id, 'challenge.raise'))).not.toContain(raising.reasons);
    const resolvedEntries = (await entriesOf(id, 'challenge.resolve')).filter((e) => e.outcome === 'allowed');
    expect(resolvedEntries).toMatchObject([
      { challenge: { stage: 1, outcome: 'upheld' } },
      {
        challenge: { stage: 2, outcome: 'overturned', reasonCodes: ['DECISION_WRONG'] },
        decision: { outcome: 'partial', withheldCategories: ['identity-residence'] },
      },
    ]);
  });

  it('challenges a new decision afresh, up to the last stage; refuses what cannot be challenged', async () => {
    const id = await declined('MASH referral: resolved otherwise');
    ok(await brent.raiseChallenge(id, raising));
    // The same decline is not challenged twice.
    ok(
      await harrowIgLead.recordChallengeOutcome(id, 1, {
        outcome: 'resolved-otherwise',
        reasons: 'we spoke: the school holds what is needed',
        reasonCodes: ['AGREED_WITH_REQUESTER'],
      }),
    );
    await expectRefused(
      id,
      brent,
      'challenge.raise',
      await brent.raiseChallenge(id, raising),
      409,
      'NOTHING_TO_CHALLENGE',
    );
    ok(await brent.escalateChallenge(id, 1, raising));
    ok(
      await harrowGuardian.recordChallengeOutcome(id, 1, {
        outcome: 'upheld',
        reasons: 'the decline stands',
        reasonCodes: ['DECISION_CORRECT'],
      }),
    );
    await expectRefused(
      id,
      brent,
      'challenge.escalate',
      await brent.escalateChallenge(id, 1, raising),
      409,
      'LAST_STAGE_REACHED',
    );
    expect((await brent.escalateChallenge(id, 2, raising)).status).toBe(404);

    // An approved request in time has nothing to challenge.
    const { request } = ok(await brent.submitRequest(mashReferral('MASH referral: approved')));
    await expectRefused(
      request.id,
      brent,
      'challenge.raise',
      await brent.raiseChallenge(request.id, raising),
      409,
      'NOTHING_TO_CHALLENGE',
    );
  });

  it('flags a stage left unanswered past its due date once, and lets the requester escalate it', async () => {
    const id = await declined('MASH referral: unanswered challenge');
    ok(await brent.raiseChallenge(id, raising));
    const later = fixedClock(new Date(Date.now() + 6 * 86_400_000).toISOString());

    const first = await sweepRequests(deps(later));
    expect(first.challengesOverdue).toBeGreaterThanOrEqual(1);
    expect((await sweepRequests(deps(later))).challengesOverdue).toBe(0);
    for (const org of ['lb-brent', 'lb-harrow']) {
      const overdue = (await eventsAbout(exchange, org, id)).filter((e) => e.type === 'ChallengeOverdue');
      expect(overdue.map((e) => e.detail)).toMatchObject([{ challenge: 1, stage: 1, role: 'ig-lead' }]);
    }
    expect(await entriesOf(id, 'challenge.overdue')).toMatchObject([
      { outcome: 'allowed', actor: { kind: 'system' }, challenge: { n: 1, stage: 1 } },
    ]);
    expect(ok(await brent.getRequest(id)).request.challenges?.[0]?.stages[0]?.overdueNotifiedAt).toBe(
      later.now().toISOString(),
    );

    // Unanswered past its due date: the requester may escalate without an outcome.
    const escalated = await escalateChallenge(deps(later), {
      principal: principalOf('lb-brent.practitioner'),
      requestId: id,
      n: 1,
      escalation: { reasons: 'no answer in time', reasonCodes: ['NO_ANSWER_IN_TIME'] },
    });
    expect(escalated.challenge.stages.map((s) => [s.stage, s.role, s.outcome])).toEqual([
      [1, 'ig-lead', undefined],
      [2, 'caldicott-guardian', undefined],
    ]);
    expect(ok(await harrowGuardian.listChallenges(id)).challenges[0]?.stages).toHaveLength(2);
  });
});

describe('a challenge under an agreement with escalation stages of its own', () => {
  it("goes to the stage the seeded East Area missing-children agreement names, not the default's IG lead", async () => {
    const escalation = agreementSeed.find((a) => a.id === 'isa-east-area-missing')?.content.escalation;
    expect(escalation).toBeDefined();
    expect(escalation).not.toEqual(defaultEscalation);
    const [first, ...later] = escalation?.stages ?? [];
    const havering = await recordingCaller(exchange, 'lb-havering.practitioner');
    const redbridge = await recordingCaller(exchange, 'lb-redbridge.practitioner');
    const { request } = ok(
      await havering.submitRequest(
        mashReferral('missing episode: challenged decline', {
          responderOrganisationId: 'lb-redbridge',
          agreementId: 'isa-east-area-missing',
          purpose: 'MISSING_CHILD',
          dataCategories: ['identity-residence', 'missing-episodes'],
          lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s17'],
          consent: { state: 'not-applicable' },
          subjectRef: `sr1.east-area-bcu.${randomBytes(32).toString('base64url')}`,
        }),
      ),
    );
    ok(
      await redbridge.decideRequest(request.id, {
        outcome: 'decline',
        reasons: 'not held',
        reasonCodes: ['NOT_HELD'],
      }),
    );
    const challenge = ok(await havering.raiseChallenge(request.id, raising)).challenge;
    const stage = challenge.stages[0];
    expect(stage).toMatchObject({ stage: 1, role: first?.role });
    expect(Date.parse(stage?.dueAt ?? '') - Date.parse(stage?.openedAt ?? '')).toBe(
      (first?.days ?? 0) * 86_400_000,
    );
    for (const org of ['lb-havering', 'lb-redbridge']) {
      const raised = (await eventsAbout(exchange, org, request.id)).filter(
        (e) => e.type === 'ChallengeRaised',
      );
      expect(raised.map((e) => e.detail)).toMatchObject([{ challenge: 1, stage: 1, role: first?.role }]);
    }

    // The default's first role at the responder may not answer it; the agreement's role does.
    const upholding = { outcome: 'upheld' as const, reasons: 'not held', reasonCodes: ['DECISION_CORRECT'] };
    const defaultRole = await recordingCaller(exchange, `lb-redbridge.${defaultEscalation.stages[0]?.role}`);
    await expectRefused(
      request.id,
      defaultRole,
      'challenge.resolve',
      await defaultRole.recordChallengeOutcome(request.id, 1, upholding),
      403,
      'NOT_PERMITTED',
    );
    const answering = await recordingCaller(exchange, `lb-redbridge.${first?.role}`);
    const upheld = ok(await answering.recordChallengeOutcome(request.id, 1, upholding));
    expect(upheld.challenge.stages[0]?.outcome).toMatchObject({
      outcome: 'upheld',
      recordedBy: `lb-redbridge.${first?.role}`,
    });

    // Escalated to the agreement's next stage, or refused at its last.
    const escalating = { reasons: 'the child is still missing', reasonCodes: ['NEEDED_TO_SAFEGUARD'] };
    const escalated = await havering.escalateChallenge(request.id, 1, escalating);
    if (later[0] === undefined) {
      expect([escalated.status, (escalated.body as { error?: string }).error]).toEqual([
        409,
        'LAST_STAGE_REACHED',
      ]);
    } else {
      expect(ok(escalated).challenge.stages[1]).toMatchObject({ stage: 2, role: later[0].role });
    }
  });
});
