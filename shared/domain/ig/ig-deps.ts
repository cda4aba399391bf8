import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { IgReader } from '../../ports/ig-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import type { RestrictionReader } from '../../ports/restriction-store.ts';

/**
 * What the IG questions need: the projection, the clock, the audit log (the `child` question records its own
 * entry) and the registry (the report checks the asker's organisation belongs to the footprint). Plain stores, so
 * the benchmark calls the use cases as the handlers do.
 */
export type IgDeps = {
  readonly ig: IgReader;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
};

/** What the `child` question and the subject access report need beside: the restrictions of the child's entries. */
export type ChildDeps = IgDeps & { readonly restrictions: RestrictionReader };
