import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { newAuditEntry, textSha256 } from '#shared/domain/audit/audit-entry.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import { publicOperationWith, type Served } from '#shared/http/operation-handler.ts';
import type { Operation } from '#shared/http/operations.ts';
import { idFormats, pathId, targetOf } from '#shared/http/path-ids.ts';
import { apiEvent, lambdaContext, parsed } from '../support/api-event.ts';
import { fixedClock } from '../support/fixed-clock.ts';

// The answer audit of the operation handler (shared/http/operation-handler.ts), with the real DynamoDB audit adapter
// behind it; faults are injected at the AWS SDK boundary.
const documents = mockClient(DynamoDBDocumentClient);
const auditTable = 'audit';
const clock = fixedClock('2025-03-01T12:00:00Z');
const audit = new DynamoAuditLog(createDocumentClient(), auditTable);
const routeKey = 'POST /v1/things';

beforeEach(() => {
  documents.reset();
  documents.on(TransactWriteCommand).resolves({});
});

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeded arn:aws:dynamodb:eu-west-2:123456789012:table/audit SDK-DETAIL',
    $metadata: { httpStatusCode: 400 },
  });

/** The audit entries every transaction sent carried (not their pending markers). */
const entriesSent = () =>
  documents
    .commandCalls(TransactWriteCommand)
    .flatMap((call) => call.args[0].input.TransactItems ?? [])
    .flatMap((item) => (item.Put?.TableName === auditTable && item.Put.Item ? [item.Put.Item] : []))
    .filter((item) => item.pk !== 'PENDING');

/** A public operation that takes a body of `{ name }` and answers anything. */
const thing = {
  id: 'PostThing',
  method: 'POST',
  path: '/v1/things',
  entry: 'things.ts',
  auth: 'public',
  tables: { audit: 'append' },
  buckets: {},
  summary: 'a thing',
  status: 200,
  body: z.object({ name: z.string() }),
  answer: z.unknown(),
} as const satisfies Operation;
type Serve = () => Promise<Served<typeof thing>>;

const answer = async (serve: Serve, body = '{"name":"x"}') => {
  const event = apiEvent('POST', '/v1/things', routeKey, body);
  const result = await publicOperationWith(thing, { audit, clock }, {}, serve)(event, lambdaContext);
  return { ...parsed(result), raw: result.body ?? '', requestId: event.requestContext.requestId };
};

describe('the answer audit of a route', () => {
  it('records one api.answer, allowed, for a successful read that recorded nothing', async () => {
    const { status, requestId } = await answer(async () => ({ answer: { ok: true }, audited: [] }));
    expect(status).toBe(200);
    expect(entriesSent()).toEqual([
      expect.objectContaining({
        action: 'api.answer',
        actor: { kind: 'anonymous' },
        target: { type: 'route', id: routeKey },
        outcome: 'allowed',
        reasonCodes: [],
        requestId,
        time: '2025-03-01T12:00:00.000Z',
      }),
    ]);
  });

  it('records a path id that is not well formed only as its SHA-256, answered 404 NOT_FOUND', async () => {
    const typed = 'Jane Smith 943 476 5919';
    const { status, body, raw } = await answer(async () => {
      pathId({ requestId: typed }, 'requestId', 'request');
      return { answer: {}, audited: [] };
    });
    expect({ status, error: body.error }).toEqual({ status: 404, error: 'NOT_FOUND' });
    expect(raw).not.toContain(typed);
    const sent = entriesSent();
    expect(sent).toEqual([
      expect.objectContaining({
        action: 'api.answer',
        target: { type: 'request', malformedIdSha256: textSha256(typed) },
        outcome: 'refused',
        reasonCodes: ['NOT_FOUND'],
      }),
    ]);
    expect(JSON.stringify(sent)).not.toContain('Jane');
  });

  it.each([
    ['request', '01JQ7ZQ3W4X5Y6Z7A8B9C0D1E2', 'Jane Smith', '01jq7zq3w4x5y6z7a8b9c0d1e2'],
    ['cdop-case', '01JQ7ZQ3W4X5Y6Z7A8B9C0D1E2', '9434765919', '01JQ7ZQ3W4X5Y6Z7A8B9C0D1EU'],
    ['agreement', 'isa-nw-bcu-mash', 'isa-Jane Smith', 'nw-bcu-mash'],
    ['client', 'lb-brent-system', 'Jane.Smith', 'lb'],
    ['client-key', 'lb-brent-2025-01', 'Jane Smith', 'short'],
  ] as const)('keeps a well-formed %s id and hashes malformed ones', (kind, good, ...bad) => {
    expect(targetOf(kind, good, idFormats[kind])).toEqual({ type: kind, id: good });
    for (const text of bad) {
      expect(targetOf(kind, text, idFormats[kind])).toEqual({
        type: kind,
        malformedIdSha256: textSha256(text),
      });
    }
  });

  it('records one api.answer, refused with MALFORMED_JSON, for a body that is not JSON', async () => {
    const { status, body, requestId } = await answer(async () => ({ answer: {}, audited: [] }), '{not json');
    expect({ status, error: body.error }).toEqual({ status: 400, error: 'MALFORMED_JSON' });
    expect(entriesSent()).toEqual([
      expect.objectContaining({
        action: 'api.answer',
        outcome: 'refused',
        reasonCodes: ['MALFORMED_JSON'],
        requestId,
      }),
    ]);
  });

  it.each([
    ['refused', new NotFoundError('NOT_FOUND', 'no thing'), 404, 'NOT_FOUND'],
    ['failed', new TypeError('a bug'), 500, 'INTERNAL'],
  ])(
    'records the answer as %s with the code the error table gave it',
    async (outcome, error, status, code) => {
      const answered = await answer(async () => {
        throw error;
      });
      expect({ status: answered.status, error: answered.body.error }).toEqual({ status, error: code });
      expect(entriesSent()).toEqual([
        expect.objectContaining({ action: 'api.answer', outcome, reasonCodes: [code] }),
      ]);
    },
  );

  it('records nothing more when the use case returns the entry it committed', async () => {
    const { status } = await answer(async () => {
      const entry = newAuditEntry(
        { actor: { kind: 'system' }, action: 'thing.read', outcome: 'allowed' },
        clock.now(),
      );
      await audit.record(entry);
      return { answer: {}, audited: [entry] };
    });
    expect(status).toBe(200);
    expect(entriesSent()).toEqual([expect.objectContaining({ action: 'thing.read' })]);
  });

  it('records nothing more for a refusal whose entry committed (the error carries it)', async () => {
    const { status, body } = await answer(async () => {
      const entry = newAuditEntry(
        { actor: { kind: 'system' }, action: 'thing.read', outcome: 'refused', reasonCodes: ['NOT_FOUND'] },
        clock.now(),
      );
      await audit.record(entry);
      const refusal = new NotFoundError('NOT_FOUND', 'no thing');
      refusal.audited = entry;
      throw refusal;
    });
    expect({ status, error: body.error }).toEqual({ status: 404, error: 'NOT_FOUND' });
    expect(entriesSent()).toEqual([expect.objectContaining({ action: 'thing.read', outcome: 'refused' })]);
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE, not the data, when the answer cannot be audited', async () => {
    documents.on(TransactWriteCommand).rejects(throttled());
    const { status, body, raw } = await answer(async () => ({ answer: { secret: 'payload' }, audited: [] }));
    expect(status).toBe(503);
    expect(body).toEqual({ error: 'DEPENDENCY_UNAVAILABLE', message: expect.any(String) });
    expect(raw).not.toMatch(/payload|SDK-DETAIL|arn:aws/);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('does not try a second time when the handler’s own audit write failed', async () => {
    documents.on(TransactWriteCommand).rejects(throttled());
    const { status, body } = await answer(async () => {
      const entry = newAuditEntry(
        { actor: { kind: 'system' }, action: 'thing.read', outcome: 'allowed' },
        clock.now(),
      );
      await audit.record(entry);
      return { answer: {}, audited: [entry] };
    });
    expect({ status, error: body.error }).toEqual({ status: 503, error: 'DEPENDENCY_UNAVAILABLE' });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('keeps concurrent answers apart: each entry carries its own request id', async () => {
    const slow: Serve = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { answer: {}, audited: [] };
    };
    const answers = await Promise.all([answer(slow), answer(slow), answer(slow)]);
    const ids = entriesSent().map((entry) => entry.requestId);
    expect(ids.sort()).toEqual(answers.map((a) => a.requestId).sort());
    expect(new Set(ids).size).toBe(3);
  });
});
