import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { PbxError } from '#shared/domain/errors.ts';
import { importRegistry } from '#shared/domain/registry/import-registry.ts';
import { addClientKey, revokeClientKey } from '#shared/domain/registry/manage-client-keys.ts';
import { publishedTestKeys } from '#shared/domain/registry/published-test-keys.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { InMemoryAuditLog, InMemoryRegistryStore } from '../support/in-memory-registry-store.ts';

const clock = fixedClock('2026-11-23T09:00:00Z');

const setup = async () => {
  const registry = new InMemoryRegistryStore();
  await importRegistry({ registry, clock }, registrySeed);
  registry.audit.length = 0;
  const audit = new InMemoryAuditLog();
  return { registry, audit, deps: { registry, audit, clock } };
};

const principal = (clientId: string, organisationId: string, user?: Principal['user']): Principal => ({
  clientId,
  organisationId,
  kid: 'kid-of-the-request',
  alg: 'ES256',
  jti: 'jti-of-the-request-1',
  requestHash: 'hash-of-the-request',
  ...(user === undefined ? {} : { user }),
});

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof PbxError ? error.code : `unexpected ${String(error)}`),
  );

const newJwk = async () => publicJwkOf(await generateSigningKey());

describe('who may manage a client’s keys', () => {
  const brent = principal('lb-brent-system', 'lb-brent');
  const harrow = principal('lb-harrow-system', 'lb-harrow');
  const harrowIgLead = principal('lb-harrow-system', 'lb-harrow', {
    id: 'lb-harrow.ig-lead',
    roles: ['ig-lead'],
  });
  const brentPractitioner = principal('lb-brent-system', 'lb-brent', {
    id: 'lb-brent.practitioner',
    roles: ['practitioner'],
  });
  const operator = principal('pbx-operations-system', 'pbx-operations', {
    id: 'pbx-operations.operator',
    roles: ['operator'],
  });
  const operatorRoleElsewhere = principal('lb-harrow-system', 'lb-harrow', {
    id: 'lb-harrow.ig-lead',
    roles: ['operator'],
  });

  it.each([
    ['the client itself', brent, 'accepted'],
    ['a practitioner acting through the client itself', brentPractitioner, 'accepted'],
    ['the operator', operator, 'accepted'],
    ['another organisation’s client', harrow, 'NOT_PERMITTED'],
    ['another organisation’s IG lead', harrowIgLead, 'NOT_PERMITTED'],
    ['an operator role claimed outside the operator organisation', operatorRoleElsewhere, 'NOT_PERMITTED'],
  ])('%s: %s', async (_, who, expected) => {
    const { deps, audit, registry } = await setup();
    const outcome = await codeOf(
      addClientKey(deps, { principal: who, clientId: 'lb-brent-system', jwk: await newJwk() }),
    );
    expect(outcome).toBe(expected);
    if (expected === 'accepted') {
      expect(registry.audit.map((e) => [e.action, e.outcome])).toEqual([
        ['registry.client-key.add', 'allowed'],
      ]);
      expect(audit.entries).toEqual([]);
    } else {
      expect(registry.audit).toEqual([]);
      expect(audit.entries.map((e) => [e.action, e.outcome, e.reasonCodes])).toEqual([
        ['registry.client-key.add', 'refused', [expected]],
      ]);
    }
  });

  it('refuses a key window that ends before it starts, and says so in the audit log', async () => {
    const { deps, audit } = await setup();
    const outcome = await codeOf(
      addClientKey(deps, {
        principal: brent,
        clientId: 'lb-brent-system',
        jwk: await newJwk(),
        notBefore: '2026-12-01T00:00:00Z',
        notAfter: '2026-11-30T00:00:00Z',
      }),
    );
    expect(outcome).toBe('INVALID_INPUT');
    expect(audit.entries[0]?.reasonCodes).toEqual(['INVALID_INPUT']);
  });

  it('refuses a key id another client holds', async () => {
    const { deps } = await setup();
    const jwk = await newJwk();
    expect(await codeOf(addClientKey(deps, { principal: brent, clientId: 'lb-brent-system', jwk }))).toBe(
      'accepted',
    );
    expect(await codeOf(addClientKey(deps, { principal: harrow, clientId: 'lb-harrow-system', jwk }))).toBe(
      'KEY_ID_TAKEN',
    );
  });
});

describe('revoking keys', () => {
  it('lets a client rotate: add, then revoke the old key, but never revoke its last usable one', async () => {
    const { deps } = await setup();
    const brent = principal('lb-brent-system', 'lb-brent');
    const { key: first } = await addClientKey(deps, {
      principal: brent,
      clientId: 'lb-brent-system',
      jwk: await newJwk(),
    });
    expect(
      await codeOf(revokeClientKey(deps, { principal: brent, clientId: 'lb-brent-system', kid: first.kid })),
    ).toBe('LAST_ACTIVE_KEY');
    const { key: second } = await addClientKey(deps, {
      principal: brent,
      clientId: 'lb-brent-system',
      jwk: await newJwk(),
    });
    const { key: revoked } = await revokeClientKey(deps, {
      principal: brent,
      clientId: 'lb-brent-system',
      kid: first.kid,
    });
    expect(revoked).toMatchObject({
      kid: first.kid,
      status: 'revoked',
      revokedAt: '2026-11-23T09:00:00.000Z',
    });
    expect(
      await codeOf(revokeClientKey(deps, { principal: brent, clientId: 'lb-brent-system', kid: second.kid })),
    ).toBe('LAST_ACTIVE_KEY');
  });

  it('lets the IG lead revoke the last key from another client of the organisation', async () => {
    const { deps, registry } = await setup();
    const brent = principal('lb-brent-system', 'lb-brent');
    const { key: only } = await addClientKey(deps, {
      principal: brent,
      clientId: 'lb-brent-system',
      jwk: await newJwk(),
    });
    await registry.createClient(
      { id: 'lb-brent-mash', organisationId: 'lb-brent', name: 'Brent MASH tool', status: 'active' },
      newAuditEntry(
        { actor: systemActor, action: 'registry.client.create', outcome: 'allowed' },
        clock.now(),
      ),
    );
    const igLead = principal('lb-brent-mash', 'lb-brent', { id: 'lb-brent.ig-lead', roles: ['ig-lead'] });
    expect(
      (await revokeClientKey(deps, { principal: igLead, clientId: 'lb-brent-system', kid: only.kid })).key,
    ).toMatchObject({
      status: 'revoked',
    });
  });

  it('answers NOT_FOUND for an unknown client or key', async () => {
    const { deps } = await setup();
    const operator = principal('pbx-operations-system', 'pbx-operations', {
      id: 'pbx-operations.operator',
      roles: ['operator'],
    });
    expect(
      await codeOf(
        revokeClientKey(deps, { principal: operator, clientId: 'no-such-system', kid: 'kid-12345678' }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      await codeOf(
        revokeClientKey(deps, { principal: operator, clientId: 'lb-brent-system', kid: 'kid-12345678' }),
      ),
    ).toBe('NOT_FOUND');
  });
});

describe('the published test keys of docs/PROTOCOL.md', () => {
  const brent = principal('lb-brent-system', 'lb-brent');
  const { es256, ed25519 } = publishedTestKeys;
  // base64url of 32 bytes leaves 4 spare bits in the last character: another spelling of the same point.
  const respelled = (x: string) => `${x.slice(0, -1)}${x.at(-1) === 'c' ? 'd' : 'c'}`;

  it.each([
    ['the Ed25519 key as published', { ...ed25519 }],
    ['the ES256 key as published', { ...es256 }],
    [
      'the ES256 key without use',
      { kty: es256.kty, crv: es256.crv, x: es256.x, y: es256.y, kid: es256.kid, alg: es256.alg },
    ],
    ['the Ed25519 key under another kid', { ...ed25519, kid: 'brent-own-name-for-it' }],
    [
      'the Ed25519 key with its x spelled otherwise',
      { ...ed25519, x: respelled(ed25519.x), kid: 'respelled-x-0001' },
    ],
  ])('refuses %s with PUBLISHED_TEST_KEY, and audits the refusal', async (_, jwk) => {
    const { deps, audit, registry } = await setup();
    expect(await codeOf(addClientKey(deps, { principal: brent, clientId: 'lb-brent-system', jwk }))).toBe(
      'PUBLISHED_TEST_KEY',
    );
    expect(registry.audit).toEqual([]);
    expect(audit.entries.map((e) => [e.action, e.outcome, e.reasonCodes])).toEqual([
      ['registry.client-key.add', 'refused', ['PUBLISHED_TEST_KEY']],
    ]);
    expect(await registry.getClientKeys('lb-brent-system')).not.toContainEqual(
      expect.objectContaining({ kid: jwk.kid }),
    );
  });

  it('refuses another key that claims a published kid', async () => {
    const { deps } = await setup();
    const jwk = { ...(await newJwk()), kid: es256.kid };
    expect(await codeOf(addClientKey(deps, { principal: brent, clientId: 'lb-brent-system', jwk }))).toBe(
      'PUBLISHED_TEST_KEY',
    );
  });
});
