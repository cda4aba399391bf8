import { createHash, randomBytes } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName, localTableName } from '#local/provision.ts';
import { exampleAnalysis, exampleNotification, exampleReport } from '#local/seed/example-cdop.ts';
import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { DynamoCaseStore } from '#shared/adapters/dynamodb/case-store.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { DynamoRequestStore, type RequestTables } from '#shared/adapters/dynamodb/request-store.ts';
import { S3PayloadStore } from '#shared/adapters/s3/payload-store.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import {
  assembleCasePack,
  type CaseDeps,
  closeCdopCase,
  openCdopCase,
  requestCdopReports,
  type TrackSummary,
  trackCases,
} from '#shared/domain/cdop/manage-cases.ts';
import { ConflictError, DependencyError } from '#shared/domain/errors.ts';
import type { ExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import type { IdempotentCall } from '#shared/domain/requests/idempotency.ts';
import { decideRequest, type RequestDeps, releaseShare } from '#shared/domain/requests/manage-requests.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { CallTap, type FaultKind, faultKinds, type TappedCall } from '../support/fault-injection.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

// Fault injection at every AWS call of the CDOP case steps: opening a case, asking agencies for their reports,
// assembling the panel pack, closing, and the scheduled case tracker that creates the asked data requests and
// announces the reports received. The use cases run with the real stores on DynamoDB Local and the S3 emulator,
// behind a tap that numbers their calls (enumerated from a clean run of each step) and makes the N-th one fail
// with each fault kind. Each scenario has a cases table of its own, so the tracker sees only its own case. After
// each fault: the step failed with 503 or 409, and its parts (the case and its CDOP/OPEN list copies, the ask, the
// idempotency record, its audit entry, its events and feed items) are all there or none are; a pack object may be
// left behind a step that did not commit, under its content-addressed key only. Then a retry with the same key
// completes the step exactly once, and a replay answers the same and writes nothing.

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

/** A CDOP cases table of its own for one scenario: its case lists and the tracker's OPEN list hold its case only. */
const freshCasesTable = async (): Promise<string> => {
  const tableName = `pbx-cdop-cases-faults-${ulid().toLowerCase()}`;
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

/** Every tap of this file: the last test checks that no audit entry about a case was written around them. */
const taps: CallTap[] = [];

type Deps = { readonly casesTable: string; readonly cases: CaseDeps; readonly requests: RequestDeps };

const depsOn = (tap: CallTap, casesTable: string): Deps => {
  if (!taps.includes(tap)) taps.push(tap);
  const tapped = tap.wrapDocument(doc);
  const requests = new DynamoRequestStore(tapped, tables);
  const payloads = new S3PayloadStore(tap.wrap('s3', s3), bucket);
  const agreements = new DynamoAgreementStore(tapped, {
    agreements: localTableName('agreements'),
    audit: tables.audit,
  });
  const registry = new DynamoRegistryReader(tapped, localTableName('registry'));
  const audit = new DynamoAuditLog(tapped, tables.audit);
  const clock = systemClock;
  return {
    casesTable,
    cases: {
      cases: new DynamoCaseStore(tapped, { cases: casesTable, audit: tables.audit, events: tables.events }),
      requests,
      payloads,
      agreements,
      registry,
      audit,
      clock,
    },
    requests: { requests, payloads, agreements, registry, audit, clock },
  };
};

const principal = (user: string, roles: UserRole[]): Principal => {
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
const coordinator = () => principal('bhr-cdop.coordinator', ['cdop-coordinator']);
const manager = () => principal('bhr-cdop.manager', ['cdop-manager']);
const practitioner = (organisationId: string) =>
  principal(`${organisationId}.practitioner`, ['practitioner']);

const newCall = (clientId: string): IdempotentCall => {
  const key = `faults-${ulid()}`;
  return { clientId, key, fingerprint: `fingerprint-of-${key}` };
};

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** A child of the BHR footprint of its own (a reference under a key of its own), so each case is for another child. */
const childRef = (seed: string = ulid()) =>
  deriveSubjectReference(
    { footprintId: 'bhr-cdop-area', key: createHash('sha256').update(seed).digest() },
    { kind: 'nhs-number', nhsNumber: '9434765919' },
  );

type Answer = { statusCode: 200 | 201; body: unknown };

const openCase = async (deps: Deps): Promise<CdopCase> => {
  const answer = await openCdopCase(deps.cases, {
    principal: coordinator(),
    notification: exampleNotification(childRef()),
  });
  return (answer.body as { case: CdopCase }).case;
};

const askReports = (deps: Deps, caseId: string, agencies: readonly string[], call?: IdempotentCall) =>
  requestCdopReports(deps.cases, {
    principal: coordinator(),
    caseId,
    agencies,
    signed: { token: 'faults.token.signature', body: JSON.stringify({ agencies }) },
    call,
  });

/** An agency answers the request its case sent it with its reporting form: approve, then release it inline. */
const answerWithReport = async (deps: Deps, caseId: string, agency: string): Promise<string> => {
  const c = await deps.cases.cases.getCase(caseId);
  const requestId = c?.agencies.find((a) => a.organisationId === agency)?.requestId ?? '';
  await decideRequest(deps.requests, {
    principal: practitioner(agency),
    requestId,
    decision: { outcome: 'approve', reasons: 'our report is attached' },
  });
  const bytes = Buffer.from(JSON.stringify(exampleReport(caseId, agency)));
  await releaseShare(deps.requests, {
    principal: practitioner(agency),
    requestId,
    release: {
      kind: 'inline',
      content: bytes,
      sha256: sha256(bytes),
      contentType: 'application/json',
      dataCategories: ['identity-residence', 'child-death-details'],
    },
  });
  return requestId;
};

// ---- What is stored about one case ------------------------------------------------------------------------

type Item = Record<string, unknown>;
type TransactItem = { Put?: { TableName: string; Item: Item }; Delete?: { TableName: string; Key: Item } };

const transactItemsOf = (calls: readonly TappedCall[]): TransactItem[] =>
  calls
    .filter((c) => c.command === 'TransactWriteCommand')
    .flatMap((c) => (c.input as { TransactItems: TransactItem[] }).TransactItems);

const getItem = async (tableName: string, key: Item): Promise<Item | undefined> =>
  (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

const scanAll = async (tableName: string): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
};

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

const stripKeys = ({ pk: _pk, sk: _sk, ...rest }: Item): Item => rest;

/** The audit entries and events (feed items and relay markers) that the tap's transactions wrote and that exist. */
const writtenBy = async (calls: readonly TappedCall[]) => {
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
};

type Events = { feed: string[]; unpublished: ExchangeEvent[] };

const eventsAbout = (
  events: readonly { pk: string; event: ExchangeEvent }[],
  about: (detail: Record<string, unknown>) => boolean,
): Events => {
  const of = events.filter((e) => about(e.event.detail as Record<string, unknown>));
  return {
    feed: of
      .filter((e) => e.pk.startsWith('ORG#'))
      .map((e) => `${e.pk}:${e.event.type}:${e.event.id}`)
      .sort(),
    unpublished: of
      .filter((e) => e.pk === 'UNPUBLISHED')
      .map((e) => e.event)
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
};

/** Every event is in the feed of each of its recipients, and nothing else is. */
const expectFed = (s: Events) => {
  expect(s.feed).toEqual(
    s.unpublished.flatMap((e) => [...new Set(e.recipients)].map((r) => `ORG#${r}:${e.type}:${e.id}`)).sort(),
  );
};

const ofType = (s: Events, type: ExchangeEvent['type']) => s.unpublished.filter((e) => e.type === type);

type CaseSnapshot = Events & {
  /** The ids of every case in the scenario's table. */
  cases: string[];
  record: CdopCase | undefined;
  listCopy: Item | undefined;
  openCopy: Item | undefined;
  asks: Item[];
  idempotency: boolean;
  audit: AuditEntry[];
  objects: string[];
};

const snapshotCase = async (
  casesTable: string,
  caseId: string,
  calls: readonly TappedCall[],
  call?: IdempotentCall,
): Promise<CaseSnapshot> => {
  const [items, written, objects] = await Promise.all([
    scanAll(casesTable),
    writtenBy(calls),
    s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `shares/cdop/${caseId}/` })),
  ]);
  const find = (pk: string, sk: string) => {
    const item = items.find((i) => i.pk === pk && i.sk === sk);
    return item === undefined ? undefined : stripKeys(item);
  };
  const record = find(`CASE#${caseId}`, 'CASE') as CdopCase | undefined;
  return {
    cases: items.filter((i) => i.sk === 'CASE').map((i) => String(i.pk).slice('CASE#'.length)),
    record,
    listCopy: record && find(`CDOP#${record.cdopOrganisationId}`, `CASE#${caseId}`),
    openCopy: find('OPEN', `CASE#${caseId}`),
    asks: items
      .filter((i) => i.pk === `CASE#${caseId}` && String(i.sk).startsWith('ASK#'))
      .map(stripKeys)
      .sort((a, b) => String(a.askId).localeCompare(String(b.askId))),
    idempotency:
      call !== undefined && find(`IDEMPOTENCY#${call.clientId}#${call.key}`, 'IDEMPOTENCY') !== undefined,
    audit: written.audit.filter((e) => e.target?.type === 'cdop-case' && e.target.id === caseId),
    ...eventsAbout(written.events, (d) => d.caseId === caseId),
    objects: (objects.Contents ?? []).map((o) => o.Key ?? '').sort(),
  };
};

const allowed = (s: { audit: AuditEntry[] }, action: string) =>
  s.audit.filter((e) => e.outcome === 'allowed' && e.action === action);

/** The parts that say whether a step happened; refusal entries (409 CONFLICT) may be added by a failed step. */
const stepParts = (s: CaseSnapshot) => ({
  cases: s.cases,
  record: s.record,
  listCopy: s.listCopy,
  openCopy: s.openCopy,
  asks: s.asks,
  idempotency: s.idempotency,
  allowedAudit: s.audit.filter((e) => e.outcome === 'allowed').map((e) => e.id),
  feed: s.feed,
  unpublished: s.unpublished.map((e) => e.id),
});

/** The case's copies follow it: the CDOP's list always, the tracker's OPEN list while it is open. */
const expectCopies = (s: CaseSnapshot) => {
  expect(s.listCopy).toEqual(s.record);
  expect(s.openCopy).toEqual(s.record?.status === 'open' ? s.record : undefined);
  expectFed(s);
};

/** A pack object is named by its content: `shares/cdop/<case>/pack-<sha256>.json`. */
const isPackKey = (caseId: string, key: string) =>
  new RegExp(`^shares/cdop/${caseId}/pack-[0-9a-f]{64}\\.json$`).test(key);

// ---- The steps under test ---------------------------------------------------------------------------------

type Ctx = { caseId?: string };

type StepSpec = {
  readonly name: string;
  readonly action: string;
  readonly event: ExchangeEvent['type'];
  /** How many events of that type the step announces. */
  readonly events: number;
  readonly caller: () => Principal;
  /** Puts a fresh case in the state the step starts from (nothing, for an open). */
  prepare(deps: Deps): Promise<Ctx>;
  run(deps: Deps, ctx: Ctx, call: IdempotentCall): Promise<Answer>;
  /** What a completed step leaves, beyond its one audit entry, its events and its idempotency record. */
  done(before: CaseSnapshot | undefined, after: CaseSnapshot): void;
  /** Checks of the answer of a completed step, and of what follows it. */
  answered?(answer: Answer, after: CaseSnapshot): Promise<void>;
};

const agenciesAsked = ['lb-havering', 'met-ea-bcu'] as const;

const steps: readonly StepSpec[] = [
  {
    name: 'open',
    action: 'cdop.case.open',
    event: 'CaseOpened',
    events: 1,
    caller: coordinator,
    prepare: async () => ({}),
    // The child is the call's: a retry with the same key is about the same child.
    run: (deps, _ctx, call) =>
      openCdopCase(deps.cases, {
        principal: coordinator(),
        notification: exampleNotification(childRef(call.key)),
        call,
      }),
    done: (_before, after) => {
      expect(after.record).toMatchObject({ status: 'open', revision: 1, agencies: [], refusals: [] });
      // One case for the child: the table holds nothing else.
      expect(after.cases).toEqual([after.record?.id]);
      expect(after.asks).toEqual([]);
      expect(ofType(after, 'CaseOpened')[0]?.recipients).toEqual(['bhr-cdop', 'met-ea-bcu']);
    },
    answered: async (answer, after) => {
      expect(answer.statusCode).toBe(201);
      expect(answer.body).toMatchObject({ outcome: 'opened', case: after.record });
    },
  },
  {
    name: 'ask agencies (one refused)',
    action: 'cdop.report.request',
    event: 'ReportRequested',
    events: agenciesAsked.length,
    caller: coordinator,
    prepare: async (deps) => ({ caseId: (await openCase(deps)).id }),
    run: (deps, ctx, call) => askReports(deps, ctx.caseId ?? '', [...agenciesAsked, 'lb-barnet'], call),
    done: (_before, after) => {
      const agencies = after.record?.agencies ?? [];
      // Each agency once, the refused one kept as a refusal.
      expect(agencies.map((a) => a.organisationId)).toEqual([...agenciesAsked]);
      expect(after.record?.refusals.map((r) => r.organisationId)).toEqual(['lb-barnet']);
      // One ask, holding the request of each agency under the id the case gave it.
      expect(after.asks).toHaveLength(1);
      const [ask] = after.asks as { askId: string; requests: { requestId: string }[] }[];
      expect(agencies.map((a) => a.askId)).toEqual(agenciesAsked.map(() => ask?.askId));
      expect(ask?.requests.map((r) => r.requestId)).toEqual(agencies.map((a) => a.requestId));
      expect(
        ofType(after, 'ReportRequested')
          .map((e) => (e.detail as { requestId: string }).requestId)
          .sort(),
      ).toEqual(agencies.map((a) => a.requestId).sort());
    },
    answered: async (answer, after) => {
      expect(answer.statusCode).toBe(200);
      const { items } = answer.body as { items: { organisationId: string; requestId?: string }[] };
      expect(
        items.filter((i) => i.requestId !== undefined).map((i) => [i.organisationId, i.requestId]),
      ).toEqual((after.record?.agencies ?? []).map((a) => [a.organisationId, a.requestId]));
      // The data requests are the tracker's to create: none exists yet.
      for (const a of after.record?.agencies ?? []) {
        expect(
          await getItem(tables.requests, { pk: `REQUEST#${a.requestId}`, sk: 'REQUEST' }),
        ).toBeUndefined();
      }
    },
  },
  {
    name: 'assemble the panel pack',
    action: 'cdop.pack.assemble',
    event: 'PanelPackReady',
    events: 1,
    caller: manager,
    prepare: async (deps) => {
      const opened = await openCase(deps);
      await askReports(deps, opened.id, agenciesAsked);
      await trackCases(deps.cases);
      for (const agency of agenciesAsked) await answerWithReport(deps, opened.id, agency);
      return { caseId: opened.id };
    },
    run: (deps, ctx, call) =>
      assembleCasePack(deps.cases, { principal: manager(), caseId: ctx.caseId ?? '', call }),
    done: (before, after) => {
      expect(before?.record?.pack).toBeUndefined();
      const pack = after.record?.pack;
      expect(pack).toMatchObject({ reports: agenciesAsked.length, agenciesOutstanding: [] });
      expect(pack?.objectKey).toBe(`shares/cdop/${after.record?.id}/pack-${pack?.packHash}.json`);
      // The case names one pack, and it is the one object under the case's prefix.
      expect(after.objects).toEqual([pack?.objectKey]);
      expect(ofType(after, 'PanelPackReady')[0]?.detail).toMatchObject({ packHash: pack?.packHash });
    },
    answered: async (answer, after) => {
      expect(answer).toEqual({ statusCode: 201, body: { pack: after.record?.pack } });
      const object = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: after.record?.pack?.objectKey }),
      );
      const stored = JSON.parse((await object.Body?.transformToString()) ?? '{}') as { packHash?: string };
      expect(stored.packHash).toBe(after.record?.pack?.packHash);
    },
  },
  {
    name: 'close',
    action: 'cdop.case.close',
    event: 'CaseClosed',
    events: 1,
    caller: coordinator,
    prepare: async (deps) => ({ caseId: (await openCase(deps)).id }),
    run: (deps, ctx, call) =>
      closeCdopCase(deps.cases, {
        principal: coordinator(),
        caseId: ctx.caseId ?? '',
        analysis: exampleAnalysis(ctx.caseId ?? '', new Date().toISOString().slice(0, 10)),
        call,
      }),
    done: (_before, after) => {
      expect(after.record).toMatchObject({ status: 'closed', closure: { closedBy: 'bhr-cdop.coordinator' } });
      // Off the tracker's list, still on the CDOP's.
      expect(after.openCopy).toBeUndefined();
      expect(after.listCopy).toEqual(after.record);
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
  const table = input.TableName?.startsWith('pbx-cdop-cases-faults-') ? 'cdop-cases' : input.TableName;
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

/** A 503 (DependencyError) or a 409 CONFLICT: never a success with missing parts. */
const expectRefusedSafely = (outcome: { ok: true; answer: unknown } | { ok: false; error: unknown }) => {
  if (outcome.ok) throw new Error(`the step succeeded: ${JSON.stringify(outcome.answer).slice(0, 200)}`);
  const { error } = outcome;
  const safe =
    error instanceof DependencyError || (error instanceof ConflictError && error.code === 'CONFLICT');
  if (!safe) throw error;
};

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (answer) => ({ ok: true as const, answer }),
    (error: unknown) => ({ ok: false as const, error }),
  );

const failureOf = (name: string, scenario: Scenario, error: unknown) =>
  `${name}: call ${scenario.at} (${describeCall(scenario.call)}) with ${scenario.fault.name}: ${(
    error as Error
  ).message
    .split('\n')
    .slice(0, 12)
    .join('\n')}`;

/** Ids of cases a tap saw written to `casesTable` (an opened case's id is chosen inside the step). */
const createdCaseIds = (calls: readonly TappedCall[], casesTable: string): string[] => [
  ...new Set(
    transactItemsOf(calls)
      .map((i) => i.Put)
      .filter((p) => p !== undefined && p.TableName === casesTable && p.Item.sk === 'CASE')
      .map((p) => String(p?.Item.pk).slice('CASE#'.length)),
  ),
];

const runScenario = async (step: StepSpec, scenario: Scenario): Promise<void> => {
  const tap = new CallTap();
  const deps = depsOn(tap, await freshCasesTable());
  const ctx = await step.prepare(deps);
  const call = newCall(step.caller().clientId);
  const before =
    ctx.caseId === undefined ? undefined : await snapshotCase(deps.casesTable, ctx.caseId, tap.calls, call);

  tap.arm(scenario.at, scenario.fault);
  const failed = await settle(step.run(deps, ctx, call));
  tap.disarm();
  expect(tap.fired?.call.command, 'the fault fired at the call enumerated').toBe(scenario.call.command);
  expectRefusedSafely(failed);

  // All or nothing: the step's parts either all reflect it (an answer lost after DynamoDB applied the
  // transaction) or none do. Only the pack object may be there without the step: it is named by its content.
  const stepTransaction = tap.fired?.call.command === 'TransactWriteCommand';
  const applied = stepTransaction && scenario.fault.when === 'after';
  const attemptIds = ctx.caseId === undefined ? createdCaseIds(tap.calls, deps.casesTable) : [ctx.caseId];
  for (const caseId of attemptIds) {
    const mid = await snapshotCase(deps.casesTable, caseId, tap.calls, call);
    if (applied) {
      expect(allowed(mid, step.action)).toHaveLength(1);
      expect(mid.idempotency).toBe(true);
      expect(ofType(mid, step.event)).toHaveLength(step.events);
      expectCopies(mid);
      step.done(before, mid);
    } else if (before !== undefined) {
      expect(stepParts(mid)).toEqual(stepParts(before));
      const leftovers = mid.objects.filter((o) => !before.objects.includes(o));
      expect(leftovers.length).toBeLessThanOrEqual(1);
      for (const key of leftovers) expect(isPackKey(caseId, key), key).toBe(true);
      const refusals = mid.audit.filter(
        (e) => e.outcome !== 'allowed' && !before.audit.some((b) => b.id === e.id),
      );
      for (const entry of refusals) expect(entry.reasonCodes).toEqual(['CONFLICT']);
    } else {
      // An open that did not commit left nothing at all: no case, no copy, no entry, no event.
      expect(mid).toMatchObject({
        cases: [],
        record: undefined,
        openCopy: undefined,
        asks: [],
        idempotency: false,
        audit: [],
        feed: [],
        unpublished: [],
      });
    }
  }

  // A retry with the same key completes the step exactly once; a replay answers the same and writes nothing.
  const retried = await step.run(deps, ctx, call);
  const caseId = ctx.caseId ?? (retried.body as { case: CdopCase }).case.id;
  if (ctx.caseId === undefined) {
    if (applied) expect(attemptIds).toEqual([caseId]);
    else expect(attemptIds).not.toContain(caseId);
  }
  const after = await snapshotCase(deps.casesTable, caseId, tap.calls, call);
  expect(allowed(after, step.action)).toHaveLength(1);
  expect(ofType(after, step.event)).toHaveLength(step.events);
  expect(after.idempotency).toBe(true);
  expectCopies(after);
  if (before !== undefined) expect(after.record?.revision).toBe((before.record?.revision ?? 0) + 1);
  step.done(before, after);
  await step.answered?.(retried, after);
  const calls = tap.calls.length;
  const replayed = await step.run(deps, ctx, call);
  expect(replayed).toEqual(retried);
  expect(tap.since(calls).map((c) => c.command)).toEqual(['GetCommand']);
  expect(await snapshotCase(deps.casesTable, caseId, tap.calls, call)).toEqual(after);
};

/** Runs every scenario of a step and names each one that failed, with why. */
const runAll = async (step: StepSpec, width = 8) => {
  const recorder = new CallTap();
  const deps = depsOn(recorder, await freshCasesTable());
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
      failures.push(failureOf(step.name, scenario, error));
    }
  });
  return { path, scenarios, failures };
};

describe('every AWS call of a CDOP case step failing with every fault', () => {
  for (const step of steps) {
    it(`${step.name}: the step happens whole or not at all, and a keyed retry completes it once`, async () => {
      const { path, scenarios, failures } = await runAll(step);
      // The path is what the enumeration walked: it reads, then commits one transaction (S3 before it for a pack).
      expect(path.filter((c) => c.command === 'TransactWriteCommand')).toHaveLength(1);
      expect(path.at(-1)?.command).toBe('TransactWriteCommand');
      if (step.action === 'cdop.pack.assemble')
        expect(path.map((c) => c.command)).toContain('PutObjectCommand');
      expect(scenarios.length).toBeGreaterThan(path.length);
      expect(failures).toEqual([]);
    }, 120_000);
  }
});

// ---- The case tracker -------------------------------------------------------------------------------------

type RequestSnapshot = Events & {
  record: DataRequest | undefined;
  signed: boolean;
  inbox: Item | undefined;
  outbox: Item | undefined;
  due: boolean;
  audit: AuditEntry[];
};

const snapshotRequest = async (
  requestId: string,
  dueAt: string,
  written: Awaited<ReturnType<typeof writtenBy>>,
): Promise<RequestSnapshot> => {
  const record = (await getItem(tables.requests, { pk: `REQUEST#${requestId}`, sk: 'REQUEST' })) as
    | (DataRequest & Item)
    | undefined;
  const [signed, inbox, outbox, due] = await Promise.all([
    getItem(tables.requests, { pk: `REQUEST#${requestId}`, sk: 'SIGNED' }),
    record && getItem(tables.requests, { pk: `INBOX#${record.responderOrganisationId}`, sk: requestId }),
    record && getItem(tables.requests, { pk: `OUTBOX#${record.requester.organisationId}`, sk: requestId }),
    getItem(tables.requests, { pk: 'WORK#due', sk: `${dueAt}#${requestId}` }),
  ]);
  return {
    record: record && (stripKeys(record) as DataRequest),
    signed: signed !== undefined,
    inbox: inbox && stripKeys(inbox),
    outbox: outbox && stripKeys(outbox),
    due: due !== undefined,
    audit: written.audit.filter((e) => e.target?.type === 'request' && e.target.id === requestId),
    // The request's own events: a case's events about it (ReportReceived) are the case's.
    ...eventsAbout(written.events, (d) => d.requestId === requestId && d.caseId === undefined),
  };
};

/** A request the tracker creates is there whole (record, signed call, box copies, due list, entry, event) or not at all. */
const expectRequestWhole = (s: RequestSnapshot) => {
  const made = s.record !== undefined;
  expect({ signed: s.signed, due: s.due }).toEqual({
    signed: made,
    due: made && s.record?.status === 'submitted',
  });
  expect(s.inbox).toEqual(s.record);
  expect(s.outbox).toEqual(s.record);
  expect(allowed(s, 'request.submit')).toHaveLength(made ? 1 : 0);
  expect(ofType(s, 'RequestSubmitted')).toHaveLength(made ? 1 : 0);
  expectFed(s);
};

/**
 * A case whose first ask (Havering, the East Area BCU) the tracker has made into requests, with Havering's report
 * released since; then a second ask (Redbridge) not yet made. The next run creates Redbridge's request and
 * announces Havering's report.
 */
const prepareTrack = async (tap: CallTap) => {
  const deps = depsOn(tap, await freshCasesTable());
  const opened = await openCase(deps);
  await askReports(deps, opened.id, agenciesAsked);
  await trackCases(deps.cases);
  await answerWithReport(deps, opened.id, 'lb-havering');
  await askReports(deps, opened.id, ['lb-redbridge']);
  const c = await deps.cases.cases.getCase(opened.id);
  const agencies = c?.agencies ?? [];
  return { deps, caseId: opened.id, agencies };
};

type TrackParts = { case: CaseSnapshot; requests: Map<string, RequestSnapshot> };

const trackParts = async (
  tap: CallTap,
  prepared: Awaited<ReturnType<typeof prepareTrack>>,
): Promise<TrackParts> => {
  const written = await writtenBy(tap.calls);
  const requests = new Map<string, RequestSnapshot>();
  for (const a of prepared.agencies) {
    requests.set(a.organisationId, await snapshotRequest(a.requestId ?? '', a.dueAt, written));
  }
  return { case: await snapshotCase(prepared.deps.casesTable, prepared.caseId, tap.calls), requests };
};

const received = (s: CaseSnapshot) => ofType(s, 'ReportReceived');

describe('the case tracker with every AWS call failing with every fault', () => {
  it('creates each asked request whole or not at all, announces each report once, and the next run finishes', async () => {
    const recorder = new CallTap();
    const clean = await prepareTrack(recorder);
    const from = recorder.calls.length;
    expect(await trackCases(clean.deps.cases)).toEqual({ cases: 1, created: 1, changed: 1, failed: 0 });
    const path = recorder.since(from);
    const scenarios = scenariosOf(path);
    const failures: string[] = [];
    await pool(scenarios, 8, async (scenario) => {
      try {
        const tap = new CallTap();
        const prepared = await prepareTrack(tap);
        const before = await trackParts(tap, prepared);
        expect(before.requests.get('lb-redbridge')?.record).toBeUndefined();
        expect(received(before.case)).toEqual([]);

        tap.arm(scenario.at, scenario.fault);
        // A condition failing is a lost race, counted as nothing done; any other fault in a case's pass counts the
        // case as failed (the run goes on to the other cases); a fault listing the open cases fails the run.
        const outcome = await settle<TrackSummary>(trackCases(prepared.deps.cases));
        tap.disarm();
        expect(tap.fired?.call.command).toBe(scenario.call.command);
        if (outcome.ok) expect(outcome.answer.created + outcome.answer.changed).toBeLessThan(2);
        else expectRefusedSafely(outcome);

        const mid = await trackParts(tap, prepared);
        for (const request of mid.requests.values()) expectRequestWhole(request);
        for (const agency of agenciesAsked)
          expect(mid.requests.get(agency)).toEqual(before.requests.get(agency));
        const madeMid = mid.requests.get('lb-redbridge')?.record !== undefined;
        // The case's update and its announcement commit together.
        const trackedMid = mid.case.record?.revision !== before.case.record?.revision;
        if (trackedMid) {
          expect(mid.case.record?.revision).toBe((before.case.record?.revision ?? 0) + 1);
          expect(
            received(mid.case).map(
              (e) => (e.detail as { agencyOrganisationId: string }).agencyOrganisationId,
            ),
          ).toEqual(['lb-havering']);
          expect(allowed(mid.case, 'cdop.case.track')).toHaveLength(
            allowed(before.case, 'cdop.case.track').length + 1,
          );
        } else {
          expect(stepParts(mid.case)).toEqual(stepParts(before.case));
        }
        expectCopies(mid.case);

        // The next run finishes the work, each part once; the run after finds nothing to do.
        expect(await trackCases(prepared.deps.cases)).toEqual({
          cases: 1,
          created: madeMid ? 0 : 1,
          changed: trackedMid ? 0 : 1,
          failed: 0,
        });
        const after = await trackParts(tap, prepared);
        for (const request of after.requests.values()) {
          expectRequestWhole(request);
          expect(request.record).toBeDefined();
        }
        expect(after.requests.get('lb-redbridge')?.record).toMatchObject({
          status: 'submitted',
          purpose: 'CDR_CASE_REVIEW',
          requester: { organisationId: 'bhr-cdop', userId: 'bhr-cdop.coordinator' },
        });
        expect(
          Object.fromEntries(
            after.case.record?.agencies.map((a) => [a.organisationId, a.lastSeenStatus]) ?? [],
          ),
        ).toEqual({
          'lb-havering': 'answered',
          'met-ea-bcu': 'requested',
          'lb-redbridge': 'requested',
        });
        expect(after.case.record?.revision).toBe((before.case.record?.revision ?? 0) + 1);
        expect(received(after.case)).toHaveLength(1);
        expect(allowed(after.case, 'cdop.case.track')).toHaveLength(
          allowed(before.case, 'cdop.case.track').length + 1,
        );
        expectCopies(after.case);
        expect(await trackCases(prepared.deps.cases)).toEqual({
          cases: 1,
          created: 0,
          changed: 0,
          failed: 0,
        });
        expect(await trackParts(tap, prepared)).toEqual(after);
      } catch (error) {
        failures.push(failureOf('track', scenario, error));
      }
    });
    // Two transactions: Redbridge's request, then the case with its announcement.
    expect(path.filter((c) => c.command === 'TransactWriteCommand')).toHaveLength(2);
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('the audit table after every fault', () => {
  it('holds no entry about a case that was not written through a tapped step', async () => {
    const seen = new Set(
      taps.flatMap((tap) =>
        transactItemsOf(tap.calls)
          .map((i) => i.Put?.Item)
          .filter((item) => item !== undefined && String(item.pk).startsWith('ENTRY#'))
          .map((item) => String(item?.id)),
      ),
    );
    const entries = await new DynamoAuditLog(doc, tables.audit).readAll();
    const aboutCases = entries.filter((e) => e.target?.type === 'cdop-case');
    expect(aboutCases.length).toBeGreaterThan(200);
    expect(aboutCases.filter((e) => !seen.has(e.id))).toEqual([]);
  });
});
