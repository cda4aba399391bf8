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
  /**
   * The IG projection of the sequenced audit log (shared/adapters/dynamodb/ig-store.ts, written only by the
   * projector ProjectIgAnswers): monthly aggregates, open requests, each child's entries and the cursor (docs/IG.md).
   */
  ig: { envVar: 'IG_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /**
   * Restrictions of entries from subject access reports (shared/adapters/dynamodb/restriction-store.ts): each
   * restriction under its organisation, and a copy under each subject reference of the entry it restricts, so the
   * `child` answer and the disclosure read a child's restrictions in one query per reference (docs/IG.md).
   */
  igRestrictions: { envVar: 'IG_RESTRICTIONS_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
  /**
   * Anomaly alerts for IG leads (shared/adapters/dynamodb/alert-store.ts): the alerts and their listings, written
   * by the detector DetectAnomalies and the acknowledge and close operations; the rules' rolling state, forgotten
   * by TTL; the detector's cursor (docs/IG.md "Anomaly alerts").
   */
  alerts: {
    envVar: 'ALERTS_TABLE_NAME',
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

/**
 * What a function may do with a resource. `probe` only asks whether it answers (DescribeTable, HeadBucket): the
 * health check needs no data. `append` adds items and never changes or removes one (PutItem, with the
 * `attribute_not_exists` condition appendAudit puts on each, and ConditionCheckItem): the audit table is append-only
 * to every function but the sequencer, the one that may update entries and delete pending markers (docs/AUDIT.md).
 * `readappend` is read and append together.
 */
export type Access = 'probe' | 'read' | 'append' | 'readappend' | 'write' | 'readwrite';

/** What each access allows, as parts: an access is the set of its parts, and two combine to the union. */
const accessParts: Record<Access, readonly ('read' | 'append' | 'write')[]> = {
  probe: [],
  read: ['read'],
  append: ['append'],
  readappend: ['read', 'append'],
  write: ['append', 'write'],
  readwrite: ['read', 'append', 'write'],
};

/** The weaker of two accesses is implied by the stronger; read and append or write together are readappend or readwrite. */
export const combineAccess = (a: Access | undefined, b: Access): Access => {
  if (a === undefined || a === 'probe') return b;
  if (b === 'probe') return a;
  const union = new Set([...accessParts[a], ...accessParts[b]]);
  if (union.has('write')) return union.has('read') ? 'readwrite' : 'write';
  if (union.has('append')) return union.has('read') ? 'readappend' : 'append';
  return 'read';
};

/**
 * The resources a function may touch and how, from which infra grants exactly these and the function reads exactly
 * the configuration they set (shared/http/runtime.ts): one definition, so the two cannot disagree.
 */
export type FunctionBindings = {
  readonly tables: Partial<Record<TableName, Access>>;
  readonly buckets: Partial<Record<BucketName, Access>>;
  /** Knows the exchange id (`aud`, the log origin). */
  readonly exchangeId?: true;
  /** Reads the checkpoint signing key's secret (infra: `bindSecret`; locally: the secret in the environment). */
  readonly checkpointKey?: true;
};

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
