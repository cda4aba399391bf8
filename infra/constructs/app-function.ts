import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  type Access,
  type BucketName,
  buckets,
  checkpointKeySecretArnEnvVar,
  eventBusNameEnvVar,
  exchangeIdEnvVar,
  type TableName,
  tables,
} from '#shared/resources.ts';
import { functionEntryFile, lambdaBundling, projectRoot } from '../bundling.ts';
import { acknowledgeCompliance, nagResourceName } from '../nag.ts';

/** The one prefix share payloads are kept under (shared/domain/requests/share-keys.ts). */
const payloadPrefix = 'shares/';

export type AppFunctionProps = {
  /** Handler file, relative to functions/. */
  readonly entry: string;
  readonly description?: string;
  readonly logRetention?: RetentionDays;
  readonly removalPolicy?: RemovalPolicy;
  readonly timeout?: Duration;
  /** Encrypts the function's log group (its key policy lets CloudWatch Logs use it for this account's log groups). */
  readonly logKey: IKey;
  /**
   * Where an asynchronous invocation that failed goes (scheduled functions); none for functions API Gateway
   * invokes synchronously, whose caller receives the error.
   */
  readonly deadLetterQueue?: IQueue;
  /** A cap on concurrent runs, taken from the account's pool: for scheduled functions that should run alone. */
  readonly reservedConcurrentExecutions?: number;
  /** Files a bundle carries beside its code (the console's templates and GOV.UK Frontend), copied offline. */
  readonly commandHooks?: ICommandHooks;
};

/**
 * The one house Lambda function: Node.js 22 on ARM, X-Ray tracing, its own log group with a retention, ESM
 * bundles built locally by esbuild (no Docker). Resources are given to it only through `bindTable`/`bindBucket`,
 * which grant the access and set the name in one call, so no function has a grant without the name or a name
 * without the grant.
 */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.SIX_MONTHS,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      encryptionKey: props.logKey,
    });
    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its log group only.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      entry: functionEntryFile(props.entry),
      handler: 'handler',
      ...(props.description === undefined ? {} : { description: props.description }),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      ...(props.deadLetterQueue === undefined
        ? {}
        : { deadLetterQueueEnabled: true, deadLetterQueue: props.deadLetterQueue, retryAttempts: 0 }),
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'pbx',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling:
        props.commandHooks === undefined
          ? lambdaBundling
          : { ...lambdaBundling, commandHooks: props.commandHooks },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime pbx is built and tested for (Node 20 locally, 22 in Lambda); upgrades are deliberate.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (PutTraceSegments, PutTelemetryRecords) does not support resource-level permissions.',
    });
    acknowledgeCompliance(
      role,
      'IAMNoInlinePolicy',
      "The role's one policy holds what CDK's grants write (bindTable, bindBucket): least privilege per function, derived from shared/http/operations.ts and checked by test/infra; a managed policy per function would only move it.",
    );
    acknowledgeCompliance(
      this,
      'LambdaInsideVPC',
      'pbx uses no VPC resources: DynamoDB, S3, KMS, Secrets Manager and EventBridge are reached over TLS with IAM-signed requests; a VPC would add NAT or endpoints and no control.',
    );
    if (props.deadLetterQueue === undefined)
      acknowledgeCompliance(
        this,
        'LambdaDLQ',
        'Invoked synchronously by API Gateway: the caller receives the error and retries; a dead-letter queue only takes asynchronous invocations.',
      );
    if (props.reservedConcurrentExecutions === undefined)
      acknowledgeCompliance(
        this,
        'LambdaConcurrency',
        "The HTTP API stage throttles every route (100 requests/s, burst 200); reserving concurrency for each of the route functions would carve the account's pool into fixed slices and refuse calls while it is idle.",
      );
  }

  bindTable(name: TableName, table: ITable, access: Access): this {
    if (access === 'probe') table.grant(this, 'dynamodb:DescribeTable');
    else if (access === 'read') table.grantReadData(this);
    else if (access === 'write') table.grantWriteData(this);
    else if (access === 'readwrite') table.grantReadWriteData(this);
    else {
      if (access === 'readappend') table.grantReadData(this);
      this.#grantAppend(table);
    }
    this.addEnvironment(tables[name].envVar, table.tableName);
    if (access !== 'probe' && access !== 'read') this.#acknowledgeKmsWriteGrant();
    return this;
  }

  /**
   * Adding items only: PutItem (every append is conditional on the key being absent; IAM cannot require the
   * condition, so the sequencer's pending-set check is what finds a removed or unsequenced entry) and
   * ConditionCheckItem, which a transaction's condition check needs (TransactWriteItems is authorised per item
   * action). No UpdateItem, DeleteItem or BatchWriteItem. Writing a KMS-encrypted table also needs the data key.
   */
  #grantAppend(table: ITable): void {
    table.grant(this, 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem');
    table.encryptionKey?.grantEncryptDecrypt(this);
  }

  /** Writing a KMS-encrypted resource needs the data-key actions CDK grants with wildcards, on that one key. */
  #acknowledgeKmsWriteGrant(): void {
    if (this.role === undefined) return;
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'Data-key actions CDK grants for writing a KMS-encrypted table or bucket, on the one data key only.',
      });
    }
  }

  bindBucket(name: BucketName, bucket: IBucket, access: Access): this {
    if (access === 'append' || access === 'readappend')
      throw new Error(`${access} is a table access; bucket ${name} is read or written`);
    // HeadBucket is authorised by s3:ListBucket on the bucket itself, not on its objects.
    if (access === 'probe')
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    else if (buckets[name].objectLock) this.#bindWriteOnceBucket(bucket, access);
    else this.#bindPayloadObjects(bucket, access);
    this.addEnvironment(buckets[name].envVar, bucket.bucketName);
    if (access === 'write' || access === 'readwrite') this.#acknowledgeKmsWriteGrant();
    return this;
  }

  /**
   * Reads the checkpoint signing key's secret, and knows its ARN. The grant is written on the role, not through
   * `secret.grantRead`, which would also edit the KMS key policy in the stateful stack and make it depend on this
   * one: the key's policy already lets the account's IAM policies grant its use, here only via Secrets Manager.
   */
  bindCheckpointKeySecret(secret: ISecret, key: IKey): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    this.addEnvironment(checkpointKeySecretArnEnvVar, secret.secretArn);
    return this;
  }

  /**
   * A write-once bucket is read and added to, object by object, never deleted from or re-configured: only
   * GetObject (HeadObject too) and PutObject, on its objects, and the data key to encrypt and decrypt them.
   */
  #bindWriteOnceBucket(bucket: IBucket, access: Exclude<Access, 'probe' | 'append' | 'readappend'>): void {
    this.#bindObjects(bucket, access, '*', {
      read: ['s3:GetObject'],
      write: ['s3:PutObject'],
      reason: 'Objects of the one write-once bucket: each checkpoint is a new object, none is deleted.',
    });
  }

  /**
   * Share payloads live under `shares/` (shared/domain/requests/share-keys.ts): objects there are read
   * (hashing an upload, presigned downloads), put (inline releases, presigned uploads) and deleted (retention,
   * withdrawal). The bucket is versioned, so deleting a share deletes each of its versions by id: that needs
   * DeleteObjectVersion, and ListBucketVersions to find them, on the `shares/` prefix only. Nothing else lists,
   * re-configures or touches other keys.
   */
  #bindPayloadObjects(bucket: IBucket, access: Exclude<Access, 'probe' | 'append' | 'readappend'>): void {
    this.#bindObjects(bucket, access, `${payloadPrefix}*`, {
      read: ['s3:GetObject'],
      write: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      reason:
        'Objects under the one prefix share payloads are kept under; keys are per request and generated.',
    });
    if (access === 'write' || access === 'readwrite') {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucketVersions'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${payloadPrefix}*` } },
        }),
      );
    }
  }

  /** Object-level actions on one bucket's keys matching `pattern`, with the data key to encrypt and decrypt. */
  #bindObjects(
    bucket: IBucket,
    access: Exclude<Access, 'probe' | 'append' | 'readappend'>,
    pattern: string,
    grant: { read: string[]; write: string[]; reason: string },
  ): void {
    const actions = [
      ...(access === 'read' || access === 'readwrite' ? grant.read : []),
      ...(access === 'write' || access === 'readwrite' ? grant.write : []),
    ];
    const objects = bucket.arnForObjects(pattern);
    this.addToRolePolicy(new PolicyStatement({ actions, resources: [objects] }));
    if (access === 'read') bucket.encryptionKey?.grantDecrypt(this);
    else bucket.encryptionKey?.grantEncryptDecrypt(this);
    // The object ARN is a cross-stack reference, known only once references are resolved: acknowledge it then,
    // under the name cdk-nag gives the finding.
    this.node.addValidation({
      validate: () => {
        if (this.role !== undefined) {
          Validations.of(this.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(this).resolve(objects))}]`,
            reason: grant.reason,
          });
        }
        return [];
      },
    });
  }

  /** Publishes on the exchange's event bus: events:PutEvents on that bus only, and its name. */
  bindEventBus(bus: IEventBus): this {
    bus.grantPutEventsTo(this);
    this.addEnvironment(eventBusNameEnvVar, bus.eventBusName);
    return this;
  }

  bindExchangeId(exchangeId: string): this {
    this.addEnvironment(exchangeIdEnvVar, exchangeId);
    return this;
  }
}
