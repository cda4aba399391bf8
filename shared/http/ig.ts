import type { IgDeps } from '../domain/ig/ig-deps.ts';
import type { Runtime } from './runtime.ts';
import { igStore } from './stores.ts';

/** What the /v1/ig questions need: the IG projection (read), the registry, the audit log and the clock. */
export const igDependencies = (runtime: Runtime): IgDeps => ({
  ig: igStore(runtime),
  registry: runtime.registry,
  audit: runtime.audit,
  clock: runtime.clock,
});
