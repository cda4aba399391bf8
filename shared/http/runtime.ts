import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../adapters/dynamodb/audit-log.ts';
import { CachedRegistryReader } from '../adapters/dynamodb/cached-registry-reader.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { DynamoNonceStore } from '../adapters/dynamodb/nonce-store.ts';
import { DynamoRegistryReader } from '../adapters/dynamodb/registry-store.ts';
import { createS3Client } from '../adapters/s3/client.ts';
import { type ConfigKey, loadConfig } from '../config.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { RegistryReader } from '../ports/registry-store.ts';
import {
  type BucketName,
  buckets,
  exchangeIdEnvVar,
  type FunctionBindings,
  type TableName,
  tables,
} from '../resources.ts';
import { signedRequestVerifier } from './calls-in-flight.ts';

/**
 * What one function builds once, at its cold start, from the bindings it declared (shared/http/operations.ts,
 * functions/schedules.ts): the one DynamoDB document client and the one S3 client it shares between all its
 * stores, the names of exactly the tables and buckets it may touch, and the audit log and clock. Asking for a
 * resource the function did not declare is a programming error and fails at cold start, never at a request: so
 * what a function is granted (derived from the same bindings by infra) and what it configures cannot disagree.
 */
export type Runtime = {
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  table(name: TableName): string;
  bucket(name: BucketName): string;
  exchangeId(): string;
  readonly clock: Clock;
  /** The audit log on the audit table: refusals and audited reads, each entry on its own. */
  readonly audit: AuditLog;
  /** The registry, read once per warm function and its freshness checked at every use. */
  readonly registry: RegistryReader;
  /** The resources this function asked for, for the contract test that they are the ones it declared. */
  readonly used: ReadonlySet<TableName | BucketName>;
};

/**
 * Builds the runtime of a function from its bindings. Clients and stores are built on first use, so a function
 * builds only what it needs; each is built once.
 */
export const createRuntime = (name: string, bindings: FunctionBindings): Runtime => {
  const used = new Set<TableName | BucketName>();
  const once = <T>(build: () => T): (() => T) => {
    let built: { value: T } | undefined;
    return () => {
      built ??= { value: build() };
      return built.value;
    };
  };
  const doc = once(() => createDocumentClient());
  const s3 = once(() => createS3Client());
  /** Each configuration value read and checked once (stores share tables: the audit table is named by most). */
  const values = new Map<ConfigKey, string>();
  const configured = (key: ConfigKey): string => {
    let value = values.get(key);
    if (value === undefined) {
      value = loadConfig([key])[key];
      values.set(key, value);
    }
    return value;
  };
  /** The configured name of a declared resource; an undeclared one is a programming error, at cold start. */
  const resource =
    <R extends TableName | BucketName>(
      kind: 'table' | 'bucket',
      declared: Partial<Record<R, unknown>>,
      envVarOf: (name: R) => ConfigKey,
    ) =>
    (resourceName: R): string => {
      if (declared[resourceName] === undefined) {
        throw new TypeError(`${name} does not declare the ${resourceName} ${kind}`);
      }
      used.add(resourceName);
      return configured(envVarOf(resourceName));
    };
  const table = resource<TableName>('table', bindings.tables, (t) => tables[t].envVar);
  const bucket = resource<BucketName>('bucket', bindings.buckets, (b) => buckets[b].envVar);
  const exchangeId = (): string => {
    if (bindings.exchangeId !== true) throw new TypeError(`${name} does not declare the exchange id`);
    return configured(exchangeIdEnvVar);
  };
  const audit = once(() => new DynamoAuditLog(doc(), table('audit')));
  // Read once per warm function, its generation checked at every use (docs/ARCHITECTURE.md, the registry).
  const registry = once(() => new CachedRegistryReader(new DynamoRegistryReader(doc(), table('registry'))));
  return {
    get doc() {
      return doc();
    },
    get s3() {
      return s3();
    },
    table,
    bucket,
    exchangeId,
    clock: systemClock,
    get audit() {
      return audit();
    },
    get registry() {
      return registry();
    },
    used,
  };
};

/** What a signed operation needs to authenticate: registry (read), nonces (write), audit (append), exchange id. */
export const authenticationDependencies = (
  runtime: Runtime,
): AuthenticationDeps & { registry: RegistryReader } => ({
  exchangeId: runtime.exchangeId(),
  registry: runtime.registry,
  nonces: new DynamoNonceStore(runtime.doc, runtime.table('nonces')),
  audit: runtime.audit,
  signatures: signedRequestVerifier(),
  clock: runtime.clock,
});
