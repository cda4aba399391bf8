import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { CachedRegistryReader } from '#shared/adapters/dynamodb/cached-registry-reader.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import { DependencyError } from '#shared/domain/errors.ts';
import { type ClientKey, newClientKey } from '#shared/domain/registry/client-key.ts';
import { importRegistry } from '#shared/domain/registry/import-registry.ts';
import type { RegistrySource } from '#shared/ports/registry-store.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { InMemoryRegistryStore } from '../support/in-memory-registry-store.ts';

const clock = fixedClock('2026-12-01T09:00:00Z');
const entry = () =>
  newAuditEntry(
    { actor: systemActor, action: 'registry.test', target: { type: 'test', id: 'x' }, outcome: 'allowed' },
    clock.now(),
  );

const unavailable = () => new DependencyError('DEPENDENCY_UNAVAILABLE', 'the store did not answer');

/**
 * The registry as the DynamoDB store keeps it, in memory: `store` is the reference model, `bump` is what every
 * store write does in its transaction. Counts the calls, and can hold or fail the next ones.
 */
const setup = async () => {
  const store = new InMemoryRegistryStore();
  await importRegistry({ registry: store, clock }, registrySeed);
  const keys: ClientKey[] = [];
  for (const clientId of ['lb-brent-system', 'lb-harrow-system', 'lb-brent-system']) {
    const key = newClientKey(clientId, publicJwkOf(await generateSigningKey()), clock.now());
    await store.addClientKey(key, entry());
    keys.push(key);
  }
  let generation = 1;
  const counts = { checks: 0, loads: 0 };
  const faults = {
    check: undefined as (() => Error) | undefined,
    load: undefined as (() => Error) | undefined,
  };
  /** Loads wait for these, when set: a load then resolves with what the store held when it was made. */
  const held: (() => void)[] = [];
  let holding = false;
  const source: RegistrySource = {
    readGeneration: async () => {
      counts.checks += 1;
      const fault = faults.check;
      faults.check = undefined;
      if (fault !== undefined) throw fault();
      return String(generation);
    },
    loadRegistry: async () => {
      counts.loads += 1;
      const fault = faults.load;
      faults.load = undefined;
      if (fault !== undefined) throw fault();
      const registry = await store.loadRegistry();
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      return registry;
    },
    listClientKeys: async () => {
      const listed = (await store.listClientKeys()).map((k) => ({ ...k }));
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      return listed;
    },
  };
  const revoke = async (key: ClientKey) => {
    await store.replaceClientKey(
      key,
      { ...key, status: 'revoked', revokedAt: clock.now().toISOString() },
      entry(),
    );
    generation += 1;
  };
  return {
    store,
    keys,
    counts,
    faults,
    source,
    revoke,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
};

const keyOf = (keys: ClientKey[], index: number): ClientKey => {
  const key = keys[index];
  if (key === undefined) throw new Error(`no key ${index}`);
  return key;
};

describe('CachedRegistryReader', () => {
  it('answers every reader question as the store does', async () => {
    const { store, keys, source } = await setup();
    const reader = new CachedRegistryReader(source);
    const [brentKey, harrowKey] = [keyOf(keys, 0), keyOf(keys, 1)];

    expect(await reader.loadRegistry()).toEqual(await store.loadRegistry());
    expect(await reader.listClientKeys()).toEqual(await store.listClientKeys());
    for (const clientId of [...registrySeed.clients.map((c) => c.id), 'no-such-client']) {
      expect(await reader.getClient(clientId)).toEqual(await store.getClient(clientId));
      expect(await reader.getClientKeys(clientId)).toEqual(await store.getClientKeys(clientId));
    }
    for (const organisation of [...registrySeed.organisations.map((o) => o.id), 'no-such-organisation']) {
      expect(await reader.getOrganisation(organisation)).toEqual(await store.getOrganisation(organisation));
    }
    for (const user of [...registrySeed.users.map((u) => u.id), 'lb-brent.nobody']) {
      expect(await reader.getUser(user)).toEqual(await store.getUser(user));
    }
    // A key by its owner and kid; another client's kid is not the issuer's key, but it has an owner.
    expect(await reader.getClientKey('lb-brent-system', brentKey.kid)).toEqual(brentKey);
    expect(await reader.getClientKey('lb-brent-system', harrowKey.kid)).toBeUndefined();
    expect(await store.getClientKey('lb-brent-system', harrowKey.kid)).toBeUndefined();
    expect(await reader.findKeyOwner(harrowKey.kid)).toBe('lb-harrow-system');
    expect(await reader.findKeyOwner('no-such-kid')).toBeUndefined();
  });

  it('reads the whole registry once per generation and checks the generation on every use', async () => {
    const { keys, counts, source, revoke } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);

    for (let i = 0; i < 5; i += 1) expect(await reader.getClientKey(key.clientId, key.kid)).toEqual(key);
    expect(counts).toEqual({ checks: 5, loads: 1 });

    await revoke(key);
    expect((await reader.getClientKey(key.clientId, key.kid))?.status).toBe('revoked');
    expect(await reader.getUser('lb-brent.practitioner')).toBeDefined();
    expect(counts).toEqual({ checks: 7, loads: 2 });
  });

  it('lets uses made together share one check, and makes a later use check again', async () => {
    const { keys, counts, source, revoke } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);

    const [client, found] = await Promise.all([
      reader.getClient(key.clientId),
      reader.getClientKey(key.clientId, key.kid),
    ]);
    expect(client?.id).toBe(key.clientId);
    expect(found?.status).toBe('active');
    expect(counts.checks).toBe(1);

    // A revocation between two uses of one request is seen by the second.
    await revoke(key);
    expect((await reader.getClientKey(key.clientId, key.kid))?.status).toBe('revoked');
    expect(counts.checks).toBe(2);
  });

  it('fails closed: a check that fails is thrown, never answered from the copy it holds', async () => {
    const { keys, counts, faults, source } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);
    expect(await reader.getClientKey(key.clientId, key.kid)).toEqual(key);

    faults.check = unavailable;
    await expect(reader.getClientKey(key.clientId, key.kid)).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    expect(await reader.getClientKey(key.clientId, key.kid)).toEqual(key);
    expect(counts).toEqual({ checks: 3, loads: 1 });
  });

  it('keeps no failed read of the registry: the next use reads it again', async () => {
    const { keys, counts, faults, source } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);

    faults.load = unavailable;
    await expect(reader.getClient(key.clientId)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(await reader.getClientKey(key.clientId, key.kid)).toEqual(key);
    expect(counts).toEqual({ checks: 2, loads: 2 });
  });

  it('shares one read of the registry between uses that see the same new generation', async () => {
    const { keys, counts, source, hold, release } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);

    hold();
    const first = reader.getClientKey(key.clientId, key.kid);
    await new Promise((resolve) => setImmediate(resolve));
    const second = reader.getClientKey(key.clientId, key.kid);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await Promise.all([first, second])).toEqual([key, key]);
    expect(counts).toEqual({ checks: 2, loads: 1 });
  });

  it('never answers a use from a read of the registry made before a generation it saw', async () => {
    const { keys, source, hold, release, revoke } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);

    // The first use's read of the registry is under way, holding the key as active, when the key is revoked.
    hold();
    const before = reader.getClientKey(key.clientId, key.kid);
    await new Promise((resolve) => setImmediate(resolve));
    await revoke(key);
    const after = reader.getClientKey(key.clientId, key.kid);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await before)?.status).toBe('active');
    expect((await after)?.status).toBe('revoked');
    expect((await reader.getClientKey(key.clientId, key.kid))?.status).toBe('revoked');
  });

  it('hands out a copy no caller can change', async () => {
    const { keys, source } = await setup();
    const reader = new CachedRegistryReader(source);
    const key = keyOf(keys, 0);

    const registry = await reader.loadRegistry();
    expect(() => (registry.users as unknown as unknown[]).push({})).toThrow(TypeError);
    const found = await reader.getClientKey(key.clientId, key.kid);
    expect(() => Object.assign(found ?? {}, { status: 'active' })).toThrow(TypeError);
    const listed = await reader.listClientKeys();
    listed.length = 0;
    expect(await reader.listClientKeys()).toHaveLength(keys.length);
  });
});
