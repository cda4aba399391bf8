import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { localKeyFile, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localTableName } from '#local/provision.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { NodeSignatureVerifier } from '#shared/adapters/crypto/node-signature-verifier.ts';
import { CachedRegistryReader } from '#shared/adapters/dynamodb/cached-registry-reader.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoNonceStore } from '#shared/adapters/dynamodb/nonce-store.ts';
import { DynamoRegistryReader, DynamoRegistryStore } from '#shared/adapters/dynamodb/registry-store.ts';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { type AuditEntry, newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import { verifySignedRequest } from '#shared/domain/auth/verify-signed-request.ts';
import { AuthenticationError } from '#shared/domain/errors.ts';
import { type ClientKey, newClientKey } from '#shared/domain/registry/client-key.ts';
import { faultKinds } from '../support/fault-injection.ts';
import { clientOf, localDynamoClient } from '../support/local-exchange-clients.ts';

// Issue 14: the registry is read once per warm container, and every use checks one item, the registry's
// generation, which every registry write replaces in its own transaction. A revoked key is still refused on the
// next request, whichever process or reader instance revoked it; a check that fails answers 503, never the cache.
//
// The exchange's handlers run in this process, so a spy on the document client's `send` (calling through) sees
// every DynamoDB call they make; it also injects the faults.

let exchange: RunningExchange;
let dynamo: DynamoDBClient;
/** A writer of the registry that is not the exchange's: another Lambda container, as far as the cache knows. */
let otherWriter: DynamoRegistryStore;
let doc: DynamoDBDocumentClient;

const registryTable = localTableName('registry');
const realSend = DynamoDBDocumentClient.prototype.send;
const send = vi.spyOn(DynamoDBDocumentClient.prototype, 'send');

type SentCommand = { constructor: { name: string }; input: Record<string, unknown> };
type Call = { command: string; input: Record<string, unknown> };

const callsSince = (from: number): Call[] =>
  send.mock.calls.slice(from).map(([command]) => {
    const sent = command as unknown as SentCommand;
    return { command: sent.constructor.name, input: sent.input };
  });

const isGenerationRead = (call: Call) =>
  call.command === 'GetCommand' &&
  call.input.TableName === registryTable &&
  (call.input.Key as { pk?: string })?.pk === 'REGISTRY';

/** The DynamoDB calls the exchange made on the registry table while `act` ran. */
const registryCallsDuring = async <T>(act: () => Promise<T>): Promise<{ result: T; calls: Call[] }> => {
  const from = send.mock.calls.length;
  const result = await act();
  return { result, calls: callsSince(from).filter((c) => c.input.TableName === registryTable) };
};

beforeAll(async () => {
  exchange = await startExchange({ schedules: false });
  dynamo = localDynamoClient(exchange);
  doc = createDocumentClient(dynamo);
  otherWriter = new DynamoRegistryStore(doc, {
    registry: registryTable,
    audit: localTableName('audit'),
  });
});

afterEach(() => {
  send.mockImplementation(realSend as never);
});

afterAll(async () => {
  send.mockRestore();
  dynamo?.destroy();
  await exchange?.stop();
});

const seededKey = (clientId: string): Promise<PrivateJwk> =>
  readPrivateKey(localKeyFile(exchange.keysDir, clientId));

const callerOf = (clientId: string, options: { key?: PrivateJwk; subject?: string } = {}) =>
  clientOf(exchange, clientId, options);

const expectAnswered = (answer: { status: number; body: unknown }, status: number, error: string) =>
  expect({ status: answer.status, error: (answer.body as { error?: string }).error }).toEqual({
    status,
    error,
  });

const systemEntry = (action: string, target: AuditEntry['target']): AuditEntry =>
  newAuditEntry({ actor: systemActor, action, target, outcome: 'allowed' }, new Date());

/** What the registry table holds of a client's key. */
const storedKey = async (clientId: string, kid: string): Promise<ClientKey> => {
  const [stored] = (await otherWriter.getClientKeys(clientId)).filter((k) => k.kid === kid);
  if (stored === undefined) throw new Error(`no key ${kid} of ${clientId}`);
  return stored;
};

const revokedBy = (writer: DynamoRegistryStore, key: ClientKey) => {
  const now = new Date();
  return writer.replaceClientKey(
    key,
    { ...key, status: 'revoked', revokedAt: now.toISOString() },
    systemEntry('registry.client-key.revoke', { type: 'client-key', id: `${key.clientId}/${key.kid}` }),
  );
};

describe('a warm exchange', () => {
  it('serves a submission without reading the registry again: one generation read per check', async () => {
    const brent = await callerOf('lb-brent-system', { subject: 'lb-brent.practitioner' });
    const submission = brentAsksHarrow(`sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`);
    expect((await brent.submitRequest(submission)).status).toBe(201);

    const { result, calls } = await registryCallsDuring(() => brent.submitRequest(submission));
    expect(result.status).toBe(201);
    // Every registry call of the warm submission is a strongly consistent read of the generation item.
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !isGenerationRead(c))).toEqual([]);
    expect(calls.every((c) => c.input.ConsistentRead === true)).toBe(true);
  });

  it('reads the registry again once it changed, then serves from memory', async () => {
    const brent = await callerOf('lb-brent-system', { subject: 'lb-brent.practitioner' });
    expect((await brent.whoami()).status).toBe(200);

    const key = await generateSigningKey();
    const added = await otherWriter.addClientKey(
      newClientKey('lb-brent-system', publicJwkOf(key), new Date()),
      systemEntry('registry.client-key.add', { type: 'client-key', id: `lb-brent-system/${key.kid}` }),
    );
    expect(added.created).toBe(true);

    // The key another writer added works at once: the generation changed, so the registry is read again...
    const viaNew = await callerOf('lb-brent-system', { key });
    const first = await registryCallsDuring(() => viaNew.whoami());
    expect(first.result.status).toBe(200);
    expect(first.calls.some((c) => c.command === 'QueryCommand')).toBe(true);
    // ...once: the next request checks the generation only.
    const second = await registryCallsDuring(() => viaNew.whoami());
    expect(second.result.status).toBe(200);
    expect(second.calls.filter((c) => !isGenerationRead(c))).toEqual([]);
  });
});

describe('a revoked key', () => {
  it('is refused at once on the next request when revoked through the API', async () => {
    const clientId = 'lb-redbridge-system';
    const oldKey = await seededKey(clientId);
    const newKey = await generateSigningKey();
    const asOld = await callerOf(clientId, { key: oldKey });
    expect((await asOld.addKey(publicJwkOf(newKey))).status).toBe(201);
    const asNew = await callerOf(clientId, { key: newKey });
    // Both keys are in the warm cache.
    expect((await asOld.whoami()).status).toBe(200);
    expect((await asNew.whoami()).status).toBe(200);

    expect((await asNew.revokeKey(oldKey.kid)).status).toBe(200);
    expectAnswered(await asOld.whoami(), 401, 'KEY_REVOKED');
    expect((await asNew.whoami()).status).toBe(200);
  });

  it('is refused at once on the next request when another process revoked it', async () => {
    const clientId = 'lb-havering-system';
    const key = await seededKey(clientId);
    const caller = await callerOf(clientId, { key });
    expect((await caller.whoami()).status).toBe(200);

    // Another container revokes the key: nothing in this process hears of it but the generation item.
    expect(await revokedBy(otherWriter, await storedKey(clientId, key.kid))).toBe(true);

    expectAnswered(await caller.whoami(), 401, 'KEY_REVOKED');
  });

  it('is refused at once by a warm reader of its own when the exchange revoked it', async () => {
    const clientId = 'lb-barking-dagenham-system';
    const oldKey = await seededKey(clientId);
    const newKey = await generateSigningKey();
    const asOld = await callerOf(clientId, { key: oldKey });
    expect((await asOld.addKey(publicJwkOf(newKey))).status).toBe(201);

    // A second reader on the same table, as another container's would be, warm before the revocation.
    const reader = new CachedRegistryReader(new DynamoRegistryReader(doc, registryTable));
    const deps = {
      registry: reader,
      signatures: new NodeSignatureVerifier(),
      nonces: new DynamoNonceStore(doc, localTableName('nonces')),
    };
    const verified = async () => {
      const signed = await asOld.sign('GET', '/v1/whoami');
      const input = {
        authorization: signed.authorization,
        method: 'GET',
        pathAndQuery: '/v1/whoami',
        body: new Uint8Array(),
      };
      return verifySignedRequest(deps, input, { exchangeId: exchange.exchangeId, now: new Date() }).then(
        (principal) => principal.kid,
        (error: unknown) => (error as { error?: unknown }).error,
      );
    };
    expect(await verified()).toBe(oldKey.kid);

    expect((await (await callerOf(clientId, { key: newKey })).revokeKey(oldKey.kid)).status).toBe(200);
    const refusal = await verified();
    expect(refusal).toBeInstanceOf(AuthenticationError);
    expect((refusal as AuthenticationError).code).toBe('KEY_REVOKED');
  });
});

describe('the registry generation', () => {
  it('is replaced by every registry write, in its transaction, and by no write that changed nothing', async () => {
    const suffix = randomBytes(4).toString('hex');
    const organisation = {
      id: `test-org-${suffix}`,
      name: 'Test organisation',
      kind: 'local-authority',
    } as const;
    const key = newClientKey(
      `test-org-${suffix}-system`,
      publicJwkOf(await generateSigningKey()),
      new Date(),
    );
    const target = (type: string, id: string) => ({ type, id });
    const writes: [name: string, write: () => Promise<unknown>][] = [
      [
        'organisation',
        () =>
          otherWriter.createOrganisation(
            organisation,
            systemEntry('registry.organisation.create', target('organisation', organisation.id)),
          ),
      ],
      [
        'footprint',
        () =>
          otherWriter.createFootprint(
            {
              id: `test-area-${suffix}`,
              name: 'Test area',
              kind: 'safeguarding-partnership',
              validFrom: '2026-01-01',
              memberships: [{ organisationId: organisation.id, from: '2026-01-01' }],
            },
            systemEntry('registry.footprint.create', target('footprint', `test-area-${suffix}`)),
          ),
      ],
      [
        'client',
        () =>
          otherWriter.createClient(
            { id: key.clientId, organisationId: organisation.id, name: 'Test system', status: 'active' },
            systemEntry('registry.client.create', target('client', key.clientId)),
          ),
      ],
      [
        'user',
        () =>
          otherWriter.createUser(
            {
              id: `${organisation.id}.ig-lead`,
              organisationId: organisation.id,
              displayName: 'Test IG lead',
              roles: ['ig-lead'],
              status: 'active',
            },
            systemEntry('registry.user.create', target('user', `${organisation.id}.ig-lead`)),
          ),
      ],
      [
        'key',
        () =>
          otherWriter.addClientKey(
            key,
            systemEntry('registry.client-key.add', target('client-key', key.kid)),
          ),
      ],
      ['key revocation', () => revokedBy(otherWriter, key)],
      [
        'witness',
        () =>
          otherWriter.createWitness(
            {
              name: `test-witness-${suffix}`,
              verifierKey: `test-witness-${suffix}+00000000+AAAA`,
              organisationId: organisation.id,
              registeredBy: `${organisation.id}.ig-lead`,
              registeredAt: new Date().toISOString(),
            },
            systemEntry('registry.witness.register', target('witness', `test-witness-${suffix}`)),
          ),
      ],
    ];

    // Seeding the exchange wrote the registry, so it has a generation.
    let generation = await otherWriter.readGeneration();
    expect(generation).toEqual(expect.any(String));
    for (const [name, write] of writes) {
      const from = send.mock.calls.length;
      expect({ name, outcome: await write() }).toMatchObject({ name, outcome: expect.anything() });
      const next = await otherWriter.readGeneration();
      expect({ name, changed: next !== generation }).toEqual({ name, changed: true });
      const puts = callsSince(from)
        .filter((c) => c.command === 'TransactWriteCommand')
        .flatMap(
          (c) =>
            c.input.TransactItems as { Put?: { Item: { pk: string; sk: string; generation?: string } } }[],
        );
      expect({ name, puts: puts.filter((i) => i.Put?.Item.pk === 'REGISTRY') }).toEqual({
        name,
        puts: [
          { Put: expect.objectContaining({ Item: { pk: 'REGISTRY', sk: 'GENERATION', generation: next } }) },
        ],
      });
      generation = next;
    }

    // A write refused by its condition (the organisation exists; the key was revoked already) writes nothing.
    const again = writes[0]?.[1];
    expect(await again?.()).toEqual({ created: false });
    expect(await revokedBy(otherWriter, key)).toBe(false);
    expect(await otherWriter.readGeneration()).toBe(generation);
  });
});

describe('a freshness check that fails', () => {
  const getItemFaults = faultKinds.filter(
    (f) => f.when === 'before' && f.appliesTo({ service: 'dynamodb', command: 'GetCommand', input: {} }),
  );

  it.each(getItemFaults.map((f) => [f.name, f] as const))(
    'answers 503 on %s, never from the warm cache, and the next request is served',
    async (_name, fault) => {
      const brent = await callerOf('lb-brent-system', { subject: 'lb-brent.practitioner' });
      expect((await brent.whoami()).status).toBe(200);

      let failed = 0;
      send.mockImplementation(function (this: DynamoDBDocumentClient, command: unknown, ...rest: unknown[]) {
        const sent = command as SentCommand;
        if (isGenerationRead({ command: sent.constructor.name, input: sent.input })) {
          failed += 1;
          throw fault.error();
        }
        return (realSend as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
      } as never);
      expectAnswered(await brent.whoami(), 503, 'DEPENDENCY_UNAVAILABLE');
      expect(failed).toBeGreaterThan(0);

      send.mockImplementation(realSend as never);
      expect((await brent.whoami()).status).toBe(200);
    },
  );
});
