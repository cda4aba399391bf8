import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, type Invoke, lambdaContext, parsed } from '../support/api-event.ts';

// Issue 13, finding 2 (store half): DynamoDB's item-size and key-size limits raise ValidationException. That is
// the exchange's own fault (its schemas let the input through), not an unavailable store: 500 INTERNAL with a
// body that names nothing, never 503, which clients are told to retry. A throttled store stays 503.
const documents = mockClient(DynamoDBDocumentClient);

let getRegistry: Invoke;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EXCHANGE_ID: 'pbx-test',
    REGISTRY_TABLE_NAME: 'registry',
    AUDIT_TABLE_NAME: 'audit',
  });
  getRegistry = (await import('#functions/registry/get-registry.ts')).handler as unknown as Invoke;
});

beforeEach(() => documents.reset());

const awsError = (name: string, httpStatusCode: number, fault: 'client' | 'server') =>
  Object.assign(new Error(`Item size has exceeded the maximum allowed size (${name})`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode, requestId: 'test', attempts: 1 },
  });

const registry = () => getRegistry(apiEvent('GET', '/v1/registry', 'GET /v1/registry'), lambdaContext);

describe('a store validation error', () => {
  it('answers 500 INTERNAL with nothing of the store in the body', async () => {
    documents.on(QueryCommand).rejects(awsError('ValidationException', 400, 'client'));
    const result = await registry();
    const { status, body } = parsed(result);
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'INTERNAL', message: expect.any(String) });
    expect(result.body).not.toMatch(/ValidationException|Item size|registry/);
  });

  it('is 500 also when it is the audit write of the answer that fails validation', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    documents.on(TransactWriteCommand).rejects(awsError('ValidationException', 400, 'client'));
    const { status, body } = parsed(await registry());
    expect(status).toBe(500);
    expect(body.error).toBe('INTERNAL');
  });

  it.each([
    ['ThrottlingException', 400, 'client'],
    ['ProvisionedThroughputExceededException', 400, 'client'],
    ['InternalServerError', 500, 'server'],
    ['TimeoutError', 0, 'client'],
  ] as const)('is not confused with %s, which stays 503', async (name, status, fault) => {
    documents.on(QueryCommand).rejects(awsError(name, status, fault));
    const { status: answered, body } = parsed(await registry());
    expect(answered).toBe(503);
    expect(body.error).toBe('DEPENDENCY_UNAVAILABLE');
  });
});
