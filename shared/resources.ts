/**
 * The stateful resources of the exchange, named once. The CDK stacks create them from these definitions, the
 * local exchange provisions DynamoDB Local and the S3 emulator from the same ones, and functions find them
 * through the environment variable each binding sets (see infra/constructs/app-function.ts and shared/config.ts).
 */

export type TableDefinition = {
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Attribute holding an epoch-seconds expiry that DynamoDB TTL deletes on. */
  readonly timeToLiveAttribute?: string;
};

export const tables = {
  /** Organisations, footprints, clients and their public keys. */
  registry: { envVar: 'REGISTRY_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /** Information-sharing agreements and their versions (shared/adapters/dynamodb/agreement-store.ts). */
  agreements: { envVar: 'AGREEMENTS_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /** Audit entries; every write goes through appendAudit (shared/adapters/dynamodb/audit-log.ts). */
  audit: { envVar: 'AUDIT_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /** Single-use request ids (`jti`) per issuer, expired by TTL once they can no longer be replayed. */
  nonces: {
    envVar: 'NONCES_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'expiresAt',
  },
  /**
   * Data requests, their signed copies, inbox and outbox listings, idempotency records and work lists
   * (shared/adapters/dynamodb/request-store.ts).
   */
  requests: { envVar: 'REQUESTS_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /**
   * CDOP child death review cases, their lists and the signed calls that asked agencies for reports
   * (shared/adapters/dynamodb/case-store.ts).
   */
  cdopCases: { envVar: 'CDOP_CASES_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /**
   * Domain events (shared/adapters/dynamodb/event-outbox.ts, written only by appendEvents): each organisation's
   * feed, kept ~30 days by TTL, and the relay's markers of events not yet published on the bus.
   */
  events: {
    envVar: 'EVENTS_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type BucketDefinition = {
  readonly envVar: string;
  /** Write-once storage (S3 Object Lock in AWS); set at creation because it cannot be turned off later. */
  readonly objectLock: boolean;
};

export const buckets = {
  /** Released share payloads, under server-generated keys only. */
  payloads: { envVar: 'PAYLOADS_BUCKET_NAME', objectLock: false },
  /** Signed audit checkpoints. */
  auditCheckpoints: { envVar: 'AUDIT_BUCKET_NAME', objectLock: true },
} as const satisfies Record<string, BucketDefinition>;

export type TableName = keyof typeof tables;
export type BucketName = keyof typeof buckets;

/** The exchange's identity: the `aud` every signed request must carry. */
export const exchangeIdEnvVar = 'EXCHANGE_ID';

/**
 * The secret the audit log's checkpoint signing key is derived from (shared/adapters/crypto/checkpoint-key.ts):
 * the local exchange passes the secret string itself, AWS passes the ARN of a Secrets Manager secret holding it.
 * A function gets exactly one of the two.
 */
export const checkpointKeySecretEnvVar = 'CHECKPOINT_KEY_SECRET';
export const checkpointKeySecretArnEnvVar = 'CHECKPOINT_KEY_SECRET_ARN';

/**
 * Where domain events are published (shared/adapters/eventbridge/event-publisher.ts): AWS passes the name of the
 * EventBridge custom bus, the local exchange passes `EVENT_PUBLISHER=local` (no bus; the feed is read instead).
 */
export const eventBusNameEnvVar = 'EVENT_BUS_NAME';
export const eventPublisherEnvVar = 'EVENT_PUBLISHER';
