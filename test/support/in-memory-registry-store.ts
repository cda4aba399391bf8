import { type AuditEntry, auditEntrySchema } from '#shared/domain/audit/audit-entry.ts';
import type { ClientKey } from '#shared/domain/registry/client-key.ts';
import type { Client, Footprint, Organisation, Registry, User } from '#shared/domain/registry/registry.ts';
import type { AuditLog } from '#shared/ports/audit-log.ts';
import type { NonceStore } from '#shared/ports/nonce-store.ts';
import type { CreateOutcome, RegistryStore } from '#shared/ports/registry-store.ts';

/** A RegistryStore in memory, with the same create-once-with-its-audit-entry contract as the DynamoDB one. */
export class InMemoryRegistryStore implements RegistryStore {
  readonly organisations = new Map<string, Organisation>();
  readonly footprints = new Map<string, Footprint>();
  readonly clients = new Map<string, Client>();
  readonly users = new Map<string, User>();
  readonly keys = new Map<string, ClientKey>();
  readonly keyOwners = new Map<string, string>();
  readonly audit: AuditEntry[] = [];

  async loadRegistry(): Promise<Registry> {
    return {
      organisations: [...this.organisations.values()],
      footprints: [...this.footprints.values()],
      clients: [...this.clients.values()],
      users: [...this.users.values()],
    };
  }
  async listClientKeys() {
    return [...this.keys.values()];
  }
  async getClientKeys(clientId: string) {
    return [...this.keys.values()].filter((k) => k.clientId === clientId);
  }
  async getClient(clientId: string) {
    return this.clients.get(clientId);
  }
  async getClientKey(clientId: string, kid: string) {
    return this.keys.get(`${clientId}#${kid}`);
  }
  async findKeyOwner(kid: string) {
    return this.keyOwners.get(kid);
  }
  async getUser(userId: string) {
    return this.users.get(userId);
  }
  async getOrganisation(organisationId: string) {
    return this.organisations.get(organisationId);
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
  createUser(u: User, audit: AuditEntry) {
    return this.#create(this.users, u.id, u, audit);
  }
  async addClientKey(k: ClientKey, audit: AuditEntry): Promise<CreateOutcome> {
    if (this.keyOwners.has(k.kid)) return { created: false };
    this.keyOwners.set(k.kid, k.clientId);
    return this.#create(this.keys, `${k.clientId}#${k.kid}`, k, audit);
  }
  async replaceClientKey(
    expected: ClientKey,
    next: ClientKey,
    audit: AuditEntry,
    stillActive?: ClientKey,
  ): Promise<boolean> {
    const id = `${next.clientId}#${next.kid}`;
    if (this.keys.get(id)?.status !== expected.status) return false;
    if (stillActive && this.keys.get(`${stillActive.clientId}#${stillActive.kid}`)?.status !== 'active')
      return false;
    this.keys.set(id, next);
    this.audit.push(audit);
    return true;
  }
  async #create<T>(map: Map<string, T>, id: string, record: T, audit: AuditEntry): Promise<CreateOutcome> {
    if (map.has(id)) return { created: false };
    map.set(id, record);
    this.audit.push(audit);
    return { created: true };
  }
}

/** Nonces in memory: the same exactly-once contract as the DynamoDB conditional put. */
export class InMemoryNonceStore implements NonceStore {
  readonly seen = new Set<string>();
  async claim(issuer: string, jti: string): Promise<'fresh' | 'replayed'> {
    const id = `${issuer}#${jti}`;
    if (this.seen.has(id)) return 'replayed';
    this.seen.add(id);
    return 'fresh';
  }
}

export class InMemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  /** Checks the entry as the DynamoDB audit log does before it writes one (appendAudit). */
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(auditEntrySchema.parse(entry));
  }
}
