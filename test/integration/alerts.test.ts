import { createHash, randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localKeyFile, PbxClient, type PbxResponse, readPrivateKey } from '#client/pbx-client.ts';
import { consoleClientOf } from '#console/config.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { DynamoAlertStore } from '#shared/adapters/dynamodb/alert-store.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import type { Alert } from '#shared/domain/alerts/alert.ts';
import { detectAnomaliesInLog } from '#shared/domain/alerts/detect-anomalies.ts';
import { defaultAlertThresholds, londonDayOf } from '#shared/domain/alerts/thresholds.ts';
import { textSha256 } from '#shared/domain/audit/audit-entry.ts';
import { raiseChallenge } from '#shared/domain/challenges/raise-challenge.ts';
import { decideRequest } from '#shared/domain/requests/decide-request.ts';
import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import type { AlertDetectionStore } from '#shared/ports/alert-store.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';
import {
  type Caller,
  principalOf,
  recordingCaller,
  requestStoresOf,
  seedReviewDueMashAgreement,
} from '../support/request-exchange.ts';

// Issue 17: anomaly alerts raised by the detector (DetectAnomalies) from what the local exchange records, for each
// of the seven rules (bulk access, out of hours, repeated refusals, cross-footprint, past review, rare client, lost
// key), each with scenarios that must raise the alert and scenarios that must not; the alerts' entries and events;
// acknowledgement and closure audited. Out of hours needs the time of day: its entries are made by the use cases
// with a fixed clock, on a past Tuesday.

let exchange: RunningExchange;
let brent: Caller;
let brentIgLead: Caller;
let harrow: Caller;
let harrowIgLead: Caller;
let operator: Caller;

const newSubject = (footprint = 'north-west-bcu') =>
  `sr1.${footprint}.${randomBytes(32).toString('base64url')}`;

const ok = <T>(response: PbxResponse<T>, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

/** Sequences the log and runs the detector over every new leaf. */
const detect = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('DetectAnomalies');
};

/** Every alert the operator sees, of one rule. */
const alertsOf = async (rule: Alert['rule']) =>
  ok(await operator.listAlerts()).alerts.filter((a) => a.rule === rule);

const leafAt = async (index: number) => {
  const { leaves } = ok(await operator.auditLeaves(index, 1));
  return leaves[0]?.entry;
};

/** The one alert of a rule among `alerts`, and the one audit entry it names. */
const theOnlyAlert = async (alerts: readonly Alert[]) => {
  const [alert, ...more] = alerts;
  expect(more).toEqual([]);
  const [entry, ...others] = await Promise.all((alert?.entries ?? []).map(leafAt));
  expect(others).toEqual([]);
  return { alert, entry };
};

/** The AlertRaised events in one organisation's feed. */
const alertEventsOf = async (organisationId: string) => {
  const doc = createDocumentClient(localDynamoClient(exchange));
  const items = await doc.send(
    new QueryCommand({
      TableName: exchange.tableName('events'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ORG#${organisationId}` },
      ConsistentRead: true,
    }),
  );
  return (items.Items ?? [])
    .map((i) => i.event as { type: string; detail: { alertId?: string; rule?: string; entries?: number[] } })
    .filter((e) => e.type === 'AlertRaised');
};

/**
 * The hourly rules count in clock hours: a scenario that would straddle one waits for the next, so that it cannot
 * pass or fail by the minute it happens to run in.
 */
const clearOfHourEnd = async () => {
  const intoHour = Date.now() % 3_600_000;
  if (intoHour > 3_600_000 - 90_000)
    await new Promise((settle) => setTimeout(settle, 3_600_000 - intoHour + 1000));
};

beforeAll(async () => {
  // Seeded nine days ago, so that the agreements were in force on the past Tuesday of the out-of-hours scenario.
  const seeded = fixedClock(new Date(Date.now() - 9 * 86_400_000).toISOString());
  exchange = await startExchange({ schedules: false, clock: seeded, dynamoDb: sharedDynamoDb() });
  requestStoresOf(exchange);
  brent = await recordingCaller(exchange, 'lb-brent.practitioner');
  brentIgLead = await recordingCaller(exchange, 'lb-brent.ig-lead');
  harrow = await recordingCaller(exchange, 'lb-harrow.practitioner');
  harrowIgLead = await recordingCaller(exchange, 'lb-harrow.ig-lead');
  operator = await recordingCaller(exchange, 'pbx-operations.operator');
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
});

describe('bulk access', () => {
  it('raises nothing for N children in an hour, and an alert when the same user touches one more', async () => {
    await clearOfHourEnd();
    const n = defaultAlertThresholds.bulkAccessChildren;
    for (let i = 0; i < n; i++) ok(await brent.submitRequest(brentAsksHarrow(newSubject())), 201);
    await detect();
    expect(await alertsOf('bulk-access')).toEqual([]);

    ok(await brent.submitRequest(brentAsksHarrow(newSubject())), 201);
    await detect();
    const [alert, ...more] = await alertsOf('bulk-access');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      status: 'open',
      userId: 'lb-brent.practitioner',
      clientId: 'lb-brent-system',
      organisations: ['lb-brent'],
      threshold: n,
      observed: n + 1,
    });
    // Every entry it names is one of the submissions, by that user, about a distinct child.
    const entries = await Promise.all((alert?.entries ?? []).map(leafAt));
    expect(entries).toHaveLength(n + 1);
    expect(
      entries.every((e) => e?.action === 'request.submit' && e.actor.userId === 'lb-brent.practitioner'),
    ).toBe(true);
    expect(new Set(entries.map((e) => e?.subjectRef)).size).toBe(n + 1);
    // Brent's IG lead sees it and has its event; Harrow's IG lead neither.
    expect(ok(await brentIgLead.listAlerts()).alerts.map((a) => a.id)).toContain(alert?.id);
    expect(ok(await harrowIgLead.listAlerts()).alerts.map((a) => a.id)).not.toContain(alert?.id);
    expect((await alertEventsOf('lb-brent')).map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ alertId: alert?.id, rule: 'bulk-access', entries: alert?.entries }),
    );
    expect((await alertEventsOf('lb-harrow')).map((e) => e.detail.alertId)).not.toContain(alert?.id);
  }, 120_000);
});

describe('repeated refusals', () => {
  it('raises nothing for N refusals of one user in an hour, and an alert for the user and the client at N + 1', async () => {
    await clearOfHourEnd();
    const n = defaultAlertThresholds.refusalsPerHour;
    const before = (await alertsOf('repeated-refusals')).length;
    // Harrow's practitioner may not read alerts: each attempt is refused, and audited.
    for (let i = 0; i < n; i++) expect((await harrow.listAlerts()).status).toBe(403);
    await detect();
    expect(await alertsOf('repeated-refusals')).toHaveLength(before);

    expect((await harrow.listAlerts()).status).toBe(403);
    await detect();
    const raised = (await alertsOf('repeated-refusals')).slice(0, 2);
    expect(
      raised.map((a) => ({ user: a.userId, client: a.clientId, organisations: a.organisations })),
    ).toEqual(
      expect.arrayContaining([
        { user: 'lb-harrow.practitioner', client: 'lb-harrow-system', organisations: ['lb-harrow'] },
        { user: undefined, client: 'lb-harrow-system', organisations: ['lb-harrow'] },
      ]),
    );
    for (const alert of raised) {
      expect(alert.entries).toHaveLength(n + 1);
      const entries = await Promise.all(alert.entries.map(leafAt));
      expect(entries.every((e) => e?.outcome === 'refused' && e.actor.clientId === 'lb-harrow-system')).toBe(
        true,
      );
    }
    expect((await alertEventsOf('lb-harrow')).map((e) => e.detail.rule)).toContain('repeated-refusals');
  }, 120_000);
});

describe('cross-footprint attempts', () => {
  it('raises an alert for a request about a child of another footprint, and none for one in footprint', async () => {
    ok(await brent.submitRequest(brentAsksHarrow(newSubject())), 201);
    await detect();
    const before = await alertsOf('cross-footprint');

    expect((await brent.submitRequest(brentAsksHarrow(newSubject('east-area-bcu')))).status).toBe(403);
    await detect();
    const after = await alertsOf('cross-footprint');
    expect(after).toHaveLength(before.length + 1);
    const [alert] = after;
    expect(alert).toMatchObject({
      userId: 'lb-brent.practitioner',
      organisations: ['lb-brent', 'lb-harrow'],
    });
    const [entry] = await Promise.all((alert?.entries ?? []).map(leafAt));
    expect(entry).toMatchObject({ action: 'request.submit', outcome: 'refused' });
    expect(entry?.reasonCodes).toContain('SUBJECT_REF_NOT_OF_FOOTPRINT');
    expect((await alertEventsOf('lb-harrow')).map((e) => e.detail.alertId)).toContain(alert?.id);
  }, 60_000);
});

describe('a key used after it was reported lost', () => {
  const keyedClient = async (superseded: boolean) => {
    const key = await generateSigningKey();
    ok(await brentIgLead.addKey(publicJwkOf(key)), 201);
    const client = new PbxClient({
      url: exchange.url,
      clientId: 'lb-brent-system',
      key,
      audience: exchange.exchangeId,
      subject: 'lb-brent.practitioner',
    });
    ok(await client.listRequests(new URLSearchParams({ box: 'outbox' })));
    ok(await brentIgLead.revokeKey(key.kid, 'lb-brent-system', superseded ? 'superseded' : 'lost'));
    expect((await client.listRequests(new URLSearchParams({ box: 'outbox' }))).status).toBe(401);
    return key.kid;
  };

  it('raises an alert naming the revocation and the attempt, and none for a key revoked as superseded', async () => {
    await keyedClient(true);
    await detect();
    expect(await alertsOf('lost-key-used')).toEqual([]);

    const kid = await keyedClient(false);
    await detect();
    const [alert, ...more] = await alertsOf('lost-key-used');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ clientId: 'lb-brent-system', organisations: ['lb-brent'] });
    const [revocation, attempt] = await Promise.all((alert?.entries ?? []).map(leafAt));
    expect(revocation).toMatchObject({
      action: 'registry.client-key.revoke',
      target: { id: `lb-brent-system/${kid}` },
      reasonCodes: ['KEY_LOST'],
    });
    expect(attempt).toMatchObject({
      action: 'request.authenticate',
      outcome: 'refused',
      reasonCodes: ['KEY_REVOKED'],
      actor: { claimedClientId: 'lb-brent-system', claimedKeyId: kid },
    });
    expect((await alertEventsOf('lb-brent')).map((e) => e.detail.rule)).toContain('lost-key-used');
  }, 60_000);
});

describe('acknowledging and closing an alert', () => {
  it('records each step with the note as its SHA-256 only, in order, for the IG lead of the organisation', async () => {
    const [alert] = await alertsOf('lost-key-used');
    const id = alert?.id ?? '';
    // Harrow's IG lead is not concerned: as if there were no such alert.
    expect((await harrowIgLead.actOnAlert(id, 'acknowledge', 'not ours')).status).toBe(404);
    expect((await brent.actOnAlert(id, 'acknowledge', 'mine')).status).toBe(403);
    expect((await brentIgLead.actOnAlert(id, 'close', '')).status).toBe(400);

    const note = 'Spoke to the team: the old laptop was stolen, police informed';
    const acknowledged = ok(await brentIgLead.actOnAlert(id, 'acknowledge', note)).alert;
    expect(acknowledged.status).toBe('acknowledged');
    expect((await brentIgLead.actOnAlert(id, 'acknowledge', note)).status).toBe(409);
    const closed = ok(await brentIgLead.actOnAlert(id, 'close', 'Key replaced')).alert;
    expect(closed.actions.map((a) => [a.status, a.by, a.noteSha256])).toEqual([
      ['acknowledged', 'lb-brent.ig-lead', textSha256(note)],
      ['closed', 'lb-brent.ig-lead', textSha256('Key replaced')],
    ]);
    expect(ok(await brentIgLead.listAlerts('closed')).alerts.map((a) => a.id)).toContain(id);
    expect(ok(await brentIgLead.listAlerts('open')).alerts.map((a) => a.id)).not.toContain(id);

    await exchange.runSchedule('SequenceAuditLog');
    const found = ok(await operator.auditSearch(new URLSearchParams({ action: 'alert.acknowledge' })));
    if (!('entries' in found)) throw new Error('the operator sees entries, not counts');
    const recorded = found.entries.map((e) => e.entry).filter((e) => e.target?.id === id);
    expect(recorded.map((e) => e.outcome).sort()).toEqual(['allowed', 'refused', 'refused', 'refused']);
    expect(recorded.find((e) => e.outcome === 'allowed')?.textSha256).toEqual({ note: textSha256(note) });
    expect(JSON.stringify(recorded)).not.toContain('laptop');
  }, 60_000);

  it("lists an organisation's alerts of one status from that status's own listing, not by filtering the newest", async () => {
    const store = new DynamoAlertStore(createDocumentClient(localDynamoClient(exchange)), {
      alerts: exchange.tableName('alerts'),
      audit: exchange.tableName('audit'),
    });
    const brentScope = { kind: 'organisation', organisationId: 'lb-brent' } as const;
    const [newest] = await store.listAlerts(brentScope, 1);
    // Brent's newest alert is the one just closed; its older ones are open.
    expect(newest?.status).toBe('closed');
    const [open] = await store.listAlerts(brentScope, 1, 'open');
    expect(open?.status).toBe('open');
    expect(open?.id ?? '').toMatch(/./);
    expect((open?.id ?? '') < (newest?.id ?? '')).toBe(true);
    expect((await store.listAlerts(brentScope, 10, 'closed')).map((a) => a.id)).toEqual([newest?.id]);
    expect(await store.listAlerts(brentScope, 10, 'acknowledged')).toEqual([]);
    const everyOpen = await store.listAlerts({ kind: 'all' }, 1000, 'open');
    expect(everyOpen.every((a) => a.status === 'open')).toBe(true);
    expect(everyOpen.map((a) => a.id)).toContain(open?.id);
  });
});

describe('pbx ig alerts', () => {
  const pbx = (user: string, args: readonly string[]) =>
    runPbx({ url: exchange.url, keysDir: exchange.keysDir }, [
      ...args,
      '--as',
      `${user.split('.')[0]}-system`,
      '--sub',
      user,
    ]);

  it('lists the alerts as a table and as JSON, and acknowledges and closes one with a note', async () => {
    const open = ok(await brentIgLead.listAlerts('open')).alerts;
    const [first] = open;
    const table = await pbx('lb-brent.ig-lead', ['ig', 'alerts', '--status', 'open']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(`${open.length} alert`);
    for (const alert of open) expect(table.stdout).toContain(alert.id);
    const json = await pbx('lb-brent.ig-lead', ['ig', 'alerts', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(ok(await brentIgLead.listAlerts()));

    const id = first?.id ?? '';
    const refused = await pbx('lb-brent.ig-lead', ['ig', 'alerts', 'close', id]);
    expect(refused.code).not.toBe(0);
    const acknowledged = await pbx('lb-brent.ig-lead', [
      'ig',
      'alerts',
      'acknowledge',
      id,
      '--note',
      'looking',
    ]);
    expect(acknowledged.stdout, acknowledged.stderr).toBe(`${id} is acknowledged\n`);
    const closed = await pbx('lb-brent.ig-lead', ['ig', 'alerts', 'close', id, '--note', 'explained']);
    expect(closed.stdout, closed.stderr).toBe(`${id} is closed\n`);
    const practitioner = await pbx('lb-brent.practitioner', ['ig', 'alerts']);
    expect(practitioner.code).not.toBe(0);
    expect(practitioner.stderr).toContain('NOT_PERMITTED');
  }, 120_000);
});

describe('the detector', () => {
  /** The detection store, its first commit failing as if the function had crashed before it. */
  const crashingOnce = (store: AlertDetectionStore): AlertDetectionStore => {
    let crashed = false;
    return {
      maxItemsPerBatch: store.maxItemsPerBatch,
      itemsOfAlert: (alert) => store.itemsOfAlert(alert),
      readCursor: () => store.readCursor(),
      touchCursor: (cursor) => store.touchCursor(cursor),
      readState: (keys) => store.readState(keys),
      commitBatch: async (batch) => {
        if (!crashed) {
          crashed = true;
          throw new Error('crashed');
        }
        return store.commitBatch(batch);
      },
    };
  };

  it('raises each alert once when runs crash, repeat and race', async () => {
    const doc = createDocumentClient(localDynamoClient(exchange));
    const alerts = new DynamoAlertStore(doc, {
      alerts: exchange.tableName('alerts'),
      audit: exchange.tableName('audit'),
      events: exchange.tableName('events'),
    });
    const deps = {
      alerts,
      log: new DynamoMerkleLogStore(doc, exchange.tableName('audit')),
      registry: requestStoresOf(exchange).registry,
      clock: systemClock,
    };
    await detect();
    const before = (await alertsOf('cross-footprint')).length;
    for (let i = 0; i < 3; i++) {
      expect((await brent.submitRequest(brentAsksHarrow(newSubject('east-area-bcu')))).status).toBe(403);
    }
    await exchange.runSchedule('SequenceAuditLog');
    const options = { maxBatches: 10, maxMillis: 10_000 };
    await expect(detectAnomaliesInLog({ ...deps, alerts: crashingOnce(alerts) }, options)).rejects.toThrow(
      'crashed',
    );
    const runs = await Promise.all([0, 1, 2].map(() => detectAnomaliesInLog(deps, options)));
    expect(runs.reduce((n, r) => n + r.raised, 0)).toBeGreaterThanOrEqual(3);
    expect((await detectAnomaliesInLog(deps, options)).projected).toBe(0);
    expect(await alertsOf('cross-footprint')).toHaveLength(before + 3);
    // A batch from a cursor another run has moved since is refused whole.
    const cursor = await alerts.readCursor();
    const stale = {
      expectedNext: (cursor?.next ?? 1) - 1,
      cursor: { next: cursor?.next ?? 1, updatedAt: new Date().toISOString() },
      changes: [],
      raised: [],
    };
    expect(await alerts.commitBatch(stale)).toBe(false);
    expect((await alerts.readCursor())?.next).toBe(cursor?.next);
  }, 60_000);
});

describe('access out of hours', () => {
  /** A Tuesday of the past week: the hours below are out of or within 07:00 to 19:00 London in GMT and in BST. */
  const tuesday = (() => {
    const today = new Date();
    const back = (today.getUTCDay() - 2 + 7) % 7 || 7;
    return new Date(today.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  })();
  const at = (hhmm: string) => fixedClock(`${tuesday}T${hhmm}:00.000Z`);
  const submitAt = async (hhmm: string) => {
    const body = brentAsksHarrow(newSubject());
    return (
      await submitRequest(requestStoresOf(exchange).deps(at(hhmm)), {
        principal: principalOf('lb-brent.practitioner'),
        body,
        signed: { token: 'out-of-hours.token.signature', body: JSON.stringify(body) },
      })
    ).request;
  };
  /** The out-of-hours alerts about that Tuesday. */
  const ofTheDay = async () =>
    (await alertsOf('out-of-hours')).filter((a) => londonDayOf(a.time) === tuesday);

  it("raises an alert for a practitioner's request at 01:00, once that day; none within hours, none for an IG lead", async () => {
    const deps = requestStoresOf(exchange).deps;
    // Brent's practitioner asks at 01:00; Harrow's practitioner declines within working hours, at 10:00.
    const declined = await submitAt('01:00');
    await decideRequest(deps(at('10:00')), {
      principal: principalOf('lb-harrow.practitioner'),
      requestId: declined.id,
      decision: { outcome: 'decline', reasons: 'not proportionate', reasonCodes: ['NOT_PROPORTIONATE'] },
    });
    // Out of hours, by a role that keeps none: Brent's IG lead challenges the decline at 21:00.
    await raiseChallenge(deps(at('21:00')), {
      principal: principalOf('lb-brent.ig-lead', ['ig-lead']),
      requestId: declined.id,
      challenge: { reasons: 'the child is at risk', reasonCodes: ['NEEDED_TO_SAFEGUARD'] },
    });
    await detect();
    const { alert, entry } = await theOnlyAlert(await ofTheDay());
    // The one alert is the 01:00 submission's: not the decision at 10:00, nor the IG lead's challenge at 21:00.
    expect(alert).toMatchObject({
      rule: 'out-of-hours',
      userId: 'lb-brent.practitioner',
      clientId: 'lb-brent-system',
      role: 'practitioner',
      organisations: ['lb-brent', 'lb-harrow'],
      time: `${tuesday}T01:00:00.000Z`,
    });
    expect(entry).toMatchObject({
      action: 'request.submit',
      outcome: 'allowed',
      time: `${tuesday}T01:00:00.000Z`,
      target: { id: declined.id },
      actor: { userId: 'lb-brent.practitioner', role: 'practitioner' },
    });

    // Another access by the same user that night raises no second alert for the day.
    await submitAt('02:30');
    await detect();
    expect((await ofTheDay()).map((a) => a.id)).toEqual([alert?.id]);
    expect((await alertEventsOf('lb-brent')).map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ alertId: alert?.id, rule: 'out-of-hours', entries: alert?.entries }),
    );
  }, 60_000);
});

describe('access under an agreement past its review date', () => {
  it('raises an alert for the first access under the agreement past review that day, none under one in date', async () => {
    await clearOfHourEnd();
    await seedReviewDueMashAgreement(exchange);
    ok(await brent.submitRequest(brentAsksHarrow(newSubject())), 201);
    await detect();
    expect(await alertsOf('past-review')).toEqual([]);

    const flagged = ok(
      await brent.submitRequest(brentAsksHarrow(newSubject(), { agreementId: 'isa-review-due' })),
      201,
    ).request;
    expect(flagged.reviewOverdue).toBe(true);
    await detect();
    const { alert, entry } = await theOnlyAlert(await alertsOf('past-review'));
    expect(alert).toMatchObject({
      rule: 'past-review',
      userId: 'lb-brent.practitioner',
      clientId: 'lb-brent-system',
      organisations: ['lb-brent', 'lb-harrow'],
    });
    expect(entry).toMatchObject({
      action: 'request.submit',
      outcome: 'allowed',
      reviewOverdue: true,
      agreement: { id: 'isa-review-due', version: 1 },
      target: { id: flagged.id },
      actor: { userId: 'lb-brent.practitioner', clientId: 'lb-brent-system' },
    });
    expect((await alertEventsOf('lb-harrow')).map((e) => e.detail.alertId)).toContain(alert?.id);

    // A second access by Brent under it the same day raises no more.
    ok(await brent.submitRequest(brentAsksHarrow(newSubject(), { agreementId: 'isa-review-due' })), 201);
    await detect();
    expect((await alertsOf('past-review')).map((a) => a.id)).toEqual([alert?.id]);
  }, 60_000);
});

describe('a share fetched from a client the organisation rarely uses', () => {
  it('raises an alert for a fetch from the console client after the system client made the usual ones, none for those', async () => {
    const n = defaultAlertThresholds.rareClientFetches;
    const { request } = ok(await brent.submitRequest(brentAsksHarrow(newSubject())), 201);
    ok(await harrow.decideRequest(request.id, { outcome: 'approve', reasons: 'held' }));
    const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none' }));
    ok(
      await harrow.releaseShare(request.id, {
        content: payload.toString('base64'),
        sha256: createHash('sha256').update(payload).digest('hex'),
        contentType: 'application/json',
        dataCategories: ['identity-residence', 'protection-status'],
      }),
    );
    const consoleClientId = consoleClientOf('lb-brent');
    const viaConsole = new PbxClient({
      url: exchange.url,
      clientId: consoleClientId,
      key: await readPrivateKey(localKeyFile(exchange.keysDir, consoleClientId)),
      audience: exchange.exchangeId,
      subject: 'lb-brent.practitioner',
    });

    // Brent's usual client: its first fetches are no alert, there being no usual client yet to compare with.
    for (let i = 0; i < n; i++) ok(await brent.fetchShare(request.id));
    await detect();
    expect(await alertsOf('rare-client')).toEqual([]);

    ok(await viaConsole.fetchShare(request.id));
    await detect();
    const { alert, entry } = await theOnlyAlert(await alertsOf('rare-client'));
    expect(alert).toMatchObject({
      rule: 'rare-client',
      userId: 'lb-brent.practitioner',
      clientId: consoleClientId,
      organisations: ['lb-brent', 'lb-harrow'],
      threshold: n,
      observed: 0,
    });
    expect(entry).toMatchObject({
      action: 'share.fetch',
      outcome: 'allowed',
      target: { id: request.id },
      actor: { userId: 'lb-brent.practitioner', clientId: consoleClientId },
    });
    expect((await alertEventsOf('lb-brent')).map((e) => e.detail.alertId)).toContain(alert?.id);

    // A fetch from the usual client again raises nothing.
    ok(await brent.fetchShare(request.id));
    await detect();
    expect((await alertsOf('rare-client')).map((a) => a.id)).toEqual([alert?.id]);
  }, 60_000);
});
