import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localTableName } from '#local/provision.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryStore } from '#shared/adapters/dynamodb/registry-store.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import { newClientKey } from '#shared/domain/registry/client-key.ts';
import type { PublishedRegistry } from '#shared/domain/registry/publish-registry.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

let dataDir: string;
let exchange: RunningExchange;

const start = () => startExchange({ dataDir, port: 0 });

const stores = () => {
  const doc = createDocumentClient(localDynamoClient(exchange));
  return {
    registry: new DynamoRegistryStore(doc, {
      registry: localTableName('registry'),
      audit: localTableName('audit'),
    }),
    audit: new DynamoAuditLog(doc, localTableName('audit')),
  };
};

const getJson = async (path: string) => {
  const response = await fetch(`${exchange.url}${path}`);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pbx-it-'));
  exchange = await start();
});

afterAll(async () => {
  await exchange?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local exchange', () => {
  it('reports DynamoDB and S3 up on GET /v1/health', async () => {
    const { status, body } = await getJson('/v1/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', checks: { dynamodb: 'up', s3: 'up' } });
  });

  it('publishes every seeded footprint with its members on GET /v1/registry', async () => {
    const { status, body, headers } = await getJson('/v1/registry');
    const registry = body as unknown as PublishedRegistry;
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(registry.exchange).toEqual({ id: 'pbx-local', algorithms: ['ES256', 'EdDSA'] });
    expect(registry.footprints.map((f) => f.id).sort()).toEqual(
      registrySeed.footprints.map((f) => f.id).sort(),
    );
    const membersOf = (id: string) =>
      registry.footprints.find((f) => f.id === id)?.memberships.map((m) => m.organisationId);
    expect(membersOf('north-west-bcu')).toContain('lb-barnet');
    expect(membersOf('brent-harrow-cdop-area')).not.toContain('lb-barnet');
    expect(registry.organisations).toHaveLength(registrySeed.organisations.length);
  });

  it('holds a private JWK on disk for every client whose public half is in the registry', async () => {
    const { body } = await getJson('/v1/registry');
    const registry = body as unknown as PublishedRegistry;
    // Beside the clients' keys lies the exchange's own checkpoint-signing secret.
    const files = (await readdir(exchange.keysDir)).filter((f) => f.endsWith('.jwk.json'));
    expect(files.sort()).toEqual(registrySeed.clients.map((c) => `${c.id}.jwk.json`).sort());

    for (const client of registry.clients) {
      const privateJwk = JSON.parse(await readFile(join(exchange.keysDir, `${client.id}.jwk.json`), 'utf8'));
      expect(privateJwk).toMatchObject({ kid: expect.any(String), alg: 'ES256', d: expect.any(String) });
      expect(client.keys).toHaveLength(1);
      const published = client.keys[0];
      expect(published?.kid).toBe(privateJwk.kid);
      expect(published?.jwk).not.toHaveProperty('d');
      // The pair matches: what the private key signs, the published public key verifies.
      const jws = await new CompactSign(new TextEncoder().encode(client.id))
        .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid })
        .sign(await importJWK(privateJwk, 'ES256'));
      const verified = await compactVerify(jws, await importJWK(published?.jwk ?? {}, 'ES256'));
      expect(new TextDecoder().decode(verified.payload)).toBe(client.id);
    }
  });

  it('records an audit entry for every registry record it created', async () => {
    const entries = await stores().audit.readAll();
    const total =
      registrySeed.organisations.length +
      registrySeed.footprints.length +
      registrySeed.clients.length +
      registrySeed.users.length;
    expect(
      entries.filter((e) => e.action.startsWith('registry.') && e.action.endsWith('.create')),
    ).toHaveLength(total);
    expect(entries.filter((e) => e.action === 'registry.client-key.add')).toHaveLength(
      registrySeed.clients.length,
    );
  });

  it('commits a state change and its audit entry together or not at all', async () => {
    const { registry, audit } = stores();
    const before = await audit.readAll();
    const existing = before[0];
    if (existing === undefined) throw new Error('expected seeded audit entries');
    const key = newClientKey('lb-harrow-system', publicJwkOf(await generateSigningKey()), new Date());

    // The audit put fails its condition (an entry with that id exists): the key must not be written either.
    const clash = await registry.addClientKey(key, { ...existing, action: 'registry.client-key.add' });
    expect(clash).toEqual({ created: false });
    expect((await registry.getClientKeys('lb-harrow-system')).map((k) => k.kid)).not.toContain(key.kid);
    expect(await audit.readAll()).toHaveLength(before.length);

    // The same key with a fresh entry goes in, with exactly one more audit entry.
    const entry = newAuditEntry(
      {
        actor: systemActor,
        action: 'registry.client-key.add',
        target: { type: 'client-key', id: key.kid },
        outcome: 'allowed',
      },
      new Date(),
    );
    expect(await registry.addClientKey(key, entry)).toEqual({ created: true });
    expect((await registry.getClientKeys('lb-harrow-system')).map((k) => k.kid)).toContain(key.kid);
    expect((await audit.readAll()).map((e) => e.id)).toContain(entry.id);
  });

  it('answers unknown routes with 404 ROUTE_NOT_FOUND and oversized bodies with 413', async () => {
    const missing = await getJson('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('ROUTE_NOT_FOUND');

    const large = await fetch(`${exchange.url}/v1/registry`, { method: 'GET' });
    expect(large.status).toBe(200);
    const huge = await fetch(`${exchange.url}/v1/health`, {
      method: 'POST',
      body: new Uint8Array(7 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toBe('BODY_TOO_LARGE');
  });

  it('keeps its data and keys across a restart, creating nothing twice', async () => {
    const keyFile = join(exchange.keysDir, 'lb-brent-system.jwk.json');
    const keyBefore = await readFile(keyFile, 'utf8');
    const auditBefore = (await stores().audit.readAll()).length;
    await exchange.stop();

    exchange = await start();
    expect(exchange.seeded.registry.created).toBe(0);
    expect(exchange.seeded.keys).toEqual({ generated: 0, registered: 0 });
    expect(await readFile(keyFile, 'utf8')).toBe(keyBefore);
    expect((await stores().audit.readAll()).length).toBe(auditBefore);
    const { status, body } = await getJson('/v1/registry');
    expect(status).toBe(200);
    expect(
      (body as unknown as PublishedRegistry).clients.find((c) => c.id === 'lb-harrow-system')?.keys,
    ).toHaveLength(2);
  });
});
