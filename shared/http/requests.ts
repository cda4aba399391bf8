import type { RequestDeps, SweepDeps } from '../domain/requests/request-deps.ts';
import type { Runtime } from './runtime.ts';
import { agreementStore, payloadStore, requestStore } from './stores.ts';

/** The request stores: the requests (each step with its audit entry and events), their payloads, the agreements. */
export const requestStores = (runtime: Runtime) => ({
  requests: requestStore(runtime),
  payloads: payloadStore(runtime),
  agreements: agreementStore(runtime),
});

/** What the /v1/requests operations need: the request stores, the registry, the audit log and the clock. */
export const requestDependencies = (runtime: Runtime): RequestDeps => ({
  ...requestStores(runtime),
  registry: runtime.registry,
  audit: runtime.audit,
  clock: runtime.clock,
});

/** What the request sweeper needs: the request stores, the audit log and the clock (no registry). */
export const sweepDependencies = (runtime: Runtime): SweepDeps => ({
  ...requestStores(runtime),
  audit: runtime.audit,
  clock: runtime.clock,
});
