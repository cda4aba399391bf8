import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RegistryReader, RegistryStore } from '../../ports/registry-store.ts';
import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, InputError, NotFoundError } from '../errors.ts';
import { type ClientKey, isKeyUsable, newClientKey, parseRegistrableJwk } from './client-key.ts';
import type { Client } from './registry.ts';

export type KeyManagementDeps = {
  readonly registry: RegistryStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/**
 * Who may manage a client's keys: the client itself, an IG lead of the client's organisation, or the exchange
 * operator. Everyone else is refused with the reason.
 */
export const authoriseKeyManagement = async (
  deps: Pick<KeyManagementDeps, 'registry'>,
  principal: Principal,
  clientId: string,
): Promise<Client> => {
  const client = await deps.registry.getClient(clientId);
  if (client === undefined) throw new NotFoundError('NOT_FOUND', `no client ${clientId}`);
  if (principal.clientId === client.id) return client;
  const roles = principal.user?.roles ?? [];
  if (roles.includes('ig-lead') && principal.organisationId === client.organisationId) return client;
  if (roles.includes('operator')) {
    const organisation = await deps.registry.getOrganisation(principal.organisationId);
    if (organisation?.kind === 'exchange-operator') return client;
  }
  throw new AuthorisationError('NOT_PERMITTED', 'you may not manage the keys of this client', [
    'keys are managed by the client itself, an IG lead of its organisation (sub with role ig-lead), or the operator',
  ]);
};

const keyTarget = (clientId: string, kid?: string) => ({
  type: 'client-key',
  id: kid === undefined ? clientId : `${clientId}/${kid}`,
});

/** Adds a public key to a client; rotation is adding the new key, then revoking the old one. */
export const addClientKey = (
  deps: KeyManagementDeps,
  input: { principal: Principal; clientId: string; jwk: unknown; notBefore?: string; notAfter?: string },
): Promise<{ key: ClientKey } & Audited> =>
  auditedAction(
    deps,
    {
      ...callerFacts(input.principal),
      action: 'registry.client-key.add',
      target: keyTarget(input.clientId),
    },
    async () => {
      await authoriseKeyManagement(deps, input.principal, input.clientId);
      const jwk = parseRegistrableJwk(input.jwk);
      const now = deps.clock.now();
      const notBefore = input.notBefore === undefined ? now : new Date(input.notBefore);
      const notAfter = input.notAfter === undefined ? undefined : new Date(input.notAfter);
      if (notAfter !== undefined && (notAfter <= notBefore || notAfter <= now)) {
        throw new InputError('INVALID_INPUT', 'notAfter must be later than notBefore and than now');
      }
      const key = newClientKey(input.clientId, jwk, now, { notBefore, ...(notAfter ? { notAfter } : {}) });
      const entry = newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'registry.client-key.add',
          target: keyTarget(input.clientId, key.kid),
          outcome: 'allowed',
        },
        now,
      );
      const outcome = await deps.registry.addClientKey(key, entry);
      if (!outcome.created)
        throw new ConflictError('KEY_ID_TAKEN', `a key with kid ${key.kid} is already registered`);
      return { key, audited: [entry] };
    },
  );

/**
 * Why a key is revoked, coded on the revocation's audit entry: a key reported lost or compromised is watched for
 * afterwards (the anomaly rule `lost-key-used`, shared/domain/alerts/rules.ts).
 */
export const keyRevocationReasonCodes = {
  lost: 'KEY_LOST',
  compromised: 'KEY_COMPROMISED',
  superseded: 'KEY_SUPERSEDED',
} as const;
export type KeyRevocationReason = keyof typeof keyRevocationReasonCodes;
export const keyRevocationReasons = Object.keys(keyRevocationReasonCodes) as [
  KeyRevocationReason,
  ...KeyRevocationReason[],
];

/**
 * Revokes a key at once: the next request signed with it is refused. A client may not revoke its own last usable
 * key (it would lock itself out); an IG lead acting through another client of the organisation, or the operator,
 * can.
 */
export const revokeClientKey = (
  deps: KeyManagementDeps,
  input: { principal: Principal; clientId: string; kid: string; reason?: KeyRevocationReason | undefined },
): Promise<{ key: ClientKey } & Audited> => {
  const reasonCodes = input.reason === undefined ? [] : [keyRevocationReasonCodes[input.reason]];
  return auditedAction(
    deps,
    {
      ...callerFacts(input.principal),
      action: 'registry.client-key.revoke',
      target: keyTarget(input.clientId, input.kid),
    },
    async () => {
      await authoriseKeyManagement(deps, input.principal, input.clientId);
      const now = deps.clock.now();
      const keys = await deps.registry.getClientKeys(input.clientId);
      const key = keys.find((k) => k.kid === input.kid);
      if (key === undefined)
        throw new NotFoundError('NOT_FOUND', `client ${input.clientId} has no key ${input.kid}`);
      if (key.status === 'revoked') return { key, audited: [] };
      // A client revoking its own key must keep another usable one, and the transaction re-checks that key, so
      // two concurrent self-revocations cannot each rely on the key the other is revoking.
      const selfService = input.principal.clientId === input.clientId;
      const remaining = keys.find((k) => k.kid !== key.kid && isKeyUsable(k, now));
      if (selfService && remaining === undefined) {
        throw new ConflictError(
          'LAST_ACTIVE_KEY',
          'this is your last usable key: add another first, or have it revoked from another client of your organisation or by the operator',
        );
      }
      const revoked: ClientKey = { ...key, status: 'revoked', revokedAt: now.toISOString() };
      const entry = newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'registry.client-key.revoke',
          target: keyTarget(input.clientId, key.kid),
          outcome: 'allowed',
          reasonCodes,
        },
        now,
      );
      const replaced = await deps.registry.replaceClientKey(
        key,
        revoked,
        entry,
        selfService ? remaining : undefined,
      );
      if (!replaced)
        throw new ConflictError('CONFLICT', 'the key changed while it was being revoked; try again');
      return { key: revoked, audited: [entry] };
    },
  );
};

/** A client's keys with their status: public information, as in the registry. */
export const listClientKeys = async (
  deps: { registry: Pick<RegistryReader, 'getClient' | 'getClientKeys'> },
  input: { clientId: string },
): Promise<ClientKey[]> => {
  const client = await deps.registry.getClient(input.clientId);
  if (client === undefined) throw new NotFoundError('NOT_FOUND', `no client ${input.clientId}`);
  return deps.registry.getClientKeys(input.clientId);
};
