import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type BucketName, buckets, type TableName, tables } from '#shared/resources.ts';
import { allowLogGroupEncryption } from '../constructs/log-encryption.ts';
import { acknowledgeCompliance } from '../nag.ts';

export type StatefulStackProps = StackProps & {
  readonly stage: string;
};

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Everything that holds data: one customer-managed KMS key, the tables and buckets named in shared/resources.ts.
 * Tables have point-in-time recovery and KMS encryption; buckets block public access, enforce TLS, are versioned,
 * KMS-encrypted and log access. Outside the dev stage nothing here is deleted with the stack.
 */
export class StatefulStack extends Stack {
  readonly dataKey: Key;
  readonly tables: Readonly<Record<TableName, Table>>;
  readonly buckets: Readonly<Record<BucketName, Bucket>>;
  /** The secret the audit log's checkpoint signing key is derived from (shared/adapters/crypto/checkpoint-key.ts). */
  readonly checkpointKeySecret: Secret;
  /**
   * The custom bus domain events are published on (events/README.md). Events carry no personal data, so the
   * bus keeps EventBridge's default encryption; subscribers add their own rules.
   */
  readonly eventBus: EventBus;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const retain = props.stage !== 'dev';
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.dataKey = new Key(this, 'DataKey', {
      description: `pbx ${props.stage}: encrypts tables and buckets holding case and audit data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts this account's log groups (the functions', the API's access log) with it.
    allowLogGroupEncryption(this.dataKey);

    this.tables = Object.fromEntries(
      (Object.keys(tables) as TableName[]).map((name) => {
        const definition = tables[name];
        const table = new Table(this, `${pascal(name)}Table`, {
          partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
          sortKey: { name: definition.sortKey, type: AttributeType.STRING },
          billingMode: BillingMode.PAY_PER_REQUEST,
          encryption: TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: this.dataKey,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: retain,
          removalPolicy,
          ...('timeToLiveAttribute' in definition
            ? { timeToLiveAttribute: definition.timeToLiveAttribute }
            : {}),
        });
        return [name, table];
      }),
    ) as Record<TableName, Table>;

    // Beside point-in-time recovery (35 days), AWS Backup keeps daily copies of every table for 35 days and
    // monthly ones for the audit records' seven years (auditRetentionDays), in a vault encrypted with the data key.
    const vault = new BackupVault(this, 'BackupVault', { encryptionKey: this.dataKey, removalPolicy });
    const plan = new BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      // No move to cold storage: for DynamoDB that needs the account's advanced backup features.
      backupPlanRules: [
        BackupPlanRule.daily(),
        new BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: Schedule.cron({ day: '1', hour: '5', minute: '0' }),
          deleteAfter: Duration.days(auditRetentionDays),
        }),
      ],
    });
    const selection = plan.addSelection('Tables', {
      resources: Object.values(this.tables).map((table) => BackupResource.fromDynamoDbTable(table)),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: "AWS Backup's own service-role policy for taking backups, maintained by AWS as its API grows.",
    });

    // Server access logs cannot be delivered to a KMS-encrypted bucket, so this one uses S3-managed keys; it
    // holds request metadata only, never objects.
    const accessLogs = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging it to itself would loop.',
    });
    acknowledgeCompliance(
      accessLogs,
      'S3DefaultEncryptionKMS',
      'S3 server access logging delivers only to buckets encrypted with SSE-S3, not SSE-KMS; the logs hold request metadata, no objects.',
    );

    this.buckets = Object.fromEntries(
      (Object.keys(buckets) as BucketName[]).map((name) => {
        const bucket = new Bucket(this, `${pascal(name)}Bucket`, {
          encryption: BucketEncryption.KMS,
          encryptionKey: this.dataKey,
          bucketKeyEnabled: true,
          blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
          objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
          enforceSSL: true,
          versioned: true,
          objectLockEnabled: buckets[name].objectLock,
          // Write-once: every object version is kept, by nobody's leave (compliance mode binds the root user too),
          // for the audit records' retention period.
          ...(buckets[name].objectLock
            ? {
                objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(auditRetentionDays)),
              }
            : {}),
          lifecycleRules: lifecycleRulesOf(buckets[name].objectLock),
          serverAccessLogsBucket: accessLogs,
          serverAccessLogsPrefix: `${name}/`,
          removalPolicy: RemovalPolicy.RETAIN,
        });
        return [name, bucket];
      }),
    ) as Record<BucketName, Bucket>;

    for (const bucket of [accessLogs, ...Object.values(this.buckets)]) {
      acknowledgeCompliance(
        bucket,
        'S3BucketReplicationEnabled',
        'Single-region by design (UK data residency): buckets are versioned, the checkpoints are under Object Lock, and every audit record is also in the tables, which AWS Backup and point-in-time recovery protect.',
      );
    }

    // 64 random alphanumeric characters (about 380 bits); the functions hash it to the 32-byte Ed25519 seed.
    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName: `pbx-${props.stage}`,
      description: `pbx ${props.stage}: domain events of the exchange (RequestSubmitted, ShareReleased, ...)`,
    });

    this.checkpointKeySecret = new Secret(this, 'CheckpointKeySecret', {
      description: `pbx ${props.stage}: seed of the audit log's checkpoint signing key`,
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.checkpointKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Rotating a transparency log's signing key is a key rollover announced to clients and witnesses (a new verifier key in discovery, both keys signing for a while), not an automatic rotation.",
    });
    acknowledgeCompliance(
      this.checkpointKeySecret,
      'SecretsManagerRotationEnabled',
      'The checkpoint signing key cannot rotate automatically without breaking verifiers: clients and witnesses pin the published verifier key, so a new key is a rollover announced in discovery, with both keys signing for a while.',
    );
  }
}

/**
 * Nothing is kept that nobody can see: parts of an upload never completed go after a day. In a bucket that is
 * not write-once (the payloads), deleting a share deletes every version by id (shared/adapters/s3/payload-store.ts);
 * a version left noncurrent all the same (an overwrite, a purge that failed half-way) expires a day later, and a
 * delete marker with no version behind it is removed. A write-once bucket keeps every version under Object Lock,
 * so it has no rule that expires one.
 */
const lifecycleRulesOf = (writeOnce: boolean): LifecycleRule[] => [
  {
    id: 'AbortIncompleteUploads',
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  },
  ...(writeOnce
    ? []
    : [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(1),
          expiredObjectDeleteMarker: true,
        },
      ]),
];

/** How long checkpoints stay under Object Lock: seven years, the audit records' retention. */
const auditRetentionDays = 7 * 365;
