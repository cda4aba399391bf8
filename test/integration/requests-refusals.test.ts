import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission, DataRequestView, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localBucketName } from '#local/provision.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { GoneError } from '#shared/domain/errors.ts';
import { fetchShare } from '#shared/domain/requests/fetch-share.ts';
import type { RequestDeps } from '#shared/domain/requests/request-deps.ts';
import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import { sweepRequests } from '#shared/domain/requests/sweep-requests.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import {
  type Caller,
  eventsAbout as eventsOf,
  principalOf,
  recordingCaller,
  requestStoresOf,
} from '../support/request-exchange.ts';

// Every refusal a caller can meet on the request routes, over HTTP against DynamoDB Local and the S3 emulator:
// each answered with its status and code, and recorded in the audit log as `refused` with its reason code (found
// by the hash of the signed request that was refused).

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let s3: S3Client;
let deps: (clock: Clock) => RequestDeps;

const caller = (user: string) => recordingCaller(exchange, user);

let brent: Caller;
let brentIgLead: Caller;
let harrow: Caller;
let harrowIgLead: Caller;
let barnet: Caller;

beforeAll(async () => {
  // Seeded (agreements signed, keys valid) four days ago, so that a request can be submitted three days ago.
  exchange = await startExchange({
    schedules: false,
    clock: fixedClock(new Date(Date.now() - 4 * 24 * 3_600_000).toISOString()),
    dynamoDb: sharedDynamoDb(),
  });
  ({ audit, s3, deps } = requestStoresOf(exchange));
  brent = await caller('lb-brent.practitioner');
  brentIgLead = await caller('lb-brent.ig-lead');
  harrow = await caller('lb-harrow.practitioner');
  harrowIgLead = await caller('lb-harrow.ig-lead');
  barnet = await caller('lb-barnet.practitioner');
});

afterAll(async () => {
  s3?.destroy();
  await exchange?.stop();
});

const mashRequest = (overrides: Partial<DataRequestSubmission> = {}): DataRequestSubmission => ({
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-nw-bcu-mash',
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
  consent: {
    state: 'not-sought',
    exemption: 'would-prejudice-protection',
    rationale: 'seeking consent would put the child at risk of significant harm',
  },
  subjectRef: `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`,
  urgency: 'urgent',
  justification: 'MASH referral: concerns raised by the school',
  ...overrides,
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none', addressHistory: ['HA1'] }));
const inline = (dataCategories = ['identity-residence', 'protection-status'], bytes = payload) => ({
  content: bytes.toString('base64'),
  sha256: sha256(bytes),
  contentType: 'application/json',
  dataCategories,
});

/** The audit entries of the signed request with this hash. */
const entriesOf = async (requestHash: string): Promise<AuditEntry[]> =>
  (await audit.readAll()).filter((e) => e.requestHash === requestHash);

/**
 * The caller's last call was answered `status` with `code`, and the audit log holds exactly one entry for it:
 * `refused`, naming `reason` (the code itself, or a decision reason for a refused submission).
 */
const expectRefused = async (
  who: Caller,
  response: PbxResponse<unknown>,
  status: number,
  code: string,
  reasons: readonly string[] = [code],
): Promise<AuditEntry> => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ error: code });
  const entries = await entriesOf(who.lastHash());
  expect(entries, `audit entries of the ${code} answer`).toHaveLength(1);
  const [entry] = entries as [AuditEntry];
  expect(entry.outcome).toBe('refused');
  expect(entry.reasonCodes).toEqual(expect.arrayContaining([...reasons]));
  return entry;
};

const ok = <T>(response: PbxResponse<T>, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

const submitted = async (overrides: Partial<DataRequestSubmission> = {}): Promise<DataRequestView> =>
  ok(await brent.submitRequest(mashRequest(overrides)), 201).request;

const approved = async (): Promise<DataRequestView> => {
  const request = await submitted();
  ok(await harrow.decideRequest(request.id, { outcome: 'approve', reasons: 'held and relevant' }));
  return request;
};

const released = async (): Promise<DataRequestView> => {
  const request = await approved();
  return ok(await harrow.releaseShare(request.id, inline())).request;
};

describe('refused submissions (REQUEST_REFUSED), each reason recorded', () => {
  it.each([
    [
      'the responder is not a party',
      'practitioner',
      {
        responderOrganisationId: 'lb-barnet',
        agreementId: 'isa-brent-harrow-cdop',
        purpose: 'CDR_CASE_REVIEW',
      },
      'RESPONDER_NOT_A_PARTY',
    ],
    [
      'the purpose is not in the agreement',
      'practitioner',
      { purpose: 'CDR_CASE_REVIEW' },
      'PURPOSE_NOT_IN_AGREEMENT',
    ],
    [
      'the consent rule is unmet',
      'practitioner',
      { consent: { state: 'not-applicable' } },
      'CONSENT_RULE_UNMET',
    ],
    ['the role may not request', 'ig-lead', {}, 'ROLE_NOT_ALLOWED'],
  ] as const)('%s', async (_name, who, overrides, reason) => {
    const by = who === 'ig-lead' ? brentIgLead : brent;
    const response = await by.submitRequest(mashRequest(overrides as Partial<DataRequestSubmission>));
    const entry = await expectRefused(by, response, 403, 'REQUEST_REFUSED', [reason]);
    expect(entry.action).toBe('request.submit');
    expect((response.body as unknown as { details: string[] }).details.join('\n')).toContain(reason);
  });
});

describe('callers who may not take a step (NOT_PERMITTED), and requests that do not exist (NOT_FOUND)', () => {
  it('refuses another organisation reading, deciding and fetching, and the wrong role or side', async () => {
    const request = await submitted();
    const read = await expectRefused(barnet, await barnet.getRequest(request.id), 403, 'NOT_PERMITTED');
    expect(read).toMatchObject({ action: 'request.view', target: { id: request.id } });
    const decide = await expectRefused(
      barnet,
      await barnet.decideRequest(request.id, { outcome: 'approve', reasons: 'not ours to decide' }),
      403,
      'NOT_PERMITTED',
    );
    expect(decide).toMatchObject({ action: 'request.decide', target: { id: request.id } });
    // A user of the responder whose role may not answer under the purpose.
    const wrongRole = await expectRefused(
      harrowIgLead,
      await harrowIgLead.decideRequest(request.id, { outcome: 'approve', reasons: 'an IG lead answering' }),
      403,
      'NOT_PERMITTED',
    );
    expect(wrongRole).toMatchObject({ action: 'request.decide', target: { id: request.id } });
    // The requester cannot decide its own request.
    await expectRefused(
      brent,
      await brent.decideRequest(request.id, { outcome: 'approve', reasons: 'self-approval' }),
      403,
      'NOT_PERMITTED',
    );

    const shared = await released();
    const fetched = await expectRefused(barnet, await barnet.fetchShare(shared.id), 403, 'NOT_PERMITTED');
    expect(fetched).toMatchObject({ action: 'share.fetch', target: { id: shared.id } });
    // The responder is not the side that fetches.
    await expectRefused(harrow, await harrow.fetchShare(shared.id), 403, 'NOT_PERMITTED');
    // Nor may another organisation release or withdraw.
    await expectRefused(barnet, await barnet.releaseShare(shared.id, inline()), 403, 'NOT_PERMITTED');
    await expectRefused(barnet, await barnet.withdrawRequest(shared.id), 403, 'NOT_PERMITTED');
    // Nothing of it changed the share.
    expect(ok(await brent.getRequest(shared.id)).request.share?.fetchCount).toBe(0);
  });

  it('answers 404 for a request that does not exist, on every route, and records it', async () => {
    const missing = ulid();
    const read = await expectRefused(brent, await brent.getRequest(missing), 404, 'NOT_FOUND');
    expect(read).toMatchObject({ action: 'request.view', target: { id: missing } });
    await expectRefused(
      harrow,
      await harrow.decideRequest(missing, { outcome: 'decline', reasons: 'no such request' }),
      404,
      'NOT_FOUND',
    );
    await expectRefused(harrow, await harrow.releaseShare(missing, inline()), 404, 'NOT_FOUND');
    await expectRefused(brent, await brent.fetchShare(missing), 404, 'NOT_FOUND');
    await expectRefused(brent, await brent.withdrawRequest(missing), 404, 'NOT_FOUND');
  });
});

describe('steps out of order (WRONG_STATE) and bad input (INVALID_INPUT)', () => {
  it('refuses deciding twice, releasing before a decision and releasing after a decline', async () => {
    const request = await submitted();
    await expectRefused(harrow, await harrow.releaseShare(request.id, inline()), 409, 'WRONG_STATE');
    ok(
      await harrow.decideRequest(request.id, { outcome: 'decline', reasons: 'we hold nothing on the child' }),
    );
    const twice = await expectRefused(
      harrow,
      await harrow.decideRequest(request.id, { outcome: 'approve', reasons: 'changed our mind' }),
      409,
      'WRONG_STATE',
    );
    expect(twice).toMatchObject({ action: 'request.decide', target: { id: request.id } });
    const afterDecline = await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, inline()),
      409,
      'WRONG_STATE',
    );
    expect(afterDecline).toMatchObject({ action: 'share.release', target: { id: request.id } });
    expect(ok(await brent.getRequest(request.id)).request.status).toBe('declined');
  });

  it('refuses a partial approval without what is withheld, or withholding what was not asked', async () => {
    const request = await submitted();
    await expectRefused(
      harrow,
      await harrow.decideRequest(request.id, { outcome: 'partial', reasons: 'some of it' }),
      400,
      'INVALID_INPUT',
    );
    await expectRefused(
      harrow,
      await harrow.decideRequest(request.id, {
        outcome: 'partial',
        reasons: 'no health data',
        withheld: { dataCategories: ['health'] },
      }),
      400,
      'INVALID_INPUT',
    );
    expect(ok(await brent.getRequest(request.id)).request.status).toBe('submitted');

    ok(
      await harrow.decideRequest(request.id, {
        outcome: 'partial',
        reasons: 'attendance is the school’s to share',
        withheld: { dataCategories: ['education-attendance'] },
      }),
    );
    const withheld = await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, inline(['identity-residence', 'education-attendance'])),
      400,
      'INVALID_INPUT',
    );
    expect(withheld).toMatchObject({ action: 'share.release', target: { id: request.id } });
    await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, { ...inline(), sha256: sha256(Buffer.from('other bytes')) }),
      400,
      'PAYLOAD_HASH_MISMATCH',
    );
    const list = await s3ObjectsOf(request.id);
    expect(list).toEqual([]);
    ok(await harrow.releaseShare(request.id, inline(['identity-residence'])));
  });
});

const s3ObjectsOf = async (requestId: string): Promise<string[]> => {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: localBucketName('payloads'), Prefix: `shares/${requestId}/` }),
  );
  return (listed.Contents ?? []).map((o) => o.Key ?? '');
};

describe('presigned uploads: what arrived is checked', () => {
  const declared = { size: payload.byteLength, sha256: sha256(payload), contentType: 'application/json' };

  const startUpload = async (requestId: string) =>
    ok(await harrow.startShareUpload(requestId, declared), 201).upload;

  const put = (upload: { url: string; headers: Record<string, string> }, bytes: Uint8Array) =>
    fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });

  it('refuses a declared size over the limit (PAYLOAD_TOO_LARGE)', async () => {
    const request = await approved();
    await expectRefused(
      harrow,
      await harrow.startShareUpload(request.id, { ...declared, size: 200 * 1024 * 1024 + 1 }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('refuses a release of nothing uploaded, or of an unknown upload (UPLOAD_MISSING)', async () => {
    const request = await approved();
    const upload = await startUpload(request.id);
    const categories = ['identity-residence'];
    const nothing = await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, { uploadId: upload.uploadId, dataCategories: categories }),
      400,
      'UPLOAD_MISSING',
    );
    expect(nothing).toMatchObject({ action: 'share.release', target: { id: request.id } });
    await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, { uploadId: ulid(), dataCategories: categories }),
      400,
      'UPLOAD_MISSING',
    );
  });

  it('refuses bytes of another size (PAYLOAD_SIZE_MISMATCH) or hash (PAYLOAD_HASH_MISMATCH), and deletes them', async () => {
    const request = await approved();
    const categories = ['identity-residence'];
    const first = await startUpload(request.id);
    expect((await put(first, Buffer.concat([payload, Buffer.from('+')]))).status).toBe(200);
    await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, { uploadId: first.uploadId, dataCategories: categories }),
      400,
      'PAYLOAD_SIZE_MISMATCH',
    );
    expect(await s3ObjectsOf(request.id)).toEqual([]);

    const second = await startUpload(request.id);
    const tampered = Buffer.from(payload);
    tampered[0] = tampered[0] === 0x41 ? 0x42 : 0x41;
    expect((await put(second, tampered)).status).toBe(200);
    await expectRefused(
      harrow,
      await harrow.releaseShare(request.id, { uploadId: second.uploadId, dataCategories: categories }),
      400,
      'PAYLOAD_HASH_MISMATCH',
    );
    expect(await s3ObjectsOf(request.id)).toEqual([]);

    const third = await startUpload(request.id);
    expect((await put(third, payload)).status).toBe(200);
    const done = ok(
      await harrow.releaseShare(request.id, { uploadId: third.uploadId, dataCategories: categories }),
    );
    expect(done.request.share).toMatchObject({ sha256: declared.sha256, size: declared.size });
  });
});

describe('fetch refusals', () => {
  it('refuses a fetch over the limit (FETCH_LIMIT_REACHED) and after withdrawal (SHARE_WITHDRAWN)', async () => {
    const request = await released();
    for (let i = 1; i <= 5; i += 1) ok(await brent.fetchShare(request.id));
    const limit = await expectRefused(brent, await brent.fetchShare(request.id), 403, 'FETCH_LIMIT_REACHED');
    expect(limit).toMatchObject({ action: 'share.fetch', target: { id: request.id } });
    expect(ok(await brent.getRequest(request.id)).request.share?.fetchCount).toBe(5);

    ok(await brent.withdrawRequest(request.id));
    const withdrawn = await expectRefused(brent, await brent.fetchShare(request.id), 410, 'SHARE_WITHDRAWN');
    expect(withdrawn).toMatchObject({ action: 'share.fetch', target: { id: request.id } });
    // A withdrawn request cannot be withdrawn again.
    await expectRefused(brent, await brent.withdrawRequest(request.id), 409, 'WRONG_STATE');
  });
});

describe('idempotency keys', () => {
  it('refuses a key reused for another call (IDEMPOTENCY_KEY_REUSED) and a malformed key', async () => {
    const key = `refusals-${ulid()}`;
    const first = ok(await brent.submitRequest(mashRequest(), key), 201);
    const reused = await expectRefused(
      brent,
      await brent.submitRequest(mashRequest({ urgency: 'routine' }), key),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(reused.action).toBe('api.answer');
    // The reused key did not make a second request.
    const outbox = ok(await brent.listRequests(new URLSearchParams({ box: 'outbox', limit: '100' })));
    expect(outbox.requests.filter((r) => r.id === first.request.id)).toHaveLength(1);

    const decideKey = `refusals-${ulid()}`;
    ok(await harrow.decideRequest(first.request.id, { outcome: 'approve', reasons: 'held' }, decideKey));
    await expectRefused(
      harrow,
      await harrow.decideRequest(first.request.id, { outcome: 'decline', reasons: 'not held' }, decideKey),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );

    await expectRefused(
      brent,
      await brent.submitRequest(mashRequest(), 'short'),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    );
    await expectRefused(
      harrow,
      await harrow.decideRequest(first.request.id, { outcome: 'approve', reasons: 'held' }, 'bad key!'),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    );
  });
});

// ---- Time passing: the use cases with a clock of the test's own ---------------------------------------------

const eventsAbout = (organisationId: string, requestId: string) =>
  eventsOf(exchange, organisationId, requestId);

const entriesAbout = async (requestId: string) =>
  (await audit.readAll()).filter((e) => e.target?.id === requestId);

describe('time passing', () => {
  it('shows a request past its due date as overdue, and the sweep sends RequestOverdue once', async () => {
    // Submitted three days ago as urgent (one day to answer): two days overdue now.
    const past = fixedClock(new Date(Date.now() - 3 * 24 * 3_600_000).toISOString());
    const body = mashRequest();
    const answer = await submitRequest(deps(past), {
      principal: principalOf('lb-brent.practitioner'),
      body,
      signed: { token: 'refusals.token.signature', body: JSON.stringify(body) },
    });
    const { request } = answer;

    const overdue = ok(
      await harrow.listRequests(new URLSearchParams({ box: 'inbox', overdue: 'true', limit: '100' })),
    );
    expect(overdue.requests.find((r) => r.id === request.id)).toMatchObject({ overdue: true });
    expect(overdue.requests.every((r) => r.overdue)).toBe(true);
    const current = ok(
      await harrow.listRequests(new URLSearchParams({ box: 'inbox', overdue: 'false', limit: '100' })),
    );
    expect(current.requests.map((r) => r.id)).not.toContain(request.id);

    const first = await sweepRequests(deps(systemClock));
    expect(first.overdue).toBeGreaterThanOrEqual(1);
    expect((await sweepRequests(deps(systemClock))).overdue).toBe(0);
    for (const org of ['lb-brent', 'lb-harrow']) {
      expect((await eventsAbout(org, request.id)).filter((e) => e.type === 'RequestOverdue')).toHaveLength(1);
    }
    const entries = (await entriesAbout(request.id)).filter((e) => e.action === 'request.overdue');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'allowed', actor: { kind: 'system' } });
    // Still overdue (it still awaits a decision), flagged once.
    expect(ok(await harrow.getRequest(request.id)).request).toMatchObject({
      overdue: true,
      overdueNotifiedAt: expect.any(String),
    });
  });

  it('refuses a fetch past the retention end (SHARE_EXPIRED); the sweep expires the share and deletes its bytes', async () => {
    const request = await released();
    const share = ok(await brent.getRequest(request.id)).request.share;
    if (share === undefined) throw new Error('a released request has a share');
    const later = fixedClock(new Date(Date.parse(share.expiresAt) + 60_000).toISOString());

    const hash = randomBytes(32).toString('base64url');
    const refused = await fetchShare(deps(later), {
      principal: { ...principalOf('lb-brent.practitioner'), requestHash: hash },
      requestId: request.id,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GoneError);
    expect(refused).toMatchObject({ code: 'SHARE_EXPIRED' });
    expect(await entriesOf(hash)).toMatchObject([
      {
        action: 'share.fetch',
        outcome: 'refused',
        reasonCodes: ['SHARE_EXPIRED'],
        target: { id: request.id },
      },
    ]);

    const report = await sweepRequests(deps(later));
    expect(report.expired).toBeGreaterThanOrEqual(1);
    expect(report.purged).toBeGreaterThanOrEqual(1);
    const after = ok(await brent.getRequest(request.id)).request;
    expect(after).toMatchObject({ status: 'expired', share: { deletedAt: expect.any(String) } });
    const head = await s3
      .send(new HeadObjectCommand({ Bucket: localBucketName('payloads'), Key: share.objectKey }))
      .then(
        () => 200,
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
      );
    expect(head).toBe(404);
    const entries = await entriesAbout(request.id);
    expect(entries.filter((e) => e.action === 'share.expire' && e.outcome === 'allowed')).toHaveLength(1);
    expect(entries.filter((e) => e.action === 'share.delete' && e.outcome === 'allowed')).toHaveLength(1);
    for (const org of ['lb-brent', 'lb-harrow']) {
      expect((await eventsAbout(org, request.id)).filter((e) => e.type === 'ShareExpired')).toMatchObject([
        { detail: { reason: 'retention-ended' } },
      ]);
    }
    // Over HTTP, after expiry, the requester is told the share is gone.
    await expectRefused(brent, await brent.fetchShare(request.id), 410, 'SHARE_EXPIRED');
  });
});
