import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission, DataRequestView, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localBucketName } from '#local/provision.ts';
import { seedAgreements } from '#local/seed/agreement-seed.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { decideRequest } from '#shared/domain/requests/decide-request.ts';
import type { RequestDeps } from '#shared/domain/requests/request-deps.ts';
import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import { sweepRequests } from '#shared/domain/requests/sweep-requests.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import { mashAgreementAs } from '../support/agreement-fixtures.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import {
  type Caller,
  eventsAbout as eventsOf,
  principalOf,
  recordingCaller,
  requestStoresOf,
} from '../support/request-exchange.ts';

// Issue 12, findings 1, 2, 3 and 12, over HTTP against DynamoDB Local and the S3 emulator: every step of a request
// is judged against the agreement's standing at that moment; revocation closes what is open and deletes what was
// shared; a request past its agreement's review date is flagged; the log says what was decided; an approved request
// never released becomes overdue.

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let s3: S3Client;
let deps: (clock: Clock) => RequestDeps;

let brent: Caller;
let brentIgLead: Caller;
let harrow: Caller;

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  // Seeded four days ago, so that a request can be submitted three days ago.
  const seeded = fixedClock(new Date(Date.now() - 4 * 24 * 3_600_000).toISOString());
  exchange = await startExchange({ schedules: false, clock: seeded, dynamoDb: sharedDynamoDb() });
  const stores = requestStoresOf(exchange);
  ({ audit, s3, deps } = stores);
  const { agreements, registry } = stores;
  await seedAgreements({ agreements, registry, audit, clock: seeded }, [
    mashAgreementAs('isa-to-revoke'),
    mashAgreementAs('isa-review-due', { validFrom: daysAgo(60), reviewDate: daysAgo(1) }),
    mashAgreementAs('isa-ended', { validFrom: daysAgo(60), validTo: daysAgo(1) }),
  ]);
  brent = await recordingCaller(exchange, 'lb-brent.practitioner');
  brentIgLead = await recordingCaller(exchange, 'lb-brent.ig-lead');
  harrow = await recordingCaller(exchange, 'lb-harrow.practitioner');
});

afterAll(async () => {
  s3?.destroy();
  await exchange?.stop();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none', addressHistory: ['HA1'] }));
const inline = {
  content: payload.toString('base64'),
  sha256: sha256(payload),
  contentType: 'application/json',
  dataCategories: ['identity-residence', 'protection-status'],
};
const newSubject = () => `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`;

const ok = <T>(response: PbxResponse<T>, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

const entriesOf = async (requestHash: string): Promise<AuditEntry[]> =>
  (await audit.readAll()).filter((e) => e.requestHash === requestHash);
const entriesAbout = async (requestId: string): Promise<AuditEntry[]> =>
  (await audit.readAll()).filter((e) => e.target?.id === requestId);

/** The last call was refused 403 with `code`, recorded as one refused entry with the code and the standing. */
const expectStandingRefusal = async (
  who: Caller,
  response: PbxResponse<unknown>,
  code: string,
  standing: string,
) => {
  expect(response.status, JSON.stringify(response.body)).toBe(403);
  expect(response.body).toMatchObject({ error: code });
  const entries = await entriesOf(who.lastHash());
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ outcome: 'refused', reasonCodes: [code], agreementStanding: standing });
};

const submitted = async (overrides: Partial<DataRequestSubmission> = {}): Promise<DataRequestView> =>
  ok(await brent.submitRequest(brentAsksHarrow(newSubject(), overrides)), 201).request;

const eventsAbout = (organisationId: string, requestId: string) =>
  eventsOf(exchange, organisationId, requestId);

const objectStatus = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: localBucketName('payloads'), Key: key })).then(
    () => 200,
    (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
  );

describe('suspension pauses work in flight; resuming restores it', () => {
  it('refuses decide, upload, release and fetch with AGREEMENT_SUSPENDED, audited, and allows them after resume', async () => {
    const first = await submitted();
    const second = await submitted();
    ok(await harrow.decideRequest(second.id, { outcome: 'approve', reasons: 'held and relevant' }));
    ok(await harrow.releaseShare(second.id, inline));

    ok(await brentIgLead.changeAgreementStanding('isa-nw-bcu-mash', 'suspend', 'DPIA under review'));
    await expectStandingRefusal(
      harrow,
      await harrow.decideRequest(first.id, { outcome: 'approve', reasons: 'held and relevant' }),
      'AGREEMENT_SUSPENDED',
      'suspended',
    );
    await expectStandingRefusal(brent, await brent.fetchShare(second.id), 'AGREEMENT_SUSPENDED', 'suspended');

    ok(await brentIgLead.changeAgreementStanding('isa-nw-bcu-mash', 'resume', 'DPIA signed off'));
    ok(await harrow.decideRequest(first.id, { outcome: 'approve', reasons: 'held and relevant' }));
    const fetched = ok(await brent.fetchShare(second.id));
    expect(fetched.share.fetchCount).toBe(1);

    ok(await brentIgLead.changeAgreementStanding('isa-nw-bcu-mash', 'suspend', 'again'));
    await expectStandingRefusal(
      harrow,
      await harrow.startShareUpload(first.id, {
        size: 10,
        sha256: sha256(payload),
        contentType: 'text/plain',
      }),
      'AGREEMENT_SUSPENDED',
      'suspended',
    );
    await expectStandingRefusal(
      harrow,
      await harrow.releaseShare(first.id, inline),
      'AGREEMENT_SUSPENDED',
      'suspended',
    );
    // Withdrawal stops sharing, so the requester may still withdraw under a suspended agreement.
    const withdrawn = ok(await brent.withdrawRequest(second.id)).request;
    expect(withdrawn.status).toBe('withdrawn');
    const [entry] = await entriesOf(brent.lastHash());
    expect(entry).toMatchObject({ outcome: 'allowed', agreementStanding: 'suspended' });

    ok(await brentIgLead.changeAgreementStanding('isa-nw-bcu-mash', 'resume', 'resumed'));
    ok(await harrow.releaseShare(first.id, inline));
    const [released] = await entriesOf(harrow.lastHash());
    expect(released).toMatchObject({ action: 'share.release', agreementStanding: 'in-force' });
  });
});

describe('revocation ends work in flight', () => {
  it('refuses a fetch, closes open requests, deletes shared bytes through the sweeper and tells both parties', async () => {
    const open = await submitted({ agreementId: 'isa-to-revoke' });
    const approved = await submitted({ agreementId: 'isa-to-revoke' });
    const shared = await submitted({ agreementId: 'isa-to-revoke' });
    const declined = await submitted({ agreementId: 'isa-to-revoke' });
    ok(await harrow.decideRequest(approved.id, { outcome: 'approve', reasons: 'held' }));
    ok(await harrow.decideRequest(shared.id, { outcome: 'approve', reasons: 'held' }));
    ok(await harrow.decideRequest(declined.id, { outcome: 'decline', reasons: 'not held' }));
    const share = ok(await harrow.releaseShare(shared.id, inline)).request.share;
    if (share === undefined) throw new Error('a release makes a share');
    ok(await brent.fetchShare(shared.id));

    ok(await brentIgLead.changeAgreementStanding('isa-to-revoke', 'revoke', 'the partnership ended'));
    // The revocation's answer has exactly one entry; the closures are the sweeper's steps.
    expect(await entriesOf(brentIgLead.lastHash())).toHaveLength(1);
    // The revocations work list lives beside the agreements; listing them still shows agreements only.
    const listed = ok(await brentIgLead.listAgreements()).agreements;
    expect(listed.find((a) => a.id === 'isa-to-revoke')?.standing.state).toBe('revoked');
    expect(listed.every((a) => a.id.startsWith('isa-'))).toBe(true);
    await expectStandingRefusal(brent, await brent.fetchShare(shared.id), 'AGREEMENT_REVOKED', 'revoked');
    await expectStandingRefusal(
      harrow,
      await harrow.decideRequest(open.id, { outcome: 'approve', reasons: 'held' }),
      'AGREEMENT_REVOKED',
      'revoked',
    );

    await exchange.runSchedule('SweepRequests');
    for (const request of [open, approved, shared]) {
      const after = ok(await brent.getRequest(request.id)).request;
      expect(after).toMatchObject({ status: 'closed', closed: { reason: 'agreement-revoked' } });
      const closures = (await entriesAbout(request.id)).filter((e) => e.action === 'request.close');
      expect(closures).toMatchObject([
        { outcome: 'allowed', actor: { kind: 'system' }, agreementStanding: 'revoked' },
      ]);
      for (const org of ['lb-brent', 'lb-harrow']) {
        expect((await eventsAbout(org, request.id)).filter((e) => e.type === 'RequestClosed')).toMatchObject([
          { detail: { reason: 'agreement-revoked', agreementId: 'isa-to-revoke' } },
        ]);
      }
    }
    // A declined request was already closed by its decision: left as it is.
    expect(ok(await brent.getRequest(declined.id)).request.status).toBe('declined');

    const after = ok(await brent.getRequest(shared.id)).request;
    expect(after.share?.deletedAt).toEqual(expect.any(String));
    expect(await objectStatus(share.objectKey)).toBe(404);
    const deletions = (await entriesAbout(shared.id)).filter((e) => e.action === 'share.delete');
    expect(deletions).toMatchObject([{ outcome: 'allowed', actor: { kind: 'system' } }]);

    // Swept again: nothing more happens.
    await exchange.runSchedule('SweepRequests');
    expect((await entriesAbout(open.id)).filter((e) => e.action === 'request.close')).toHaveLength(1);
    // A request under the revoked agreement cannot be made any more.
    const refused = await brent.submitRequest(
      brentAsksHarrow(newSubject(), { agreementId: 'isa-to-revoke' }),
    );
    expect(refused.status).toBe(403);
  });
});

describe('an agreement past its end date', () => {
  it('refuses the decision on a request made while it was in force (AGREEMENT_EXPIRED); withdrawal still goes', async () => {
    // Submitted three days ago, when the agreement's version was still within its validity.
    const past = fixedClock(new Date(Date.now() - 3 * 24 * 3_600_000).toISOString());
    const body = brentAsksHarrow(newSubject(), { agreementId: 'isa-ended' });
    const answer = await submitRequest(deps(past), {
      principal: principalOf('lb-brent.practitioner'),
      body,
      signed: { token: 'in-force.token.signature', body: JSON.stringify(body) },
    });
    const { request } = answer;
    await expectStandingRefusal(
      harrow,
      await harrow.decideRequest(request.id, { outcome: 'approve', reasons: 'held' }),
      'AGREEMENT_EXPIRED',
      'expired',
    );
    expect(ok(await brent.withdrawRequest(request.id)).request.status).toBe('withdrawn');
  });
});

describe('a request past its agreement review date', () => {
  it('is accepted and flagged on the record, in the inbox and outbox, and in its submit entry', async () => {
    const request = await submitted({ agreementId: 'isa-review-due' });
    expect(request.reviewOverdue).toBe(true);
    const [entry] = await entriesOf(brent.lastHash());
    expect(entry).toMatchObject({ action: 'request.submit', outcome: 'allowed', reviewOverdue: true });
    for (const [who, box] of [
      [harrow, 'inbox'],
      [brent, 'outbox'],
    ] as const) {
      const listed = ok(await who.listRequests(new URLSearchParams({ box, limit: '100' })));
      expect(listed.requests.find((r) => r.id === request.id)).toMatchObject({ reviewOverdue: true });
    }
    const current = await submitted();
    expect(current.reviewOverdue).toBeUndefined();
  });
});

describe('the audit log says what was decided, and holds free text only as its hash', () => {
  const hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

  it('records the consent exemption and the hashes of justification and rationale in the submit entry', async () => {
    const body = brentAsksHarrow(newSubject());
    ok(await brent.submitRequest(body), 201);
    const [entry] = await entriesOf(brent.lastHash());
    if (body.consent.state !== 'not-sought') throw new Error('the example request has not sought consent');
    expect(entry).toMatchObject({
      action: 'request.submit',
      agreementStanding: 'in-force',
      consentState: 'not-sought',
      consentExemption: body.consent.exemption,
      textSha256: { justification: hex(body.justification), rationale: hex(body.consent.rationale) },
    });
    const text = JSON.stringify(entry);
    expect(text).not.toContain(body.justification);
    expect(text).not.toContain(body.consent.rationale);
  });

  it('shows a decline from the log: outcome, reason codes, the hash of the reasons, never the text', async () => {
    const request = await submitted();
    const reasons = 'we hold nothing on this child beyond a 2019 address';
    ok(await harrow.decideRequest(request.id, { outcome: 'decline', reasons, reasonCodes: ['NOT_HELD'] }));
    const [entry] = await entriesOf(harrow.lastHash());
    expect(entry).toMatchObject({
      action: 'request.decide',
      outcome: 'allowed',
      agreementStanding: 'in-force',
      decision: { outcome: 'decline', reasonCodes: ['NOT_HELD'] },
      textSha256: { reasons: hex(reasons) },
    });
    expect(JSON.stringify(entry)).not.toContain(reasons);
    expect(ok(await brent.getRequest(request.id)).request.decision).toMatchObject({
      reasons,
      reasonCodes: ['NOT_HELD'],
    });
  });

  it('records the withheld categories of a partial approval', async () => {
    const request = await submitted();
    ok(
      await harrow.decideRequest(request.id, {
        outcome: 'partial',
        reasons: 'attendance is held by the school',
        reasonCodes: ['NOT_HELD'],
        withheld: { dataCategories: ['education-attendance'], description: 'attendance records' },
      }),
    );
    const [entry] = await entriesOf(harrow.lastHash());
    expect(entry?.decision).toEqual({
      outcome: 'partial',
      reasonCodes: ['NOT_HELD'],
      withheldCategories: ['education-attendance'],
    });
    expect(JSON.stringify(entry)).not.toContain('attendance records');
  });
});

describe('an approved request that is never released', () => {
  it('becomes overdue after its due date, and the sweep sends RequestOverdue once', async () => {
    // Submitted three days ago as urgent (a day to answer), approved within the day, never released.
    const past = fixedClock(new Date(Date.now() - 3 * 24 * 3_600_000).toISOString());
    const body = brentAsksHarrow(newSubject());
    const answer = await submitRequest(deps(past), {
      principal: principalOf('lb-brent.practitioner'),
      body,
      signed: { token: 'in-force.token.signature', body: JSON.stringify(body) },
    });
    const { request } = answer;
    past.set(new Date(Date.now() - 2.5 * 24 * 3_600_000).toISOString());
    await decideRequest(deps(past), {
      principal: principalOf('lb-harrow.practitioner'),
      requestId: request.id,
      decision: { outcome: 'approve', reasons: 'held' },
    });

    const listed = ok(await harrow.listRequests(new URLSearchParams({ box: 'inbox', overdue: 'true' })));
    expect(listed.requests.find((r) => r.id === request.id)).toMatchObject({
      status: 'approved',
      overdue: true,
    });
    expect((await sweepRequests(deps(systemClock))).overdue).toBeGreaterThanOrEqual(1);
    await sweepRequests(deps(systemClock));
    for (const org of ['lb-brent', 'lb-harrow']) {
      expect((await eventsAbout(org, request.id)).filter((e) => e.type === 'RequestOverdue')).toHaveLength(1);
    }
    expect((await entriesAbout(request.id)).filter((e) => e.action === 'request.overdue')).toHaveLength(1);
  });
});
