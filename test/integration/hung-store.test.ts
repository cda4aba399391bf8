import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localTableName } from '#local/provision.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

// Issue 13, finding 1: a hung DynamoDB (DynamoDB Local paused with SIGSTOP: its sockets still accept, nothing
// answers) must not hang the exchange. Every route, health and discovery included, answers 503
// DEPENDENCY_UNAVAILABLE within 3 s; once the store resumes, the write whose caller was answered 503 is not
// committed: the submission does not exist and its token's jti is not consumed.
let exchange: RunningExchange;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false });
  dynamo = localDynamoClient(exchange);
});

afterAll(async () => {
  // Never leave the server paused, whatever failed.
  if (exchange !== undefined) process.kill(exchange.dynamoPid, 'SIGCONT');
  dynamo?.destroy();
  await exchange?.stop();
});

const timed = async (call: () => Promise<{ status: number; body: unknown }>) => {
  const started = Date.now();
  const answer = await call();
  return { ...answer, ms: Date.now() - started };
};

const errorOf = (body: unknown) => (body as { error?: string }).error;

describe('a hung DynamoDB', () => {
  it('answers 503 within 3 s on every route and commits nothing once it resumes', async () => {
    const clientId = 'lb-brent-system';
    let lastToken = '';
    const brent = new PbxClient({
      url: exchange.url,
      clientId,
      key: await readPrivateKey(localKeyFile(exchange.keysDir, clientId)),
      audience: exchange.exchangeId,
      subject: 'lb-brent.practitioner',
      fetch: (input, init) => {
        const authorization = new Headers(init?.headers).get('authorization');
        if (authorization !== null) lastToken = authorization.slice('PBX-JWS '.length);
        return fetch(input, init);
      },
    });
    // Warm every route once, so the paused store meets pooled, kept-alive connections as well as new ones.
    expect((await brent.discovery()).status).toBe(200);
    const subjectRef = `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`;
    const health = () =>
      fetch(`${exchange.url}/v1/health`).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect((await health()).status).toBe(200);

    process.kill(exchange.dynamoPid, 'SIGSTOP');
    let jti = '';
    try {
      const answers = {
        health: await timed(health),
        discovery: await timed(() => brent.discovery()),
        submit: await timed(() => brent.submitRequest(brentAsksHarrow(subjectRef), 'hung-store-submit-0001')),
      };
      jti = (
        JSON.parse(Buffer.from(lastToken.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }
      ).jti;
      for (const [route, answer] of Object.entries(answers)) {
        expect(answer.status, route).toBe(503);
        expect(errorOf(answer.body), route).toBe('DEPENDENCY_UNAVAILABLE');
        expect(answer.ms, route).toBeLessThan(3_000);
      }
    } finally {
      process.kill(exchange.dynamoPid, 'SIGCONT');
    }

    // Give the resumed server time to work through whatever reached its sockets while it was paused.
    await sleep(3_000);
    const doc = createDocumentClient(dynamo);
    const requests = await doc.send(
      new ScanCommand({ TableName: localTableName('requests'), ConsistentRead: true }),
    );
    expect(JSON.stringify(requests.Items ?? []), 'the submission was not committed').not.toContain(
      subjectRef,
    );
    const claimed = await doc.send(
      new GetCommand({
        TableName: localTableName('nonces'),
        Key: { pk: `JTI#${clientId}#${jti}`, sk: 'JTI' },
        ConsistentRead: true,
      }),
    );
    expect(claimed.Item, 'the jti of the refused call is not consumed').toBeUndefined();

    const audit = await doc.send(
      new ScanCommand({ TableName: localTableName('audit'), ConsistentRead: true }),
    );
    expect(
      (audit.Items ?? []).filter((entry) => entry.outcome === 'failed'),
      'no audit write of a 503 answer is committed once the store resumes',
    ).toEqual([]);
    // And the exchange is whole again.
    expect((await health()).status).toBe(200);
  }, 60_000);
});
