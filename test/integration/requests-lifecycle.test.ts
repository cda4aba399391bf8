import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission, PbxClient } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';

// The whole life of a data request against DynamoDB Local and the S3 emulator, through the local HTTP adapter.
let exchange: RunningExchange;
let brent: PbxClient;
let harrow: PbxClient;
let barnet: PbxClient;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  brent = await clientActingFor(exchange, 'lb-brent.practitioner');
  harrow = await clientActingFor(exchange, 'lb-harrow.practitioner');
  barnet = await clientActingFor(exchange, 'lb-barnet.practitioner');
});

afterAll(async () => {
  await exchange?.stop();
});

const subjectRef = `sr1.north-west-bcu.${'A'.repeat(43)}`;

const mashRequest = (overrides: Partial<DataRequestSubmission> = {}) =>
  brentAsksHarrow(subjectRef, overrides);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a data request from Brent to Harrow under the North West BCU agreement', () => {
  it('is submitted, decided in part, released, fetched, and refused after the fetch limit', async () => {
    const submitted = await brent.submitRequest(mashRequest(), 'lifecycle-submit-0001');
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const request = submitted.body.request;
    expect(request).toMatchObject({ status: 'submitted', agreement: { id: 'isa-nw-bcu-mash', version: 1 } });
    expect(Date.parse(request.dueAt) - Date.parse(request.submittedAt)).toBe(24 * 3_600_000);

    // The same key and body: the same answer; the same key, another body: 409.
    const again = await brent.submitRequest(mashRequest(), 'lifecycle-submit-0001');
    expect(again).toEqual(submitted);
    const reused = await brent.submitRequest(mashRequest({ urgency: 'routine' }), 'lifecycle-submit-0001');
    expect(reused.status).toBe(409);

    const inbox = await harrow.listRequests(new URLSearchParams({ box: 'inbox', status: 'submitted' }));
    expect(inbox.body.requests.map((r) => r.id)).toContain(request.id);
    const outsider = await barnet.getRequest(request.id);
    expect(outsider.status).toBe(403);

    const decided = await harrow.decideRequest(request.id, {
      outcome: 'partial',
      reasons: 'education attendance is held by the school, not by us',
      withheld: { dataCategories: ['education-attendance'] },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body.request.status).toBe('partially-approved');

    const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none', addressHistory: ['HA1'] }));
    const overReaching = await harrow.releaseShare(request.id, {
      content: payload.toString('base64'),
      sha256: sha256(payload),
      contentType: 'application/json',
      dataCategories: ['education-attendance'],
    });
    expect(overReaching.status).toBe(400);
    const badHash = await harrow.releaseShare(request.id, {
      content: payload.toString('base64'),
      sha256: sha256(Buffer.from('other')),
      contentType: 'application/json',
      dataCategories: ['identity-residence'],
    });
    expect(badHash.body).toMatchObject({ error: 'PAYLOAD_HASH_MISMATCH' });

    const released = await harrow.releaseShare(request.id, {
      content: payload.toString('base64'),
      sha256: sha256(payload),
      contentType: 'application/json',
      dataCategories: ['identity-residence', 'protection-status'],
    });
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body.request.share).toMatchObject({ size: payload.byteLength, fetchCount: 0 });

    expect((await harrow.fetchShare(request.id)).status).toBe(403);
    const fetched = await brent.fetchShare(request.id);
    expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
    const bytes = Buffer.from(await (await fetch(fetched.body.grant.url)).arrayBuffer());
    expect(sha256(bytes)).toBe(fetched.body.share.sha256);
    expect(bytes.equals(payload)).toBe(true);

    for (let i = 2; i <= fetched.body.share.maxFetches; i += 1) {
      expect((await brent.fetchShare(request.id)).status).toBe(200);
    }
    expect((await brent.fetchShare(request.id)).body).toMatchObject({ error: 'FETCH_LIMIT_REACHED' });

    const withdrawn = await brent.withdrawRequest(request.id);
    expect(withdrawn.body.request.status).toBe('withdrawn');
    expect((await brent.fetchShare(request.id)).body).toMatchObject({ error: 'SHARE_WITHDRAWN' });
    // The sweeper deletes the bytes of a withdrawn share; the request and its audit entries remain.
    await exchange.runSchedule('SweepRequests');
    const after = await brent.getRequest(request.id);
    expect(after.body.request.share?.deletedAt).toBeDefined();
    expect((await fetch(fetched.body.grant.url)).status).toBe(404);
  });

  it('refuses Brent asking Barnet under a CDOP purpose, with every reason, and records it', async () => {
    const refused = await brent.submitRequest(
      mashRequest({
        responderOrganisationId: 'lb-barnet',
        agreementId: 'isa-brent-harrow-cdop',
        purpose: 'CDR_CASE_REVIEW',
      }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'REQUEST_REFUSED' });
    const details = (refused.body as unknown as { details: string[] }).details.join('\n');
    expect(details).toContain('RESPONDER_NOT_A_PARTY');
  });
});
