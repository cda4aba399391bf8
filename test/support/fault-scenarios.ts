import { createHash, randomBytes } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, expect } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName } from '#local/provision.ts';
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
import type { IdempotentCall } from '#shared/domain/requests/idempotency.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import { CallTap, type FaultKind, faultKinds, type TappedCall } from './fault-injection.ts';
import { sharedDynamoDb } from './global-dynamodb.ts';
import { createKeyTable } from './key-table.ts';
import { localDynamoClient } from './local-exchange-clients.ts';

/**
 * What the fault-injection suites share: the local exchange and its clients, the use cases' stores built on a
 * tap, reading back what the taps' transactions wrote, and running a step once with each fault at each call of
 * its clean run. Each suite keeps its own steps and its own checks of what a fault may leave behind.
 */

// ---- Answers, callers and calls ---------------------------------------------------------------------------

export type Answer = { statusCode: 200 | 201; body: unknown };

export const principal = (user: string, roles: UserRole[] = ['practitioner']): Principal => {
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

/** A call with an idempotency key of its own. */
export const newCall = (clientId: string): IdempotentCall => {
  const key = `faults-${ulid()}`;
  return { clientId, key, fingerprint: `fingerprint-of-${key}` };
};

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

// ---- Items and transactions -------------------------------------------------------------------------------

export type Item = Record<string, unknown>;
type TransactItem = { Put?: { TableName: string; Item: Item }; Delete?: { TableName: string; Key: Item } };

export const transactItemsOf = (calls: readonly TappedCall[]): TransactItem[] =>
  calls
    .filter((c) => c.command === 'TransactWriteCommand')
    .flatMap((c) => (c.input as { TransactItems: TransactItem[] }).TransactItems);

export const stripKeys = ({ pk: _pk, sk: _sk, ...rest }: Item): Item => rest;

const uniqueKeys = (keys: Item[]): Item[] => [
  ...new Map(keys.map((k) => [`${String(k.pk)}|${String(k.sk)}`, k])).values(),
];

/** The audit entries that are allowed for `action`. */
export const allowed = (s: { audit: AuditEntry[] }, action: string) =>
  s.audit.filter((e) => e.outcome === 'allowed' && e.action === action);

// ---- The local exchange, its clients and the stores on a tap ----------------------------------------------

/** One event item as the events table holds it: under `ORG#<recipient>` (a feed) or `UNPUBLISHED` (the relay's). */
export type EventItem = { pk: string; event: ExchangeEvent };

/** What transactions wrote that exists: audit entries (keys stripped, by id) and event items. */
export type Written = { audit: AuditEntry[]; events: EventItem[] };

/** The exchange's stores on a tap: what the request use cases need, and the case use cases but for their cases. */
export type TappedStores = {
  readonly requests: DynamoRequestStore;
  readonly payloads: S3PayloadStore;
  readonly agreements: DynamoAgreementStore;
  readonly registry: DynamoRegistryReader;
  readonly audit: DynamoAuditLog;
  readonly clock: Clock;
};

export type FaultRig = {
  /** The exchange's tables, named once it runs (their names carry the exchange's prefix). */
  readonly tables: RequestTables;
  readonly bucket: string;
  /** The clients, once the exchange runs (in the suite's tests and hooks). */
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /** The stores on `tap`'s view of the clients; the rig keeps the tap for `auditedAround`. */
  storesOn(
    tap: CallTap,
    options?: { clock?: Clock; requestsTable?: string; agreementsTable?: string },
  ): TappedStores;
  /**
   * A table of its own (`prefix` and a ulid) with the exchange's `pk`/`sk` key schema, once it is active; deleted
   * with the exchange's tables after the suite.
   */
  freshTable(prefix: string): Promise<string>;
  getItem(tableName: string, key: Item): Promise<Item | undefined>;
  /** What the calls' transactions wrote in the audit and events tables, and is there. */
  writtenBy(calls: readonly TappedCall[]): Promise<Written>;
  /** The audit table's entries about a `targetType`, and those among them that no transaction of a tap wrote. */
  auditedAround(targetType: string): Promise<{ about: AuditEntry[]; untapped: AuditEntry[] }>;
};

/**
 * Starts the local exchange (no schedules) before the suite's tests and stops it after them, with a DynamoDB, a
 * document and an S3 client on it.
 */
export const useFaultRig = (): FaultRig => {
  let clients:
    | {
        exchange: RunningExchange;
        dynamo: DynamoDBClient;
        doc: DynamoDBDocumentClient;
        s3: S3Client;
      }
    | undefined;
  const running = () => {
    if (clients === undefined) throw new Error('the local exchange is not running yet');
    return clients;
  };
  const taps: CallTap[] = [];
  const freshTables: string[] = [];
  const tables: RequestTables = {
    get requests() {
      return running().exchange.tableName('requests');
    },
    get audit() {
      return running().exchange.tableName('audit');
    },
    get events() {
      return running().exchange.tableName('events');
    },
  };
  const bucket = localBucketName('payloads');

  beforeAll(async () => {
    const exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
    const dynamo = localDynamoClient(exchange);
    const s3 = new S3Client({
      region: localRegion,
      credentials: localCredentials,
      endpoint: exchange.s3Endpoint,
      forcePathStyle: true,
    });
    clients = { exchange, dynamo, doc: createDocumentClient(dynamo), s3 };
  });

  afterAll(async () => {
    try {
      for (const tableName of freshTables.splice(0)) {
        await clients?.dynamo.send(new DeleteTableCommand({ TableName: tableName }));
      }
    } finally {
      clients?.dynamo.destroy();
      clients?.s3.destroy();
      await clients?.exchange.stop();
    }
  });

  const getItem = async (tableName: string, key: Item): Promise<Item | undefined> =>
    (await running().doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const batchGet = async (tableName: string, keys: Item[]): Promise<Item[]> => {
    const found: Item[] = [];
    for (let start = 0; start < keys.length; start += 100) {
      let request: Item[] = keys.slice(start, start + 100);
      while (request.length > 0) {
        const result = await running().doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }),
        );
        found.push(...(result.Responses?.[tableName] ?? []));
        request = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
      }
    }
    return found;
  };

  return {
    tables,
    bucket,
    get doc() {
      return running().doc;
    },
    get s3() {
      return running().s3;
    },

    storesOn: (tap, options = {}) => {
      if (!taps.includes(tap)) taps.push(tap);
      const tapped = tap.wrapDocument(running().doc);
      return {
        requests: new DynamoRequestStore(tapped, {
          ...tables,
          requests: options.requestsTable ?? tables.requests,
        }),
        payloads: new S3PayloadStore(tap.wrap('s3', running().s3), bucket),
        agreements: new DynamoAgreementStore(tapped, {
          agreements: options.agreementsTable ?? running().exchange.tableName('agreements'),
          audit: tables.audit,
        }),
        registry: new DynamoRegistryReader(tapped, running().exchange.tableName('registry')),
        audit: new DynamoAuditLog(tapped, tables.audit),
        clock: options.clock ?? systemClock,
      };
    },

    freshTable: async (prefix) => {
      const { dynamo } = running();
      const tableName = `${prefix}${ulid().toLowerCase()}`;
      await createKeyTable(dynamo, tableName);
      freshTables.push(tableName);
      return tableName;
    },

    getItem,

    writtenBy: async (calls) => {
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
      const [audit, events] = await Promise.all([
        batchGet(tables.audit, auditKeys),
        batchGet(tables.events, eventKeys),
      ]);
      return {
        audit: audit.map((entry) => stripKeys(entry) as AuditEntry).sort((a, b) => a.id.localeCompare(b.id)),
        events: events.map((item) => ({ pk: String(item.pk), event: item.event as ExchangeEvent })),
      };
    },

    auditedAround: async (targetType) => {
      const seen = new Set(
        taps.flatMap((tap) =>
          transactItemsOf(tap.calls)
            .map((i) => i.Put?.Item)
            .filter((item) => item !== undefined && String(item.pk).startsWith('ENTRY#'))
            .map((item) => String(item?.id)),
        ),
      );
      const entries = await new DynamoAuditLog(running().doc, tables.audit).readAll();
      const about = entries.filter((e) => e.target?.type === targetType);
      return { about, untapped: about.filter((e) => !seen.has(e.id)) };
    },
  };
};

// ---- One step with one fault ------------------------------------------------------------------------------

export type Scenario = { readonly at: number; readonly call: TappedCall; readonly fault: FaultKind };

export const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (answer) => ({ ok: true as const, answer }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** A 503 (DependencyError) or a 409 CONFLICT: never a success with missing parts. */
export const expectRefusedSafely = (
  outcome: { ok: true; answer: unknown } | { ok: false; error: unknown },
) => {
  if (outcome.ok) throw new Error(`the step succeeded: ${JSON.stringify(outcome.answer).slice(0, 200)}`);
  const { error } = outcome;
  const safe =
    error instanceof DependencyError || (error instanceof ConflictError && error.code === 'CONFLICT');
  if (!safe) throw error;
};

/** Runs `run` with the scenario's fault armed on `tap`, and checks that it fired at the call enumerated. */
export const withFault = async <T>(tap: CallTap, scenario: Scenario, run: () => Promise<T>) => {
  tap.arm(scenario.at, scenario.fault);
  const outcome = await settle(run());
  tap.disarm();
  expect(tap.fired?.call.command, 'the fault fired at the call enumerated').toBe(scenario.call.command);
  return outcome;
};

/** Whether the fault that fired lost the answer of a transaction that DynamoDB applied. */
export const answerLost = (tap: CallTap): boolean =>
  tap.fired?.call.command === 'TransactWriteCommand' && tap.fired.fault.when === 'after';

/** A result without the entries its run committed (a typed result's `audited`): what a replay must give again. */
const withoutAudited = (answer: unknown): unknown => {
  if (typeof answer !== 'object' || answer === null || !('audited' in answer)) return answer;
  const { audited: _committed, ...rest } = answer;
  return rest;
};

/**
 * A replay with the same key answers what the retry did, and only reads the idempotency record. A typed result
 * replayed commits nothing: its `audited` is empty.
 */
export const expectReplayed = async <A = Answer>(tap: CallTap, run: () => Promise<A>, retried: A) => {
  const calls = tap.calls.length;
  const replayed = await run();
  expect(withoutAudited(replayed)).toEqual(withoutAudited(retried));
  if (typeof replayed === 'object' && replayed !== null && 'audited' in replayed) {
    expect(replayed.audited).toEqual([]);
  }
  expect(tap.since(calls).map((c) => c.command)).toEqual(['GetCommand']);
};

// ---- Every fault at every call ----------------------------------------------------------------------------

/** Every (call, fault) pair along a clean run's path. */
const scenariosOf = (path: readonly TappedCall[]): Scenario[] =>
  path.flatMap((call, at) =>
    faultKinds.filter((f) => f.appliesTo(call)).map((fault) => ({ at, call, fault })),
  );

const describeCall = (call: TappedCall, tableName: (name: string) => string) => {
  const input = call.input as { TableName?: string };
  const table = input.TableName === undefined ? undefined : tableName(input.TableName);
  return `${call.service} ${call.command.replace(/Command$/, '')}${table ? ` ${table}` : ''}`;
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

/**
 * Enumerates the calls of a clean run, then runs a scenario for each (call, fault) pair along them, `width` at a
 * time, and names each scenario that failed, with why. `clean` prepares on the recording tap it is given and
 * returns the run to enumerate (which may check its own answer); `tableName` is how a failure names a table.
 */
export const everyFault = async (
  name: string,
  clean: (recorder: CallTap) => Promise<() => Promise<unknown>>,
  scenario: (scenario: Scenario) => Promise<void>,
  options: { width?: number; tableName?: (name: string) => string } = {},
): Promise<{ path: TappedCall[]; scenarios: Scenario[]; failures: string[] }> => {
  const recorder = new CallTap();
  const run = await clean(recorder);
  const from = recorder.calls.length;
  await run();
  const path = recorder.since(from);
  const scenarios = scenariosOf(path);
  const failures: string[] = [];
  await pool(scenarios, options.width ?? 8, async (each) => {
    try {
      await scenario(each);
    } catch (error) {
      const call = describeCall(each.call, options.tableName ?? ((table) => table));
      failures.push(
        `${name}: call ${each.at} (${call}) with ${each.fault.name}: ${(error as Error).message
          .split('\n')
          .slice(0, 12)
          .join('\n')}`,
      );
    }
  });
  return { path, scenarios, failures };
};

/** A step of a use case as a suite runs it with faults: on the stores of a tap, from a state `prepare` sets up. */
export type FaultStep<Deps, Ctx, A = Answer> = {
  readonly name: string;
  /** The action of the allowed audit entry, and the type of the event, that a completed step leaves. */
  readonly action: string;
  readonly event: ExchangeEvent['type'];
  readonly caller: () => Principal;
  /** Puts a fresh subject (a request, a case) in the state the step starts from. */
  prepare(deps: Deps): Promise<Ctx>;
  run(deps: Deps, ctx: Ctx, call: IdempotentCall): Promise<A>;
};

/** `everyFault` for a step: the clean run is the step's, with a new key, on deps `depsOn` builds on the recorder. */
export const everyFaultOfStep = <Deps, Ctx, A>(
  step: FaultStep<Deps, Ctx, A>,
  depsOn: (recorder: CallTap) => Deps | Promise<Deps>,
  scenario: (scenario: Scenario) => Promise<void>,
  options: { width?: number; tableName?: (name: string) => string } = {},
) =>
  everyFault(
    step.name,
    async (recorder) => {
      const deps = await depsOn(recorder);
      const ctx = await step.prepare(deps);
      return () => step.run(deps, ctx, newCall(step.caller().clientId));
    },
    scenario,
    options,
  );
