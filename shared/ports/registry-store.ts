import type { AuditEntry } from '../domain/audit/audit-entry.ts';
import type { ClientKey } from '../domain/registry/client-key.ts';
import type { Client, Footprint, Organisation, Registry } from '../domain/registry/registry.ts';

/** A registry record that may be created once; `created: false` means it was already there (nothing written). */
export type CreateOutcome = { readonly created: boolean };

/** The registry as readers need it (public discovery, signature verification). */
export type RegistryReader = {
  loadRegistry(): Promise<Registry>;
  listClientKeys(): Promise<ClientKey[]>;
  getClientKeys(clientId: string): Promise<ClientKey[]>;
};

/**
 * The registry as writers need it. Every write takes the audit entry that records it: the store commits both
 * together or neither.
 */
export type RegistryStore = RegistryReader & {
  createOrganisation(organisation: Organisation, audit: AuditEntry): Promise<CreateOutcome>;
  createFootprint(footprint: Footprint, audit: AuditEntry): Promise<CreateOutcome>;
  createClient(client: Client, audit: AuditEntry): Promise<CreateOutcome>;
  addClientKey(key: ClientKey, audit: AuditEntry): Promise<CreateOutcome>;
};
