import { DynamoCaseStore } from '../adapters/dynamodb/case-store.ts';
import type { CaseDeps } from '../domain/cdop/case-deps.ts';
import { requestStores } from './requests.ts';
import type { Runtime } from './runtime.ts';

/** The case stores: the CDOP cases table (writing audit entries and events with each step) and the request stores. */
export const caseStores = (runtime: Runtime) => ({
  ...requestStores(runtime),
  cases: new DynamoCaseStore(runtime.doc, {
    cases: runtime.table('cdopCases'),
    audit: runtime.table('audit'),
    events: runtime.table('events'),
  }),
});

/** What the /v1/cdop operations need: the case stores, the registry, the audit log and the clock. */
export const caseDependencies = (runtime: Runtime): CaseDeps => ({
  ...caseStores(runtime),
  registry: runtime.registry,
  audit: runtime.audit,
  clock: runtime.clock,
});
