import { DynamoRegistryStore } from '../adapters/dynamodb/registry-store.ts';
import type { KeyManagementDeps } from '../domain/registry/manage-client-keys.ts';
import type { Runtime } from './runtime.ts';

/** The registry writer (writing its audit entries into the audit table), the audit log and the clock. */
export const keyManagementDependencies = (runtime: Runtime): KeyManagementDeps => ({
  registry: new DynamoRegistryStore(runtime.doc, {
    registry: runtime.table('registry'),
    audit: runtime.table('audit'),
  }),
  audit: runtime.audit,
  clock: runtime.clock,
});
