import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BucketName, buckets, type TableName, tables } from '#shared/resources.ts';

/**
 * The prefix of the local tables' names. `npm start` and every exchange with a DynamoDB Local of its own use this
 * one; exchanges that share a DynamoDB Local (the integration tests) each take a prefix of their own.
 */
export const localTablePrefix = 'pbx-';

/** Physical names of the local resources (in AWS, CloudFormation names them). */
export const localTableName = (name: TableName, prefix: string = localTablePrefix): string =>
  `${prefix}${name}`;
export const localBucketName = (name: BucketName): string =>
  `pbx-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Every table name in DynamoDB Local (ListTables answers 100 at most per page). */
export const listLocalTables = async (dynamo: DynamoDBClient): Promise<string[]> => {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamo.send(
      new ListTablesCommand(start === undefined ? {} : { ExclusiveStartTableName: start }),
    );
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  return names;
};

/**
 * Creates the tables and buckets of shared/resources.ts that do not exist yet, with the same keys and TTL as the
 * CDK stateful stack, the tables named under `tablePrefix`. Safe to run at every start.
 */
export const provisionLocalResources = async (
  dynamo: DynamoDBClient,
  s3: S3Client,
  tablePrefix: string = localTablePrefix,
): Promise<void> => {
  const existingTables = new Set(await listLocalTables(dynamo));
  // The tables are independent of each other: created at once, a start waits for the slowest instead of the sum.
  const missing = (Object.entries(tables) as [TableName, (typeof tables)[TableName]][]).filter(
    ([name]) => !existingTables.has(localTableName(name, tablePrefix)),
  );
  const createTable = async ([name, definition]: (typeof missing)[number]): Promise<void> => {
    const tableName = localTableName(name, tablePrefix);
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
  };
  await Promise.all(missing.map(createTable));

  const existingBuckets = new Set(
    ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name),
  );
  for (const name of Object.keys(buckets) as BucketName[]) {
    const bucketName = localBucketName(name);
    if (!existingBuckets.has(bucketName)) await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  }
};

/** Deletes the tables of shared/resources.ts named under `tablePrefix` (an exchange on a shared DynamoDB Local). */
export const deleteLocalTables = async (dynamo: DynamoDBClient, tablePrefix: string): Promise<void> => {
  const existing = new Set(await listLocalTables(dynamo));
  await Promise.all(
    (Object.keys(tables) as TableName[])
      .map((name) => localTableName(name, tablePrefix))
      .filter((tableName) => existing.has(tableName))
      .map((tableName) => dynamo.send(new DeleteTableCommand({ TableName: tableName }))),
  );
};

/** The environment a handler reads (shared/config.ts) when it runs against the local resources. */
export const localResourceEnv = (tablePrefix: string = localTablePrefix): Record<string, string> => ({
  ...Object.fromEntries(
    (Object.keys(tables) as TableName[]).map((n) => [tables[n].envVar, localTableName(n, tablePrefix)]),
  ),
  ...Object.fromEntries(
    (Object.keys(buckets) as BucketName[]).map((n) => [buckets[n].envVar, localBucketName(n)]),
  ),
});
