import type { AlertDeps } from '../domain/alerts/alert-deps.ts';
import type { Runtime } from './runtime.ts';
import { alertStore } from './stores.ts';

/** What the /v1/alerts operations need: the alerts table, the audit log and the clock. */
export const alertDependencies = (runtime: Runtime): AlertDeps => ({
  alerts: alertStore(runtime),
  audit: runtime.audit,
  clock: runtime.clock,
});
