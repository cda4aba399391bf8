import { createHash, randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { AuthorisationError, ConflictError } from '#shared/domain/errors.ts';
import type { DataRequestBody } from '#shared/domain/requests/data-request.ts';
import { decideRequest } from '#shared/domain/requests/decide-request.ts';
import { fetchShare } from '#shared/domain/requests/fetch-share.ts';
import { listRequests } from '#shared/domain/requests/list-requests.ts';
import { releaseShare } from '#shared/domain/requests/release-share.ts';
import type { RequestDeps } from '#shared/domain/requests/request-deps.ts';
import { showRequest } from '#shared/domain/requests/show-request.ts';
import { startUpload } from '#shared/domain/requests/start-upload.ts';
import { submitRequest } from '#shared/domain/requests/submit-request.ts';
import { withdrawRequest } from '#shared/domain/requests/withdraw-request.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { mashReferral, principalOf, recordingCaller, requestStoresOf } from '../support/request-exchange.ts';

// Issue 14: the request use cases return typed domain results, each with the audit entries it committed, and
// nothing else counts them. Against DynamoDB Local and the S3 emulator: every result's `audited` is exactly what
// the log holds for that step; a replay under the same key is the same result with no entry; a refused submission
// carries its committed entry on the error; a lost race is 409 CONFLICT and no refusal.

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let s3: S3Client;
let deps: RequestDeps;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false });
  const stores = requestStoresOf(exchange);
  ({ audit, s3 } = stores);
  deps = stores.deps(systemClock);
});

afterAll(async () => {
  s3?.destroy();
  await exchange?.stop();
});

const brent = () => principalOf('lb-brent.practitioner');
const harrow = () => principalOf('lb-harrow.practitioner');

const mashRequest = (overrides: Partial<DataRequestBody> = {}) =>
  mashReferral('MASH referral: typed results test', overrides);

const submit = (body = mashRequest(), call?: Parameters<typeof submitRequest>[1]['call']) =>
  submitRequest(deps, {
    principal: brent(),
    body,
    signed: { token: 'results.token.signature', body: JSON.stringify(body) },
    call,
  });

const newCall = (clientId: string) => {
  const key = `results-${randomBytes(8).toString('hex')}`;
  return { clientId, key, fingerprint: `fingerprint-of-${key}` };
};

/** The one entry a result names, as the audit table holds it: the same entry, with the action asked. */
const expectCommitted = async (audited: readonly AuditEntry[], action: string): Promise<AuditEntry> => {
  expect(audited).toHaveLength(1);
  const [entry] = audited;
  if (entry === undefined) throw new Error('no entry');
  expect(entry).toMatchObject({ action, outcome: 'allowed' });
  const stored = (await audit.readAll()).find((e) => e.id === entry.id);
  expect(stored).toEqual(entry);
  return entry;
};

const entriesAbout = async (requestId: string) =>
  (await audit.readAll()).filter((e) => e.target?.id === requestId);

const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none' }));
const inline = {
  kind: 'inline',
  content: payload,
  sha256: createHash('sha256').update(payload).digest('hex'),
  contentType: 'application/json',
  dataCategories: ['identity-residence'],
} as const;

describe('a request use case returns its typed result with the entries it committed', () => {
  it('for every step of a request, from submission to withdrawal, and for the reads', async () => {
    const submitted = await submit();
    expect(submitted).toMatchObject({ kind: 'submitted', request: { status: 'submitted', revision: 1 } });
    const requestId = submitted.request.id;
    await expectCommitted(submitted.audited, 'request.submit');

    const shown = await showRequest(deps, { principal: harrow(), requestId });
    expect(shown.kind).toBe('shown');
    expect(shown.request).toEqual(submitted.request);
    await expectCommitted(shown.audited, 'request.view');

    const listed = await listRequests(deps, {
      principal: harrow(),
      filter: { box: 'inbox', limit: 100 },
    });
    expect(listed.requests.map((r) => r.id)).toContain(requestId);
    await expectCommitted(listed.audited, 'request.list');

    const decided = await decideRequest(deps, {
      principal: harrow(),
      requestId,
      decision: { outcome: 'approve', reasons: 'held and relevant' },
    });
    expect(decided).toMatchObject({ kind: 'decided', request: { status: 'approved', revision: 2 } });
    await expectCommitted(decided.audited, 'request.decide');

    const upload = await startUpload(deps, {
      principal: harrow(),
      requestId,
      declared: { size: payload.byteLength, sha256: inline.sha256, contentType: inline.contentType },
    });
    expect(upload).toMatchObject({ kind: 'upload-started', upload: { contentType: inline.contentType } });
    await expectCommitted(upload.audited, 'share.upload');

    const released = await releaseShare(deps, { principal: harrow(), requestId, release: inline });
    expect(released).toMatchObject({ kind: 'released', request: { status: 'released' } });
    await expectCommitted(released.audited, 'share.release');

    const fetched = await fetchShare(deps, { principal: brent(), requestId });
    expect(fetched).toMatchObject({ kind: 'fetched', share: { fetchCount: 1, sha256: inline.sha256 } });
    await expectCommitted(fetched.audited, 'share.fetch');

    const withdrawn = await withdrawRequest(deps, { principal: brent(), requestId });
    expect(withdrawn).toMatchObject({ kind: 'withdrawn', request: { status: 'withdrawn' } });
    await expectCommitted(withdrawn.audited, 'request.withdraw');

    // Nothing else was recorded about the request than the entries the results named.
    const named = [submitted, shown, decided, upload, released, fetched, withdrawn].flatMap((r) =>
      r.audited.map((e) => e.id),
    );
    expect((await entriesAbout(requestId)).map((e) => e.id).sort()).toEqual(named.sort());
  });
});

describe('a call made again under its Idempotency-Key', () => {
  it('is the same typed result, with no entry, and commits nothing', async () => {
    const call = newCall('lb-brent-system');
    const body = mashRequest();
    const first = await submit(body, call);
    await expectCommitted(first.audited, 'request.submit');
    const before = await entriesAbout(first.request.id);

    const again = await submit(body, call);
    expect(again.audited).toEqual([]);
    const { audited: _first, ...result } = first;
    const { audited: _again, ...replayed } = again;
    expect(replayed).toEqual(result);
    expect(await entriesAbout(first.request.id)).toEqual(before);

    const decideCall = newCall('lb-harrow-system');
    const decide = () =>
      decideRequest(deps, {
        principal: harrow(),
        requestId: first.request.id,
        decision: { outcome: 'decline', reasons: 'not held', reasonCodes: ['NOT_HELD'] },
        call: decideCall,
      });
    const decided = await decide();
    await expectCommitted(decided.audited, 'request.decide');
    const redecided = await decide();
    expect(redecided.audited).toEqual([]);
    expect(redecided.request).toEqual(decided.request);
    expect((await entriesAbout(first.request.id)).filter((e) => e.action === 'request.decide')).toHaveLength(
      1,
    );
  });
});

describe('a submission sent again over HTTP with its Idempotency-Key', () => {
  it('is answered the same, and each answer has exactly one entry: the step, then the replayed answer', async () => {
    const brentCaller = await recordingCaller(exchange, 'lb-brent.practitioner');
    const body = mashRequest();
    const key = `results-${randomBytes(8).toString('hex')}`;
    const first = await brentCaller.submitRequest(body, key);
    const firstHash = brentCaller.lastHash();
    const again = await brentCaller.submitRequest(body, key);
    const againHash = brentCaller.lastHash();
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);

    const entries = await audit.readAll();
    const ofCall = (hash: string) =>
      entries.filter((e) => e.requestHash === hash).map((e) => `${e.action}:${e.outcome}`);
    expect(ofCall(firstHash)).toEqual(['request.submit:allowed']);
    expect(ofCall(againHash)).toEqual(['api.answer:allowed']);
  });
});

describe('a refused submission', () => {
  it('throws REQUEST_REFUSED carrying the refusal entry it committed', async () => {
    const refused = await submit(mashRequest({ purpose: 'CDR_CASE_REVIEW' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AuthorisationError);
    const error = refused as AuthorisationError;
    expect(error.code).toBe('REQUEST_REFUSED');
    expect(error.audited).toMatchObject({ action: 'request.submit', outcome: 'refused' });
    const stored = (await audit.readAll()).find((e) => e.id === error.audited?.id);
    expect(stored).toEqual(error.audited);
  });
});

describe('a step that loses the race for its request', () => {
  it('is 409 CONFLICT, and records no refusal: nothing was decided', async () => {
    const { request } = await submit();
    // Fault injected: the store finds the request changed since it was read (another step committed first).
    const store = deps.requests;
    const racing: RequestDeps = {
      ...deps,
      requests: new Proxy(store, {
        get: (target, name) =>
          name === 'update' ? async () => false : Reflect.get(target, name, target).bind(target),
      }),
    };
    const lost = await decideRequest(racing, {
      principal: harrow(),
      requestId: request.id,
      decision: { outcome: 'approve', reasons: 'held' },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost).toBeInstanceOf(ConflictError);
    expect((lost as ConflictError).code).toBe('CONFLICT');
    expect((await entriesAbout(request.id)).map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'request.submit:allowed',
    ]);
  });
});
