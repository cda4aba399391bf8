import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PayloadStore } from '../../ports/payload-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import type { RequestStore } from '../../ports/request-store.ts';

/** What the request use cases need (built once per process: shared/http/requests.ts). */
export type RequestDeps = {
  readonly requests: RequestStore;
  readonly payloads: PayloadStore;
  /** The agreements: their standing at each step; the sweep also empties the revocations work list. */
  readonly agreements: Pick<AgreementStore, 'getAgreement' | 'listRevocations' | 'finishRevocation'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/**
 * What the scheduled sweep needs: no registry; the requests, their bytes and the log, and the agreements: their
 * standing (recorded with each step) and the revocations whose requests it closes.
 */
export type SweepDeps = Pick<RequestDeps, 'requests' | 'payloads' | 'audit' | 'clock' | 'agreements'>;
