import type { AuditEntry } from '../domain/audit/audit-entry.ts';
import type { ClientKey } from '../domain/registry/client-key.ts';
import type { Client, Footprint, Organisation, Registry, User } from '../domain/registry/registry.ts';

/** A registry record that may be created once; `created: false` means it was already there (nothing written). */
export type CreateOutcome = { readonly created: boolean };

/** The registry as readers need it (public discovery, signature verification, authorisation). */
export type RegistryReader = {
  loadRegistry(): Promise<Registry>;
  listClientKeys(): Promise<ClientKey[]>;
  getClientKeys(clientId: string): Promise<ClientKey[]>;
  getClient(clientId: string): Promise<Client | undefined>;
  getClientKey(clientId: string, kid: string): Promise<ClientKey | undefined>;
  /** Which client registered a key id; key ids are unique across the exchange. */
  findKeyOwner(kid: string): Promise<string | undefined>;
  getUser(userId: string): Promise<User | undefined>;
  getOrganisation(organisationId: string): Promise<Organisation | undefined>;
};

/**
 * The registry's generation: a token every registry write replaces in its own transaction, so that one strongly
 * consistent read of it tells a copy of the registry whether it is still current. Undefined while nothing has
 * ever been written.
 */
export type RegistryGeneration = string | undefined;

/** What a cached copy of the registry reads: the generation on every use, the rest only when it changed. */
export type RegistrySource = Pick<RegistryReader, 'loadRegistry' | 'listClientKeys'> & {
  readGeneration(): Promise<RegistryGeneration>;
};

/**
 * The registry as writers need it. Every write takes the audit entry that records it: the store commits both
 * together or neither, and a new registry generation with them (`RegistryGeneration`).
 */
export type RegistryStore = RegistryReader & {
  createOrganisation(organisation: Organisation, audit: AuditEntry): Promise<CreateOutcome>;
  createFootprint(footprint: Footprint, audit: AuditEntry): Promise<CreateOutcome>;
  createClient(client: Client, audit: AuditEntry): Promise<CreateOutcome>;
  createUser(user: User, audit: AuditEntry): Promise<CreateOutcome>;
  /** Adds a key; `created: false` if this client has it already or another client holds its key id. */
  addClientKey(key: ClientKey, audit: AuditEntry): Promise<CreateOutcome>;
  /**
   * Replaces a key record (status changes) if it is still as `expected` says and, when given, `stillActive` is
   * still active; false if either changed meanwhile.
   */
  replaceClientKey(
    expected: ClientKey,
    next: ClientKey,
    audit: AuditEntry,
    stillActive?: ClientKey,
  ): Promise<boolean>;
};
