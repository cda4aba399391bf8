import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestView, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import type { AccessLogLine } from '#local/http-adapter.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { DynamoIgStore } from '#shared/adapters/dynamodb/ig-store.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { DynamoRestrictionStore } from '#shared/adapters/dynamodb/restriction-store.ts';
import { discloseIgChild } from '#shared/domain/ig/disclose-child.ts';
import type { ChildDeps } from '#shared/domain/ig/ig-deps.ts';
import { type RestrictionDeps, restrictEntry } from '#shared/domain/ig/restrict-entry.ts';
import type { Clock } from '#shared/ports/clock.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { type Caller, principalOf, recordingCaller, requestStoresOf } from '../support/request-exchange.ts';

// Issue 17, who looked at this child and subject access: an organisation's IG lead restricts an entry about the
// child from subject access reports; the report withholds it and says so; the IG leads still see it, marked; after
// its end date or a lift it is disclosed again; every restriction and report is audited.

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let childDeps: (clock: Clock) => ChildDeps;
let restrictionDeps: (clock: Clock) => RestrictionDeps;
let brent: Caller;
let brentIgLead: Caller;
let harrow: Caller;
let harrowIgLead: Caller;
let barnetIgLead: Caller;
let operator: Caller;
const access: AccessLogLine[] = [];

const ok = <T>(response: PbxResponse<T>, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none' }));
const inline = {
  content: payload.toString('base64'),
  sha256: createHash('sha256').update(payload).digest('hex'),
  contentType: 'application/json',
  dataCategories: ['identity-residence', 'protection-status'],
};

let request: DataRequestView;
/** The reason in words Harrow gives: it must be kept out of every audit entry and log line. */
const reason = `police enquiry ${randomBytes(6).toString('hex')}: disclosure would prejudice it`;

const project = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('ProjectIgAnswers');
};
const child = (caller: Caller) => caller.invoke('GetIgChild', { query: { subjectRef: request.subjectRef } });
const disclosure = (caller: Caller) =>
  caller.invoke('GetIgChildDisclosure', { query: { subjectRef: request.subjectRef } });
const restrict = (caller: Caller, index: number, until = day(30)) =>
  caller.invoke('CreateIgRestriction', {
    body: { index, reasonCode: 'crime-prevention', reason, until },
  });
/** The leaf index of the child's entry of one action. */
const indexOf = async (action: string): Promise<number> => {
  const answer = ok(await child(operator));
  const found = answer.entries?.find((e) => e.action === action);
  if (found === undefined) throw new Error(`no ${action} entry`);
  return found.index;
};

beforeAll(async () => {
  exchange = await startExchange({
    schedules: false,
    dynamoDb: sharedDynamoDb(),
    onAccess: (line) => access.push(line),
  });
  const stores = requestStoresOf(exchange);
  audit = stores.audit;
  const ig = new DynamoIgStore(stores.doc, exchange.tableName('ig'));
  const restrictions = new DynamoRestrictionStore(stores.doc, {
    restrictions: exchange.tableName('igRestrictions'),
    audit: exchange.tableName('audit'),
  });
  childDeps = (clock) => ({ ig, audit, clock, restrictions, registry: stores.registry });
  const leaves = new DynamoMerkleLogStore(stores.doc, exchange.tableName('audit'));
  restrictionDeps = (clock) => ({ restrictions, leaves, audit, clock });
  brent = await recordingCaller(exchange, 'lb-brent.practitioner');
  brentIgLead = await recordingCaller(exchange, 'lb-brent.ig-lead');
  harrow = await recordingCaller(exchange, 'lb-harrow.practitioner');
  harrowIgLead = await recordingCaller(exchange, 'lb-harrow.ig-lead');
  barnetIgLead = await recordingCaller(exchange, 'lb-barnet.ig-lead');
  operator = await recordingCaller(exchange, 'pbx-operations.operator');

  const subject = `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`;
  request = ok(await brent.submitRequest(brentAsksHarrow(subject)), 201).request;
  ok(
    await harrow.decideRequest(request.id, {
      outcome: 'approve',
      reasons: 'held',
      reasonCodes: ['HELD_AND_NECESSARY'],
    }),
  );
  ok(await harrow.releaseShare(request.id, inline));
  ok(await brent.fetchShare(request.id));
  await project();
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
});

describe('restricting an entry from subject access reports', () => {
  let restrictionId: string;

  it("restricts Harrow's decision; the report withholds it and says so; the IG leads still see it, marked", async () => {
    const decided = await indexOf('request.decide');
    const made = ok(await restrict(harrowIgLead, decided), 201).restriction;
    restrictionId = made.id;
    expect(made).toMatchObject({
      organisationId: 'lb-harrow',
      index: decided,
      subjectRefs: [request.subjectRef],
      reasonCode: 'crime-prevention',
      reason,
      until: day(30),
      state: 'restricted',
      inForce: true,
      createdBy: { userId: 'lb-harrow.ig-lead', role: 'ig-lead' },
    });

    const all = ok(await child(operator)).entries ?? [];
    for (const caller of [harrowIgLead, brentIgLead, operator]) {
      const report = ok(await disclosure(caller));
      expect(report.withheld).toBe(1);
      expect(report.entries.map((e) => e.index)).not.toContain(decided);
      expect(report.entries.map((e) => e.action)).toEqual(
        all.filter((e) => e.index !== decided).map((e) => e.action),
      );
      expect(JSON.stringify(report)).not.toContain(reason);
      expect(JSON.stringify(report)).not.toContain('crime-prevention');
      expect(report.counts.find((c) => c.action === 'request.decide')).toBeUndefined();
    }
    // Both organisations' IG leads see the entry, marked with the restriction's code and end, not its words.
    for (const caller of [harrowIgLead, brentIgLead]) {
      const seen = ok(await child(caller)).entries?.find((e) => e.index === decided);
      expect(seen?.restriction).toEqual({
        id: restrictionId,
        organisationId: 'lb-harrow',
        reasonCode: 'crime-prevention',
        until: day(30),
      });
    }
    // Barnet's IG lead sees neither the entry nor that it was withheld.
    expect(ok(await disclosure(barnetIgLead))).toMatchObject({ entries: [], withheld: 0 });
  });

  it('lists the restriction for its own organisation only', async () => {
    const listed = ok(await harrowIgLead.invoke('ListIgRestrictions')).restrictions;
    expect(listed.map((r) => ({ id: r.id, inForce: r.inForce }))).toEqual([
      { id: restrictionId, inForce: true },
    ]);
    expect(ok(await brentIgLead.invoke('ListIgRestrictions')).restrictions).toEqual([]);
    expect((await brent.invoke('ListIgRestrictions')).status).toBe(403);
  });

  it("refuses another organisation's entry, an end date past, and a user with no IG role, each audited", async () => {
    const submitted = await indexOf('request.submit');
    const refusals = [
      await restrict(barnetIgLead, submitted),
      await restrict(harrowIgLead, submitted, day(-1)),
      await restrict(harrow, submitted),
      await restrict(harrowIgLead, 10_000_000),
    ];
    expect(refusals.map((r) => [r.status, (r.body as { error?: string }).error])).toEqual([
      [403, 'NOT_PERMITTED'],
      [400, 'INVALID_INPUT'],
      [403, 'NOT_PERMITTED'],
      [404, 'NOT_FOUND'],
    ]);
    const refused = (await audit.readAll()).filter(
      (e) => e.action === 'ig.restriction.create' && e.outcome === 'refused',
    );
    expect(refused.map((e) => e.reasonCodes)).toEqual([
      ['NOT_PERMITTED'],
      ['INVALID_INPUT'],
      ['NOT_PERMITTED'],
      ['NOT_FOUND'],
    ]);
    expect(ok(await disclosure(operator)).withheld).toBe(1);
  });

  it('discloses the entry once the end date is over', async () => {
    const after = await discloseIgChild(childDeps(fixedClock(`${day(31)}T00:00:01.000Z`)), {
      principal: principalOf('pbx-operations.operator', ['operator']),
      subjectRefs: [request.subjectRef],
    });
    expect(after.answer.withheld).toBe(0);
    expect(after.answer.entries.map((e) => e.action)).toContain('request.decide');
    const lastDay = await discloseIgChild(childDeps(fixedClock(`${day(30)}T23:59:59.000Z`)), {
      principal: principalOf('pbx-operations.operator', ['operator']),
      subjectRefs: [request.subjectRef],
    });
    expect(lastDay.answer.withheld).toBe(1);
  });

  it('lifts the restriction early for its own organisation only, and then discloses the entry', async () => {
    const body = { reason: 'the enquiry has ended' };
    const elsewhere = await brentIgLead.invoke('LiftIgRestriction', {
      path: { restrictionId },
      body,
    });
    expect(elsewhere.status).toBe(404);
    const lifted = ok(
      await harrowIgLead.invoke('LiftIgRestriction', { path: { restrictionId }, body }),
    ).restriction;
    expect(lifted).toMatchObject({
      state: 'lifted',
      inForce: false,
      lifted: { userId: 'lb-harrow.ig-lead' },
    });
    const again = await harrowIgLead.invoke('LiftIgRestriction', { path: { restrictionId }, body });
    expect([again.status, (again.body as { error?: string }).error]).toEqual([409, 'WRONG_STATE']);

    const report = ok(await disclosure(harrowIgLead));
    expect(report.withheld).toBe(0);
    expect(report.entries.map((e) => e.action)).toContain('request.decide');
    const seen = ok(await child(harrowIgLead)).entries?.find((e) => e.action === 'request.decide');
    expect(seen?.restriction).toBeUndefined();
  });

  it("audits every restriction, lift and report, never with the child's reference or the reason in words", async () => {
    await exchange.runSchedule('SequenceAuditLog');
    const entries = await audit.readAll();
    const made = entries.filter((e) => e.action === 'ig.restriction.create' && e.outcome === 'allowed');
    expect(made).toMatchObject([
      {
        actor: { organisationId: 'lb-harrow', userId: 'lb-harrow.ig-lead' },
        target: { type: 'ig-restriction', id: restrictionId },
        parties: ['lb-harrow'],
        decision: { outcome: 'restrict', reasonCodes: ['crime-prevention'] },
        textSha256: { reason: sha256(reason) },
        search: { until: day(30) },
      },
    ]);
    const lifts = entries.filter((e) => e.action === 'ig.restriction.lift');
    expect(lifts.map((e) => [e.outcome, e.reasonCodes])).toEqual([
      ['refused', ['NOT_FOUND']],
      ['allowed', []],
      ['refused', ['WRONG_STATE']],
    ]);
    const reports = entries.filter((e) => e.action === 'ig.child.disclosure');
    // Six over HTTP (four in the first test, one after the refusals, one after the lift) and two direct.
    expect(reports).toHaveLength(8);
    expect(reports.every((e) => e.search?.subjectRef === 'given' && e.outcome === 'allowed')).toBe(true);
    expect(reports.map((e) => e.search?.withheld)).toEqual(['1', '1', '1', '0', '1', '0', '1', '0']);
    const ours = [
      ...made,
      ...lifts,
      ...reports,
      ...entries.filter((e) => e.action === 'ig.restriction.list'),
    ];
    expect(JSON.stringify(ours)).not.toContain(request.subjectRef);
    expect(JSON.stringify(entries)).not.toContain(reason);
    expect(JSON.stringify(access)).not.toContain(reason);
  });
});

describe('the end date of a restriction, over HTTP', () => {
  it('refuses an end date long past, or before the day the restriction would start, with 400 naming `until`, audited', async () => {
    const released = await indexOf('share.release');
    for (const until of ['2020-01-31', day(-1)]) {
      const refused = await restrict(harrowIgLead, released, until);
      expect(refused.status).toBe(400);
      const body = refused.body as { error?: string; message?: string; details?: string[] };
      expect(body.error).toBe('INVALID_INPUT');
      expect(body.message).toMatch(/end date/);
      expect(body.details).toEqual([expect.stringMatching(/^until: /)]);
      const [entry, ...more] = (await audit.readAll()).filter(
        (e) => e.requestHash === harrowIgLead.lastHash(),
      );
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        action: 'ig.restriction.create',
        outcome: 'refused',
        reasonCodes: ['INVALID_INPUT'],
        actor: { userId: 'lb-harrow.ig-lead' },
        target: { type: 'audit-entry', id: String(released) },
      });
    }
    // Today is the first end date that holds: the restriction lasts to its end.
    const today = ok(await restrict(harrowIgLead, released, day(0)), 201).restriction;
    expect(today).toMatchObject({ until: day(0), inForce: true });
    expect(ok(await disclosure(harrowIgLead)).withheld).toBe(1);
    ok(
      await harrowIgLead.invoke('LiftIgRestriction', {
        path: { restrictionId: today.id },
        body: { reason: 'made only to show the end date holds' },
      }),
    );
    expect(ok(await disclosure(harrowIgLead)).withheld).toBe(0);
  });

  it('withholds nothing from GET /v1/ig/child/disclosure once the end date has passed', async () => {
    const released = await indexOf('share.release');
    // Made three days ago, to end yesterday.
    const made = await restrictEntry(restrictionDeps(fixedClock(`${day(-3)}T09:00:00.000Z`)), {
      principal: principalOf('lb-harrow.ig-lead', ['ig-lead']),
      index: released,
      reasonCode: 'serious-harm',
      reason: 'an assessment was under way',
      until: day(-1),
    });
    // It held while its end date lasted.
    const then = await discloseIgChild(childDeps(fixedClock(`${day(-1)}T12:00:00.000Z`)), {
      principal: principalOf('pbx-operations.operator', ['operator']),
      subjectRefs: [request.subjectRef],
    });
    expect(then.answer.withheld).toBe(1);
    expect(then.answer.entries.map((e) => e.index)).not.toContain(released);

    for (const caller of [harrowIgLead, brentIgLead, operator]) {
      const report = ok(await disclosure(caller));
      expect(report.withheld).toBe(0);
      expect(report.entries.map((e) => e.index)).toContain(released);
    }
    const seen = ok(await child(harrowIgLead)).entries?.find((e) => e.index === released);
    expect(seen?.restriction).toBeUndefined();
    const listed = ok(await harrowIgLead.invoke('ListIgRestrictions')).restrictions;
    expect(listed.find((r) => r.id === made.restriction.id)).toMatchObject({
      state: 'restricted',
      until: day(-1),
      inForce: false,
    });
  });
});
