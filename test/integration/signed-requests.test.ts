import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import { authenticationErrorCodes } from '#shared/domain/errors.ts';
import { clientKeySchema } from '#shared/domain/registry/client-key.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

// One exchange for the whole file, on an ephemeral data dir. Tests that change keys each use their own seeded
// client, so they do not depend on one another's order.
let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let audit: DynamoAuditLog;

beforeAll(async () => {
  exchange = await startExchange({ dynamoDb: sharedDynamoDb() });
  dynamo = localDynamoClient(exchange);
  audit = new DynamoAuditLog(createDocumentClient(dynamo), exchange.tableName('audit'));
});

afterAll(async () => {
  dynamo?.destroy();
  await exchange?.stop();
});

type Body = Record<string, unknown>;
/** A response, with the hash of the token that was sent: the request's identity in the audit log. */
type Answer = { readonly status: number; readonly body: Body; readonly requestHash: string };

const seededKey = (clientId: string): Promise<PrivateJwk> =>
  readPrivateKey(localKeyFile(exchange.keysDir, clientId));

const callerOf = async (clientId: string, options: { key?: PrivateJwk; subject?: string } = {}) =>
  new PbxClient({
    url: exchange.url,
    clientId,
    key: options.key ?? (await seededKey(clientId)),
    audience: exchange.exchangeId,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
  });

const keysPath = (clientId: string) => `/v1/clients/${clientId}/keys`;

/** A signed call, as PbxClient.call makes it, that also says which request hash the audit log will carry. */
const signedCall = async (
  caller: PbxClient,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> => {
  const bytes = body === undefined ? undefined : JSON.stringify(body);
  const signed = await caller.sign(method, path, bytes);
  const response = await caller.send<Body>(
    method,
    path,
    bytes === undefined ? undefined : signed.body,
    signed.authorization,
  );
  return { ...response, requestHash: sha256Base64url(signed.token) };
};

const whoami = (caller: PbxClient) => signedCall(caller, 'GET', '/v1/whoami');

const theOnly = (entries: AuditEntry[]): AuditEntry => {
  const [entry] = entries;
  if (entry === undefined || entries.length !== 1)
    throw new Error(`expected one audit entry, not ${entries.length}`);
  return entry;
};

const entriesFor = async (requestHash: string): Promise<AuditEntry[]> =>
  (await audit.readAll()).filter((e) => e.requestHash === requestHash);

/** The request was refused with this status and code, and exactly one audit entry records why. */
const expectRefused = async (
  answer: Answer,
  status: number,
  code: string,
  action = 'request.authenticate',
): Promise<AuditEntry> => {
  expect({ status: answer.status, error: answer.body.error }).toEqual({ status, error: code });
  const entries = await entriesFor(answer.requestHash);
  expect(entries).toEqual([expect.objectContaining({ action, outcome: 'refused', reasonCodes: [code] })]);
  return theOnly(entries);
};

/** The key change was made, and exactly one 'allowed' audit entry records it. */
const expectAllowed = async (
  answer: Answer,
  status: number,
  action: 'registry.client-key.add' | 'registry.client-key.revoke',
  target: string,
): Promise<AuditEntry> => {
  expect(answer.status).toBe(status);
  const entries = await entriesFor(answer.requestHash);
  expect(entries).toEqual([
    expect.objectContaining({
      action,
      outcome: 'allowed',
      reasonCodes: [],
      target: { type: 'client-key', id: target },
    }),
  ]);
  return theOnly(entries);
};

/** A client's keys by kid, as any signed client may list them (here one whose keys no test changes). */
const listedKids = async (clientId: string): Promise<Record<string, unknown>> => {
  const listed = await (await callerOf('bhr-cdop-system')).listKeys(clientId);
  expect(listed.status).toBe(200);
  const { keys } = z.object({ keys: z.array(clientKeySchema) }).parse(listed.body);
  expect(keys.every((k) => k.clientId === clientId)).toBe(true);
  return Object.fromEntries(keys.map((k) => [k.kid, k.status]));
};

const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The token with one character changed: the top bit of its 6-bit value is flipped, which is a data bit even in
 * the last character of a segment (the low bits there may be padding that decoders ignore).
 */
const flipCharacter = (token: string, at: number): string =>
  `${token.slice(0, at)}${base64url.charAt((base64url.indexOf(token.charAt(at)) + 32) % 64)}${token.slice(at + 1)}`;

describe('GET /v1/whoami', () => {
  const seeded = (clientId: string) => {
    const client = registrySeed.clients.find((c) => c.id === clientId);
    const organisation = registrySeed.organisations.find((o) => o.id === client?.organisationId);
    if (client === undefined || organisation === undefined) throw new Error(`${clientId} is not seeded`);
    return { client, organisation };
  };

  it('names the client, its organisation and the key of a signed request, with no user', async () => {
    const key = await seededKey('lb-brent-system');
    const { client, organisation } = seeded('lb-brent-system');
    const { status, body } = await whoami(await callerOf('lb-brent-system'));
    expect(status).toBe(200);
    expect(body).toEqual({
      client: { id: client.id, name: client.name },
      organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind },
      user: null,
      key: { kid: key.kid, alg: 'ES256' },
    });
  });

  it('names the user when the client acts for an IG lead of its organisation', async () => {
    const user = registrySeed.users.find((u) => u.id === 'lb-brent.ig-lead');
    const { status, body } = await whoami(await callerOf('lb-brent-system', { subject: 'lb-brent.ig-lead' }));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      client: { id: 'lb-brent-system' },
      user: { id: 'lb-brent.ig-lead', displayName: user?.displayName, roles: ['ig-lead'] },
    });
  });

  it.each([
    ['a user of another organisation', 'lb-harrow.ig-lead', 'USER_NOT_OF_ORGANISATION'],
    ['a user the registry does not know', 'lb-brent.nobody', 'UNKNOWN_USER'],
  ])('refuses a client vouching for %s', async (_, subject, code) => {
    const answer = await whoami(await callerOf('lb-brent-system', { subject }));
    const entry = await expectRefused(answer, 401, code);
    expect(entry.actor).toEqual({
      kind: 'anonymous',
      claimedClientId: 'lb-brent-system',
      claimedKeyId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(entry.target).toEqual({ type: 'route', id: 'GET /v1/whoami' });
  });
});

describe('a signed request altered in transit', () => {
  it('is refused with URI_MISMATCH when one character of the path or query changes', async () => {
    const caller = await callerOf('lb-brent-system');
    const path = keysPath('lb-brent-system');
    const signedPath = await caller.sign('GET', path);
    const pathAnswer = await caller.send<Body>(
      'GET',
      path.replace('lb-brent-system', 'lb-brent-systen'),
      undefined,
      signedPath.authorization,
    );
    await expectRefused(
      { ...pathAnswer, requestHash: sha256Base64url(signedPath.token) },
      401,
      'URI_MISMATCH',
    );

    const signedQuery = await caller.sign('GET', '/v1/whoami?view=full');
    const queryAnswer = await caller.send<Body>(
      'GET',
      '/v1/whoami?view=fulL',
      undefined,
      signedQuery.authorization,
    );
    await expectRefused(
      { ...queryAnswer, requestHash: sha256Base64url(signedQuery.token) },
      401,
      'URI_MISMATCH',
    );
  });

  it("is refused with KEY_NOT_OWNED_BY_ISSUER when signed with another client's key", async () => {
    const impostor = await callerOf('lb-brent-system', { key: await seededKey('lb-harrow-system') });
    const entry = await expectRefused(await whoami(impostor), 401, 'KEY_NOT_OWNED_BY_ISSUER');
    expect(entry.actor).toEqual({
      kind: 'anonymous',
      claimedClientId: 'lb-brent-system',
      claimedKeyId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('is refused with METHOD_MISMATCH when sent with another method', async () => {
    const caller = await callerOf('lb-brent-system');
    const signed = await caller.sign('GET', keysPath('lb-brent-system'));
    const answer = await caller.send<Body>(
      'POST',
      keysPath('lb-brent-system'),
      undefined,
      signed.authorization,
    );
    await expectRefused({ ...answer, requestHash: sha256Base64url(signed.token) }, 401, 'METHOD_MISMATCH');
  });

  it('is refused with BODY_DIGEST_MISMATCH when one character of a POST body changes, changing nothing', async () => {
    const caller = await callerOf('lb-harrow-system');
    const offered = publicJwkOf(await generateSigningKey());
    const text = JSON.stringify({ jwk: offered });
    const signed = await caller.sign('POST', keysPath('lb-harrow-system'), text);
    const at = text.indexOf(offered.x) + 5;
    const tampered = `${text.slice(0, at)}${text.charAt(at) === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    expect(tampered).toHaveLength(text.length);
    const answer = await caller.send<Body>(
      'POST',
      keysPath('lb-harrow-system'),
      new TextEncoder().encode(tampered),
      signed.authorization,
    );
    await expectRefused(
      { ...answer, requestHash: sha256Base64url(signed.token) },
      401,
      'BODY_DIGEST_MISMATCH',
    );
    expect(await listedKids('lb-harrow-system')).not.toHaveProperty(offered.kid);
  });

  it('is refused, with its reason audited, when any one character of the token changes', async () => {
    const caller = await callerOf('lb-brent-system');
    const signed = await caller.sign('GET', '/v1/whoami');
    const signatureStart = signed.token.lastIndexOf('.') + 1;
    // Every character of the signature, and every third one of header and claims plus each segment's last (the
    // exhaustive probe belongs in unit tests; here each probe costs a round trip and a DynamoDB Local write).
    const positions = [...signed.token].flatMap((c, at) =>
      c !== '.' && (at >= signatureStart || at % 3 === 0 || signed.token.charAt(at + 1) === '.') ? [at] : [],
    );

    const probes: { at: number; hash: string; status: number; error: unknown }[] = [];
    // In batches: every probe is a full verification against DynamoDB Local and leaves an audit entry.
    for (let i = 0; i < positions.length; i += 32) {
      const batch = await Promise.all(
        positions.slice(i, i + 32).map(async (at) => {
          const token = flipCharacter(signed.token, at);
          const { status, body } = await caller.send<Body>(
            'GET',
            '/v1/whoami',
            undefined,
            `PBX-JWS ${token}`,
          );
          return { at, hash: sha256Base64url(token), status, error: body.error };
        }),
      );
      probes.push(...batch);
    }

    expect(probes.filter((p) => p.status !== 401)).toEqual([]);
    expect(probes.filter((p) => !(authenticationErrorCodes as readonly unknown[]).includes(p.error))).toEqual(
      [],
    );
    expect(probes.filter((p) => p.error === 'REPLAYED')).toEqual([]);
    // With header and claims intact, the registered key is found and only the signature can fail.
    const signatureProbes = probes.filter((p) => p.at >= signatureStart);
    expect(signatureProbes.length).toBeGreaterThan(80);
    expect(new Set(signatureProbes.map((p) => p.error))).toEqual(new Set(['BAD_SIGNATURE']));

    const entries = await audit.readAll();
    for (const probe of probes) {
      expect(entries.filter((e) => e.requestHash === probe.hash)).toEqual([
        expect.objectContaining({
          action: 'request.authenticate',
          outcome: 'refused',
          reasonCodes: [probe.error],
        }),
      ]);
    }

    // No refused probe consumed the token's jti: the untouched token is still good, once.
    const original = await caller.send<Body>('GET', '/v1/whoami', undefined, signed.authorization);
    expect(original.status).toBe(200);
    const again = await caller.send<Body>('GET', '/v1/whoami', undefined, signed.authorization);
    expect({ status: again.status, error: again.body.error }).toEqual({ status: 401, error: 'REPLAYED' });
  });
});

describe('replay', () => {
  it('lets exactly one of 50 identical requests sent at once through, and audits 49 REPLAYED', async () => {
    const caller = await callerOf('lb-redbridge-system');
    const signed = await caller.sign('GET', '/v1/whoami');
    const requestHash = sha256Base64url(signed.token);

    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        caller.send<Body>('GET', '/v1/whoami', undefined, signed.authorization),
      ),
    );

    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(49);
    expect(refused.every((a) => a.status === 401 && a.body.error === 'REPLAYED')).toBe(true);

    // The one answered 200 is audited too, as an api.answer (shared/http/operation-handler.ts); the others as refusals.
    const [allowed, ...entries] = [...(await entriesFor(requestHash))].sort(
      (a, b) => Number(b.action === 'api.answer') - Number(a.action === 'api.answer'),
    );
    expect(allowed).toMatchObject({ action: 'api.answer', outcome: 'allowed', requestHash });
    expect(entries).toHaveLength(49);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        action: 'request.authenticate',
        outcome: 'refused',
        reasonCodes: ['REPLAYED'],
        requestHash,
        actor: {
          kind: 'anonymous',
          claimedClientId: 'lb-redbridge-system',
          claimedKeyId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        },
        target: { type: 'route', id: 'GET /v1/whoami' },
      });
    }
  });
});

describe('client key lifecycle', () => {
  it('rotates: a new key is added, both keys work, and the old one stops at once when revoked', async () => {
    const clientId = 'lb-havering-system';
    const oldKey = await seededKey(clientId);
    const newKey = await generateSigningKey('EdDSA');
    const asOld = await callerOf(clientId, { key: oldKey });
    const asNew = await callerOf(clientId, { key: newKey });

    const added = await signedCall(asOld, 'POST', keysPath(clientId), { jwk: publicJwkOf(newKey) });
    const addEntry = await expectAllowed(added, 201, 'registry.client-key.add', `${clientId}/${newKey.kid}`);
    expect(addEntry.actor).toEqual({ kind: 'client', clientId, organisationId: 'lb-havering' });
    expect(added.body.key).toMatchObject({ clientId, kid: newKey.kid, alg: 'EdDSA', status: 'active' });
    expect(added.body.key).not.toHaveProperty('jwk.d');

    // The overlap: both keys are good until the old one is revoked.
    const [viaOld, viaNew] = await Promise.all([whoami(asOld), whoami(asNew)]);
    expect(viaOld).toMatchObject({ status: 200, body: { key: { kid: oldKey.kid, alg: 'ES256' } } });
    expect(viaNew).toMatchObject({ status: 200, body: { key: { kid: newKey.kid, alg: 'EdDSA' } } });
    expect(await listedKids(clientId)).toEqual({ [oldKey.kid]: 'active', [newKey.kid]: 'active' });

    const revoked = await signedCall(asNew, 'DELETE', `${keysPath(clientId)}/${oldKey.kid}`);
    await expectAllowed(revoked, 200, 'registry.client-key.revoke', `${clientId}/${oldKey.kid}`);
    expect(revoked.body.key).toMatchObject({
      kid: oldKey.kid,
      status: 'revoked',
      revokedAt: expect.any(String),
    });

    await expectRefused(await whoami(asOld), 401, 'KEY_REVOKED');
    expect((await whoami(asNew)).status).toBe(200);
    expect(await listedKids(clientId)).toEqual({ [oldKey.kid]: 'revoked', [newKey.kid]: 'active' });

    // A revoked key cannot be brought back: its kid stays taken.
    await expectRefused(
      await signedCall(asNew, 'POST', keysPath(clientId), { jwk: publicJwkOf(oldKey) }),
      409,
      'KEY_ID_TAKEN',
      'registry.client-key.add',
    );
  });

  it('honours notBefore and notAfter: a key works only inside its window', async () => {
    const clientId = 'lb-barking-dagenham-system';
    const owner = await callerOf(clientId);
    const early = await generateSigningKey();
    const brief = await generateSigningKey();
    const asEarly = await callerOf(clientId, { key: early });
    const asBrief = await callerOf(clientId, { key: brief });
    const boundary = new Date(Date.now() + 2_000);

    // The handlers read the system clock, so the window is crossed in real time: everything that must happen
    // before the boundary is sent first, and checked (audit scans included) afterwards.
    const addEarly = await signedCall(owner, 'POST', keysPath(clientId), {
      jwk: publicJwkOf(early),
      notBefore: boundary.toISOString(),
    });
    const addBrief = await signedCall(owner, 'POST', keysPath(clientId), {
      jwk: publicJwkOf(brief),
      notAfter: boundary.toISOString(),
    });
    const earlyBefore = await whoami(asEarly);
    const briefBefore = await whoami(asBrief);
    expect(Date.now()).toBeLessThan(boundary.getTime());

    await expectAllowed(addEarly, 201, 'registry.client-key.add', `${clientId}/${early.kid}`);
    expect(addEarly.body.key).toMatchObject({ notBefore: boundary.toISOString() });
    await expectAllowed(addBrief, 201, 'registry.client-key.add', `${clientId}/${brief.kid}`);
    expect(addBrief.body.key).toMatchObject({ notAfter: boundary.toISOString() });
    await expectRefused(earlyBefore, 401, 'KEY_NOT_YET_VALID');
    expect(briefBefore.status).toBe(200);

    await sleep(Math.max(0, boundary.getTime() - Date.now()) + 50);
    expect((await whoami(asEarly)).status).toBe(200);
    await expectRefused(await whoami(asBrief), 401, 'KEY_EXPIRED');
  });

  it('refuses at add time a key whose window has already closed, whatever its notBefore', async () => {
    const clientId = 'lb-barnet-system';
    const owner = await callerOf(clientId);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const stale = await generateSigningKey();

    const refused = await signedCall(owner, 'POST', keysPath(clientId), {
      jwk: publicJwkOf(stale),
      notAfter: hourAgo,
    });
    await expectRefused(refused, 400, 'INVALID_INPUT', 'registry.client-key.add');
    expect(await listedKids(clientId)).not.toHaveProperty(stale.kid);

    // A window that opened and closed in the past would register a key that can never be used.
    const expired = await signedCall(owner, 'POST', keysPath(clientId), {
      jwk: publicJwkOf(stale),
      notBefore: new Date(Date.now() - 7_200_000).toISOString(),
      notAfter: hourAgo,
    });
    await expectRefused(expired, 400, 'INVALID_INPUT', 'registry.client-key.add');
    expect(await listedKids(clientId)).not.toHaveProperty(stale.kid);
  });

  it('refuses private key material with 400 PRIVATE_KEY_MATERIAL and never echoes it', async () => {
    const clientId = 'bedford-borough-system';
    const leaked = await generateSigningKey();
    const answer = await signedCall(await callerOf(clientId), 'POST', keysPath(clientId), { jwk: leaked });
    const entry = await expectRefused(answer, 400, 'PRIVATE_KEY_MATERIAL', 'registry.client-key.add');
    expect(JSON.stringify(answer.body)).not.toContain(leaked.d);
    expect(JSON.stringify(entry)).not.toContain(leaked.d);
    expect(await listedKids(clientId)).not.toHaveProperty(leaked.kid);
  });

  it('refuses a key id another client holds, or the client holds already, with 409 KEY_ID_TAKEN', async () => {
    const clientId = 'central-bedfordshire-system';
    const owner = await callerOf(clientId);
    const othersKey = await seededKey('met-ea-bcu-system');
    const ownKey = await seededKey(clientId);
    const sameKidNewMaterial = { ...publicJwkOf(await generateSigningKey()), kid: othersKey.kid };

    for (const jwk of [publicJwkOf(othersKey), sameKidNewMaterial, publicJwkOf(ownKey)]) {
      const answer = await signedCall(owner, 'POST', keysPath(clientId), { jwk });
      await expectRefused(answer, 409, 'KEY_ID_TAKEN', 'registry.client-key.add');
    }
    expect(await listedKids(clientId)).toEqual({ [ownKey.kid]: 'active' });
    expect((await whoami(await callerOf('met-ea-bcu-system'))).status).toBe(200);
  });

  it('refuses a client revoking its own last usable key with 409 LAST_ACTIVE_KEY; the key keeps working', async () => {
    const clientId = 'luton-borough-system';
    const owner = await callerOf(clientId);
    const key = await seededKey(clientId);

    await expectRefused(
      await signedCall(owner, 'DELETE', `${keysPath(clientId)}/${key.kid}`),
      409,
      'LAST_ACTIVE_KEY',
      'registry.client-key.revoke',
    );
    // A key that is not valid yet does not count as usable.
    const pending = await generateSigningKey();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const added = await signedCall(owner, 'POST', keysPath(clientId), {
      jwk: publicJwkOf(pending),
      notBefore: inAnHour,
    });
    expect(added.status).toBe(201);
    await expectRefused(
      await signedCall(owner, 'DELETE', `${keysPath(clientId)}/${key.kid}`),
      409,
      'LAST_ACTIVE_KEY',
      'registry.client-key.revoke',
    );
    await expectRefused(
      await signedCall(owner, 'DELETE', `${keysPath(clientId)}/no-such-key-id`),
      404,
      'NOT_FOUND',
      'registry.client-key.revoke',
    );

    expect((await whoami(owner)).status).toBe(200);
    expect(await listedKids(clientId)).toEqual({ [key.kid]: 'active', [pending.kid]: 'active' });
  });

  it.each([
    ['a client of another organisation', 'met-nw-bcu-system', undefined],
    ['an IG lead of another organisation', 'met-nw-bcu-system', 'met-nw-bcu.ig-lead'],
    ['the operator client acting for no user', 'pbx-operations-system', undefined],
  ])('refuses %s managing the keys of a client with 403 NOT_PERMITTED', async (_, callerId, subject) => {
    const clientId = 'milton-keynes-cdop-system';
    const caller = await callerOf(callerId, subject === undefined ? {} : { subject });
    const target = await seededKey(clientId);
    const offered = await generateSigningKey();

    await expectRefused(
      await signedCall(caller, 'POST', keysPath(clientId), { jwk: publicJwkOf(offered) }),
      403,
      'NOT_PERMITTED',
      'registry.client-key.add',
    );
    const entry = await expectRefused(
      await signedCall(caller, 'DELETE', `${keysPath(clientId)}/${target.kid}`),
      403,
      'NOT_PERMITTED',
      'registry.client-key.revoke',
    );
    expect(entry.actor).toMatchObject({ kind: 'client', clientId: callerId });
    expect(entry.target).toEqual({ type: 'client-key', id: `${clientId}/${target.kid}` });
    expect(await listedKids(clientId)).toEqual({ [target.kid]: 'active' });
  });

  // Each self-revocation's transaction re-checks that the other key it relied on is still active, so of two
  // revocations sent at once one commits and the other is refused (or fails closed on a transaction conflict).
  it('never lets concurrent self-revocations revoke every usable key of a client', async () => {
    const clientId = 'luton-ccg-system';
    const operator = await callerOf('pbx-operations-system', { subject: 'pbx-operations.operator' });
    const held = [await seededKey(clientId)];
    for (let round = 0; round < 10; round += 1) {
      const keys = [await generateSigningKey(), await generateSigningKey()];
      for (const key of keys) {
        expect((await operator.addKey(publicJwkOf(key), { clientId })).status).toBe(201);
      }
      held.push(...keys);
      // Every key of the client that is still active revokes itself, all at the same time.
      const listed = await listedKids(clientId);
      const active = held.filter((k) => listed[k.kid] === 'active');
      await Promise.all(active.map(async (key) => (await callerOf(clientId, { key })).revokeKey(key.kid)));
      expect(Object.values(await listedKids(clientId))).toContain('active');
    }
  });

  it("lets the operator revoke any client's key, even its last one, and give it a new one", async () => {
    const clientId = 'milton-keynes-system';
    const operator = await callerOf('pbx-operations-system', { subject: 'pbx-operations.operator' });
    const key = await seededKey(clientId);

    const revoked = await signedCall(operator, 'DELETE', `${keysPath(clientId)}/${key.kid}`);
    const entry = await expectAllowed(revoked, 200, 'registry.client-key.revoke', `${clientId}/${key.kid}`);
    expect(entry.actor).toEqual({
      kind: 'client',
      clientId: 'pbx-operations-system',
      organisationId: 'pbx-operations',
      userId: 'pbx-operations.operator',
      role: 'operator',
    });
    await expectRefused(await whoami(await callerOf(clientId)), 401, 'KEY_REVOKED');

    const replacement = await generateSigningKey();
    const added = await signedCall(operator, 'POST', keysPath(clientId), { jwk: publicJwkOf(replacement) });
    await expectAllowed(added, 201, 'registry.client-key.add', `${clientId}/${replacement.kid}`);
    expect((await whoami(await callerOf(clientId, { key: replacement }))).status).toBe(200);
  });
});

describe('public and unsigned access', () => {
  it('serves discovery without a signature', async () => {
    const response = await fetch(`${exchange.url}/.well-known/pbx-exchange`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      exchangeId: exchange.exchangeId,
      algorithms: ['ES256', 'EdDSA'],
      authorizationScheme: 'PBX-JWS',
      tokenType: 'pbx-req+jwt',
    });
  });

  it.each([
    ['no Authorization header', undefined, 'MISSING_AUTHORIZATION'],
    ['another scheme', 'Bearer abc.def.ghi', 'UNSUPPORTED_AUTH_SCHEME'],
  ])('refuses a signed route called with %s, and audits it', async (_, authorization, code) => {
    const route = 'GET /v1/clients/{clientId}/keys';
    const refusals = async () =>
      (await audit.readAll()).filter(
        (e) => e.action === 'request.authenticate' && e.target?.id === route && e.reasonCodes[0] === code,
      ).length;
    const before = await refusals();
    const response = await fetch(`${exchange.url}${keysPath('lb-brent-system')}`, {
      ...(authorization === undefined ? {} : { headers: { authorization } }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as Body).error).toBe(code);
    expect(await refusals()).toBe(before + 1);
  });
});
