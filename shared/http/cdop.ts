import type { CaseDeps } from '../domain/cdop/case-deps.ts';
import { requestStores } from './requests.ts';
import type { Runtime } from './runtime.ts';
import { caseStore } from './stores.ts';

/** What the /v1/cdop operations need: the cases and the request stores, the registry, the audit log, the clock. */
export const caseDependencies = (runtime: Runtime): CaseDeps => ({
  ...requestStores(runtime),
  cases: caseStore(runtime),
  registry: runtime.registry,
  audit: runtime.audit,
  clock: runtime.clock,
});
