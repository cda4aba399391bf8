import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { exampleAnalysis, exampleNotification, exampleReport } from '#local/seed/example-cdop.ts';
import { DynamoCaseStore } from '#shared/adapters/dynamodb/case-store.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { assembleCasePack } from '#shared/domain/cdop/assemble-pack.ts';
import type { CdopCase } from '#shared/domain/cdop/case.ts';
import type { CaseDeps } from '#shared/domain/cdop/case-deps.ts';
import { closeCdopCase } from '#shared/domain/cdop/close-case.ts';
import { openCdopCase } from '#shared/domain/cdop/open-case.ts';
import { requestCdopReports } from '#shared/domain/cdop/request-reports.ts';
import { trackCases } from '#shared/domain/cdop/track-cases.ts';
import type { ExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { decideRequest } from '#shared/domain/requests/decide-request.ts';
import type { IdempotentCall } from '#shared/domain/requests/idempotency.ts';
import { releaseShare } from '#shared/domain/requests/release-share.ts';
import type { RequestDeps } from '#shared/domain/requests/request-deps.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import {
  assemblePanelPackAnswerOf,
  closeCdopCaseAnswerOf,
  openCdopCaseAnswerOf,
  requestCdopReportsAnswerOf,
} from '#shared/http/views/cdop.ts';
import { CallTap, type TappedCall } from '../support/fault-injection.ts';
import {
  type Answer,
  allowed,
  answerLost,
  type EventItem,
  everyFault,
  everyFaultOfStep,
  expectRefusedSafely,
  expectReplayed,
  type FaultStep,
  type Item,
  newCall,
  principal,
  type Scenario,
  sha256,
  stripKeys,
  transactItemsOf,
  useFaultRig,
  type Written,
  withFault,
} from '../support/fault-scenarios.ts';

// Fault injection at every AWS call of the CDOP case steps: opening a case, asking agencies for their reports,
// assembling the panel pack, closing, and the scheduled case tracker that creates the asked data requests and
// announces the reports received. The use cases run with the real stores on DynamoDB Local and the S3 emulator,
// behind a tap that numbers their calls (enumerated from a clean run of each step) and makes the N-th one fail
// with each fault kind. Each scenario has a cases table of its own, so the tracker sees only its own case. After
// each fault: the step failed with 503 or 409, and its parts (the case and its CDOP/OPEN list copies, the ask, the
// idempotency record, its audit entry, its events and feed items) are all there or none are; a pack object may be
// left behind a step that did not commit, under its content-addressed key only. Then a retry with the same key
// completes the step exactly once, and a replay answers the same and writes nothing.

const rig = useFaultRig();
const { tables, bucket } = rig;

// ---- Building the use cases on a tap ----------------------------------------------------------------------

const casesTablePrefix = 'pbx-cdop-cases-faults-';
/** How a failure names a table: a scenario's cases table by what it is. */
const shownTable = (name: string) => (name.startsWith(casesTablePrefix) ? 'cdop-cases' : name);

/** A CDOP cases table of its own for one scenario: its case lists and the tracker's OPEN list hold its case only. */
const freshCasesTable = () => rig.freshTable(casesTablePrefix);

type Deps = { readonly casesTable: string; readonly cases: CaseDeps; readonly requests: RequestDeps };

/** The case and request use cases on `tap`'s view of the clients; the rig keeps the tap for the audit table's check. */
const depsOn = (tap: CallTap, casesTable: string): Deps => {
  const stores = rig.storesOn(tap);
  const cases = new DynamoCaseStore(tap.wrapDocument(rig.doc), {
    cases: casesTable,
    audit: tables.audit,
    events: tables.events,
  });
  return { casesTable, cases: { ...stores, cases }, requests: stores };
};

const coordinator = () => principal('bhr-cdop.coordinator', ['cdop-coordinator']);
const manager = () => principal('bhr-cdop.manager', ['cdop-manager']);
const practitioner = (organisationId: string) =>
  principal(`${organisationId}.practitioner`, ['practitioner']);

/** A child of the BHR footprint of its own (a reference under a key of its own), so each case is for another child. */
const childRef = (seed: string = ulid()) =>
  deriveSubjectReference(
    { footprintId: 'bhr-cdop-area', key: createHash('sha256').update(seed).digest() },
    { kind: 'nhs-number', nhsNumber: '9434765919' },
  );

/** A step's answer as its operation gives it: the status and the view of its result (shared/http/views/cdop.ts). */
const answerOf =
  <R>(statusCode: 200 | 201, view: (result: R, now: Date) => unknown) =>
  async (result: Promise<R>): Promise<Answer> => ({ statusCode, body: view(await result, new Date()) });

const openCase = async (deps: Deps): Promise<CdopCase> => {
  const result = await openCdopCase(deps.cases, {
    principal: coordinator(),
    notification: exampleNotification(childRef()),
  });
  if (result.kind !== 'opened') throw new Error('a BHR child opens a BHR case');
  return result.case;
};

const askReports = (deps: Deps, caseId: string, agencies: readonly string[], call?: IdempotentCall) =>
  answerOf(
    200,
    requestCdopReportsAnswerOf,
  )(
    requestCdopReports(deps.cases, {
      principal: coordinator(),
      caseId,
      agencies,
      signed: { token: 'faults.token.signature', body: JSON.stringify({ agencies }) },
      call,
    }),
  );

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

const scanAll = async (tableName: string): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await rig.doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
};

type Events = { feed: string[]; unpublished: ExchangeEvent[] };

const eventsAbout = (
  events: readonly EventItem[],
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
    rig.writtenBy(calls),
    rig.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `shares/cdop/${caseId}/` })),
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

type StepSpec = FaultStep<Deps, Ctx> & {
  /** How many events of its type the step announces. */
  readonly events: number;
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
      answerOf(
        201,
        openCdopCaseAnswerOf,
      )(
        openCdopCase(deps.cases, {
          principal: coordinator(),
          notification: exampleNotification(childRef(call.key)),
          call,
        }),
      ),
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
          await rig.getItem(tables.requests, { pk: `REQUEST#${a.requestId}`, sk: 'REQUEST' }),
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
      answerOf(
        201,
        assemblePanelPackAnswerOf,
      )(assembleCasePack(deps.cases, { principal: manager(), caseId: ctx.caseId ?? '', call })),
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
      const object = await rig.s3.send(
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
      answerOf(
        200,
        closeCdopCaseAnswerOf,
      )(
        closeCdopCase(deps.cases, {
          principal: coordinator(),
          caseId: ctx.caseId ?? '',
          analysis: exampleAnalysis(ctx.caseId ?? '', new Date().toISOString().slice(0, 10)),
          call,
        }),
      ),
    done: (_before, after) => {
      expect(after.record).toMatchObject({ status: 'closed', closure: { closedBy: 'bhr-cdop.coordinator' } });
      // The analysis closed it is the one of this very case.
      expect(after.record?.closure?.analysis).toMatchObject({ caseId: after.record?.id });
    },
  },
];

// ---- Running every fault at every call --------------------------------------------------------------------

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

  const outcome = await withFault(tap, scenario, () => step.run(deps, ctx, call));
  // A condition failing is what a lost race looks like: a step on an existing case runs again from a fresh read
  // (the step pipeline's `attempts`, shared/domain/steps/run-step.ts), so it may succeed; every other fault is a 503 or a 409 CONFLICT.
  const ranAgain =
    outcome.ok && ctx.caseId !== undefined && scenario.fault.name.startsWith('TransactionCanceled');
  if (!ranAgain) expectRefusedSafely(outcome);

  // All or nothing: the step's parts either all reflect it (an answer lost after DynamoDB applied the
  // transaction, or a lost race run again) or none do. Only the pack object may be there without the step: it is
  // named by its content.
  const applied = answerLost(tap) || ranAgain;
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
  await expectReplayed(tap, () => step.run(deps, ctx, call), retried);
  expect(await snapshotCase(deps.casesTable, caseId, tap.calls, call)).toEqual(after);
};

describe('every AWS call of a CDOP case step failing with every fault', () => {
  for (const step of steps) {
    it(`${step.name}: the step happens whole or not at all, and a keyed retry completes it once`, async () => {
      const { path, scenarios, failures } = await everyFaultOfStep(
        step,
        async (recorder) => depsOn(recorder, await freshCasesTable()),
        (scenario) => runScenario(step, scenario),
        { tableName: shownTable },
      );
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
  written: Written,
): Promise<RequestSnapshot> => {
  const record = (await rig.getItem(tables.requests, { pk: `REQUEST#${requestId}`, sk: 'REQUEST' })) as
    | (DataRequest & Item)
    | undefined;
  const [signed, inbox, outbox, due] = await Promise.all([
    rig.getItem(tables.requests, { pk: `REQUEST#${requestId}`, sk: 'SIGNED' }),
    record && rig.getItem(tables.requests, { pk: `INBOX#${record.responderOrganisationId}`, sk: requestId }),
    record &&
      rig.getItem(tables.requests, { pk: `OUTBOX#${record.requester.organisationId}`, sk: requestId }),
    rig.getItem(tables.requests, { pk: 'WORK#due', sk: `${dueAt}#${requestId}` }),
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
  const written = await rig.writtenBy(tap.calls);
  const requests = new Map<string, RequestSnapshot>();
  for (const a of prepared.agencies) {
    requests.set(a.organisationId, await snapshotRequest(a.requestId ?? '', a.dueAt, written));
  }
  return { case: await snapshotCase(prepared.deps.casesTable, prepared.caseId, tap.calls), requests };
};

const received = (s: CaseSnapshot) => ofType(s, 'ReportReceived');

describe('the case tracker with every AWS call failing with every fault', () => {
  it('creates each asked request whole or not at all, announces each report once, and the next run finishes', async () => {
    const { path, failures } = await everyFault(
      'track',
      async (recorder) => {
        const clean = await prepareTrack(recorder);
        return async () => {
          expect(await trackCases(clean.deps.cases)).toEqual({ cases: 1, created: 1, changed: 1, failed: 0 });
        };
      },
      async (scenario) => {
        const tap = new CallTap();
        const prepared = await prepareTrack(tap);
        const before = await trackParts(tap, prepared);
        expect(before.requests.get('lb-redbridge')?.record).toBeUndefined();
        expect(received(before.case)).toEqual([]);

        // A condition failing is a lost race, counted as nothing done; any other fault in a case's pass counts the
        // case as failed (the run goes on to the other cases); a fault listing the open cases fails the run.
        const outcome = await withFault(tap, scenario, () => trackCases(prepared.deps.cases));
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
      },
      { tableName: shownTable },
    );
    // Two transactions: Redbridge's request, then the case with its announcement.
    expect(path.filter((c) => c.command === 'TransactWriteCommand')).toHaveLength(2);
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('the audit table after every fault', () => {
  it('holds no entry about a case that was not written through a tapped step', async () => {
    const { about, untapped } = await rig.auditedAround('cdop-case');
    expect(about.length).toBeGreaterThan(200);
    expect(untapped).toEqual([]);
  });
});
