import { createHash, randomBytes } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName, localTableName } from '#local/provision.ts';
import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { DynamoRequestStore, type RequestTables } from '#shared/adapters/dynamodb/request-store.ts';
import { S3PayloadStore } from '#shared/adapters/s3/payload-store.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { ConflictError, DependencyError } from '#shared/domain/errors.ts';
import type { ExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';
import type { DataRequest, DataRequestBody } from '#shared/domain/requests/data-request.ts';
import type { IdempotentCall } from '#shared/domain/requests/idempotency.ts';
import {
  decideRequest,
  fetchShare,
  purgeShare,
  type RequestDeps,
  releaseShare,
  startUpload,
  submitRequest,
  sweepRequests,
  withdrawRequest,
} from '#shared/domain/requests/manage-requests.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import { CallTap, type FaultKind, faultKinds, type TappedCall } from '../support/fault-injection.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

// Fault injection at every AWS call of the request, decision, release, fetch, withdrawal and sweep paths. The
// use cases run with the real stores on DynamoDB Local and the S3 emulator, behind a tap that numbers their calls
// (enumerated from a clean run of each step) and makes the N-th one fail with each fault kind. After each fault:
// the step failed with 503 or 409, and its parts (the request and its inbox/outbox copies, work lists, the
// idempotency record, its audit entry, its events and feed items, the S3 object) are all there or none are. Then
// a retry with the same idempotency key completes it exactly once, and a replay answers the same.

let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let s3: S3Client;

const tables: RequestTables = {
  requests: localTableName('requests'),
  audit: localTableName('audit'),
  events: localTableName('events'),
};
const bucket = localBucketName('payloads');

beforeAll(async () => {
  exchange = await startExchange({ schedules: false });
  dynamo = localDynamoClient(exchange);
  doc = createDocumentClient(dynamo);
  s3 = new S3Client({
    region: localRegion,
    credentials: localCredentials,
    endpoint: exchange.s3Endpoint,
    forcePathStyle: true,
  });
});

afterAll(async () => {
  dynamo?.destroy();
  s3?.destroy();
  await exchange?.stop();
});

// ---- Building the use cases on a tap ----------------------------------------------------------------------

/** Every tap of this file: the last test checks that no audit entry about a request was written around them. */
const taps: CallTap[] = [];

const depsOn = (tap: CallTap, options: { clock?: Clock; requestsTable?: string } = {}): RequestDeps => {
  if (!taps.includes(tap)) taps.push(tap);
  const tapped = tap.wrapDocument(doc);
  return {
    requests: new DynamoRequestStore(tapped, {
      ...tables,
      requests: options.requestsTable ?? tables.requests,
    }),
    payloads: new S3PayloadStore(tap.wrap('s3', s3), bucket),
    agreements: new DynamoAgreementStore(tapped, {
      agreements: localTableName('agreements'),
      audit: tables.audit,
    }),
    registry: new DynamoRegistryReader(tapped, localTableName('registry')),
    audit: new DynamoAuditLog(tapped, tables.audit),
    clock: options.clock ?? systemClock,
  };
};

const principal = (user: string, roles: UserRole[] = ['practitioner']): Principal => {
  const organisationId = user.split('.')[0] ?? user;
  return {
    clientId: `${organisationId}-system`,
    organisationId,
    kid: 'faults',
    alg: 'ES256',
    user: { id: user, roles },
    jti: ulid(),
    requestHash: randomBytes(32).toString('base64url'),
  };
};
const brent = () => principal('lb-brent.practitioner');
const harrow = () => principal('lb-harrow.practitioner');

const newCall = (clientId: string): IdempotentCall => {
  const key = `faults-${ulid()}`;
  return { clientId, key, fingerprint: `fingerprint-of-${key}` };
};

const mashRequest = (): DataRequestBody => ({
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-nw-bcu-mash',
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
  consent: {
    state: 'not-sought',
    exemption: 'would-prejudice-protection',
    rationale: 'seeking consent would put the child at risk of significant harm',
  },
  // A subject reference of its own per request, to find it among the others.
  subjectRef: `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`,
  urgency: 'urgent',
  justification: 'MASH referral: fault-injection test',
});

type Answer = { statusCode: 200 | 201; body: unknown };
const bodyOf = (answer: Answer) => answer.body as { request: DataRequest };

const submit = async (deps: RequestDeps) => {
  const body = mashRequest();
  const answer = await submitRequest(deps, {
    principal: brent(),
    body,
    signed: { token: 'faults.token.signature', body: JSON.stringify(body) },
  });
  return bodyOf(answer).request;
};

const approve = (deps: RequestDeps, requestId: string) =>
  decideRequest(deps, {
    principal: harrow(),
    requestId,
    decision: { outcome: 'approve', reasons: 'held and relevant to the referral' },
  });

const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none', addressHistory: ['HA1'] }));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const inline = {
  kind: 'inline',
  content: payload,
  sha256: sha256(payload),
  contentType: 'application/json',
  dataCategories: ['identity-residence', 'protection-status'],
} as const;

const release = (deps: RequestDeps, requestId: string) =>
  releaseShare(deps, { principal: harrow(), requestId, release: inline });

// ---- What is stored about one request ---------------------------------------------------------------------

type Item = Record<string, unknown>;
type TransactItem = { Put?: { TableName: string; Item: Item }; Delete?: { TableName: string; Key: Item } };

const transactItemsOf = (calls: readonly TappedCall[]): TransactItem[] =>
  calls
    .filter((c) => c.command === 'TransactWriteCommand')
    .flatMap((c) => (c.input as { TransactItems: TransactItem[] }).TransactItems);

/** Ids of requests a tap saw created (the id of a submitted request is chosen inside the step). */
const createdIds = (calls: readonly TappedCall[]): string[] => [
  ...new Set(
    transactItemsOf(calls)
      .map((i) => i.Put?.Item)
      .filter((item): item is Item => item?.sk === 'SIGNED')
      .map((item) => String(item.pk).slice('REQUEST#'.length)),
  ),
];

const getItem = async (tableName: string, key: Item): Promise<Item | undefined> =>
  (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

const batchGet = async (tableName: string, keys: Item[]): Promise<Item[]> => {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let request: Item[] = keys.slice(start, start + 100);
    while (request.length > 0) {
      const result = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      request = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
};

const uniqueKeys = (keys: Item[]): Item[] => [
  ...new Map(keys.map((k) => [`${String(k.pk)}|${String(k.sk)}`, k])).values(),
];

type Snapshot = {
  record: DataRequest | undefined;
  inbox: Item | undefined;
  outbox: Item | undefined;
  signed: boolean;
  work: string[];
  idempotency: boolean;
  /** The audit entries about the request, among every entry its taps wrote (the file's last test checks none other). */
  audit: AuditEntry[];
  /** Its events: the feed items of each organisation and the relay's unpublished markers. */
  feed: string[];
  unpublished: string[];
  objects: string[];
};

const stripKeys = ({ pk: _pk, sk: _sk, ...rest }: Item): Item => rest;

const snapshot = async (
  requestId: string,
  calls: readonly TappedCall[],
  options: { call?: IdempotentCall; requestsTable?: string } = {},
): Promise<Snapshot> => {
  const requestsTable = options.requestsTable ?? tables.requests;
  const written = transactItemsOf(calls)
    .map((i) => i.Put)
    .filter((p) => p !== undefined);
  const auditKeys = uniqueKeys(
    written
      .filter((p) => p.TableName === tables.audit && String(p.Item.pk).startsWith('ENTRY#'))
      .map((p) => ({ pk: p.Item.pk, sk: p.Item.sk })),
  );
  const eventKeys = uniqueKeys(
    written.filter((p) => p.TableName === tables.events).map((p) => ({ pk: p.Item.pk, sk: p.Item.sk })),
  );
  const record = (await getItem(requestsTable, { pk: `REQUEST#${requestId}`, sk: 'REQUEST' })) as
    | (DataRequest & Item)
    | undefined;
  const [inbox, outbox, signed, idempotency, audit, events, work, objects] = await Promise.all([
    record && getItem(requestsTable, { pk: `INBOX#${record.responderOrganisationId}`, sk: requestId }),
    record && getItem(requestsTable, { pk: `OUTBOX#${record.requester.organisationId}`, sk: requestId }),
    getItem(requestsTable, { pk: `REQUEST#${requestId}`, sk: 'SIGNED' }),
    options.call &&
      getItem(requestsTable, {
        pk: `IDEMPOTENCY#${options.call.clientId}#${options.call.key}`,
        sk: 'IDEMPOTENCY',
      }),
    batchGet(tables.audit, auditKeys),
    batchGet(tables.events, eventKeys),
    Promise.all(
      (['due', 'retention', 'purge'] as const).map(async (list) => {
        const result = await doc.send(
          new QueryCommand({
            TableName: requestsTable,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: 'requestId = :id',
            ExpressionAttributeValues: { ':pk': `WORK#${list}`, ':id': requestId },
            ConsistentRead: true,
          }),
        );
        return (result.Items ?? []).map((item) => `${list}@${String(item.sk)}`);
      }),
    ),
    s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `shares/${requestId}/` })),
  ]);
  const ofRequest = events
    .map((item) => ({ pk: String(item.pk), event: item.event as ExchangeEvent }))
    .filter((e) => (e.event.detail as { requestId?: string }).requestId === requestId);
  return {
    record: record === undefined ? undefined : (stripKeys(record) as DataRequest),
    inbox: inbox && stripKeys(inbox),
    outbox: outbox && stripKeys(outbox),
    signed: signed !== undefined,
    work: work.flat().sort(),
    idempotency: idempotency !== undefined,
    audit: (audit as AuditEntry[])
      .map((entry) => stripKeys(entry as Item) as AuditEntry)
      .filter((entry) => entry.target?.id === requestId)
      .sort((a, b) => a.id.localeCompare(b.id)),
    feed: ofRequest
      .filter((e) => e.pk.startsWith('ORG#'))
      .map((e) => `${e.pk}:${e.event.type}`)
      .sort(),
    unpublished: ofRequest
      .filter((e) => e.pk === 'UNPUBLISHED')
      .map((e) => e.event.type)
      .sort(),
    objects: (objects.Contents ?? []).map((o) => o.Key ?? '').sort(),
  };
};

const allowed = (s: Snapshot, action: string) =>
  s.audit.filter((e) => e.outcome === 'allowed' && e.action === action);

/** The parts that say whether a step happened; refusal entries (409 CONFLICT) may be added by a failed step. */
const stepParts = (s: Snapshot) => ({
  record: s.record,
  inbox: s.inbox,
  outbox: s.outbox,
  signed: s.signed,
  work: s.work,
  idempotency: s.idempotency,
  allowedAudit: s.audit.filter((e) => e.outcome === 'allowed').map((e) => e.id),
  feed: s.feed,
  unpublished: s.unpublished,
});

// ---- The steps under test ---------------------------------------------------------------------------------

type Ctx = { requestId?: string; uploadId?: string };

type StepSpec = {
  readonly name: string;
  readonly action: string;
  readonly event: ExchangeEvent['type'];
  readonly caller: () => Principal;
  /** Puts a fresh request in the state the step starts from. */
  prepare(deps: RequestDeps): Promise<Ctx>;
  run(deps: RequestDeps, ctx: Ctx, call: IdempotentCall): Promise<Answer>;
  /** What a completed step leaves, beyond its one audit entry, its event and its idempotency record. */
  done(before: Snapshot, after: Snapshot): void;
  /** What follows a completed step, checked once it is done. */
  afterwards?(deps: RequestDeps, requestId: string, tap: CallTap): Promise<void>;
};

const expectCopies = (s: Snapshot) => {
  expect(s.inbox).toEqual(s.record);
  expect(s.outbox).toEqual(s.record);
};

const steps: readonly StepSpec[] = [
  {
    name: 'submit',
    action: 'request.submit',
    event: 'RequestSubmitted',
    caller: brent,
    prepare: async () => ({}),
    run: (deps, _ctx, call) => {
      const body = mashRequest();
      return submitRequest(deps, {
        principal: brent(),
        body: { ...body, subjectRef: `sr1.north-west-bcu.${call.key.slice(-26).padEnd(43, 'A')}` },
        signed: { token: 'faults.token.signature', body: JSON.stringify(body) },
        call,
      });
    },
    done: (_before, after) => {
      expect(after.record).toMatchObject({ status: 'submitted', revision: 1 });
      expect(after.signed).toBe(true);
      expect(after.work).toEqual([`due@${after.record?.dueAt}#${after.record?.id}`]);
    },
  },
  {
    name: 'decide',
    action: 'request.decide',
    event: 'RequestDecided',
    caller: harrow,
    prepare: async (deps) => ({ requestId: (await submit(deps)).id }),
    run: (deps, ctx, call) =>
      decideRequest(deps, {
        principal: harrow(),
        requestId: ctx.requestId ?? '',
        decision: { outcome: 'approve', reasons: 'held and relevant to the referral' },
        call,
      }),
    done: (_before, after) => {
      expect(after.record).toMatchObject({ status: 'approved', decision: { outcome: 'approve' } });
      expect(after.work).toEqual([]);
    },
  },
  {
    name: 'release (inline)',
    action: 'share.release',
    event: 'ShareReleased',
    caller: harrow,
    prepare: async (deps) => {
      const request = await submit(deps);
      await approve(deps, request.id);
      return { requestId: request.id };
    },
    run: (deps, ctx, call) =>
      releaseShare(deps, { principal: harrow(), requestId: ctx.requestId ?? '', release: inline, call }),
    done: (before, after) => {
      expect(before.objects).toEqual([]);
      expect(after.record).toMatchObject({ status: 'released', share: { sha256: inline.sha256 } });
      expect(after.objects).toEqual([after.record?.share?.objectKey]);
      expect(after.work).toEqual([`retention@${after.record?.share?.expiresAt}#${after.record?.id}`]);
    },
  },
  {
    name: 'release (upload)',
    action: 'share.release',
    event: 'ShareReleased',
    caller: harrow,
    prepare: async (deps) => {
      const request = await submit(deps);
      await approve(deps, request.id);
      const started = await startUpload(deps, {
        principal: harrow(),
        requestId: request.id,
        declared: { size: payload.byteLength, sha256: inline.sha256, contentType: 'application/json' },
      });
      const { uploadId } = (started.body as { upload: { uploadId: string } }).upload;
      const stored = await deps.requests.getRequest(request.id);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: stored?.upload?.objectKey,
          Body: payload,
          ContentType: 'application/json',
        }),
      );
      return { requestId: request.id, uploadId };
    },
    run: (deps, ctx, call) =>
      releaseShare(deps, {
        principal: harrow(),
        requestId: ctx.requestId ?? '',
        release: { kind: 'upload', uploadId: ctx.uploadId ?? '', dataCategories: ['identity-residence'] },
        call,
      }),
    done: (before, after) => {
      expect(before.objects).toEqual([before.record?.upload?.objectKey]);
      expect(after.record).toMatchObject({ status: 'released', share: { sha256: inline.sha256 } });
      expect(after.record?.upload).toBeUndefined();
      expect(after.objects).toEqual(before.objects);
    },
  },
  {
    name: 'fetch',
    action: 'share.fetch',
    event: 'ShareFetched',
    caller: brent,
    prepare: async (deps) => {
      const request = await submit(deps);
      await approve(deps, request.id);
      await release(deps, request.id);
      return { requestId: request.id };
    },
    run: (deps, ctx, call) => fetchShare(deps, { principal: brent(), requestId: ctx.requestId ?? '', call }),
    done: (before, after) => {
      expect(after.record?.share?.fetchCount).toBe((before.record?.share?.fetchCount ?? -1) + 1);
      expect(after.objects).toEqual(before.objects);
    },
  },
  {
    name: 'withdraw (released)',
    action: 'request.withdraw',
    event: 'RequestWithdrawn',
    caller: brent,
    prepare: async (deps) => {
      const request = await submit(deps);
      await approve(deps, request.id);
      await release(deps, request.id);
      return { requestId: request.id };
    },
    run: (deps, ctx, call) =>
      withdrawRequest(deps, { principal: brent(), requestId: ctx.requestId ?? '', call }),
    done: (before, after) => {
      expect(after.record).toMatchObject({ status: 'withdrawn' });
      // Withdrawal commits first: the bytes stay until the sweeper's purge, on whose list the request now is.
      expect(after.objects).toEqual(before.objects);
      expect(after.objects).toHaveLength(1);
      expect(after.work).toEqual([`purge@${after.record?.withdrawnAt}#${after.record?.id}`]);
    },
    // The leftover on the purge list: the sweeper's purge deletes the bytes and records it, once.
    afterwards: async (deps, requestId, tap) => {
      expect(await purgeShare(deps, requestId)).toBe(true);
      expect(await purgeShare(deps, requestId)).toBe(false);
      const purged = await snapshot(requestId, tap.calls);
      expect(purged.objects).toEqual([]);
      expect(purged.work).toEqual([]);
      expect(purged.record?.share?.deletedAt).toBeDefined();
      expect(allowed(purged, 'share.delete')).toHaveLength(1);
      expect(purged.unpublished.filter((t) => t === 'ShareExpired')).toHaveLength(1);
    },
  },
];

// ---- Running every fault at every call --------------------------------------------------------------------

type Scenario = { readonly at: number; readonly call: TappedCall; readonly fault: FaultKind };

/** Every (call, fault) pair along a clean run's path. */
const scenariosOf = (path: readonly TappedCall[]): Scenario[] =>
  path.flatMap((call, at) =>
    faultKinds.filter((f) => f.appliesTo(call)).map((fault) => ({ at, call, fault })),
  );

const describeCall = (call: TappedCall) => {
  const input = call.input as { TableName?: string; Key?: Item };
  return `${call.service} ${call.command.replace(/Command$/, '')}${input.TableName ? ` ${input.TableName}` : ''}`;
};

/** Runs `work` over `items`, `width` at a time (DynamoDB Local answers concurrent calls much faster in total). */
const pool = async <T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
};

/** A 503 (DependencyError) or a 409 CONFLICT: never a success with missing parts. */
const expectRefusedSafely = (outcome: { ok: true; answer: Answer } | { ok: false; error: unknown }) => {
  if (outcome.ok) throw new Error(`the step succeeded: ${JSON.stringify(outcome.answer).slice(0, 200)}`);
  const { error } = outcome;
  const safe =
    error instanceof DependencyError || (error instanceof ConflictError && error.code === 'CONFLICT');
  if (!safe) throw error;
};

const settle = (promise: Promise<Answer>) =>
  promise.then(
    (answer) => ({ ok: true as const, answer }),
    (error: unknown) => ({ ok: false as const, error }),
  );

const runScenario = async (step: StepSpec, scenario: Scenario): Promise<void> => {
  const tap = new CallTap();
  const deps = depsOn(tap);
  const ctx = await step.prepare(deps);
  const call = newCall(step.caller().clientId);
  const before = ctx.requestId === undefined ? undefined : await snapshot(ctx.requestId, tap.calls, { call });

  tap.arm(scenario.at, scenario.fault);
  const failed = await settle(step.run(deps, ctx, call));
  tap.disarm();
  expect(tap.fired?.call.command, 'the fault fired at the call enumerated').toBe(scenario.call.command);
  expectRefusedSafely(failed);

  // All or nothing: the step's parts either all reflect it (an answer lost after DynamoDB applied the
  // transaction) or none do; for a release, the S3 object only when the step is there.
  const attemptIds = ctx.requestId === undefined ? createdIds(tap.calls) : [ctx.requestId];
  const stepTransaction = tap.fired?.call.command === 'TransactWriteCommand';
  const applied = stepTransaction && scenario.fault.when === 'after';
  for (const requestId of attemptIds) {
    const mid = await snapshot(requestId, tap.calls, { call });
    if (applied) {
      expect(allowed(mid, step.action)).toHaveLength(1);
      expect(mid.idempotency).toBe(true);
      expect(mid.unpublished.filter((t) => t === step.event)).toEqual([step.event]);
      expectCopies(mid);
      step.done(before ?? mid, mid);
    } else if (before !== undefined) {
      expect(stepParts(mid)).toEqual(stepParts(before));
      expect(mid.objects, 'no bytes stay behind a release that did not happen').toEqual(before.objects);
      const refusals = mid.audit.filter((e) => e.outcome !== 'allowed' && !before.audit.includes(e));
      for (const entry of refusals) expect(entry.reasonCodes).toEqual(['CONFLICT']);
    } else {
      // A submission that did not commit left nothing at all under the id it chose.
      expect(mid).toMatchObject({ record: undefined, signed: false, work: [], audit: [], feed: [] });
      expect(mid.unpublished).toEqual([]);
      expect(mid.idempotency).toBe(false);
    }
  }

  // A retry with the same key completes the step exactly once; a replay answers the same and writes nothing.
  const retried = await step.run(deps, ctx, call);
  const requestId = ctx.requestId ?? bodyOf(retried).request.id;
  if (ctx.requestId === undefined && !applied) {
    expect(attemptIds).not.toContain(requestId);
  }
  const after = await snapshot(requestId, tap.calls, { call });
  expect(allowed(after, step.action)).toHaveLength(1);
  expect(after.unpublished.filter((t) => t === step.event)).toEqual([step.event]);
  const record = after.record;
  expect(after.feed.filter((f) => f.endsWith(`:${step.event}`))).toEqual(
    [
      `ORG#${record?.requester.organisationId}:${step.event}`,
      `ORG#${record?.responderOrganisationId}:${step.event}`,
    ].sort(),
  );
  expect(after.idempotency).toBe(true);
  expectCopies(after);
  if (before !== undefined) expect(record?.revision).toBe((before.record?.revision ?? 0) + 1);
  step.done(before ?? after, after);
  const calls = tap.calls.length;
  const replayed = await step.run(deps, ctx, call);
  expect(replayed).toEqual(retried);
  expect(tap.since(calls).map((c) => c.command)).toEqual(['GetCommand']);
  expect(await snapshot(requestId, tap.calls, { call })).toEqual(after);
  await step.afterwards?.(deps, requestId, tap);
};

/** Runs every scenario of a step and names each one that failed, with why. */
const runAll = async (step: StepSpec, width = 8) => {
  const recorder = new CallTap();
  const deps = depsOn(recorder);
  const ctx = await step.prepare(deps);
  const from = recorder.calls.length;
  await step.run(deps, ctx, newCall(step.caller().clientId));
  const path = recorder.since(from);
  const scenarios = scenariosOf(path);
  const failures: string[] = [];
  await pool(scenarios, width, async (scenario) => {
    try {
      await runScenario(step, scenario);
    } catch (error) {
      failures.push(
        `${step.name}: call ${scenario.at} (${describeCall(scenario.call)}) with ${scenario.fault.name}: ${(
          error as Error
        ).message
          .split('\n')
          .slice(0, 12)
          .join('\n')}`,
      );
    }
  });
  return { path, scenarios, failures };
};

describe('every AWS call of a request step failing with every fault', () => {
  for (const step of steps) {
    it(`${step.name}: the step happens whole or not at all, and a keyed retry completes it once`, async () => {
      const { path, scenarios, failures } = await runAll(step);
      // The path is what the enumeration walked: it reads, then commits one transaction (S3 before it for bytes).
      expect(path.filter((c) => c.command === 'TransactWriteCommand')).toHaveLength(1);
      expect(scenarios.length).toBeGreaterThan(path.length);
      expect(failures).toEqual([]);
    }, 60_000);
  }
});

// ---- The sweeper ------------------------------------------------------------------------------------------

/** A requests table of its own for one sweep scenario, so that its sweep sees only its own work. */
const freshRequestsTable = async (): Promise<string> => {
  const tableName = `pbx-requests-sweep-${ulid().toLowerCase()}`;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 30 }, { TableName: tableName });
  return tableName;
};

/**
 * One overdue request and one released share past its retention, in a table of their own; the sweep at `later`
 * flags the first, expires the second and deletes its bytes.
 */
const prepareSweep = async (tap: CallTap) => {
  const requestsTable = await freshRequestsTable();
  const deps = depsOn(tap, { requestsTable });
  const overdue = await submit(deps);
  const shared = await submit(deps);
  await approve(deps, shared.id);
  const released = bodyOf(await release(deps, shared.id)).request;
  const later = new Date(Date.parse(released.share?.expiresAt ?? '') + 60_000);
  return { requestsTable, overdueId: overdue.id, sharedId: shared.id, later };
};

type SweepParts = { overdue: Snapshot; shared: Snapshot };

const sweepParts = async (
  tap: CallTap,
  prepared: Awaited<ReturnType<typeof prepareSweep>>,
): Promise<SweepParts> => ({
  overdue: await snapshot(prepared.overdueId, tap.calls, { requestsTable: prepared.requestsTable }),
  shared: await snapshot(prepared.sharedId, tap.calls, { requestsTable: prepared.requestsTable }),
});

/** Each of the sweep's three steps is there whole or not at all. */
const expectSweepStepsWhole = (parts: SweepParts) => {
  const { overdue, shared } = parts;
  const flagged = overdue.record?.overdueNotifiedAt !== undefined;
  expect(allowed(overdue, 'request.overdue')).toHaveLength(flagged ? 1 : 0);
  expect(overdue.unpublished.filter((t) => t === 'RequestOverdue')).toHaveLength(flagged ? 1 : 0);
  expect(overdue.work).toHaveLength(flagged ? 0 : 1);
  expectCopies(overdue);

  const expired = shared.record?.status === 'expired';
  expect(allowed(shared, 'share.expire')).toHaveLength(expired ? 1 : 0);
  const purged = shared.record?.share?.deletedAt !== undefined;
  if (purged) expect(expired).toBe(true);
  expect(allowed(shared, 'share.delete')).toHaveLength(purged ? 1 : 0);
  expect(shared.unpublished.filter((t) => t === 'ShareExpired')).toHaveLength(purged ? 1 : 0);
  expect(shared.work.map((w) => w.split('@')[0])).toEqual(
    expired ? (purged ? [] : ['purge']) : ['retention'],
  );
  // The bytes go before the purge commits (a purge that failed after deleting them is retried); never after.
  if (purged) expect(shared.objects).toEqual([]);
  if (!expired) expect(shared.objects).toHaveLength(1);
  expectCopies(shared);
};

describe('the sweeper with every AWS call failing with every fault', () => {
  it('flags, expires and purges step by step, each step whole or not at all, and the next run finishes', async () => {
    const recorder = new CallTap();
    const clean = await prepareSweep(recorder);
    const from = recorder.calls.length;
    const report = await sweepRequests(
      depsOn(recorder, { clock: fixedClock(clean.later.toISOString()), requestsTable: clean.requestsTable }),
    );
    expect(report).toEqual({ overdue: 1, expired: 1, purged: 1, failed: 0 });
    const path = recorder.since(from);
    const scenarios = scenariosOf(path);
    const failures: string[] = [];
    await pool(scenarios, 8, async (scenario) => {
      try {
        const tap = new CallTap();
        const prepared = await prepareSweep(tap);
        const deps = depsOn(tap, {
          clock: fixedClock(prepared.later.toISOString()),
          requestsTable: prepared.requestsTable,
        });
        tap.arm(scenario.at, scenario.fault);
        // A fault in one request's step is counted and leaves the others to go on; a fault reading a work list
        // fails the run.
        const outcome = await sweepRequests(deps).then(
          (report) => ({ ok: true as const, report }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        tap.disarm();
        expect(tap.fired?.call.command).toBe(scenario.call.command);
        if (outcome.ok) expect(outcome.report.failed).toBe(1);
        else expectRefusedSafely({ ok: false, error: outcome.error });
        expectSweepStepsWhole(await sweepParts(tap, prepared));

        // The next run finishes the work, each step once; the run after finds nothing to do.
        await sweepRequests(deps);
        const after = await sweepParts(tap, prepared);
        expectSweepStepsWhole(after);
        expect(after.overdue.record?.overdueNotifiedAt).toBeDefined();
        expect(after.shared.record).toMatchObject({
          status: 'expired',
          share: { deletedAt: expect.any(String) },
        });
        expect(after.shared.objects).toEqual([]);
        expect(await sweepRequests(deps)).toEqual({ overdue: 0, expired: 0, purged: 0, failed: 0 });
        expect(await sweepParts(tap, prepared)).toEqual(after);
      } catch (error) {
        failures.push(
          `sweep: call ${scenario.at} (${describeCall(scenario.call)}) with ${scenario.fault.name}: ${(
            error as Error
          ).message
            .split('\n')
            .slice(0, 12)
            .join('\n')}`,
        );
      }
    });
    expect(path.filter((c) => c.command === 'TransactWriteCommand')).toHaveLength(3);
    expect(failures).toEqual([]);
  }, 90_000);
});

describe('the audit table after every fault', () => {
  it('holds no entry about a request that was not written through a tapped step', async () => {
    const seen = new Set(
      taps.flatMap((tap) =>
        transactItemsOf(tap.calls)
          .map((i) => i.Put?.Item)
          .filter((item) => item !== undefined && String(item.pk).startsWith('ENTRY#'))
          .map((item) => String(item?.id)),
      ),
    );
    const entries = await new DynamoAuditLog(doc, tables.audit).readAll();
    const aboutRequests = entries.filter((e) => e.target?.type === 'request');
    expect(aboutRequests.length).toBeGreaterThan(500);
    expect(aboutRequests.filter((e) => !seen.has(e.id))).toEqual([]);
  });
});
