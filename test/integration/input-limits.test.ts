import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission } from '#client/pbx-client.ts';
import { localKeyFile, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import { sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { type Caller, recordingCaller } from '../support/request-exchange.ts';
import {
  authorizationFor,
  encodeSegment,
  freshJti,
  headerFor,
  signBytes,
  utf8,
} from '../support/signed-request-fixtures.ts';

// Client input errors are the client's to fix: 400 or 413 with a code, never 503 (which the docs tell clients to
// retry), and never stored. Over HTTP against DynamoDB Local and the S3 emulator (issue 13, findings 2, 3, 4, 10).

let exchange: RunningExchange;
let brent: Caller;
let brentKey: PrivateJwk;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  brent = await recordingCaller(exchange, 'lb-brent.practitioner');
  brentKey = await readPrivateKey(localKeyFile(exchange.keysDir, 'lb-brent-system'));
});

afterAll(async () => {
  await exchange?.stop();
});

const mashRequest = (overrides: Record<string, unknown> = {}): DataRequestSubmission =>
  ({
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
  }) as DataRequestSubmission;

const evaluation = (overrides: Record<string, unknown> = {}) => {
  const { urgency: _u, justification: _j, ...share } = mashRequest(overrides);
  return share;
};

type Answer = { status: number; body: unknown };
const codeOf = (answer: Answer): unknown => (answer.body as { error?: unknown }).error;
const expectRefused = (answer: Answer, status: number, code: string) => {
  expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
};

/** The value `[[[…]]]`, `depth` arrays deep, as JSON text (JSON.stringify itself would recurse that deep). */
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A signed call whose body is sent exactly as the text given. */
const rawCall = (caller: Caller, method: string, path: string, text: string) =>
  caller.call(method, path, text);

describe('a control', () => {
  it('accepts a well-formed submission', async () => {
    expect((await brent.submitRequest(mashRequest())).status).toBe(201);
  });
});

describe('finding 2: input beyond the limits is 400 or 413, never 503', () => {
  it('refuses a valid submission with a 500 KB extra member', async () => {
    expectRefused(
      await brent.submitRequest(mashRequest({ padding: 'x'.repeat(500_000) })),
      400,
      'INVALID_INPUT',
    );
  });

  it('refuses a 500 KB justification', async () => {
    expectRefused(
      await brent.submitRequest(mashRequest({ justification: 'x'.repeat(500_000) })),
      400,
      'INVALID_INPUT',
    );
  });

  it('refuses one data category repeated 20,000 times', async () => {
    expectRefused(
      await brent.submitRequest(mashRequest({ dataCategories: Array(20_000).fill('identity-residence') })),
      400,
      'INVALID_INPUT',
    );
  });

  it('refuses a data category or lawful basis named twice', async () => {
    expectRefused(
      await brent.submitRequest(
        mashRequest({ dataCategories: ['identity-residence', 'identity-residence'] }),
      ),
      400,
      'INVALID_INPUT',
    );
    expectRefused(
      await brent.evaluateRequest(
        evaluation({ lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-6-1-e', 'CA1989-s47'] }) as never,
      ),
      400,
      'INVALID_INPUT',
    );
  });

  it('answers 404 for a 3,000-character request id, before any store is asked', async () => {
    const long = 'A'.repeat(3000);
    expectRefused(await brent.call('GET', `/v1/requests/${long}`), 404, 'NOT_FOUND');
    expectRefused(await brent.call('POST', `/v1/requests/${long}/withdraw`, {}), 404, 'NOT_FOUND');
    expectRefused(await brent.call('GET', `/v1/agreements/${long}`), 404, 'NOT_FOUND');
    expectRefused(await brent.call('GET', `/v1/clients/${long}/keys`), 404, 'NOT_FOUND');
  });

  it('refuses ids in a body that are not of their form, before any store is asked', async () => {
    for (const change of [
      { agreementId: 'x'.repeat(3000) },
      { agreementId: 'isa-NOT AN ID' },
      { responderOrganisationId: 'x'.repeat(3000) },
      { subjectRef: `sr1.north-west-bcu.${'A'.repeat(3000)}` },
    ]) {
      expectRefused(await brent.submitRequest(mashRequest(change)), 400, 'INVALID_INPUT');
      expectRefused(await brent.evaluateRequest(evaluation(change) as never), 400, 'INVALID_INPUT');
    }
  });

  it('answers 413 for a body over the limit', async () => {
    expectRefused(
      await brent.submitRequest(mashRequest({ justification: 'x'.repeat(1_100_000) })),
      413,
      'BODY_TOO_LARGE',
    );
  });
});

describe('finding 3: unknown members are refused in every request body', () => {
  it('refuses an unknown member in a submission', async () => {
    expectRefused(await brent.submitRequest(mashRequest({ note: 'hello' })), 400, 'INVALID_INPUT');
  });

  it('refuses an unknown member nested in a submission', async () => {
    expectRefused(
      await brent.submitRequest(mashRequest({ consent: { state: 'not-applicable', note: 'hello' } })),
      400,
      'INVALID_INPUT',
    );
  });

  it('refuses an unknown member in an evaluation', async () => {
    expectRefused(await brent.evaluateRequest(evaluation({ note: 'hello' }) as never), 400, 'INVALID_INPUT');
  });

  it('refuses a 10,000-deep nested value without storing it', async () => {
    const body = JSON.stringify(mashRequest()).replace(/}$/, `,"extra":${nested(10_000)}}`);
    const answer = await rawCall(brent, 'POST', '/v1/requests', body);
    expect(answer.status).toBe(400);
    expect(['INVALID_INPUT', 'MALFORMED_JSON']).toContain(codeOf(answer));
  });

  it('refuses a 10,000-deep nested value in a known member', async () => {
    const body = JSON.stringify(mashRequest()).replace(/"consent":\{[^}]*\}/, `"consent":${nested(10_000)}`);
    const answer = await rawCall(brent, 'POST', '/v1/requests', body);
    expectRefused(answer, 400, 'MALFORMED_JSON');
  });
});

/** A token for `GET /v1/whoami` signed by Brent's system key over the claims written exactly as `claimsText`. */
const whoamiWithClaims = async (claimsText: (c: string) => string, headerText?: string) => {
  const iat = Math.floor(Date.now() / 1000);
  const claims = JSON.stringify({
    iss: 'lb-brent-system',
    aud: exchange.exchangeId,
    iat,
    exp: iat + 60,
    jti: freshJti(),
    htm: 'GET',
    htu: '/v1/whoami',
    bdh: sha256Base64url(new Uint8Array()),
  });
  const header =
    headerText === undefined ? encodeSegment(headerFor(brentKey)) : encodeSegment(utf8(headerText));
  const signingInput = `${header}.${encodeSegment(utf8(claimsText(claims)))}`;
  const token = `${signingInput}.${signBytes(brentKey, signingInput).toString('base64url')}`;
  return brent.send('GET', '/v1/whoami', undefined, authorizationFor(token));
};

const withSub =
  (...subs: string[]) =>
  (claims: string) =>
    claims.replace(/^\{/, `{${subs.map((s) => `"sub":"${s}",`).join('')}`);

describe('finding 4: repeated member names are refused', () => {
  it('a control: one sub is accepted', async () => {
    const answer = await whoamiWithClaims(withSub('lb-brent.practitioner'));
    expect(answer.status).toBe(200);
  });

  it('refuses a repeated sub in the claims', async () => {
    expectRefused(
      await whoamiWithClaims(withSub('lb-brent.practitioner', 'lb-brent.ig-lead')),
      401,
      'MALFORMED_CLAIMS',
    );
  });

  it('refuses a repeated sub spelt with an escape', async () => {
    expectRefused(
      await whoamiWithClaims((c) =>
        withSub('lb-brent.practitioner')(c).replace(/^\{/, '{"\\u0073ub":"lb-brent.ig-lead",'),
      ),
      401,
      'MALFORMED_CLAIMS',
    );
  });

  it('refuses a repeated member in the protected header', async () => {
    const header = JSON.stringify(headerFor(brentKey)).replace(/^\{/, '{"alg":"none",');
    expectRefused(await whoamiWithClaims((c) => c, header), 401, 'MALFORMED_HEADER');
  });

  it('refuses a repeated member in a body, at any depth', async () => {
    const top = JSON.stringify(mashRequest()).replace(/^\{/, '{"urgency":"routine",');
    expectRefused(await rawCall(brent, 'POST', '/v1/requests', top), 400, 'MALFORMED_JSON');
    const inner = JSON.stringify(mashRequest()).replace(/"state":/, '"state":"not-applicable","state":');
    expectRefused(await rawCall(brent, 'POST', '/v1/requests', inner), 400, 'MALFORMED_JSON');
  });
});

describe('finding 10: the scheme is PBX-JWS and exactly one space', () => {
  it('refuses two spaces after the scheme as UNSUPPORTED_AUTH_SCHEME', async () => {
    const signed = await brent.sign('GET', '/v1/whoami');
    expectRefused(
      await brent.send('GET', '/v1/whoami', undefined, `PBX-JWS  ${signed.token}`),
      401,
      'UNSUPPORTED_AUTH_SCHEME',
    );
  });
});

describe('the limits are published', () => {
  it('GET /v1/openapi.json states maxLength, maxItems and uniqueItems of the submission', async () => {
    const document = (await (await fetch(`${exchange.url}/v1/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const submission = document.components.schemas.DataRequestSubmission?.properties ?? {};
    expect(submission.dataCategories).toMatchObject({ maxItems: expect.any(Number), uniqueItems: true });
    expect(submission.lawfulBasis).toMatchObject({ maxItems: expect.any(Number), uniqueItems: true });
    expect(submission.justification).toMatchObject({ maxLength: 4000 });
    expect(submission.agreementId).toMatchObject({ pattern: expect.any(String) });
    expect(document.components.schemas.DataRequestSubmission).toMatchObject({ additionalProperties: false });
  });
});
