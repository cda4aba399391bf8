import type { ChildDeps, IgDeps } from '../domain/ig/ig-deps.ts';
import type { RestrictionDeps } from '../domain/ig/restrict-entry.ts';
import type { Runtime } from './runtime.ts';
import { igStore, merkleLogStore, restrictionStore } from './stores.ts';

/** What the /v1/ig questions need: the IG projection (read), the registry, the audit log and the clock. */
export const igDependencies = (runtime: Runtime): IgDeps => ({
  ig: igStore(runtime),
  registry: runtime.registry,
  audit: runtime.audit,
  clock: runtime.clock,
});

/** What the questions about one child need beside: the restrictions of the child's entries (read). */
export const childDependencies = (runtime: Runtime): ChildDeps => ({
  ...igDependencies(runtime),
  restrictions: restrictionStore(runtime),
});

/** What restricting and lifting need: the restrictions, the sequenced log (read), the audit log and the clock. */
export const restrictionDependencies = (runtime: Runtime): RestrictionDeps => ({
  restrictions: restrictionStore(runtime),
  leaves: merkleLogStore(runtime),
  audit: runtime.audit,
  clock: runtime.clock,
});
