import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { DynamoRegistryStore } from '../adapters/dynamodb/registry-store.ts';
import { loadConfig } from '../config.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import type { KeyManagementDeps } from '../domain/registry/manage-client-keys.ts';

/** The registry writer and audit log the key-management routes need, beside what authentication built. */
export const keyManagementFromEnvironment = (auth: AuthenticationDeps): KeyManagementDeps => {
  const config = loadConfig(['REGISTRY_TABLE_NAME', 'AUDIT_TABLE_NAME']);
  return {
    registry: new DynamoRegistryStore(createDocumentClient(), {
      registry: config.REGISTRY_TABLE_NAME,
      audit: config.AUDIT_TABLE_NAME,
    }),
    audit: auth.audit,
    clock: auth.clock,
  };
};
