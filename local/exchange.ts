import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { schedules } from '#functions/schedules.ts';
import { checkpointKeyFromSecret } from '#shared/adapters/crypto/checkpoint-key.ts';
import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryReader, DynamoRegistryStore } from '#shared/adapters/dynamodb/registry-store.ts';
import { S3CheckpointArchive } from '#shared/adapters/s3/checkpoint-archive.ts';
import { publishVerifierKey } from '#shared/domain/audit/publish-checkpoint.ts';
import { ulid } from '#shared/domain/ids.ts';
import { type ImportSummary, importRegistry } from '#shared/domain/registry/import-registry.ts';
import { operationList } from '#shared/http/operations.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import {
  checkpointKeySecretEnvVar,
  eventPublisherEnvVar,
  exchangeIdEnvVar,
  type TableName,
} from '#shared/resources.ts';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { freePort } from './free-port.ts';
import { type AccessLogLine, createHttpAdapter } from './http-adapter.ts';
import { localCredentials, localRegion } from './local-credentials.ts';
import { holdOwnerOnlyUmask, restrictToOwner } from './owner-only.ts';
import {
  deleteLocalTables,
  localBucketName,
  localResourceEnv,
  localTableName,
  localTablePrefix,
  provisionLocalResources,
} from './provision.ts';
import { startS3Local } from './s3-local.ts';
import { startScheduler } from './scheduler.ts';
import { type AgreementSeedSummary, seedAgreements } from './seed/agreement-seed.ts';
import { ensureCheckpointKeySecret } from './seed/checkpoint-key.ts';
import { ensureClientKeys, type KeySummary } from './seed/client-keys.ts';
import { ensureFootprintKeys } from './seed/footprint-keys.ts';
import { registrySeed } from './seed/registry-seed.ts';

export const defaultExchangeId = 'pbx-local';

// The local exchange runs on Node 20 on purpose (see ../shared/notes/local-stack.md); Lambda runs nodejs22.x.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export type ExchangeOptions = {
  /** Where data and keys persist; omitted, everything lives in a temporary folder removed on stop. */
  readonly dataDir?: string;
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  readonly exchangeId?: string;
  readonly clock?: Clock;
  readonly onAccess?: (line: AccessLogLine) => void;
  /**
   * Run the scheduled functions (the audit sequencer, the checkpoint publisher) on their local intervals; default
   * true. When false, they run only when `runSchedule` asks.
   */
  readonly schedules?: boolean;
  readonly onScheduleError?: (id: string, error: unknown) => void;
  /** Publish a checkpoint once the newest is this old and the log has grown; default 3 (AWS: 300). */
  readonly checkpointMaxAgeSeconds?: number;
  /**
   * A DynamoDB Local that is already running and shared with other exchanges (the integration tests start one
   * for all their files). The exchange then makes tables of its own there, under a prefix no other exchange
   * uses, deletes them on stop and leaves the server running. Omitted, the exchange starts a DynamoDB Local of
   * its own (in memory, or under `dataDir`) with the tables named as under `npm start`.
   */
  readonly dynamoDb?: SharedDynamoDbLocal;
};

/** Where a shared DynamoDB Local answers, and its process id. */
export type SharedDynamoDbLocal = Pick<RunningDynamoDbLocal, 'endpoint' | 'pid'>;

export type RunningExchange = {
  readonly url: string;
  readonly exchangeId: string;
  readonly dataDir: string;
  readonly keysDir: string;
  readonly dynamoEndpoint: string;
  /**
   * DynamoDB Local's process id (tests pause it with SIGSTOP to see a hung store; such a test starts a DynamoDB
   * Local of its own, since pausing a shared one pauses every exchange on it).
   */
  readonly dynamoPid: number;
  /** The prefix of this exchange's table names (`pbx-` unless it shares a DynamoDB Local). */
  readonly tablePrefix: string;
  /** The physical name of one of this exchange's tables. */
  tableName(name: TableName): string;
  readonly s3Endpoint: string;
  /** What this start added to the registry (nothing on a restart over kept data). */
  readonly seeded: {
    registry: ImportSummary;
    keys: KeySummary;
    clients: number;
    agreements: AgreementSeedSummary;
  };
  /** Runs a scheduled function now (tests, and commands that want the audit log sequenced at once). */
  runSchedule(id: string): Promise<unknown>;
  /** The environment handlers run with: endpoints, credentials and resource names. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
};

const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });

/** DynamoDB Local for one exchange, on a free port, in memory or under `dataDir` when the data is kept. */
const startOwnDynamoDbLocal = async (
  dataDir: string,
  ephemeral: boolean,
  cleanups: (() => Promise<void>)[],
): Promise<RunningDynamoDbLocal> => {
  const dynamoDir = join(dataDir, 'dynamodb');
  if (!ephemeral) await mkdir(dynamoDir, { recursive: true, mode: 0o700 });
  const dynamoLocal = await startDynamoDbLocal({
    port: await freePort(),
    ...(ephemeral ? {} : { dataDir: dynamoDir }),
  });
  cleanups.push(() => dynamoLocal.stop());
  return dynamoLocal;
};

/**
 * Starts the whole exchange on this machine: DynamoDB Local and the S3 emulator on free ports, the tables and
 * buckets of the CDK stateful stack, the seeded registry with a key pair per client, the seeded agreements signed
 * by every party, and the API served by the
 * same handlers that deploy to AWS. Everything started is stopped by `stop()`, also when start-up fails halfway.
 */
export const startExchange = async (options: ExchangeOptions = {}): Promise<RunningExchange> => {
  if (options.dynamoDb !== undefined && options.dataDir !== undefined) {
    // Its tables are named afresh at every start, so nothing of them could be found again under `dataDir`.
    throw new TypeError(
      'an exchange on a shared DynamoDB Local keeps no data: give dynamoDb or dataDir, not both',
    );
  }
  const ephemeral = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pbx-')));
  const keysDir = join(dataDir, 'keys');
  const exchangeId = options.exchangeId ?? defaultExchangeId;
  const clock = options.clock ?? systemClock;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  if (ephemeral) cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

  try {
    // Owner-only from the first write to the last (docs: README, the local exchange): the umask covers what
    // DynamoDB Local and s3rver create, the sweeps what exists from before and anything created without it.
    cleanups.push(holdOwnerOnlyUmask());
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await restrictToOwner(dataDir);
    cleanups.push(() => restrictToOwner(dataDir));
    const dynamoLocal = options.dynamoDb ?? (await startOwnDynamoDbLocal(dataDir, ephemeral, cleanups));
    // A shared DynamoDB Local holds the tables of many exchanges, each under a prefix of its own.
    const tablePrefix = options.dynamoDb === undefined ? localTablePrefix : `pbx-${ulid().toLowerCase()}-`;
    const tableName = (name: TableName) => localTableName(name, tablePrefix);
    const s3Local = await startS3Local({ port: 0, directory: join(dataDir, 's3') });
    cleanups.push(() => s3Local.stop());

    const checkpointSecret = await ensureCheckpointKeySecret(keysDir);
    const env: Record<string, string> = {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoLocal.endpoint,
      AWS_ENDPOINT_URL_S3: s3Local.endpoint,
      // s3rver stores streamed uploads corrupted when the SDK adds its default checksums.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      [exchangeIdEnvVar]: exchangeId,
      // The checkpoint signing key's secret itself, where AWS passes a Secrets Manager ARN.
      [checkpointKeySecretEnvVar]: checkpointSecret,
      // A checkpoint a few seconds after the log grows, so that a demo sees one (AWS: 1,000 entries or 5 minutes).
      CHECKPOINT_MAX_AGE_SECONDS: String(options.checkpointMaxAgeSeconds ?? 3),
      // No EventBridge locally: the event relay only counts, and subscribers read the feed (GET /v1/events).
      [eventPublisherEnvVar]: 'local',
      ...localResourceEnv(tablePrefix),
    };
    // Handlers read their configuration from the process environment at cold start, as in Lambda.
    Object.assign(process.env, env);

    const awsConfig = { region: localRegion, credentials: localCredentials };
    const dynamo = new DynamoDBClient({ ...awsConfig, endpoint: dynamoLocal.endpoint });
    const s3 = new S3Client({ ...awsConfig, endpoint: s3Local.endpoint, forcePathStyle: true });
    cleanups.push(async () => {
      dynamo.destroy();
      s3.destroy();
    });
    if (options.dynamoDb !== undefined) cleanups.push(() => deleteLocalTables(dynamo, tablePrefix));
    await provisionLocalResources(dynamo, s3, tablePrefix);
    // What the publisher does on its first run in AWS, done before the first request: discovery and cosigning
    // read the published verifier key, never the secret.
    await publishVerifierKey({
      verifierKeys: new S3CheckpointArchive(s3, localBucketName('auditCheckpoints')),
      key: async () => checkpointKeyFromSecret(exchangeId, checkpointSecret),
    });

    const doc = createDocumentClient(dynamo);
    const registry = new DynamoRegistryStore(doc, {
      registry: tableName('registry'),
      audit: tableName('audit'),
    });
    const registrySummary = await importRegistry({ registry, clock }, registrySeed);
    const clientIds = registrySeed.clients.map((c) => c.id);
    const keySummary = await ensureClientKeys({ registry, clock }, { keysDir, clientIds });
    // The members' subject-reference keys (docs/SUBJECT-REFERENCES.md); the exchange itself never reads them.
    await ensureFootprintKeys({ clock }, { keysDir, footprintIds: registrySeed.footprints.map((f) => f.id) });
    const agreementSummary = await seedAgreements({
      agreements: new DynamoAgreementStore(doc, {
        agreements: tableName('agreements'),
        audit: tableName('audit'),
      }),
      registry: new DynamoRegistryReader(doc, tableName('registry')),
      audit: new DynamoAuditLog(doc, tableName('audit')),
      clock,
    });

    const functionsDir = new URL('../functions/', import.meta.url);
    const scheduler = startScheduler({
      schedules,
      timers: options.schedules !== false,
      functionsDir,
      ...(options.onScheduleError === undefined ? {} : { onError: options.onScheduleError }),
    });
    cleanups.push(() => scheduler.stop());

    const server = createHttpAdapter({
      routes: operationList,
      functionsDir,
      ...(options.onAccess === undefined ? {} : { onAccess: options.onAccess }),
    });
    const host = options.host ?? '127.0.0.1';
    const port = await listen(server, options.port ?? 0, host);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );

    return {
      url: `http://${host}:${port}`,
      exchangeId,
      dataDir,
      keysDir,
      dynamoEndpoint: dynamoLocal.endpoint,
      dynamoPid: dynamoLocal.pid,
      tablePrefix,
      tableName,
      s3Endpoint: s3Local.endpoint,
      seeded: {
        registry: registrySummary,
        keys: keySummary,
        clients: clientIds.length,
        agreements: agreementSummary,
      },
      env,
      runSchedule: (id) => scheduler.runNow(id),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
