import {
  CreateTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BucketName, buckets, type TableName, tables } from '#shared/resources.ts';

/** Physical names of the local resources (in AWS, CloudFormation names them). */
export const localTableName = (name: TableName): string => `pbx-${name}`;
export const localBucketName = (name: BucketName): string =>
  `pbx-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Creates the tables and buckets of shared/resources.ts that do not exist yet, with the same keys and TTL as the
 * CDK stateful stack. Safe to run at every start.
 */
export const provisionLocalResources = async (dynamo: DynamoDBClient, s3: S3Client): Promise<void> => {
  const existingTables = new Set((await dynamo.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [name, definition] of Object.entries(tables) as [TableName, (typeof tables)[TableName]][]) {
    const tableName = localTableName(name);
    if (existingTables.has(tableName)) continue;
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: definition.partitionKey, AttributeType: 'S' },
          { AttributeName: definition.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: definition.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30 }, { TableName: tableName });
    if ('timeToLiveAttribute' in definition) {
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }

  const existingBuckets = new Set(
    ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name),
  );
  for (const name of Object.keys(buckets) as BucketName[]) {
    const bucketName = localBucketName(name);
    if (!existingBuckets.has(bucketName)) await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  }
};

/** The environment a handler reads (shared/config.ts) when it runs against the local resources. */
export const localResourceEnv = (): Record<string, string> => ({
  ...Object.fromEntries(
    (Object.keys(tables) as TableName[]).map((n) => [tables[n].envVar, localTableName(n)]),
  ),
  ...Object.fromEntries(
    (Object.keys(buckets) as BucketName[]).map((n) => [buckets[n].envVar, localBucketName(n)]),
  ),
});
