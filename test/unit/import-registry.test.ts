import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { RegistryError } from '#shared/domain/errors.ts';
import { importRegistry } from '#shared/domain/registry/import-registry.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { InMemoryRegistryStore } from '../support/in-memory-registry-store.ts';

const clock = fixedClock('2026-11-23T09:00:00Z');

describe('importRegistry', () => {
  it('creates every record once, each with its own audit entry', async () => {
    const registry = new InMemoryRegistryStore();
    const total =
      registrySeed.organisations.length +
      registrySeed.footprints.length +
      registrySeed.clients.length +
      registrySeed.users.length;

    expect(await importRegistry({ registry, clock }, registrySeed)).toEqual({ created: total, existing: 0 });
    expect(registry.audit).toHaveLength(total);
    expect(new Set(registry.audit.map((e) => e.target?.id)).size).toBe(total);
    expect(registry.audit.every((e) => e.outcome === 'allowed' && e.actor.kind === 'system')).toBe(true);
    expect(registry.audit.filter((e) => e.action === 'registry.footprint.create')).toHaveLength(
      registrySeed.footprints.length,
    );

    expect(await importRegistry({ registry, clock }, registrySeed)).toEqual({ created: 0, existing: total });
    expect(registry.audit).toHaveLength(total);
  });

  it('writes nothing from an inconsistent snapshot', async () => {
    const registry = new InMemoryRegistryStore();
    const broken = {
      ...registrySeed,
      clients: [
        ...registrySeed.clients,
        { id: 'ghost-system', organisationId: 'ghost', name: 'G', status: 'active' as const },
      ],
    };
    await expect(importRegistry({ registry, clock }, broken)).rejects.toBeInstanceOf(RegistryError);
    expect(registry.audit).toHaveLength(0);
    expect(registry.organisations.size).toBe(0);
  });
});
