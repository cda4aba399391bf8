import type { RegistryReader } from '../../ports/registry-store.ts';
import { type ClientKey, type PublicJwk, signingAlgorithms } from './client-key.ts';
import { assertRegistryConsistent, type Client, type Footprint, type Organisation } from './registry.ts';

export type PublishedKey = Pick<ClientKey, 'kid' | 'alg' | 'status' | 'notBefore' | 'notAfter'> & {
  readonly jwk: PublicJwk;
};

export type PublishedRegistry = {
  readonly exchange: { readonly id: string; readonly algorithms: typeof signingAlgorithms };
  readonly organisations: readonly Organisation[];
  readonly footprints: readonly Footprint[];
  readonly clients: readonly (Client & { readonly keys: readonly PublishedKey[] })[];
};

/**
 * The registry as public information, like a JWKS document: who the parties are, which footprints they belong
 * to, and every client's public keys with their status, so anyone can check a signature offline. Users are not
 * published. Sorted by id so the document is stable.
 */
export const publishRegistry = async (
  deps: { registry: RegistryReader },
  input: { exchangeId: string },
): Promise<PublishedRegistry> => {
  const [registry, keys] = await Promise.all([deps.registry.loadRegistry(), deps.registry.listClientKeys()]);
  assertRegistryConsistent(registry);
  const byId = <T extends { id: string }>(items: readonly T[]) =>
    [...items].sort((a, b) => a.id.localeCompare(b.id));
  return {
    exchange: { id: input.exchangeId, algorithms: signingAlgorithms },
    organisations: byId(registry.organisations),
    footprints: byId(registry.footprints),
    clients: byId(registry.clients).map((client) => ({
      ...client,
      keys: keys
        .filter((k) => k.clientId === client.id)
        .map(({ kid, alg, status, notBefore, notAfter, jwk }) => ({
          kid,
          alg,
          status,
          notBefore,
          ...(notAfter === undefined ? {} : { notAfter }),
          jwk,
        })),
    })),
  };
};
