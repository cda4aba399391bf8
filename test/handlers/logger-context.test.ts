import { S3Client } from '@aws-sdk/client-s3';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signRequest } from '#shared/adapters/jose/request-signing.ts';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { newClientKey } from '#shared/domain/registry/client-key.ts';
import { apiEvent, type Invoke } from '../support/api-event.ts';
import { registryTableFake } from '../support/registry-table-fake.ts';

// Issue 13, finding 11: handlers that share one process (the local exchange runs every function in one) must
// each log under their own function name, and never with a key (the client id) of another invocation. The stores
// are mocked only to hold each invocation at a point of our choosing, so that two of them overlap.
const documents = mockClient(DynamoDBDocumentClient);
mockClient(S3Client);

const clientId = 'lb-brent-system';
const exchangeId = 'pbx-test';
let key: PrivateJwk;
let getWhoami: Invoke;
let sweepRequests: (event: unknown, context: Context) => Promise<unknown>;
let registryItems: Map<string, Record<string, unknown>>;

const contextOf = (functionName: string, awsRequestId: string) =>
  ({ functionName, awsRequestId, getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

/** A promise and the function that settles it. */
const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
};

beforeAll(async () => {
  Object.assign(process.env, {
    // The test config silences the logger; this test is about what it prints.
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // As Lambda sets it for an on-demand environment: only then does Powertools report cold starts.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EXCHANGE_ID: exchangeId,
    REGISTRY_TABLE_NAME: 'registry',
    NONCES_TABLE_NAME: 'nonces',
    AUDIT_TABLE_NAME: 'audit',
    REQUESTS_TABLE_NAME: 'requests',
    AGREEMENTS_TABLE_NAME: 'agreements',
    EVENTS_TABLE_NAME: 'events',
    PAYLOADS_BUCKET_NAME: 'payloads',
  });
  getWhoami = (await import('#functions/auth/get-whoami.ts')).handler as unknown as Invoke;
  sweepRequests = (await import('#functions/requests/sweep-requests.ts'))
    .handler as unknown as typeof sweepRequests;
  key = await generateSigningKey();
  const record = newClientKey(clientId, publicJwkOf(key), new Date(Date.now() - 86_400_000));
  registryItems = new Map(
    [
      { pk: 'ORG', sk: 'lb-brent', id: 'lb-brent', name: 'London Borough of Brent', kind: 'local-authority' },
      {
        pk: 'CLIENT',
        sk: clientId,
        id: clientId,
        organisationId: 'lb-brent',
        name: 'Brent',
        status: 'active',
      },
      { pk: 'KEY', sk: `${clientId}#${key.kid}`, ...record },
      { pk: 'KID', sk: key.kid, clientId },
    ].map((item) => [`${item.pk}|${item.sk}`, item]),
  );
});

afterEach(() => {
  vi.restoreAllMocks();
  documents.reset();
});

/** The JSON log lines printed while `run` runs. */
const capturingLogs = async (run: () => Promise<void>): Promise<Record<string, unknown>[]> => {
  const lines: string[] = [];
  const capture = (text: unknown) => {
    lines.push(...String(text).split('\n'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  await run();
  vi.restoreAllMocks();
  return lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe('the logger of handlers that share a process', () => {
  it('logs each invocation under its own function name, with no client id of another', async () => {
    const sweepHeld = gate();
    const whoamiHeld = gate();
    const registryTable = registryTableFake(registryItems);
    documents.on(GetCommand).callsFake(async (input: GetCommandInput) => {
      if (input.TableName === 'requests') {
        await sweepHeld.opened;
        throw new Error('the request could not be read');
      }
      return registryTable.get(input);
    });
    documents.on(QueryCommand).callsFake((input: QueryCommandInput) =>
      input.TableName === 'registry'
        ? registryTable.query(input)
        : input.ExpressionAttributeValues?.[':pk'] === 'WORK#purge'
          ? {
              Items: [
                {
                  pk: 'WORK#purge',
                  sk: '2026-11-23T12:00:00.000Z#01JD0000000000000000000000',
                  requestId: '01JD0000000000000000000000',
                },
              ],
            }
          : { Items: [] },
    );
    documents.on(PutCommand).resolves({});
    // The answer audit of whoami waits, then fails: the route logs it, as whoami, for its client.
    documents.on(TransactWriteCommand).callsFake(async () => {
      await whoamiHeld.opened;
      throw new Error('the audit table did not answer');
    });

    const signed = await signRequest({
      method: 'GET',
      pathAndQuery: '/v1/whoami',
      key,
      issuer: clientId,
      audience: exchangeId,
    });
    const event = apiEvent('GET', '/v1/whoami', 'GET /v1/whoami');
    const logs = await capturingLogs(async () => {
      const sweeping = sweepRequests({}, contextOf('pbx-SweepRequests', 'sweep-invocation'));
      await vi.waitFor(() => expect(documents.commandCalls(GetCommand).length).toBeGreaterThan(0));
      const answering = getWhoami(
        { ...event, headers: { ...event.headers, authorization: `PBX-JWS ${signed.token}` } },
        contextOf('pbx-GetWhoami', 'whoami-invocation'),
      );
      await vi.waitFor(() => expect(documents.commandCalls(TransactWriteCommand).length).toBe(1));
      // The sweep logs while whoami, for its client, is still being answered.
      sweepHeld.open();
      await sweeping;
      whoamiHeld.open();
      expect((await answering).statusCode).toBe(503);
      // A later run of the sweep, after that answer: nothing of it remains either.
      await sweepRequests({}, contextOf('pbx-SweepRequests', 'sweep-invocation-2'));
    });

    const sweepLines = logs.filter((l) => l.message === 'requests left for the next sweep');
    expect(sweepLines).toHaveLength(2);
    for (const line of sweepLines) {
      expect(line.function_name).toBe('pbx-SweepRequests');
      expect(line).not.toHaveProperty('clientId');
    }
    expect(sweepLines.map((l) => l.function_request_id)).toEqual(['sweep-invocation', 'sweep-invocation-2']);
    // Only the first invocation of the sweep is its cold start.
    expect(sweepLines.map((l) => l.cold_start)).toEqual([true, false]);
    expect(logs.find((l) => l.message === 'answer not audited')).toMatchObject({
      function_name: 'pbx-GetWhoami',
      function_request_id: 'whoami-invocation',
      clientId,
    });
  });
});
