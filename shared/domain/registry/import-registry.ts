import type { Clock } from '../../ports/clock.ts';
import type { CreateOutcome, RegistryStore } from '../../ports/registry-store.ts';
import { newAuditEntry, systemActor } from '../audit/audit-entry.ts';
import { assertRegistryConsistent, type Registry } from './registry.ts';

export type ImportSummary = { readonly created: number; readonly existing: number };

/**
 * Loads reference data (organisations, then footprints, clients and users) into the registry. Idempotent: a record that
 * exists is left as it is and audited nothing; each new record is written together with its audit entry. The
 * whole snapshot is checked for consistency before anything is written.
 */
export const importRegistry = async (
  deps: { registry: RegistryStore; clock: Clock },
  input: Registry,
): Promise<ImportSummary> => {
  assertRegistryConsistent(input);
  const outcomes: CreateOutcome[] = [];
  const create = async <T extends { id: string }>(
    type: string,
    records: readonly T[],
    write: (record: T, audit: ReturnType<typeof newAuditEntry>) => Promise<CreateOutcome>,
  ) => {
    const audit = (record: T) =>
      newAuditEntry(
        {
          actor: systemActor,
          action: `registry.${type}.create`,
          target: { type, id: record.id },
          outcome: 'allowed',
        },
        deps.clock.now(),
      );
    outcomes.push(...(await Promise.all(records.map((record) => write(record, audit(record))))));
  };
  await create('organisation', input.organisations, (r, a) => deps.registry.createOrganisation(r, a));
  await create('footprint', input.footprints, (r, a) => deps.registry.createFootprint(r, a));
  await create('client', input.clients, (r, a) => deps.registry.createClient(r, a));
  await create('user', input.users, (r, a) => deps.registry.createUser(r, a));
  const created = outcomes.filter((o) => o.created).length;
  return { created, existing: outcomes.length - created };
};
