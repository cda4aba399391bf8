import { NodeSignatureVerifier } from '../adapters/crypto/node-signature-verifier.ts';
import { DynamoAuditLog } from '../adapters/dynamodb/audit-log.ts';
import { CachedRegistryReader } from '../adapters/dynamodb/cached-registry-reader.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { DynamoNonceStore } from '../adapters/dynamodb/nonce-store.ts';
import { DynamoRegistryReader } from '../adapters/dynamodb/registry-store.ts';
import { loadConfig } from '../config.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import { systemClock } from '../ports/clock.ts';
import type { RegistryReader } from '../ports/registry-store.ts';

/**
 * What every signed route needs to authenticate, built once per cold start from the environment that the route's
 * `signed` bindings set (functions/routes.ts): registry (read), nonces (write), audit (write), exchange id.
 */
export const authenticationFromEnvironment = (): AuthenticationDeps & { registry: RegistryReader } => {
  const config = loadConfig(['EXCHANGE_ID', 'REGISTRY_TABLE_NAME', 'NONCES_TABLE_NAME', 'AUDIT_TABLE_NAME']);
  const doc = createDocumentClient();
  return {
    exchangeId: config.EXCHANGE_ID,
    registry: new CachedRegistryReader(new DynamoRegistryReader(doc, config.REGISTRY_TABLE_NAME)),
    nonces: new DynamoNonceStore(doc, config.NONCES_TABLE_NAME),
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE_NAME),
    signatures: new NodeSignatureVerifier(),
    clock: systemClock,
  };
};
