import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { CaseStore } from '../../ports/case-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PayloadStore } from '../../ports/payload-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import type { RequestStore } from '../../ports/request-store.ts';

/**
 * What the CDOP case workspace's use cases need (docs/CDOP.md): the cases, the data requests the cases send, the
 * report bytes and packs, the agreements that judge every step, the registry, the audit log and the clock.
 */
export type CaseDeps = {
  readonly cases: CaseStore;
  readonly requests: Pick<RequestStore, 'getRequest' | 'create'>;
  readonly payloads: Pick<PayloadStore, 'read' | 'put'>;
  readonly agreements: Pick<AgreementStore, 'listAgreements'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/** What the case tracker needs: no registry; the agreements, to judge each case's asks by its standing. */
export type TrackDeps = Pick<CaseDeps, 'cases' | 'requests' | 'agreements' | 'audit' | 'clock'>;
