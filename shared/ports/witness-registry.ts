import type { AuditEntry } from '../domain/audit/audit-entry.ts';
import type { Witness } from '../domain/registry/witnesses.ts';
import type { CreateOutcome } from './registry-store.ts';

/** The registered witnesses of the audit log, one per note key name (kept in the registry table). */
export type WitnessReader = {
  getWitness(name: string): Promise<Witness | undefined>;
  listWitnesses(): Promise<Witness[]>;
};

/** Registering a witness commits it with the audit entry that records it, or neither. */
export type WitnessRegistry = WitnessReader & {
  createWitness(witness: Witness, audit: AuditEntry): Promise<CreateOutcome>;
};
