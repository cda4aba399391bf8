import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { ClientKey } from '#shared/domain/registry/client-key.ts';
import type { Client, Footprint, Organisation, Registry } from '#shared/domain/registry/registry.ts';
import type { CreateOutcome, RegistryStore } from '#shared/ports/registry-store.ts';

/** A RegistryStore in memory, with the same create-once-with-its-audit-entry contract as the DynamoDB one. */
export class InMemoryRegistryStore implements RegistryStore {
  readonly organisations = new Map<string, Organisation>();
  readonly footprints = new Map<string, Footprint>();
  readonly clients = new Map<string, Client>();
  readonly keys = new Map<string, ClientKey>();
  readonly audit: AuditEntry[] = [];

  async loadRegistry(): Promise<Registry> {
    return {
      organisations: [...this.organisations.values()],
      footprints: [...this.footprints.values()],
      clients: [...this.clients.values()],
    };
  }
  async listClientKeys() {
    return [...this.keys.values()];
  }
  async getClientKeys(clientId: string) {
    return [...this.keys.values()].filter((k) => k.clientId === clientId);
  }
  createOrganisation(o: Organisation, audit: AuditEntry) {
    return this.#create(this.organisations, o.id, o, audit);
  }
  createFootprint(f: Footprint, audit: AuditEntry) {
    return this.#create(this.footprints, f.id, f, audit);
  }
  createClient(c: Client, audit: AuditEntry) {
    return this.#create(this.clients, c.id, c, audit);
  }
  addClientKey(k: ClientKey, audit: AuditEntry) {
    return this.#create(this.keys, `${k.clientId}#${k.kid}`, k, audit);
  }
  async #create<T>(map: Map<string, T>, id: string, record: T, audit: AuditEntry): Promise<CreateOutcome> {
    if (map.has(id)) return { created: false };
    map.set(id, record);
    this.audit.push(audit);
    return { created: true };
  }
}
