import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SignedRequest, signRequest } from '#shared/adapters/jose/request-signing.ts';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import { newClientKey } from '#shared/domain/registry/client-key.ts';
import { apiEvent, type Invoke, lambdaContext, parsed } from '../support/api-event.ts';
import { registryTableFake } from '../support/registry-table-fake.ts';

// Faults are injected at the AWS SDK boundary; the signed-route middleware, the domain and the DynamoDB adapters
// behind the handlers run for real, with a real key and real signatures.
const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);

const exchangeId = 'pbx-test';
const tableNames = { registry: 'registry', nonces: 'nonces', audit: 'audit' };
const clientId = 'lb-brent-system';
const organisationId = 'lb-brent';

let getWhoami: Invoke;
let addClientKey: Invoke;
let key: PrivateJwk;
/** The registry table as the mocked GetItem and Query answer it, by `pk|sk`: records plus their keys. */
let registryItems: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EXCHANGE_ID: exchangeId,
    REGISTRY_TABLE_NAME: tableNames.registry,
    NONCES_TABLE_NAME: tableNames.nonces,
    AUDIT_TABLE_NAME: tableNames.audit,
  });
  getWhoami = (await import('#functions/auth/get-whoami.ts')).handler as unknown as Invoke;
  addClientKey = (await import('#functions/keys/add-client-key.ts')).handler as unknown as Invoke;

  key = await generateSigningKey();
  const record = newClientKey(clientId, publicJwkOf(key), new Date(Date.now() - 86_400_000));
  registryItems = new Map(
    [
      {
        pk: 'ORG',
        sk: organisationId,
        id: organisationId,
        name: 'London Borough of Brent',
        kind: 'local-authority',
      },
      { pk: 'CLIENT', sk: clientId, id: clientId, organisationId, name: 'Brent system', status: 'active' },
      { pk: 'KEY', sk: `${clientId}#${key.kid}`, ...record },
      { pk: 'KID', sk: key.kid, clientId },
    ].map((item) => [`${item.pk}|${item.sk}`, item]),
  );
});

/** Every store answers as a healthy DynamoDB would; each test then breaks the one thing it is about. */
beforeEach(() => {
  dynamo.reset();
  documents.reset();
  const registryTable = registryTableFake(registryItems);
  documents.on(GetCommand).callsFake((input: GetCommandInput) => registryTable.get(input));
  documents.on(QueryCommand).callsFake((input: QueryCommandInput) => registryTable.query(input));
  documents.on(PutCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
});

// SDK errors carry table names, ARNs and request details; none of it may reach a response body.
const sdkDetail = 'arn:aws:dynamodb:eu-west-2:123456789012:table/registry SDK-INTERNAL-DETAIL';
const metadata = { $metadata: { httpStatusCode: 400, requestId: 'SDK-REQUEST-ID' } };
const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: `Rate of requests exceeded ${sdkDetail}`,
    ...metadata,
  });
const internalError = () => new InternalServerError({ message: `Internal error ${sdkDetail}`, ...metadata });
const conditionFailed = () =>
  new ConditionalCheckFailedException({
    message: `The conditional request failed ${sdkDetail}`,
    ...metadata,
  });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled ${sdkDetail}`,
    CancellationReasons: codes.map((Code) => ({ Code })),
    ...metadata,
  });

/** An API Gateway v2 event carrying a request signed with the client's registered key. */
const signedEvent = async (
  method: string,
  path: string,
  routeKey: string,
  options: { body?: string; pathParameters?: Record<string, string>; token?: (token: string) => string } = {},
): Promise<{ event: APIGatewayProxyEventV2; signed: SignedRequest; requestHash: string }> => {
  const signed = await signRequest({
    method,
    pathAndQuery: path,
    ...(options.body === undefined ? {} : { body: options.body }),
    key,
    issuer: clientId,
    audience: exchangeId,
  });
  const token = options.token?.(signed.token) ?? signed.token;
  const event = apiEvent(method, path, routeKey, options.body);
  return {
    event: {
      ...event,
      headers: { ...event.headers, authorization: `PBX-JWS ${token}` },
      ...(options.pathParameters === undefined ? {} : { pathParameters: options.pathParameters }),
    },
    signed,
    requestHash: sha256Base64url(token),
  };
};

const whoamiEvent = (options: { token?: (token: string) => string } = {}) =>
  signedEvent('GET', '/v1/whoami', 'GET /v1/whoami', options);

const addKeyEvent = async () => {
  const offered = publicJwkOf(await generateSigningKey());
  const path = `/v1/clients/${clientId}/keys`;
  return {
    offered,
    ...(await signedEvent('POST', path, 'POST /v1/clients/{clientId}/keys', {
      body: JSON.stringify({ jwk: offered }),
      pathParameters: { clientId },
    })),
  };
};

/** A different signature: the request is intact but was not signed by the registered key. */
const badSignature = (token: string) => {
  const at = token.lastIndexOf('.') + 10;
  return `${token.slice(0, at)}${token.charAt(at) === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
};

const invoke = async (handler: Invoke, event: APIGatewayProxyEventV2) => {
  const result = await handler(event, lambdaContext);
  return { ...parsed(result), raw: result.body ?? '' };
};

/** The audit entries the handler wrote, from every transaction it sent. */
const auditedEntries = () =>
  documents
    .commandCalls(TransactWriteCommand)
    .flatMap((call) => call.args[0].input.TransactItems ?? [])
    .flatMap((item) => (item.Put?.TableName === tableNames.audit && item.Put.Item ? [item.Put.Item] : []))
    // Each entry is written with its pending marker for the Merkle log sequencer; the entries are what count here.
    .filter((item) => item.pk !== 'PENDING');

const expectFailedClosed = (answer: {
  status: number | undefined;
  body: Record<string, unknown>;
  raw: string;
}) => {
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({ error: 'DEPENDENCY_UNAVAILABLE', message: expect.any(String) });
  expect(answer.raw).not.toMatch(/SDK-|arn:aws|Rate of requests|conditional request|Transaction cancelled/);
};

describe('GET /v1/whoami behind the signed-request middleware', () => {
  it('answers 200 and claims the jti once when every store answers', async () => {
    const { event, signed } = await whoamiEvent();
    const { status, body } = await invoke(getWhoami, event);
    expect(status).toBe(200);
    expect(body).toMatchObject({ client: { id: clientId }, user: null, key: { kid: key.kid, alg: 'ES256' } });
    const claims = documents.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(claims).toEqual([
      expect.objectContaining({
        TableName: tableNames.nonces,
        Item: expect.objectContaining({ pk: `JTI#${clientId}#${signed.claims.jti}` }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ]);
    // Registry reads are strongly consistent: a key revoked a moment ago must already be seen as revoked.
    expect(documents.commandCalls(GetCommand).every((c) => c.args[0].input.ConsistentRead === true)).toBe(
      true,
    );
    expect(documents.commandCalls(QueryCommand).every((c) => c.args[0].input.ConsistentRead === true)).toBe(
      true,
    );
  });

  it('audits the successful read once, as api.answer by the client, bound to the request id and hash', async () => {
    const { event, requestHash } = await whoamiEvent();
    expect((await invoke(getWhoami, event)).status).toBe(200);
    expect(auditedEntries()).toEqual([
      expect.objectContaining({
        action: 'api.answer',
        actor: { kind: 'client', clientId, organisationId },
        target: { type: 'route', id: 'GET /v1/whoami' },
        outcome: 'allowed',
        reasonCodes: [],
        requestHash,
        requestId: event.requestContext.requestId,
      }),
    ]);
  });

  it('fails closed with 503 when the registry GetItem is throttled, claiming no jti', async () => {
    documents.on(GetCommand).rejects(throttled());
    expectFailedClosed(await invoke(getWhoami, (await whoamiEvent()).event));
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it.each([
    ['throttled', throttled],
    ['failing inside DynamoDB', internalError],
  ])('fails closed with 503 when the nonce put is %s', async (_, fault) => {
    documents.on(PutCommand).rejects(fault());
    expectFailedClosed(await invoke(getWhoami, (await whoamiEvent()).event));
  });

  it('answers 401 REPLAYED, audited with the request hash, when the jti was claimed before', async () => {
    documents.on(PutCommand).rejects(conditionFailed());
    const { event, requestHash } = await whoamiEvent();
    const { status, body, raw } = await invoke(getWhoami, event);
    expect({ status, error: body.error }).toEqual({ status: 401, error: 'REPLAYED' });
    expect(raw).not.toMatch(/SDK-|arn:aws|conditional request/);
    expect(auditedEntries()).toEqual([
      expect.objectContaining({
        action: 'request.authenticate',
        outcome: 'refused',
        reasonCodes: ['REPLAYED'],
        requestHash,
        actor: {
          kind: 'anonymous',
          claimedClientId: clientId,
          claimedKeyId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        },
      }),
    ]);
  });

  it.each([
    ['REPLAYED', () => documents.on(PutCommand).rejects(conditionFailed()), {}],
    ['BAD_SIGNATURE', () => undefined, { token: badSignature }],
  ])(
    'fails closed with 503, not 401, when the audit write of a %s refusal fails',
    async (_, inject, options) => {
      inject();
      documents.on(TransactWriteCommand).rejects(throttled());
      expectFailedClosed(await invoke(getWhoami, (await whoamiEvent(options)).event));
      expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    },
  );

  it('fails closed with 503 when the refusal cannot be recorded because its audit entry id is taken', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed'));
    expectFailedClosed(await invoke(getWhoami, (await whoamiEvent({ token: badSignature })).event));
  });

  it('fails closed without leaking when the registry holds a malformed key item', async () => {
    const keyItem = `KEY|${clientId}#${key.kid}`;
    const intact = registryItems.get(keyItem);
    registryItems.set(keyItem, { ...intact, alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } });
    try {
      const { status, body, raw } = await invoke(getWhoami, (await whoamiEvent()).event);
      expect(status).toBe(500);
      expect(body).toEqual({ error: 'INTERNAL', message: expect.any(String) });
      expect(raw).not.toMatch(/HS256|oct|c2VjcmV0|ZodError/);
      expect(documents.commandCalls(PutCommand)).toHaveLength(0);
    } finally {
      if (intact !== undefined) registryItems.set(keyItem, intact);
    }
  });
});

describe('POST /v1/clients/{clientId}/keys behind the signed-request middleware', () => {
  const registryPuts = () =>
    documents
      .commandCalls(TransactWriteCommand)
      .flatMap((call) => call.args[0].input.TransactItems ?? [])
      .flatMap((item) =>
        item.Put?.TableName === tableNames.registry && item.Put.Item ? [item.Put.Item] : [],
      );

  it('answers 201 and writes the key, its kid owner and one allowed audit entry in one transaction', async () => {
    const { event, offered, requestHash } = await addKeyEvent();
    const { status, body } = await invoke(addClientKey, event);
    expect(status).toBe(201);
    expect(body.key).toMatchObject({ clientId, kid: offered.kid, status: 'active' });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(registryPuts()).toEqual([
      expect.objectContaining({ pk: 'KEY', sk: `${clientId}#${offered.kid}` }),
      { pk: 'KID', sk: offered.kid, clientId },
      // A new registry generation, so every cached copy of the registry reads the new key.
      { pk: 'REGISTRY', sk: 'GENERATION', generation: expect.any(String) },
    ]);
    expect(auditedEntries()).toEqual([
      expect.objectContaining({ action: 'registry.client-key.add', outcome: 'allowed', requestHash }),
    ]);
  });

  it('answers 409 KEY_ID_TAKEN when the transaction is cancelled by a failed condition, and audits it', async () => {
    documents.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      if (input.TransactItems?.some((item) => item.Put?.TableName === tableNames.registry)) {
        throw cancelled('None', 'ConditionalCheckFailed', 'None');
      }
      return {};
    });
    const { event, offered, requestHash } = await addKeyEvent();
    const { status, body, raw } = await invoke(addClientKey, event);
    expect({ status, error: body.error }).toEqual({ status: 409, error: 'KEY_ID_TAKEN' });
    expect(raw).not.toMatch(/SDK-|arn:aws|Transaction cancelled/);
    expect(auditedEntries()).toEqual([
      // The allowed entry travelled with the cancelled transaction, so it was never written.
      expect.objectContaining({
        outcome: 'allowed',
        target: { type: 'client-key', id: `${clientId}/${offered.kid}` },
      }),
      expect.objectContaining({
        action: 'registry.client-key.add',
        outcome: 'refused',
        reasonCodes: ['KEY_ID_TAKEN'],
        requestHash,
      }),
    ]);
  });

  it.each([
    ['throttled', throttled],
    ['cancelled for a reason other than a condition', () => cancelled('None', 'ThrottlingError', 'None')],
    ['cancelled by a conflicting transaction', () => cancelled('TransactionConflict', 'None', 'None')],
  ])('fails closed with 503 when the key transaction is %s, recording no refusal', async (_, fault) => {
    documents.on(TransactWriteCommand).rejects(fault());
    expectFailedClosed(await invoke(addClientKey, (await addKeyEvent()).event));
    // A store that did not answer decided nothing: no refusal is written after it, only the attempt to audit the
    // failed answer itself (which fails too here, so the answer stays 503).
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(auditedEntries().map((entry) => [entry.action, entry.outcome, entry.reasonCodes])).toEqual([
      ['registry.client-key.add', 'allowed', []],
      ['api.answer', 'failed', ['DEPENDENCY_UNAVAILABLE']],
    ]);
  });

  it('fails closed with 503, not 409, when the KEY_ID_TAKEN refusal cannot be audited', async () => {
    documents.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      throw input.TransactItems?.some((item) => item.Put?.TableName === tableNames.registry)
        ? cancelled('None', 'ConditionalCheckFailed', 'None')
        : throttled();
    });
    expectFailedClosed(await invoke(addClientKey, (await addKeyEvent()).event));
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('fails closed with 503 when the registry read that authorises the change is throttled', async () => {
    // Authentication reads the client and key from the cached registry; the authorisation check reads the
    // target client from the table, and that read is throttled.
    const registryTable = registryTableFake(registryItems);
    documents.on(GetCommand).callsFake((input: GetCommandInput) => {
      if (input.Key?.pk === 'CLIENT') throw throttled();
      return registryTable.get(input);
    });
    expectFailedClosed(await invoke(addClientKey, (await addKeyEvent()).event));
    expect(registryPuts()).toEqual([]);
    // The request was authenticated: its failed answer is audited as the client's.
    expect(auditedEntries().map((entry) => [entry.action, entry.outcome, entry.actor])).toContainEqual([
      'api.answer',
      'failed',
      { kind: 'client', clientId, organisationId },
    ]);
  });
});
