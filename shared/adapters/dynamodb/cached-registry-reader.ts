import type { ClientKey } from '../../domain/registry/client-key.ts';
import type { Client, Organisation, Registry, User } from '../../domain/registry/registry.ts';
import type { RegistryGeneration, RegistryReader, RegistrySource } from '../../ports/registry-store.ts';

/** Freezes a value read from the store and everything in it: a copy shared by every request must not change. */
const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

const byId = <T extends { readonly id: string }>(records: readonly T[]): ReadonlyMap<string, T> =>
  new Map(records.map((record) => [record.id, record]));

/** The registry and its keys as read at one generation, answering every reader question from memory. */
export class RegistrySnapshot implements RegistryReader {
  readonly #registry: Registry;
  readonly #keys: readonly ClientKey[];
  readonly #organisations: ReadonlyMap<string, Organisation>;
  readonly #clients: ReadonlyMap<string, Client>;
  readonly #users: ReadonlyMap<string, User>;
  readonly #keysById: ReadonlyMap<string, ClientKey>;

  constructor(registry: Registry, keys: readonly ClientKey[]) {
    this.#registry = deepFreeze(registry);
    this.#keys = deepFreeze(keys);
    this.#organisations = byId(registry.organisations);
    this.#clients = byId(registry.clients);
    this.#users = byId(registry.users);
    // A key id belongs to one client only (the store writes the key and its ownership in one transaction).
    this.#keysById = new Map(keys.map((key) => [key.kid, key]));
  }

  async loadRegistry(): Promise<Registry> {
    return this.#registry;
  }

  async listClientKeys(): Promise<ClientKey[]> {
    return [...this.#keys];
  }

  async getClientKeys(clientId: string): Promise<ClientKey[]> {
    return this.#keys.filter((key) => key.clientId === clientId);
  }

  async getClient(clientId: string): Promise<Client | undefined> {
    return this.#clients.get(clientId);
  }

  async getClientKey(clientId: string, kid: string): Promise<ClientKey | undefined> {
    const key = this.#keysById.get(kid);
    return key?.clientId === clientId ? key : undefined;
  }

  async findKeyOwner(kid: string): Promise<string | undefined> {
    return this.#keysById.get(kid)?.clientId;
  }

  async getUser(userId: string): Promise<User | undefined> {
    return this.#users.get(userId);
  }

  async getOrganisation(organisationId: string): Promise<Organisation | undefined> {
    return this.#organisations.get(organisationId);
  }
}

type Loaded = { readonly generation: RegistryGeneration; readonly snapshot: Promise<RegistrySnapshot> };

/**
 * The registry read once and kept: every use reads the registry's generation (one item, strongly consistent,
 * bounded like every call of the source's client: shared/adapters/aws-client-settings.ts) and reads the whole
 * registry again only when the generation changed. Every registry write replaces the generation in its own
 * transaction (registry-store.ts), so a use that starts after a write committed (a key revoked by any process)
 * sees it. A check that fails throws (503 DEPENDENCY_UNAVAILABLE): nothing is answered from a copy that may be
 * stale.
 *
 * Built once with a function's dependencies (shared/http/authentication.ts, at module scope), so a warm Lambda
 * container reads the registry once and keeps it between requests.
 *
 * Why answering a use from the copy is sound: the copy was read after a check that saw generation G; a later check
 * that sees G again shows that no write committed in between (each write brings a new, unique generation), so the
 * copy holds every change committed before that later check began.
 */
export class CachedRegistryReader implements RegistryReader {
  readonly #source: RegistrySource;
  #loaded: Loaded | undefined;
  #check: Promise<RegistrySnapshot> | undefined;

  constructor(source: RegistrySource) {
    this.#source = source;
  }

  /**
   * The registry as it is now. Uses made together (in one synchronous run of code, such as
   * `Promise.all([getClient(...), getClientKey(...)])`) share one check; a use made after any I/O makes its own,
   * so no request is answered by a check that began before the request did.
   */
  current(): Promise<RegistrySnapshot> {
    if (this.#check === undefined) {
      const check = this.#checked();
      this.#check = check;
      queueMicrotask(() => {
        if (this.#check === check) this.#check = undefined;
      });
    }
    return this.#check;
  }

  async #checked(): Promise<RegistrySnapshot> {
    const generation = await this.#source.readGeneration();
    const loaded = this.#loaded;
    if (loaded !== undefined && loaded.generation === generation) return loaded.snapshot;
    // Read after the generation, so the copy holds at least every change up to it.
    const entry: Loaded = { generation, snapshot: this.#load() };
    this.#loaded = entry;
    entry.snapshot.catch(() => {
      if (this.#loaded === entry) this.#loaded = undefined;
    });
    return entry.snapshot;
  }

  async #load(): Promise<RegistrySnapshot> {
    const [registry, keys] = await Promise.all([this.#source.loadRegistry(), this.#source.listClientKeys()]);
    return new RegistrySnapshot(registry, keys);
  }

  async loadRegistry(): Promise<Registry> {
    return (await this.current()).loadRegistry();
  }

  async listClientKeys(): Promise<ClientKey[]> {
    return (await this.current()).listClientKeys();
  }

  async getClientKeys(clientId: string): Promise<ClientKey[]> {
    return (await this.current()).getClientKeys(clientId);
  }

  async getClient(clientId: string): Promise<Client | undefined> {
    return (await this.current()).getClient(clientId);
  }

  async getClientKey(clientId: string, kid: string): Promise<ClientKey | undefined> {
    return (await this.current()).getClientKey(clientId, kid);
  }

  async findKeyOwner(kid: string): Promise<string | undefined> {
    return (await this.current()).findKeyOwner(kid);
  }

  async getUser(userId: string): Promise<User | undefined> {
    return (await this.current()).getUser(userId);
  }

  async getOrganisation(organisationId: string): Promise<Organisation | undefined> {
    return (await this.current()).getOrganisation(organisationId);
  }
}
