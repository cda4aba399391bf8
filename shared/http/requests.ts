import { DynamoAgreementStore } from '../adapters/dynamodb/agreement-store.ts';
import { DynamoRequestStore } from '../adapters/dynamodb/request-store.ts';
import { S3PayloadStore } from '../adapters/s3/payload-store.ts';
import type { RequestDeps, SweepDeps } from '../domain/requests/request-deps.ts';
import type { Runtime } from './runtime.ts';

/**
 * The request stores: the requests table (writing audit entries and events with each step), the payloads bucket
 * and the agreements (read).
 */
export const requestStores = (runtime: Runtime) => ({
  requests: new DynamoRequestStore(runtime.doc, {
    requests: runtime.table('requests'),
    audit: runtime.table('audit'),
    events: runtime.table('events'),
  }),
  payloads: new S3PayloadStore(runtime.s3, runtime.bucket('payloads')),
  agreements: new DynamoAgreementStore(runtime.doc, {
    agreements: runtime.table('agreements'),
    audit: runtime.table('audit'),
  }),
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
