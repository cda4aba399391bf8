import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { Access } from '#functions/routes.ts';
import { type BucketName, buckets, exchangeIdEnvVar, type TableName, tables } from '#shared/resources.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export type AppFunctionProps = {
  /** Handler file, relative to functions/. */
  readonly entry: string;
  readonly description?: string;
  readonly logRetention?: RetentionDays;
  readonly removalPolicy?: RemovalPolicy;
  readonly timeout?: Duration;
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
    });
    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its log group only.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      entry: join(projectRoot, 'functions', props.entry),
      handler: 'handler',
      ...(props.description === undefined ? {} : { description: props.description }),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'pbx',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        logLevel: LogLevel.WARNING,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); give ESM bundles one.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // Bundle the pinned AWS SDK rather than trust whatever version the runtime ships.
        externalModules: [],
      },
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
  }

  bindTable(name: TableName, table: ITable, access: Access): this {
    if (access === 'probe') table.grant(this, 'dynamodb:DescribeTable');
    else if (access === 'read') table.grantReadData(this);
    else if (access === 'write') table.grantWriteData(this);
    else table.grantReadWriteData(this);
    this.addEnvironment(tables[name].envVar, table.tableName);
    if (access === 'write' || access === 'readwrite') this.#acknowledgeKmsWriteGrant();
    return this;
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
    // HeadBucket is authorised by s3:ListBucket on the bucket itself, not on its objects.
    if (access === 'probe')
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    else if (access === 'read') bucket.grantRead(this);
    else if (access === 'write') bucket.grantPut(this);
    else bucket.grantReadWrite(this);
    this.addEnvironment(buckets[name].envVar, bucket.bucketName);
    if (access === 'write' || access === 'readwrite') this.#acknowledgeKmsWriteGrant();
    return this;
  }

  bindExchangeId(exchangeId: string): this {
    this.addEnvironment(exchangeIdEnvVar, exchangeId);
    return this;
  }
}
