import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { awsClientSettings } from '#shared/adapters/aws-client-settings.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoNonceStore } from '#shared/adapters/dynamodb/nonce-store.ts';
import { ulid } from '#shared/domain/ids.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { createKeyTable } from '../support/key-table.ts';

// Found under load (issue 14, bundles slice): a claim whose first attempt committed but whose answer was lost (the
// request timeout passed) is retried by the SDK, and the retry's condition failure was read as a replay, so a
// genuine request was refused 401 REPLAYED. A claim must recognise its own earlier attempt.
// On the DynamoDB Local the test run shares, on a table of this file's own.
const dynamo = { endpoint: sharedDynamoDb().endpoint };
const table = `nonce-retry-${ulid().toLowerCase()}`;

beforeAll(async () => {
  const client = new DynamoDBClient({
    region: localRegion,
    credentials: localCredentials,
    endpoint: dynamo.endpoint,
  });
  await createKeyTable(client, table);
  client.destroy();
});

afterAll(async () => {
  const client = new DynamoDBClient({
    region: localRegion,
    credentials: localCredentials,
    endpoint: dynamo.endpoint,
  });
  await client.send(new DeleteTableCommand({ TableName: table }));
  client.destroy();
});

/**
 * A client whose first PutItem reaches DynamoDB and commits, and whose answer is then lost as a timeout: the SDK's
 * own retry (awsClientSettings, two attempts) sends the same put again.
 */
const clientLosingFirstAnswer = () => {
  const client = new DynamoDBClient({
    ...awsClientSettings,
    region: localRegion,
    credentials: localCredentials,
    endpoint: dynamo.endpoint,
  });
  let lost = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'PutItemCommand' && lost === 0) {
        lost += 1;
        throw Object.assign(new Error('request timed out after it was sent'), {
          name: 'TimeoutError',
          $metadata: {},
        });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseFirstAnswer' },
  );
  return { client, lost: () => lost };
};

describe('claiming a jti', () => {
  it('is fresh when the SDK retries a claim whose first attempt committed', async () => {
    const { client, lost } = clientLosingFirstAnswer();
    const nonces = new DynamoNonceStore(createDocumentClient(client), table);
    expect(await nonces.claim('lb-brent-system', 'jti-retried-0001', 2_000_000_000)).toBe('fresh');
    expect(lost()).toBe(1);
    client.destroy();
  });

  it('is still a replay when another call claimed the jti first', async () => {
    const client = new DynamoDBClient({
      region: localRegion,
      credentials: localCredentials,
      endpoint: dynamo.endpoint,
    });
    const first = new DynamoNonceStore(createDocumentClient(client), table);
    const second = new DynamoNonceStore(createDocumentClient(client), table);
    expect(await first.claim('lb-brent-system', 'jti-twice-0001', 2_000_000_000)).toBe('fresh');
    expect(await second.claim('lb-brent-system', 'jti-twice-0001', 2_000_000_000)).toBe('replayed');
    expect(await first.claim('lb-brent-system', 'jti-twice-0001', 2_000_000_000)).toBe('replayed');
    client.destroy();
  });
});
