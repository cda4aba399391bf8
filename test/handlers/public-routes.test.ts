import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, type Invoke, lambdaContext, parsed } from '../support/api-event.ts';

// Faults are injected at the AWS SDK boundary; the handlers and everything behind them run for real.
const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);

let getHealth: Invoke;
let getRegistry: Invoke;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EXCHANGE_ID: 'pbx-test',
    REGISTRY_TABLE_NAME: 'registry',
    PAYLOADS_BUCKET_NAME: 'payloads',
    AUDIT_TABLE_NAME: 'audit',
  });
  getHealth = (await import('#functions/system/get-health.ts')).handler as unknown as Invoke;
  getRegistry = (await import('#functions/registry/get-registry.ts')).handler as unknown as Invoke;
});

beforeEach(() => {
  dynamo.reset();
  documents.reset();
  s3.reset();
});

const throttled = Object.assign(new Error('Rate exceeded for table registry'), {
  name: 'ProvisionedThroughputExceededException',
});

describe('GET /v1/health', () => {
  const health = () => getHealth(apiEvent('GET', '/v1/health', 'GET /v1/health'), lambdaContext).then(parsed);

  it('is ok when DynamoDB and S3 both answer', async () => {
    dynamo.on(DescribeTableCommand).resolves({});
    s3.on(HeadBucketCommand).resolves({});
    expect(await health()).toEqual({
      status: 200,
      body: { status: 'ok', checks: { dynamodb: 'up', s3: 'up' } },
    });
  });

  it.each([
    ['DynamoDB throttles', () => dynamo.on(DescribeTableCommand).rejects(throttled), 'dynamodb: down'],
    ['S3 refuses', () => s3.on(HeadBucketCommand).rejects(new Error('AccessDenied')), 's3: down'],
  ])('answers 503 DEPENDENCY_UNAVAILABLE when %s', async (_, inject, down) => {
    dynamo.on(DescribeTableCommand).resolves({});
    s3.on(HeadBucketCommand).resolves({});
    inject();
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.error).toBe('DEPENDENCY_UNAVAILABLE');
    expect(body.details).toContain(down);
  });

  it('audits each answer once, as api.answer with the outcome of its status', async () => {
    dynamo.on(DescribeTableCommand).resolves({});
    s3.on(HeadBucketCommand).resolves({});
    await health();
    s3.on(HeadBucketCommand).rejects(new Error('AccessDenied'));
    await health();
    const entries = documents
      .commandCalls(TransactWriteCommand)
      .flatMap((call) => call.args[0].input.TransactItems ?? [])
      .flatMap((item) => (item.Put?.Item && item.Put.Item.pk !== 'PENDING' ? [item.Put.Item] : []));
    expect(entries.map((e) => [e.action, e.target, e.outcome, e.reasonCodes])).toEqual([
      ['api.answer', { type: 'route', id: 'GET /v1/health' }, 'allowed', []],
      ['api.answer', { type: 'route', id: 'GET /v1/health' }, 'failed', ['DEPENDENCY_UNAVAILABLE']],
    ]);
  });
});

describe('GET /v1/registry', () => {
  it('fails closed with 503 and no internals when the registry cannot be read', async () => {
    documents.on(QueryCommand).rejects(throttled);
    const result = await getRegistry(apiEvent('GET', '/v1/registry', 'GET /v1/registry'), lambdaContext);
    const { status, body } = parsed(result);
    expect(status).toBe(503);
    expect(body).toEqual({ error: 'DEPENDENCY_UNAVAILABLE', message: expect.any(String) });
    expect(result.body).not.toMatch(/registry|Throughput|Rate exceeded/);
  });

  it('refuses to publish a registry that breaks its invariants', async () => {
    documents.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const pk = input.ExpressionAttributeValues[':pk'];
      if (pk === 'CLIENT') {
        return {
          Items: [
            {
              pk,
              sk: 'x-system',
              id: 'x-system',
              organisationId: 'no-such-org',
              name: 'X',
              status: 'active',
            },
          ],
        };
      }
      return { Items: [] };
    });
    const { status, body } = parsed(
      await getRegistry(apiEvent('GET', '/v1/registry', 'GET /v1/registry'), lambdaContext),
    );
    expect(status).toBe(503);
    expect(body.error).toBe('REGISTRY_INCONSISTENT');
  });
});
