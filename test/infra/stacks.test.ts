import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { schedules } from '#functions/schedules.ts';
import { functionEntryFile, lambdaBuildOptions, projectRoot } from '#infra/bundling.ts';
import { AppFunction } from '#infra/constructs/app-function.ts';
import { operationList as routes } from '#shared/http/operations.ts';
import type { Access } from '#shared/resources.ts';
import { buckets, checkpointKeySecretArnEnvVar, eventBusNameEnvVar, tables } from '#shared/resources.ts';
import { apiTemplate, cdkContext, synthApp } from './support.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const statementsOf = (template: Template, functionId: string): Statement[] => {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${functionId}Role`) }] },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

describe('the stateful stack', () => {
  const { stateful } = synthApp();
  const template = Template.fromStack(stateful);

  it('creates every table with point-in-time recovery and customer-managed KMS encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(tables).length);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('encrypts with one rotating customer-managed key that outlives the stack', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it('blocks public access, enforces TLS and versions every bucket', () => {
    const all = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(all)).toHaveLength(Object.keys(buckets).length + 1); // + the access-log bucket
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const denyInsecure = Object.values(policies).filter((p) =>
      (p.Properties.PolicyDocument.Statement as { Effect: string; Condition?: object }[]).some(
        (s) =>
          s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
      ),
    );
    expect(denyInsecure).toHaveLength(Object.keys(all).length);
  });

  it('encrypts data buckets with the KMS key, logs their access, and makes the audit bucket write-once capable', () => {
    const kmsBuckets = template.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
            }),
          ],
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      },
    });
    expect(Object.keys(kmsBuckets)).toHaveLength(Object.keys(buckets).length);
    template.hasResourceProperties('AWS::S3::Bucket', { ObjectLockEnabled: true });
  });

  it('keeps every checkpoint object write-once: Object Lock in compliance mode for seven years by default', () => {
    const locked = template.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } });
    expect(Object.keys(locked)).toHaveLength(
      Object.values(buckets).filter((bucket) => bucket.objectLock).length,
    );
    for (const bucket of Object.values(locked)) {
      expect(bucket.Properties.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 * 365 } },
      });
    }
  });

  it('keeps no share bytes past their deletion: noncurrent payload versions expire, incomplete uploads are aborted', () => {
    const bucketsById = template.findResources('AWS::S3::Bucket');
    const rulesOf = (logicalIdStart: string) => {
      const [, bucket] = Object.entries(bucketsById).find(([id]) => id.startsWith(logicalIdStart)) ?? [];
      return bucket?.Properties.LifecycleConfiguration?.Rules as Record<string, unknown>[] | undefined;
    };
    const abort = {
      Id: 'AbortIncompleteUploads',
      Status: 'Enabled',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    };
    expect(rulesOf('PayloadsBucket')).toEqual([
      abort,
      {
        Id: 'ExpireNoncurrentVersions',
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        ExpiredObjectDeleteMarker: true,
      },
    ]);
    // The write-once checkpoints keep every version (Object Lock): no rule expires one.
    expect(rulesOf('AuditCheckpointsBucket')).toEqual([abort]);
  });

  it('generates the checkpoint signing secret, encrypted with the data key and kept with the stack gone', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
        KmsKeyId: Match.anyValue(),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('creates one custom event bus for domain events, named for the stage', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'pbx-dev' });
  });

  it('keeps the event feed and outbox table with a TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(
      Object.keys(template.findResources('AWS::DynamoDB::Table')).some((id) => id.startsWith('EventsTable')),
    ).toBe(true);
  });

  it('keeps the CDOP cases table like the others: pk/sk, point-in-time recovery, the data key, no TTL', () => {
    const cases = Object.entries(template.findResources('AWS::DynamoDB::Table')).filter(([id]) =>
      id.startsWith('CdopCasesTable'),
    );
    expect(cases).toHaveLength(1);
    const [[, table] = ['', undefined]] = cases;
    expect(table?.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
      },
    });
    expect(table?.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('retains tables outside dev and lets dev tables go', () => {
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    const prod = Template.fromStack(synthApp({ stage: 'prod' }).stateful);
    prod.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    prod.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    prod.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('backs up every table with AWS Backup, into a vault encrypted with the data key', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    const selected = JSON.stringify(selection?.Properties.BackupSelection.Resources);
    for (const name of Object.keys(tables)) expect(selected).toContain(`${pascal(name)}Table`);
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({ Lifecycle: Match.objectLike({ DeleteAfterDays: 35 }) }),
          Match.objectLike({ Lifecycle: { DeleteAfterDays: 7 * 365 } }),
        ]),
      }),
    });
  });

  it("lets CloudWatch Logs use the data key for this account's log groups only", () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements: { Principal?: { Service?: unknown }; Condition?: unknown }[] =
      key?.Properties.KeyPolicy.Statement ?? [];
    const logs = statements.filter((s) => JSON.stringify(s.Principal?.Service ?? '').includes('logs.'));
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs[0]?.Condition)).toMatch(/kms:EncryptionContext:aws:logs:arn.*log-group:\*/);
  });
});

describe('the API stack', () => {
  const { api, oversight } = synthApp();
  const template = apiTemplate(api, oversight);

  it('serves every operation of shared/http/operations.ts from its own function', () => {
    template.resourceCountIs('AWS::Lambda::Function', routes.length + schedules.length);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    for (const route of routes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
      });
    }
  });

  it('builds every function with the house defaults', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: Match.anyValue(),
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('DataKey') },
    });
  });

  it('keeps every failed scheduled run: a dead-letter queue for the function and its EventBridge target', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
    for (const schedule of schedules) {
      const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(schedule.id)) ?? [];
      expect({
        id: schedule.id,
        dlq: fn?.Properties.DeadLetterConfig,
        reserved: fn?.Properties.ReservedConcurrentExecutions,
      }).toEqual({
        id: schedule.id,
        dlq: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        reserved: 1,
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${schedule.id}`), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          }),
        ],
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('gives each function exactly the resources its route lists, name and grant together', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    for (const route of routes) {
      const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(route.id)) ?? [];
      const variables = Object.keys(fn?.Properties.Environment.Variables ?? {});
      const expected = [
        ...Object.keys(route.tables).map((t) => tables[t as keyof typeof tables].envVar),
        ...Object.keys(route.buckets).map((b) => buckets[b as keyof typeof buckets].envVar),
        ...(route.exchangeId ? ['EXCHANGE_ID'] : []),
      ];
      expect(variables.filter((v) => /_(TABLE|BUCKET)_NAME$|^EXCHANGE_ID$/.test(v)).sort()).toEqual(
        expected.sort(),
      );
    }
  });

  /** The statements of a function that touch DynamoDB tables other than the audit table (answers are audited). */
  const beyondAudit = (statements: Statement[]) =>
    statements.filter(
      (s) =>
        actionsOf([s]).some((a) => a.startsWith('dynamodb:')) &&
        !/AuditTable/.test(JSON.stringify(s.Resource)),
    );

  it('lets the health check probe but never read data, writing only its answers to the audit table', () => {
    const statements = statementsOf(template, 'GetHealth');
    const actions = actionsOf(statements);
    expect(actions).toContain('dynamodb:DescribeTable');
    expect(actions).toContain('s3:ListBucket');
    expect(actions.filter((a) => /^dynamodb:(Get|Query|Scan|BatchGet)|^s3:(Get|Put|Delete)/.test(a))).toEqual(
      [],
    );
    expect(
      actionsOf(beyondAudit(statements)).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
    ).toEqual([]);
  });

  it('lets the registry function read the registry table, and write only its answers to the audit table', () => {
    const statements = statementsOf(template, 'GetRegistry');
    const actions = actionsOf(statements);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /^s3:/.test(a))).toEqual([]);
    const others = beyondAudit(statements);
    expect(actionsOf(others).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
    expect(JSON.stringify(others.map((s) => s.Resource))).not.toMatch(/Nonces/);
    const auditActions = actionsOf(statements.filter((s) => /AuditTable/.test(JSON.stringify(s.Resource))));
    expect(auditActions.filter((a) => /^dynamodb:(Get|Query|Scan|BatchGet)/.test(a))).toEqual([]);
  });

  it('lets every function write only the tables its route lists for writing', () => {
    const writes = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/;
    for (const route of routes) {
      const writable = Object.entries(route.tables)
        .filter(([, access]) => access !== 'probe' && access !== 'read')
        .map(([name]) => name);
      const granted = statementsOf(template, route.id)
        .filter((s) => actionsOf([s]).some((a) => writes.test(a)))
        .map((s) => JSON.stringify(s.Resource));
      // Each write grant names one of the writable tables (by its logical id in the stateful stack's exports).
      for (const resource of granted) {
        expect(writable.some((name) => resource.toLowerCase().includes(`${name.toLowerCase()}table`))).toBe(
          true,
        );
      }
      expect(granted).toHaveLength(writable.length);
    }
  });

  it('keeps the audit table append-only: only the sequencer may update or delete on it', () => {
    const changes = /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|\*)$/;
    const changers = [...routes, ...schedules]
      .filter((definition) =>
        actionsOf(
          statementsOf(template, definition.id).filter((s) => /AuditTable/.test(JSON.stringify(s.Resource))),
        ).some((a) => changes.test(a)),
      )
      .map((definition) => definition.id);
    expect(changers).toEqual(['SequenceAuditLog']);
    // Every other function that records entries may put them (conditionally) and check conditions, no more.
    for (const definition of [...routes, ...schedules]) {
      if (definition.id === 'SequenceAuditLog') continue;
      const audit = grantsOf(definition.id).tables.audit;
      expect({ id: definition.id, audit }).toEqual({
        id: definition.id,
        audit: expect.stringMatching(/^(none|read|append|readappend)$/),
      });
    }
    expect(grantsOf('GetWhoami').tables.audit).toBe('append');
  });

  it('lets only the checkpoint publisher read the signing secret, name and grant together', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    for (const definition of [...routes, ...schedules]) {
      const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(definition.id)) ?? [];
      const variables = Object.keys(fn?.Properties.Environment.Variables ?? {});
      const actions = actionsOf(statementsOf(template, definition.id));
      const expected = definition.checkpointKey === true;
      expect({ id: definition.id, variable: variables.includes(checkpointKeySecretArnEnvVar) }).toEqual({
        id: definition.id,
        variable: expected,
      });
      expect({ id: definition.id, grant: actions.includes('secretsmanager:GetSecretValue') }).toEqual({
        id: definition.id,
        grant: expected,
      });
    }
    // No route, public or signed, can read the signing secret: discovery and cosigning read the verifier key the
    // publisher published beside the checkpoints. Only the publisher signs.
    expect(
      [...routes, ...schedules].filter((definition) => definition.checkpointKey).map((d) => d.id),
    ).toEqual(['PublishAuditCheckpoint']);
    const secretReaders = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) =>
      JSON.stringify(template.toJSON().Resources[id]).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretReaders.map((id) => id.replace(/Role.*$/, ''))).toEqual(['PublishAuditCheckpoint']);
  });

  it('runs every scheduled function on its EventBridge schedule, granted only its tables and buckets', () => {
    for (const schedule of schedules) {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: `rate(${schedule.everyMinutes} minute${schedule.everyMinutes === 1 ? '' : 's'})`,
        Targets: [
          Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${schedule.id}`), 'Arn'] } }),
        ],
      });
      const actions = actionsOf(statementsOf(template, schedule.id));
      expect(actions).toContain('dynamodb:Query');
      const objectWrites = Object.values(schedule.buckets).some((a) => a === 'write' || a === 'readwrite');
      if (Object.keys(schedule.buckets).length === 0) {
        expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
      } else if (objectWrites) expect(actions).toContain('s3:PutObject');
      else expect(actions).not.toContain('s3:PutObject');
    }
  });

  const tableReads =
    /^dynamodb:(GetItem|BatchGetItem|Query|Scan|ConditionCheckItem|GetRecords|GetShardIterator)$/;
  const tableWrites = /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem)$/;
  /** The access (as routes.ts names it) that a table's granted actions amount to; `none` when nothing is granted. */
  const tableAccessOf = (actions: string[]): string => {
    if (actions.length === 0) return 'none';
    // A transaction's condition check needs ConditionCheckItem: appending has it, without reading items.
    const reads = actions.some((a) => tableReads.test(a) && a !== 'dynamodb:ConditionCheckItem');
    const puts = actions.includes('dynamodb:PutItem');
    const writes = actions.some((a) => tableWrites.test(a));
    if (writes && !puts) return actions.join();
    if (reads && writes) return 'readwrite';
    if (writes) return 'write';
    if (reads && puts) return 'readappend';
    if (puts) return actions.includes('dynamodb:ConditionCheckItem') ? 'append' : actions.join();
    if (reads) return 'read';
    return actions.every((a) => a === 'dynamodb:DescribeTable') ? 'probe' : actions.join();
  };

  /**
   * What a function may do with each table and bucket, read off its role's statements: a table or bucket is named
   * by its logical id in the stateful stack (`CdopCasesTable`, `PayloadsBucket`), which its imported ARN carries.
   */
  const grantsOf = (functionId: string) => {
    const statements = statementsOf(template, functionId);
    const on = (logicalId: string) =>
      actionsOf(statements.filter((s) => JSON.stringify(s.Resource).includes(logicalId)));
    return {
      tables: Object.fromEntries(
        Object.keys(tables).map((name) => [name, tableAccessOf(on(`${pascal(name)}Table`))]),
      ),
      buckets: Object.fromEntries(
        Object.keys(buckets).map((name) => [name, [...new Set(on(`${pascal(name)}Bucket`))].sort()]),
      ),
    };
  };

  it('grants every route and schedule exactly the access it lists, table by table and bucket by bucket', () => {
    const bucketActions = (name: keyof typeof buckets, access: Access | undefined): string[] => {
      if (access === undefined) return [];
      if (access === 'probe') return ['s3:ListBucket'];
      // Deleting a share deletes each version of its object, found by listing the versions under its key.
      const write = buckets[name].objectLock
        ? ['s3:PutObject']
        : ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:ListBucketVersions', 's3:PutObject'];
      return [
        ...(access === 'read' || access === 'readwrite' ? ['s3:GetObject'] : []),
        ...(access === 'write' || access === 'readwrite' ? write : []),
      ].sort();
    };
    for (const definition of [...routes, ...schedules]) {
      const listedTables: Partial<Record<string, Access>> = definition.tables;
      const listedBuckets: Partial<Record<string, Access>> = definition.buckets;
      expect({ id: definition.id, ...grantsOf(definition.id) }).toEqual({
        id: definition.id,
        tables: Object.fromEntries(Object.keys(tables).map((name) => [name, listedTables[name] ?? 'none'])),
        buckets: Object.fromEntries(
          (Object.keys(buckets) as (keyof typeof buckets)[]).map((name) => [
            name,
            bucketActions(name, listedBuckets[name]),
          ]),
        ),
      });
    }
  });

  it('lets a function that deletes shares list and delete object versions under shares/ only', () => {
    const statements = statementsOf(template, 'SweepRequests') as (Statement & { Condition?: unknown })[];
    const deleting = statements.filter((s) => actionsOf([s]).includes('s3:DeleteObjectVersion'));
    expect(deleting).toHaveLength(1);
    expect(JSON.stringify(deleting[0]?.Resource)).toMatch(/PayloadsBucket.*\/shares\/\*/);
    const listing = statements.filter((s) => actionsOf([s]).includes('s3:ListBucketVersions'));
    expect(listing).toEqual([
      expect.objectContaining({
        Action: 's3:ListBucketVersions',
        Condition: { StringLike: { 's3:prefix': 'shares/*' } },
      }),
    ]);
    expect(JSON.stringify(listing[0]?.Resource)).not.toContain('/');
  });

  it('names the resources of every scheduled function as it grants them', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    for (const schedule of schedules) {
      const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(schedule.id)) ?? [];
      const variables = Object.keys(fn?.Properties.Environment.Variables ?? {});
      const expected = [
        ...Object.keys(schedule.tables).map((t) => tables[t as keyof typeof tables].envVar),
        ...Object.keys(schedule.buckets).map((b) => buckets[b as keyof typeof buckets].envVar),
        ...(schedule.exchangeId ? ['EXCHANGE_ID'] : []),
      ];
      expect({
        id: schedule.id,
        variables: variables.filter((v) => /_(TABLE|BUCKET)_NAME$|^EXCHANGE_ID$/.test(v)).sort(),
      }).toEqual({ id: schedule.id, variables: expected.sort() });
    }
  });

  it('gives the CDOP case workspace its routes and its tracker, on the cases table', () => {
    const cdop = routes.filter((route) => route.path.startsWith('/v1/cdop/'));
    expect(cdop.map((route) => route.id)).toEqual([
      'OpenCdopCase',
      'ListCdopCases',
      'GetCdopCase',
      'RequestCdopReports',
      'AssemblePanelPack',
      'GetPanelPack',
      'CloseCdopCase',
      'ExportCdopCase',
      'GetCdopFigures',
    ]);
    for (const route of cdop) {
      expect({ id: route.id, cdopCases: grantsOf(route.id).tables.cdopCases }).toEqual({
        id: route.id,
        cdopCases: 'readwrite',
      });
    }
    expect(grantsOf('TrackCdopCases').tables).toMatchObject({
      cdopCases: 'readwrite',
      requests: 'readwrite',
    });
    // No other function touches the cases table.
    for (const definition of [...routes, ...schedules]) {
      if (cdop.includes(definition as (typeof cdop)[number]) || definition.id === 'TrackCdopCases') continue;
      expect({ id: definition.id, cdopCases: grantsOf(definition.id).tables.cdopCases }).toEqual({
        id: definition.id,
        cdopCases: 'none',
      });
    }
  });

  it('gives the IG questions read of the ig table and its projector alone the right to write it', () => {
    // The restrictions of entries are not questions of the projection: they have their own table (below).
    const ig = routes.filter(
      (route) => route.path.startsWith('/v1/ig/') && !route.path.startsWith('/v1/ig/restrictions'),
    );
    expect(ig.map((route) => route.id)).toEqual([
      'GetIgChild',
      'GetIgRequests',
      'GetIgRefusals',
      'GetIgPastReview',
      'GetIgWithoutAgreement',
      'GetIgCrossFootprint',
      'GetIgConsentNotSought',
      'GetIgPlacements',
      'GetIgOutcomes',
      'GetIgChallenges',
      'GetIgOutstanding',
      'GetIgChildDisclosure',
      'GetIgReport',
    ]);
    for (const route of ig) {
      expect({ id: route.id, ig: grantsOf(route.id).tables.ig }).toEqual({ id: route.id, ig: 'read' });
    }
    // The projector reads the audit log and cannot change it; it is the only writer of the ig table.
    expect(grantsOf('ProjectIgAnswers').tables).toMatchObject({ ig: 'readwrite', audit: 'read' });
    for (const definition of [...routes, ...schedules]) {
      if (ig.includes(definition as (typeof ig)[number]) || definition.id === 'ProjectIgAnswers') continue;
      expect({ id: definition.id, ig: grantsOf(definition.id).tables.ig }).toEqual({
        id: definition.id,
        ig: 'none',
      });
    }
  });

  it('gives the restrictions table to the restriction routes, and only read of it to the questions about a child', () => {
    const restricting = ['CreateIgRestriction', 'ListIgRestrictions', 'LiftIgRestriction'];
    const reading = ['GetIgChild', 'GetIgChildDisclosure'];
    for (const id of restricting) {
      expect({ id, grants: grantsOf(id).tables }).toMatchObject({
        id,
        grants: { igRestrictions: 'readwrite', audit: 'readappend', ig: 'none' },
      });
    }
    for (const definition of [...routes, ...schedules]) {
      if (restricting.includes(definition.id)) continue;
      expect({ id: definition.id, igRestrictions: grantsOf(definition.id).tables.igRestrictions }).toEqual({
        id: definition.id,
        igRestrictions: reading.includes(definition.id) ? 'read' : 'none',
      });
    }
  });

  it('lets only the event relay put events, on the exchange bus only, name and grant together', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    for (const definition of [...routes, ...schedules]) {
      const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(definition.id)) ?? [];
      const variables = Object.keys(fn?.Properties.Environment.Variables ?? {});
      const statements = statementsOf(template, definition.id);
      const puts = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('events:')));
      const expected = 'eventBus' in definition && definition.eventBus === true;
      expect({ id: definition.id, variable: variables.includes(eventBusNameEnvVar) }).toEqual({
        id: definition.id,
        variable: expected,
      });
      if (!expected) {
        expect({ id: definition.id, puts }).toEqual({ id: definition.id, puts: [] });
        continue;
      }
      expect(actionsOf(puts)).toEqual(['events:PutEvents']);
      // One resource: the bus's ARN, imported from the stateful stack; never a wildcard.
      for (const statement of puts) {
        expect(Array.isArray(statement.Resource)).toBe(false);
        expect(JSON.stringify(statement.Resource)).toMatch(/EventBus/);
        expect(JSON.stringify(statement.Resource)).not.toContain('*');
      }
    }
    expect(schedules.filter((s) => s.eventBus).map((s) => s.id)).toEqual(['RelayEvents']);
  });

  it('writes access logs without headers or bodies', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = stage?.Properties.AccessLogSettings.Format as string;
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/header|body|authorization/i);
  });
});

describe('cdk-nag AwsSolutions, HIPAA Security and NIST 800-53 rev 5 checks', () => {
  it('pass on the synthesised app, every waiver acknowledged with a reason', () => {
    expect(() => synthApp().app.synth()).not.toThrow();
  });

  it('do run: an unencrypted, unlogged bucket fails synthesis', () => {
    const { app } = synthApp();
    new Bucket(new Stack(app, 'Careless'), 'Plain');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|AwsSolutions-S10/);
  });

  it('do run the HIPAA Security and NIST 800-53 rev 5 packs: an unencrypted log group fails synthesis', () => {
    const { app } = synthApp();
    new LogGroup(new Stack(app, 'Unencrypted'), 'Plain');
    expect(() => app.synth()).toThrow(/HIPAA\.Security-CloudWatchLogGroupEncrypted/);
    const second = synthApp().app;
    new LogGroup(new Stack(second, 'Unencrypted'), 'Plain');
    expect(() => second.synth()).toThrow(/NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted/);
  });
});

describe('bundling', () => {
  // Every function the API's stacks deploy, with its handler file (the console's are checked in console-stack.test.ts).
  const functions = [...routes, ...schedules].map((f) => ({ id: f.id, entry: f.entry }));

  it('bundles with CDK locally with esbuild (no Docker), byte for byte what lambdaBuildOptions builds', async () => {
    // Two house functions, a route's and a schedule's, through CDK's own local bundling: if CDK's esbuild command
    // line and lambdaBuildOptions ever disagreed, the bundles would differ, and the next test would check the wrong
    // thing. Every function of the app is an AppFunction ('builds every function with the house defaults').
    const sample = [routes[0], schedules[0]].map((f) => f?.entry ?? '');
    const app = new App({ context: cdkContext() });
    const stack = new Stack(app, 'BundlingCheck');
    const logKey = new Key(stack, 'LogKey');
    for (const [i, entry] of sample.entries()) new AppFunction(stack, `Function${i}`, { entry, logKey });
    const assembly = app.synth();
    const bundled = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(assembly.directory, name, 'index.mjs'))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8'));
    expect(bundled).toHaveLength(sample.length);
    for (const entry of sample) {
      const [built] = (
        await build({
          ...lambdaBuildOptions(functionEntryFile(entry)),
          absWorkingDir: projectRoot,
          outfile: 'index.mjs',
          write: false,
        })
      ).outputFiles.filter((file) => file.path.endsWith('.mjs'));
      expect(bundled.filter((text) => text === built?.text)).toHaveLength(1);
    }
  }, 60_000);

  it(
    'bundles every handler into a loadable ESM module',
    async () => {
      // Under the project, so that Node resolves the SDK (external, as in Lambda) from its node_modules.
      const cache = join(projectRoot, 'node_modules', '.cache');
      mkdirSync(cache, { recursive: true });
      const directory = mkdtempSync(join(cache, 'pbx-bundles-'));
      try {
        // esbuild is parallel inside one build; a few builds at a time keep two cores busy.
        for (let i = 0; i < functions.length; i += 4) {
          await Promise.all(
            functions.slice(i, i + 4).map((f) =>
              build({
                ...lambdaBuildOptions(functionEntryFile(f.entry)),
                absWorkingDir: projectRoot,
                outfile: join(directory, f.id, 'index.mjs'),
                logLevel: 'error',
              }),
            ),
          );
        }
        // Each bundle loads on its own in plain Node, as in Lambda (module-scope configuration included), and
        // exports its handler. One process loads them all, one after another: what each exports is printed.
        const loader = `
          const exported = {};
          for (const id of ${JSON.stringify(functions.map((f) => f.id))}) {
            const module = await import(${JSON.stringify(pathToFileURL(directory).href)} + '/' + id + '/index.mjs');
            exported[id] = typeof module.handler;
          }
          console.log(JSON.stringify(exported));`;
        const printed = execFileSync(process.execPath, ['--input-type=module', '-e', loader], {
          encoding: 'utf8',
          env: {
            ...process.env,
            EXCHANGE_ID: 'pbx-bundle-test',
            [checkpointKeySecretArnEnvVar]:
              'arn:aws:secretsmanager:eu-west-2:123456789012:secret:bundle-test',
            [eventBusNameEnvVar]: 'pbx-bundle-test',
            AWS_REGION: 'eu-west-2',
            ...Object.fromEntries(
              [...Object.values(tables), ...Object.values(buckets)].map((r) => [r.envVar, 'x']),
            ),
          },
        });
        expect(JSON.parse(printed)).toEqual(Object.fromEntries(functions.map((f) => [f.id, 'function'])));
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
    functions.length * 2_000,
  );
});
