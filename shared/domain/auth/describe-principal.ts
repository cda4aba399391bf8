import type { RegistryReader } from '../../ports/registry-store.ts';
import { DependencyError } from '../errors.ts';
import type { Principal } from './verify-signed-request.ts';

/** `GET /v1/whoami`: who the exchange took the caller to be, and with which key. */
export const describePrincipal = async (
  deps: { registry: Pick<RegistryReader, 'getClient' | 'getOrganisation' | 'getUser'> },
  principal: Principal,
) => {
  const [client, organisation, user] = await Promise.all([
    deps.registry.getClient(principal.clientId),
    deps.registry.getOrganisation(principal.organisationId),
    principal.user === undefined ? undefined : deps.registry.getUser(principal.user.id),
  ]);
  // The principal was verified against these records a moment ago; their absence means the registry is broken.
  if (client === undefined || organisation === undefined) {
    throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the registry did not answer consistently');
  }
  return {
    client: { id: client.id, name: client.name },
    organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind },
    user: user === undefined ? null : { id: user.id, displayName: user.displayName, roles: user.roles },
    key: { kid: principal.kid, alg: principal.alg },
  };
};
