import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission, DataRequestView, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { seedAgreements } from '#local/seed/agreement-seed.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { DynamoIgStore } from '#shared/adapters/dynamodb/ig-store.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { queryAll } from '#shared/adapters/dynamodb/transaction.ts';
import type { AuditSearchScope } from '#shared/domain/audit/search.ts';
import type { IgDeps } from '#shared/domain/ig/ig-deps.ts';
import { monthOf, quarterOfMonth } from '#shared/domain/ig/ig-terms.ts';
import { answerIgOutcomes } from '#shared/domain/ig/outcomes.ts';
import { owedSeen } from '#shared/domain/ig/outstanding.ts';
import { projectIgAnswers } from '#shared/domain/ig/project-ig-answers.ts';
import { aggregateKinds } from '#shared/domain/ig/projection-items.ts';
import { answerIgRequests } from '#shared/domain/ig/requests.ts';
import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import type { IgProjectionStore } from '#shared/ports/ig-store.ts';
import { mashAgreementAs } from '../support/agreement-fixtures.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { createKeyTable } from '../support/key-table.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';
import { type Caller, principalOf, recordingCaller, requestStoresOf } from '../support/request-exchange.ts';

// Issue 16: a known set of requests, refusals and decisions against the local exchange, projected from the
// sequenced audit log (ProjectIgAnswers), and every IG answer checked to the number under each scope.

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let ig: DynamoIgStore;
let log: DynamoMerkleLogStore;
let brent: Caller;
let brentIgLead: Caller;
let harrow: Caller;
let harrowIgLead: Caller;
let barnetIgLead: Caller;
let operator: Caller;
let practitioner: Caller;

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const newSubject = (footprint = 'north-west-bcu') =>
  `sr1.${footprint}.${randomBytes(32).toString('base64url')}`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none' }));
const inline = {
  content: payload.toString('base64'),
  sha256: sha256(payload),
  contentType: 'application/json',
  dataCategories: ['identity-residence', 'protection-status'],
};

const ok = <T>(response: PbxResponse<T>, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

/** The subject reference of the request that is approved, released and fetched: the child the `child` test asks about. */
let released: DataRequestView;
/** When the request left overdue was submitted (three days ago). */
let overdueSubmittedAt: string;

const submit = async (overrides: Partial<DataRequestSubmission> = {}) =>
  ok(await brent.submitRequest(brentAsksHarrow(newSubject(), overrides)), 201).request;

/** Sequences the audit log and runs the projector until it has folded every leaf. */
const project = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('ProjectIgAnswers');
};

const igDeps = (clock: Clock = systemClock): IgDeps => ({
  ig,
  audit,
  clock,
  registry: { loadRegistry: () => requestStoresOf(exchange).registry.loadRegistry() },
});

beforeAll(async () => {
  // Seeded four days ago, so that a request can be submitted three days ago and left overdue.
  const seeded = fixedClock(new Date(Date.now() - 4 * 86_400_000).toISOString());
  exchange = await startExchange({ schedules: false, clock: seeded, dynamoDb: sharedDynamoDb() });
  const stores = requestStoresOf(exchange);
  audit = stores.audit;
  ig = new DynamoIgStore(stores.doc, exchange.tableName('ig'));
  log = new DynamoMerkleLogStore(stores.doc, exchange.tableName('audit'));
  await seedAgreements({ agreements: stores.agreements, registry: stores.registry, audit, clock: seeded }, [
    mashAgreementAs('isa-ig-review-due', { validFrom: daysAgo(60), reviewDate: daysAgo(1) }),
    mashAgreementAs('isa-ig-suspended'),
  ]);
  brent = await recordingCaller(exchange, 'lb-brent.practitioner');
  brentIgLead = await recordingCaller(exchange, 'lb-brent.ig-lead');
  harrow = await recordingCaller(exchange, 'lb-harrow.practitioner');
  harrowIgLead = await recordingCaller(exchange, 'lb-harrow.ig-lead');
  barnetIgLead = await recordingCaller(exchange, 'lb-barnet.ig-lead');
  operator = await recordingCaller(exchange, 'pbx-operations.operator');
  practitioner = brent;

  // The known set: six accepted requests from Brent to Harrow under the MASH purpose, three refused by the engine.
  released = await submit();
  ok(
    await harrow.decideRequest(released.id, {
      outcome: 'approve',
      reasons: 'held',
      reasonCodes: ['HELD_AND_NECESSARY'],
    }),
  );
  ok(await harrow.releaseShare(released.id, inline));
  const declined = await submit({
    consent: { state: 'not-sought', exemption: 'cannot-be-given', rationale: 'the child is too young' },
  });
  ok(
    await harrow.decideRequest(declined.id, {
      outcome: 'decline',
      reasons: 'not known',
      reasonCodes: ['NOT_HELD'],
    }),
  );
  const withdrawn = await submit();
  ok(await brent.withdrawRequest(withdrawn.id));
  const placed = await submit({ placement: { placingAuthority: 'lb-brent', hostAuthority: 'lb-harrow' } });
  ok(
    await harrow.decideRequest(placed.id, {
      outcome: 'partial',
      reasons: 'attendance is held by the school',
      withheld: { dataCategories: ['education-attendance'] },
    }),
  );
  // Left open past its due date: submitted three days ago as urgent (a day to answer).
  const past = fixedClock(new Date(Date.now() - 3 * 86_400_000).toISOString());
  const body = brentAsksHarrow(newSubject());
  const overdue = await submitRequest(stores.deps(past), {
    principal: principalOf('lb-brent.practitioner'),
    body,
    signed: { token: 'ig.token.signature', body: JSON.stringify(body) },
  });
  overdueSubmittedAt = overdue.request.submittedAt;
  // Accepted under a version past its review date (flagged), left open and not yet due.
  expect((await submit({ agreementId: 'isa-ig-review-due' })).reviewOverdue).toBe(true);

  // Refusals: no such agreement, a suspended one, and a child of another footprint.
  ok(await brentIgLead.changeAgreementStanding('isa-ig-suspended', 'suspend', 'DPIA under review'));
  for (const overrides of [
    { agreementId: 'isa-ig-no-such-agreement' },
    { agreementId: 'isa-ig-suspended' },
    { subjectRef: newSubject('east-area-bcu') },
  ]) {
    expect((await brent.submitRequest(brentAsksHarrow(newSubject(), overrides))).status).toBe(403);
  }
  // A listing that shows every request to Harrow, and a fetch of the released share.
  ok(await harrow.listRequests(new URLSearchParams({ box: 'inbox' })));
  ok(await brent.fetchShare(released.id));
  await project();
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
});

const month = monthOf(new Date().toISOString());
const pair = { requester: 'lb-brent', responder: 'lb-harrow' };

describe('GET /v1/ig/requests', () => {
  it('counts the known set by pair for the operator, to the number', async () => {
    const answer = ok(await operator.invoke('GetIgRequests', { query: { by: 'quarter' } }));
    expect(answer).toMatchObject({ scope: 'all', by: 'quarter', group: 'pair' });
    expect(answer.asOf.leaves).toBeGreaterThan(0);
    const quarters = [...new Set([quarterOfMonth(month), quarterOfMonth(monthOf(overdueSubmittedAt))])];
    const rows = answer.rows.filter((r) => r.requester === 'lb-brent' && r.responder === 'lb-harrow');
    expect(rows.map((r) => r.period).sort()).toEqual(quarters.sort());
    const sum = (
      name:
        | 'submitted'
        | 'refused'
        | 'approved'
        | 'partial'
        | 'declined'
        | 'released'
        | 'withdrawn'
        | 'closed',
    ) => rows.reduce((a, r) => a + (r[name] as number), 0);
    expect({
      submitted: sum('submitted'),
      refused: sum('refused'),
      approved: sum('approved'),
      partial: sum('partial'),
      declined: sum('declined'),
      released: sum('released'),
      withdrawn: sum('withdrawn'),
      closed: sum('closed'),
    }).toEqual({
      submitted: 6,
      refused: 3,
      approved: 1,
      partial: 1,
      declined: 1,
      released: 1,
      withdrawn: 1,
      closed: 0,
    });
    // Every row of the operator's answer is one of the known set's.
    expect(answer.rows.every((r) => r.requester === 'lb-brent')).toBe(true);
  });

  it('gives the approval rate and response times of the month, grouped by purpose', async () => {
    const answer = ok(await operator.invoke('GetIgRequests', { query: { group: 'purpose' } }));
    const row = answer.rows.find((r) => r.period === month && r.purpose === 'SAFEGUARDING_REFERRAL_MASH');
    // Two of three decisions granted; every decision within an hour of its submission.
    expect(row).toMatchObject({ approvalRate: 0.667, responseTime: { median: 1, p90: 1 } });
  });

  it("shows an IG lead only their organisation's rows, and another organisation's lead none", async () => {
    const harrowRows = ok(await harrowIgLead.invoke('GetIgRequests', { query: { group: 'organisation' } }));
    expect(harrowRows).toMatchObject({ scope: 'organisation', organisationId: 'lb-harrow' });
    expect(harrowRows.rows.length).toBeGreaterThan(0);
    expect(harrowRows.rows.every((r) => r.organisation === 'lb-harrow' && r.side === 'responder')).toBe(true);
    const barnet = ok(await barnetIgLead.invoke('GetIgRequests'));
    expect(barnet.rows).toEqual([]);
  });

  it('gives a scrutineer suppressed counts only, and refuses a practitioner (403, audited)', async () => {
    const { answer } = await answerIgRequests(igDeps(), {
      principal: principalOf('lb-brent.scrutineer', ['scrutineer']),
      by: 'quarter',
    });
    expect(answer.scope).toBe('counts');
    const row = answer.rows.find((r) => r.period === quarterOfMonth(month));
    expect(row).toMatchObject({ approved: '<5', declined: '<5', approvalRate: null });
    const refused = await practitioner.invoke('GetIgRequests');
    expect({ status: refused.status, body: refused.body }).toMatchObject({
      status: 403,
      body: { error: 'NOT_PERMITTED' },
    });
    const entries = await audit.readAll();
    expect(
      entries.filter(
        (e) =>
          e.action === 'api.answer' &&
          e.outcome === 'refused' &&
          e.target?.id === 'GET /v1/ig/requests' &&
          e.actor.userId === 'lb-brent.practitioner',
      ),
    ).toHaveLength(1);
  });
});

describe('GET /v1/ig/refusals, /without-agreement and /cross-footprint', () => {
  it('counts refusals by the engine and declines by people, by pair and reason', async () => {
    const answer = ok(await operator.invoke('GetIgRefusals'));
    expect(answer.rows).toEqual([
      { ...pair, kind: 'decline', action: 'request.decide', reasonCode: 'NOT_HELD', count: 1 },
      { ...pair, kind: 'refusal', action: 'request.submit', reasonCode: 'AGREEMENT_NOT_FOUND', count: 1 },
      { ...pair, kind: 'refusal', action: 'request.submit', reasonCode: 'AGREEMENT_SUSPENDED', count: 1 },
      {
        ...pair,
        kind: 'refusal',
        action: 'request.submit',
        reasonCode: 'SUBJECT_REF_NOT_OF_FOOTPRINT',
        count: 1,
      },
    ]);
    expect(answer.totals).toHaveLength(4);
  });

  it('keeps to the codes of each question', async () => {
    const without = ok(await operator.invoke('GetIgWithoutAgreement'));
    expect(without.totals).toEqual([
      { kind: 'refusal', reasonCode: 'AGREEMENT_NOT_FOUND', count: 1 },
      { kind: 'refusal', reasonCode: 'AGREEMENT_SUSPENDED', count: 1 },
    ]);
    const cross = ok(await operator.invoke('GetIgCrossFootprint'));
    expect(cross.totals).toEqual([{ kind: 'refusal', reasonCode: 'SUBJECT_REF_NOT_OF_FOOTPRINT', count: 1 }]);
    const barnet = ok(await barnetIgLead.invoke('GetIgCrossFootprint'));
    expect({ rows: barnet.rows, totals: barnet.totals }).toEqual({ rows: [], totals: [] });
  });
});

describe('GET /v1/ig/past-review, /consent-not-sought and /placements', () => {
  it('counts the request accepted past its review date', async () => {
    const answer = ok(await brentIgLead.invoke('GetIgPastReview'));
    expect(answer.rows).toEqual([
      { agreementId: 'isa-ig-review-due', version: 1, ...pair, accepted: 1, refused: 0 },
    ]);
  });

  it('counts requests where consent was not sought, by the para 18(2) reason', async () => {
    const answer = ok(await operator.invoke('GetIgConsentNotSought'));
    expect(answer.totals).toEqual([
      { exemption: 'cannot-be-given', count: 1 },
      { exemption: 'would-prejudice-protection', count: 5 },
    ]);
  });

  it('follows the request about a child placed out of borough', async () => {
    const answer = ok(await harrowIgLead.invoke('GetIgPlacements'));
    expect(answer.rows).toEqual([
      {
        placingAuthority: 'lb-brent',
        hostAuthority: 'lb-harrow',
        ...pair,
        purpose: 'SAFEGUARDING_REFERRAL_MASH',
        submitted: 1,
        approved: 0,
        partial: 1,
        declined: 0,
        released: 0,
      },
    ]);
  });
});

describe('GET /v1/ig/outcomes and /outstanding', () => {
  it('says how many requests got an outcome and how long it took', async () => {
    const answer = ok(await operator.invoke('GetIgOutcomes'));
    expect(answer.rows).toEqual([
      {
        ...pair,
        submitted: 6,
        withOutcome: 4,
        open: 2,
        approved: 1,
        partial: 1,
        declined: 1,
        withdrawn: 1,
        closed: 0,
        outcomeRate: 0.667,
        timeToOutcome: { median: 1, p90: 1 },
      },
    ]);
    const { answer: counts } = await answerIgOutcomes(igDeps(), {
      principal: principalOf('lb-brent.scrutineer', ['scrutineer']),
    });
    expect(counts.rows[0]).toMatchObject({ submitted: 6, withOutcome: '<5', open: '<5' });
  });

  it('lists what Harrow owes, with the one past its due date', async () => {
    const answer = ok(await harrowIgLead.invoke('GetIgOutstanding'));
    expect(answer.rows).toHaveLength(1);
    const [row] = answer.rows;
    expect(row).toMatchObject({ responder: 'lb-harrow', open: 3, overdue: 1, maxDaysOverdue: 2 });
    expect(row?.requests?.map((r) => r.status).sort()).toEqual([
      'partially-approved',
      'submitted',
      'submitted',
    ]);
    expect(row?.requests?.filter((r) => r.overdue)).toHaveLength(1);
    expect(ok(await barnetIgLead.invoke('GetIgOutstanding')).rows).toEqual([]);
  });

  const all: AuditSearchScope = { kind: 'all' };
  const day = 86_400_000;

  it('counts what a responder owes from its rows as the open requests count it, judged at any time', async () => {
    const items = await ig.readOpen('lb-harrow', {});
    expect(items).toHaveLength(3);
    const dues = items.map((o) => Date.parse(o.dueAt));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    const harrowOwes = async (
      query: Omit<Parameters<typeof owedSeen>[2], 'now'>,
      at: number,
      scope: AuditSearchScope = all,
    ) =>
      (await owedSeen(igDeps(), scope, { now: new Date(at).toISOString(), ...query })).find(
        (o) => o.responder === 'lb-harrow',
      )?.owed;
    // A minute before, at and after each due date (due later the same day, due now, just overdue), now and in a
    // month: the counts from the `owed` and `due` rows agree with the items themselves.
    const minute = 60_000;
    const times = [
      ...dues.flatMap((due) => [due - minute, due, due + minute]),
      Date.now(),
      Date.now() + 30 * day,
    ];
    for (const at of times) {
      expect(await harrowOwes({ limit: 100 }, at)).toEqual({
        open: 3,
        overdue: dues.filter((due) => due < at).length,
        earliest: items,
      });
    }
    const now = Date.now();
    expect((await harrowOwes({ limit: 1 }, now))?.earliest).toEqual(items.slice(0, 1));
    expect((await harrowOwes({ limit: 0 }, now))?.earliest).toEqual([]);
    // Brent, which asked all three, sees them; Barnet, which asked none, sees none; nor does a footprint not theirs.
    expect(
      (await harrowOwes({ limit: 5 }, now, { kind: 'organisation', organisationId: 'lb-brent' }))?.open,
    ).toBe(3);
    expect(await harrowOwes({ limit: 5 }, now, { kind: 'organisation', organisationId: 'lb-barnet' })).toBe(
      undefined,
    );
    expect(await harrowOwes({ limit: 5, footprint: 'east-area-bcu' }, now)).toBe(undefined);
    const month = monthOf(new Date(now).toISOString());
    const thisMonth = items.filter((o) => o.month === month);
    expect((await harrowOwes({ limit: 5, from: month, to: month }, now))?.open).toBe(
      thisMonth.length === 0 ? undefined : thisMonth.length,
    );
    expect(await harrowOwes({ limit: 5, from: '2099-01' }, now)).toBe(undefined);
    expect(await ig.readOpen('lb-harrow', { requester: 'lb-barnet' })).toEqual([]);
    expect(await ig.readOpen('lb-harrow', { dueFrom: items[1]?.dueAt, limit: 5 })).toEqual(items.slice(1));
  });
});

describe('GET /v1/ig/child', () => {
  it("lists every entry that touched the child, and audits the question without the child's reference", async () => {
    const answer = ok(await operator.invoke('GetIgChild', { query: { subjectRef: released.subjectRef } }));
    expect(answer.entries?.map((e) => e.action)).toEqual([
      'request.submit',
      'request.decide',
      'share.release',
      'request.list',
      'share.fetch',
    ]);
    expect(answer).toMatchObject({ references: 1, truncated: false });
    const harrowAnswer = ok(
      await harrowIgLead.invoke('GetIgChild', { query: { subjectRef: released.subjectRef } }),
    );
    expect(harrowAnswer.entries).toHaveLength(5);
    const barnet = ok(
      await barnetIgLead.invoke('GetIgChild', { query: { subjectRef: released.subjectRef } }),
    );
    expect({ entries: barnet.entries, counts: barnet.counts }).toEqual({ entries: [], counts: [] });
    await exchange.runSchedule('SequenceAuditLog');
    const asked = (await audit.readAll()).filter((e) => e.action === 'ig.child');
    expect(asked).toHaveLength(3);
    expect(asked.every((e) => e.search?.subjectRef === 'given')).toBe(true);
    expect(JSON.stringify(asked)).not.toContain(released.subjectRef);
  });

  it('refuses a practitioner, audited as the question itself', async () => {
    const refused = await practitioner.invoke('GetIgChild', { query: { subjectRef: released.subjectRef } });
    expect(refused.status).toBe(403);
    const entries = (await audit.readAll()).filter((e) => e.action === 'ig.child' && e.outcome === 'refused');
    expect(entries).toMatchObject([{ reasonCodes: ['NOT_PERMITTED'], search: { subjectRef: 'given' } }]);
  });
});

describe('GET /v1/ig/report', () => {
  it("gives the footprint's quarter with every count under 5 suppressed", async () => {
    const quarter = quarterOfMonth(month);
    const answer = ok(
      await brentIgLead.invoke('GetIgReport', { query: { quarter, footprint: 'north-west-bcu' } }),
    );
    const inQuarter = quarterOfMonth(monthOf(overdueSubmittedAt)) === quarter ? 6 : 5;
    expect(answer.requests).toMatchObject({ submitted: inQuarter, approved: '<5', refused: '<5' });
    expect(answer.withoutAgreement).toEqual([
      { reasonCode: 'AGREEMENT_NOT_FOUND', count: '<5' },
      { reasonCode: 'AGREEMENT_SUSPENDED', count: '<5' },
    ]);
    // The child of another footprint was refused in the east area's count, not this one's.
    expect(answer.crossFootprint).toEqual([]);
    expect(answer.outstanding).toEqual({ open: '<5', overdue: '<5' });
    const refused = await barnetIgLead.invoke('GetIgReport', {
      query: { quarter, footprint: 'east-area-bcu' },
    });
    expect(refused.status).toBe(403);
  });
});

describe('the projection', () => {
  /** The projection's store, with some of its members replaced. */
  const delegating = (
    store: IgProjectionStore,
    overrides: Partial<IgProjectionStore>,
  ): IgProjectionStore => ({
    maxItemsPerBatch: store.maxItemsPerBatch,
    readCursor: () => store.readCursor(),
    readAggregates: (kind, months) => store.readAggregates(kind, months),
    readResponders: () => store.readResponders(),
    readOpen: (responder, query) => store.readOpen(responder, query),
    readChildEntries: (ref, limit) => store.readChildEntries(ref, limit),
    readRequestStates: (ids) => store.readRequestStates(ids),
    readAggregateRows: (keys, months) => store.readAggregateRows(keys, months),
    readMonth: (month, state) => store.readMonth(month, state),
    dropGeneration: (month, generation) => store.dropGeneration(month, generation),
    putChildEntries: (entries) => store.putChildEntries(entries),
    touchCursor: (cursor) => store.touchCursor(cursor),
    commitBatch: (batch) => store.commitBatch(batch),
    ...overrides,
  });

  /** The projection's store with one commit that fails after the child entries were written: a crash. */
  const crashingOnce = (store: IgProjectionStore): IgProjectionStore => {
    let crashed = false;
    return delegating(store, {
      commitBatch: async (batch) => {
        if (!crashed) {
          crashed = true;
          throw new Error('crashed before the commit');
        }
        return store.commitBatch(batch);
      },
    });
  };

  it('counts every leaf once when runs crash, repeat and race', async () => {
    const before = ok(await operator.invoke('GetIgOutcomes')).rows[0];
    const more = await submit();
    ok(await harrow.decideRequest(more.id, { outcome: 'approve', reasons: 'held' }));
    await exchange.runSchedule('SequenceAuditLog');
    const deps = { ig, log, clock: systemClock };
    await expect(
      projectIgAnswers({ ...deps, ig: crashingOnce(ig) }, { maxBatches: 10, maxMillis: 10_000 }),
    ).rejects.toThrow('crashed');
    const runs = await Promise.all([
      projectIgAnswers(deps, { maxBatches: 10, maxMillis: 10_000 }),
      projectIgAnswers(deps, { maxBatches: 10, maxMillis: 10_000 }),
      projectIgAnswers(deps, { maxBatches: 10, maxMillis: 10_000 }),
    ]);
    expect(runs.reduce((a, r) => a + r.projected, 0)).toBeGreaterThan(0);
    const again = await projectIgAnswers(deps, { maxBatches: 10, maxMillis: 10_000 });
    expect(again.projected).toBe(0);
    // A batch folded from a cursor another run has moved since is refused as a whole.
    const cursor = await ig.readCursor();
    const stale = {
      expectedNext: (cursor?.next ?? 1) - 1,
      cursor: { next: cursor?.next ?? 1, updatedAt: new Date().toISOString() },
      aggregates: [],
      sheets: [],
      requests: [],
      openPuts: [],
      openDeletes: [],
    };
    expect(await ig.commitBatch(stale)).toBe(false);
    expect(await ig.commitBatch({ ...stale, expectedNext: 0 })).toBe(false);
    expect((await ig.readCursor())?.next).toBe(cursor?.next);
    const after = ok(await operator.invoke('GetIgOutcomes')).rows[0];
    expect({ submitted: after?.submitted, approved: after?.approved }).toEqual({
      submitted: (before?.submitted as number) + 1,
      approved: (before?.approved as number) + 1,
    });
    const child = ok(await operator.invoke('GetIgChild', { query: { subjectRef: more.subjectRef } }));
    expect(child.entries?.map((e) => e.action)).toEqual(['request.submit', 'request.decide']);
  });

  /** An empty table shaped as the `ig` table, on this exchange's DynamoDB Local. */
  const newIgTable = async (suffix: string): Promise<string> => {
    const tableName = `${exchange.tableName('ig')}-${suffix}`;
    await createKeyTable(localDynamoClient(exchange), tableName);
    return tableName;
  };

  it('answers the same from sheets made every few rows, by racing runs, as from rows alone', async () => {
    const catchUp = async (store: IgProjectionStore, rowsPerSheet?: number) => {
      const options = { maxBatches: 1_000, maxMillis: 30_000, ...(rowsPerSheet ? { rowsPerSheet } : {}) };
      while ((await projectIgAnswers({ ig: store, log, clock: systemClock }, options)).projected > 0) {}
    };
    await exchange.runSchedule('SequenceAuditLog');
    await catchUp(ig);
    const sheeted = new DynamoIgStore(requestStoresOf(exchange).doc, await newIgTable('sheets'));
    // Batches of a few items, so that the racing runs take turns and a month makes a sheet every other row.
    const small = delegating(sheeted, { maxItemsPerBatch: 6 });
    const racing = { maxBatches: 1_000, maxMillis: 30_000, rowsPerSheet: 2 };
    const deps = { ig: small, log, clock: systemClock };
    await Promise.all([projectIgAnswers(deps, racing), projectIgAnswers(deps, racing)]);
    await catchUp(small, 2);

    const [rowsCursor, sheetsCursor] = [await ig.readCursor(), await sheeted.readCursor()];
    expect(sheetsCursor?.next).toBe(rowsCursor?.next);
    const months = Object.keys(rowsCursor?.months ?? {}).sort();
    expect(months.length).toBeGreaterThan(0);
    const sheets = Object.values(sheetsCursor?.months ?? {}).map((m) => m.sheet);
    // Some month was folded into a sheet at least twice, so the generation before was deleted.
    expect(Math.max(...sheets)).toBeGreaterThanOrEqual(2);
    for (const [month, state] of Object.entries(sheetsCursor?.months ?? {})) {
      if (state.sheet >= 2) expect(await sheeted.readMonth(month, { sheet: 0, rows: 0 })).toEqual([]);
    }
    for (const kind of aggregateKinds) {
      const expected = await ig.readAggregates(kind, months);
      expect(await sheeted.readAggregates(kind, months), kind).toEqual(expected);
    }
    expect(
      (await sheeted.readAggregates('month', months)).reduce((n, row) => n + (row.counts.submitted ?? 0), 0),
    ).toBeGreaterThan(0);
  });

  it('keeps a sheet larger than an item in pieces, and refuses to read one with a piece missing', async () => {
    const sheets = new DynamoIgStore(requestStoresOf(exchange).doc, await newIgTable('pieces'));
    // Random names do not compress: thousands of rows make a sheet several pieces long.
    const rows = Array.from({ length: 6_000 }, (_, i) => ({
      kind: 'refusals' as const,
      month: '2026-03',
      fields: {
        requester: randomBytes(64).toString('hex'),
        responder: 'lb-harrow',
        action: 'request.submit',
        footprint: 'north-west-bcu',
      },
      counts: { 'refusal:AGREEMENT_NOT_FOUND': i + 1 },
      histograms: {},
    }));
    const cursor = {
      next: 1,
      updatedAt: new Date().toISOString(),
      months: { '2026-03': { sheet: 1, rows: 0 } },
    };
    const batch = { expectedNext: 0, cursor, aggregates: [], requests: [], openPuts: [], openDeletes: [] };
    expect(await sheets.commitBatch({ ...batch, sheets: [{ month: '2026-03', rows }] })).toBe(true);
    const stored = await queryAll(requestStoresOf(exchange).doc, {
      TableName: `${exchange.tableName('ig')}-pieces`,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SHEET#2026-03#1' },
    });
    expect(stored.filter((item) => item.kind === 'refusals').length).toBeGreaterThan(1);
    const read = await sheets.readAggregates('refusals', ['2026-03']);
    expect(read).toHaveLength(rows.length);
    expect(read.reduce((n, r) => n + (r.counts['refusal:AGREEMENT_NOT_FOUND'] ?? 0), 0)).toBe(
      (rows.length * (rows.length + 1)) / 2,
    );
    await requestStoresOf(exchange).doc.send(
      new DeleteCommand({
        TableName: `${exchange.tableName('ig')}-pieces`,
        Key: { pk: 'SHEET#2026-03#1', sk: 'refusals#001' },
      }),
    );
    await expect(sheets.readAggregates('refusals', ['2026-03'])).rejects.toThrow('incomplete');
  });
});
