import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import type { SharedDynamoDbLocal } from '#local/exchange.ts';
import { freePort } from '#local/free-port.ts';

/**
 * One DynamoDB Local for all integration test files (vitest `globalSetup`): a JVM start and its warm-up per file
 * was the largest fixed cost of the suite. Each exchange started on it makes tables under a prefix of its own
 * (`startExchange({ dynamoDb: sharedDynamoDb() })`), so no two files ever share a table. A file that pauses or
 * kills the store, or looks at DynamoDB Local's files on disk, starts its own instead.
 */
export default async function startSharedDynamoDb(project: TestProject): Promise<() => Promise<void>> {
  const dynamoDb = await startDynamoDbLocal({ port: await freePort() });
  project.provide('sharedDynamoDb', { endpoint: dynamoDb.endpoint, pid: dynamoDb.pid });
  return () => dynamoDb.stop();
}

/** The DynamoDB Local the global setup started, for `startExchange({ dynamoDb })`. */
export const sharedDynamoDb = (): SharedDynamoDbLocal => inject('sharedDynamoDb');

declare module 'vitest' {
  export interface ProvidedContext {
    sharedDynamoDb: SharedDynamoDbLocal;
  }
}
