import type { KeyManagementDeps } from '../domain/registry/manage-client-keys.ts';
import type { Runtime } from './runtime.ts';
import { registryStore } from './stores.ts';

/** The registry writer (writing its audit entries into the audit table), the audit log and the clock. */
export const keyManagementDependencies = (runtime: Runtime): KeyManagementDeps => ({
  registry: registryStore(runtime),
  audit: runtime.audit,
  clock: runtime.clock,
});
