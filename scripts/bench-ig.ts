/**
 * `npm run bench:ig`: the IG answers (docs/IG.md) over a year of a partnership's data, on DynamoDB Local on this
 * machine. Options: `--requests N` (default 20,000), `--compare` (the size given and five times it, each on a fresh
 * exchange, with both columns and their ratio), `--runs N` (timed calls of each question, default 5),
 * `--projection-only` (see below).
 *
 * What is seeded, and why it is faithful: the audit entries the request use cases would have committed over the
 * twelve months to now, built with the same functions they build them with (`decisionAuditFacts`, `callerFacts`,
 * `newRequestRecord`, `submissionStep`, `decideTransition`, `decisionFacts`, `requestStepFacts`, `stepRecord`,
 * `newAuditEntry`), and written with `appendAudit`, the one way entries are written, fifty to a transaction. Then
 * the real sequencer (`sequenceAuditEntries`) gives them their leaves, and the real projector (`projectIgAnswers`)
 * folds them into the IG projection until it has caught up. Only the entries are seeded, not the requests' own
 * state: the answers read nothing else.
 *
 * The sequencer is the slow step here (about 100-160 leaves/s on this machine, 11 leaves to a transaction; the
 * projector folds several hundred a second). `--projection-only` skips the log: after the seed's own leaves, the
 * real projector reads the year's entries from memory, in the order the sequencer would give them (by id), with
 * the indexes it would give them, and writes the same projection to DynamoDB Local. The answers read only the
 * projection (and the `child` question records its own entry), so they cost the same; what is not built is the
 * Merkle log of the year, which no answer reads.
 *
 * The mix of one year (deterministic, from a fixed seed):
 *
 * - submissions spread evenly over the twelve months, between the 19 organisations of the seeded registry (all but
 *   the operator), every purpose of the catalogue, each under an agreement of its purpose; children drawn from a
 *   pool of a quarter as many NHS numbers as requests, their references derived with the North West BCU key;
 * - 5% refused by the engine: no agreement or one not in force (not found, suspended, revoked, expired), across
 *   footprints (requester, responder or child outside it), or review overdue under a blocking agreement;
 * - of those accepted: about 75% approved, 5% approved in part (a category withheld), 15% declined with a
 *   decision reason code, 2% withdrawn; open, 8% of the last 30 days' and any whose answer would come after now
 *   (those past their due date with the sweep's `request.overdue` entry); 90% of approvals released, 40% of
 *   releases fetched;
 * - 20% with consent not sought (each of the three Sch 1 para 18(2) reasons), 3% accepted past the agreement's
 *   review date (flagged), 5% about a child placed out of borough (placing and host authority);
 * - response times from under an hour to over a month, most within a day.
 *
 * Each question is then asked through its HTTP route of the local exchange, as a client sees it (signed, checked
 * against its answer schema by the typed client), `--runs` times as the operator (every row) and as Brent's IG
 * lead (its organisation's rows), after one untimed call; the median and the slowest are printed, and any call
 * not answered 200 (a route gives up with 503 when a store call takes over 600 ms: shared/adapters/aws-client-
 * settings.ts). The questions that read a year of monthly rows are also timed through their use cases over a client
 * without that limit, to show what the reading costs. The goal
 * (issue 16): every answer under 1 s at 100,000 requests, none more than 2x slower than at 20,000.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import { startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { appendAudit, DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoIgStore } from '#shared/adapters/dynamodb/ig-store.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { Transaction } from '#shared/adapters/dynamodb/transaction.ts';
import { consentExemptions, type PurposeCode, purposeCodes } from '#shared/domain/agreements/catalogue.ts';
import type { Decision } from '#shared/domain/agreements/decide.ts';
import { decisionAuditFacts } from '#shared/domain/agreements/evaluate-request.ts';
import {
  type AuditEntry,
  auditLeafData,
  newAuditEntry,
  systemActor,
  textSha256,
} from '#shared/domain/audit/audit-entry.ts';
import { callerFacts } from '#shared/domain/audit/audited-action.ts';
import { leafHash } from '#shared/domain/audit/merkle.ts';
import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { ulid } from '#shared/domain/ids.ts';
import { answerIgConsentNotSought } from '#shared/domain/ig/consent-not-sought.ts';
import type { IgDeps } from '#shared/domain/ig/ig-deps.ts';
import { answerIgOutcomes } from '#shared/domain/ig/outcomes.ts';
import { projectIgAnswers } from '#shared/domain/ig/project-ig-answers.ts';
import { answerIgReport } from '#shared/domain/ig/report.ts';
import { answerIgRequests } from '#shared/domain/ig/requests.ts';
import type { DataRequest, DataRequestBody } from '#shared/domain/requests/data-request.ts';
import { requestDecisionReasonCodes } from '#shared/domain/requests/data-request.ts';
import { decideTransition, defaultResponseHours } from '#shared/domain/requests/lifecycle.ts';
import { decisionFacts } from '#shared/domain/requests/request-facts.ts';
import { requestStepFacts } from '#shared/domain/requests/request-step.ts';
import { newRequestRecord, submissionStep } from '#shared/domain/requests/submit-request.ts';
import { stepRecord } from '#shared/domain/steps/run-step.ts';
import { deriveSubjectReference, type FootprintKey } from '#shared/domain/subjects/subject-reference.ts';
import type { OperationId } from '#shared/http/operations.ts';
import { systemClock } from '#shared/ports/clock.ts';

// ---- Options ------------------------------------------------------------------------------------------------

const optionValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const positiveInteger = (name: string, fallback: number): number => {
  const value = Number(optionValue(name) ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} takes a positive whole number`);
  return value;
};
const requests = positiveInteger('requests', 20_000);
const runs = positiveInteger('runs', 5);
const sizes = process.argv.includes('--compare') ? [requests, requests * 5] : [requests];
const projectionOnly = process.argv.includes('--projection-only');

// ---- The year's data ------------------------------------------------------------------------------------------

/** A small deterministic generator (mulberry32): the same year for the same size, run after run. */
const randomFrom = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const hour = 3_600_000;
const day = 24 * hour;

const organisations = registrySeed.organisations
  .filter((o) => o.kind !== 'exchange-operator')
  .map((o) => o.id);
const footprintId = 'north-west-bcu';

/** A valid NHS number (modulus 11 check digit) from a nine-digit stem; undefined for the stems with none. */
const nhsNumberOf = (stem: number): string | undefined => {
  const digits = String(stem).padStart(9, '0');
  const sum = [...digits].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return `${digits}${check === 11 ? 0 : check}`;
};

const refusalCodes = [
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_SUSPENDED',
  'AGREEMENT_REVOKED',
  'AGREEMENT_EXPIRED',
  'REQUESTER_NOT_IN_FOOTPRINT',
  'RESPONDER_NOT_IN_FOOTPRINT',
  'SUBJECT_REF_NOT_OF_FOOTPRINT',
  'AGREEMENT_REVIEW_OVERDUE',
] as const;
const declineCodes = requestDecisionReasonCodes.filter((c) => c !== 'HELD_AND_NECESSARY');

/** Hours from submission to decision: most within a day, a tail past a month. */
const responseHours = (random: () => number): number => {
  const r = random();
  if (r < 0.25) return random() * 1;
  if (r < 0.55) return 1 + random() * 7;
  if (r < 0.8) return 8 + random() * 16;
  if (r < 0.9) return 24 + random() * 48;
  if (r < 0.97) return 72 + random() * 264;
  return 336 + random() * 600;
};

const pick = <T>(random: () => number, list: readonly T[]): T => {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

const principalOf = (
  organisationId: string,
  role: 'practitioner' | 'ig-lead' | 'operator',
  n: number,
): Principal => ({
  clientId: `${organisationId}-system`,
  organisationId,
  kid: 'bench',
  alg: 'ES256',
  user: { id: `${organisationId}.${role}`, roles: [role] },
  jti: `bench-${n}`,
  requestHash: textSha256(`bench-${n}`).slice(0, 43),
});

/**
 * The entries one request leaves in the log over its life, in the order the exchange would commit them. Times
 * past `now` are not reached: such a request is still where it was at `now`.
 */
const requestEntries = (
  random: () => number,
  n: number,
  key: FootprintKey,
  children: readonly string[],
  yearStart: number,
  now: number,
): AuditEntry[] => {
  const submittedAt = Math.floor(yearStart + random() * (now - yearStart - hour));
  const requester = pick(random, organisations);
  let responder = pick(random, organisations);
  if (responder === requester)
    responder = organisations[(organisations.indexOf(requester) + 1) % organisations.length] ?? responder;
  const purpose: PurposeCode = pick(random, purposeCodes);
  const consentRoll = random();
  const consent: DataRequestBody['consent'] =
    consentRoll < 0.2
      ? {
          state: 'not-sought',
          exemption: pick(random, consentExemptions),
          rationale: 'seeking consent would put the child at risk of significant harm',
        }
      : { state: 'not-applicable' };
  const urgency = pick(random, ['immediate', 'urgent', 'routine', 'routine'] as const);
  const placed = random() < 0.05;
  const body: DataRequestBody = {
    responderOrganisationId: responder,
    agreementId: `isa-bench-${purpose.toLowerCase()}`,
    purpose,
    dataCategories: ['identity-residence', 'protection-status'],
    lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47'],
    consent,
    subjectRef: deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber: pick(random, children) }),
    urgency,
    justification: `bench request ${n}`,
    ...(placed ? { placement: { placingAuthority: requester, hostAuthority: responder } } : {}),
  };
  const asker = principalOf(requester, 'practitioner', n);
  const answerer = principalOf(responder, 'practitioner', n);
  const agreement = { id: body.agreementId, version: 1 };
  const at = new Date(submittedAt);

  if (random() < 0.05) {
    const code = pick(random, refusalCodes);
    const found = code !== 'AGREEMENT_NOT_FOUND';
    const decision: Decision = {
      decision: 'deny',
      reasons: [{ code, message: code }],
      ...(found ? { agreement, standing: code.startsWith('AGREEMENT_') ? 'suspended' : 'in-force' } : {}),
      ...(code === 'AGREEMENT_REVIEW_OVERDUE' ? { reviewOverdue: true } : {}),
    };
    const {
      actor: _a,
      action: _b,
      outcome: _c,
      requestHash: _d,
      ...judged
    } = decisionAuditFacts(asker, body, decision, 'request.submit');
    return [
      newAuditEntry(
        {
          ...judged,
          subjectRef: body.subjectRef,
          textSha256: { ...judged.textSha256, justification: textSha256(body.justification) },
          ...callerFacts(asker),
          action: 'request.submit',
          outcome: 'refused',
          parties: [requester, responder],
        },
        at,
      ),
    ];
  }

  const reviewOverdue = random() < 0.03;
  const decision: Decision = {
    decision: 'permit',
    reasons: [],
    agreement,
    standing: 'in-force',
    ...(reviewOverdue ? { reviewOverdue: true } : {}),
  };
  const {
    actor: _a,
    action: _b,
    outcome: _c,
    requestHash: _d,
    ...judged
  } = decisionAuditFacts(asker, body, decision, 'request.submit');
  let request: DataRequest = newRequestRecord({
    id: ulid(submittedAt),
    requester: { organisationId: requester, clientId: asker.clientId, userId: `${requester}.practitioner` },
    body,
    agreement,
    requestHash: asker.requestHash,
    reviewOverdue,
    dueAt: new Date(submittedAt + defaultResponseHours[urgency] * hour).toISOString(),
    now: at,
  });
  const entries: AuditEntry[] = [
    submissionStep(
      request,
      {
        ...judged,
        ...callerFacts(asker),
        action: 'request.submit',
        outcome: 'allowed',
        subjectRef: body.subjectRef,
        textSha256: { ...judged.textSha256, justification: textSha256(body.justification) },
      },
      at,
    ).audit,
  ];
  const step = (
    action: string,
    by: Principal | undefined,
    next: DataRequest,
    time: number,
    decided = false,
  ) =>
    stepRecord(
      {
        actor: by === undefined ? { actor: systemActor } : callerFacts(by),
        action,
        plan: {
          next,
          facts: requestStepFacts(
            next,
            'in-force',
            decided && next.decision !== undefined ? decisionFacts(next.decision) : {},
          ),
          events: [],
          result: {},
        },
      },
      new Date(time),
    ).audit;

  const fate = random();
  const decidedAt = Math.floor(submittedAt + responseHours(random) * hour);
  if (fate < 0.02) {
    const withdrawnAt = Math.floor(submittedAt + random() * 48 * hour);
    if (withdrawnAt < now)
      entries.push(step('request.withdraw', asker, { ...request, status: 'withdrawn' }, withdrawnAt));
    return entries;
  }
  // Left open: some of the last month's (past their due date, the sweep marks them overdue), and any whose
  // decision would come after now. Older ones have all been decided or withdrawn.
  if ((fate > 0.92 && now - submittedAt < 30 * day) || decidedAt >= now) {
    const due = Date.parse(request.dueAt);
    if (due < now) entries.push(step('request.overdue', undefined, request, due + 60_000));
    return entries;
  }
  const roll = fate > 0.92 ? 0.02 + random() * 0.9 : fate;
  const outcome = roll < 0.74 ? 'approve' : roll < 0.79 ? 'partial' : 'decline';
  request = decideTransition(
    request,
    {
      outcome,
      reasons: `bench decision ${n}`,
      reasonCodes: outcome === 'decline' ? [pick(random, declineCodes)] : ['HELD_AND_NECESSARY'],
      ...(outcome === 'partial' ? { withheld: { dataCategories: ['protection-status'] } } : {}),
    },
    { userId: `${responder}.practitioner` },
    new Date(decidedAt),
  );
  entries.push(step('request.decide', answerer, request, decidedAt, true));
  if (outcome === 'decline' || random() >= 0.9) return entries;
  const releasedAt = Math.floor(decidedAt + random() * 24 * hour);
  if (releasedAt >= now) return entries;
  entries.push(step('share.release', answerer, { ...request, status: 'released' }, releasedAt));
  const fetchedAt = Math.floor(releasedAt + random() * 72 * hour);
  if (random() < 0.4 && fetchedAt < now) entries.push(step('share.fetch', asker, request, fetchedAt));
  return entries;
};

// ---- One size: seed, sequence, project, time ----------------------------------------------------------------

type Timing = {
  readonly question: string;
  readonly asker: string;
  readonly medianMs: number;
  readonly maxMs: number;
  /** The timed calls that did not answer 200, e.g. `2 x HTTP 503` (a store call past its time limit). */
  readonly failed: string;
};

const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-GB')}/s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const questions: readonly {
  readonly name: string;
  readonly ask: (c: PbxClient, child: string) => Promise<{ status: number }>;
}[] = [
  { name: 'child', ask: (c, child) => c.invoke('GetIgChild', { query: { subjectRef: child } }) },
  { name: 'requests', ask: (c) => c.invoke('GetIgRequests') },
  {
    name: 'requests by quarter, purpose',
    ask: (c) => c.invoke('GetIgRequests', { query: { by: 'quarter', group: 'purpose' } }),
  },
  ...(
    [
      ['refusals', 'GetIgRefusals'],
      ['past-review', 'GetIgPastReview'],
      ['without-agreement', 'GetIgWithoutAgreement'],
      ['cross-footprint', 'GetIgCrossFootprint'],
      ['consent-not-sought', 'GetIgConsentNotSought'],
      ['placements', 'GetIgPlacements'],
      ['outcomes', 'GetIgOutcomes'],
      ['challenges', 'GetIgChallenges'],
      ['outstanding', 'GetIgOutstanding'],
    ] as const satisfies readonly (readonly [string, OperationId])[]
  ).map(([name, id]) => ({ name, ask: (c: PbxClient) => c.invoke(id) })),
  {
    name: 'report',
    ask: (c) =>
      c.invoke('GetIgReport', { query: { quarter: quarterBefore(new Date()), footprint: footprintId } }),
  },
];

/**
 * The questions that read a year of monthly rows, asked through their use cases over a DynamoDB client with a
 * minute's time limit instead of the routes' 600 ms per call: what reading those rows costs, when the route gives up.
 */
const useCaseQuestions: readonly {
  readonly name: string;
  readonly ask: (deps: IgDeps, principal: Principal) => Promise<unknown>;
}[] = [
  { name: 'requests', ask: (deps, principal) => answerIgRequests(deps, { principal }) },
  {
    name: 'requests by quarter, purpose',
    ask: (deps, principal) => answerIgRequests(deps, { principal, by: 'quarter', group: 'purpose' }),
  },
  { name: 'consent-not-sought', ask: (deps, principal) => answerIgConsentNotSought(deps, { principal }) },
  { name: 'outcomes', ask: (deps, principal) => answerIgOutcomes(deps, { principal }) },
  {
    name: 'report',
    ask: (deps, principal) =>
      answerIgReport(deps, { principal, quarter: quarterBefore(new Date()), footprint: footprintId }),
  },
];

/** The last whole quarter before `now`, e.g. 2026Q3 in December 2026. */
const quarterBefore = (now: Date): string => {
  const q = Math.floor(now.getUTCMonth() / 3);
  return q === 0 ? `${now.getUTCFullYear() - 1}Q4` : `${now.getUTCFullYear()}Q${q}`;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

type LeafSource = Pick<DynamoMerkleLogStore, 'readLeaves'>;

/** Runs the real projector over `log` until it has folded every leaf there; the count it folded. */
const projectUntilCaughtUp = async (ig: DynamoIgStore, log: LeafSource, started: number): Promise<number> => {
  let projected = 0;
  let reported = 0;
  for (;;) {
    const summary = await projectIgAnswers(
      { ig, log, clock: systemClock },
      { maxBatches: 1_000, maxMillis: 30_000 },
    );
    projected += summary.projected;
    if (summary.projected === 0) return projected;
    if (started > 0 && projected - reported >= 20_000) {
      reported = projected;
      console.log(
        `  projected ${projected.toLocaleString('en-GB')} (${rate(projected, performance.now() - started)})`,
      );
    }
  }
};

/**
 * The whole way: every entry recorded as the use cases record them (entry and pending marker, fifty to a
 * transaction), then the sequencer and the projector side by side, as their schedules run; the projector follows
 * the tree head.
 */
const recordSequenceAndProject = async (
  auditTable: string,
  doc: ReturnType<typeof createDocumentClient>,
  ig: DynamoIgStore,
  log: DynamoMerkleLogStore,
  entries: readonly AuditEntry[],
): Promise<void> => {
  const recordStarted = performance.now();
  const perTransaction = 50;
  let next = 0;
  let reported = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < entries.length) {
        const batch = entries.slice(next, next + perTransaction);
        next += perTransaction;
        const tx = batch.reduce((t, entry) => appendAudit(t, auditTable, entry), new Transaction());
        if ((await tx.commit(doc)) !== 'committed') throw new Error('a seeded entry was written twice');
        if (next - reported >= 20_000) {
          reported = next;
          console.log(
            `  recorded ${Math.min(next, entries.length).toLocaleString('en-GB')} of ${entries.length.toLocaleString('en-GB')} entries`,
          );
        }
      }
    }),
  );
  const recordMs = performance.now() - recordStarted;
  console.log(
    `recorded ${entries.length.toLocaleString('en-GB')} entries in ${seconds(recordMs)} (${rate(entries.length, recordMs)})`,
  );

  const foldStarted = performance.now();
  let sequencing = true;
  let sequenced = 0;
  const sequencer = (async () => {
    try {
      for (;;) {
        const summary = await sequenceAuditEntries(
          { log, clock: systemClock },
          { batchSize: 11, maxBatches: 500 },
        );
        sequenced += summary.appended;
        if (summary.appended === 0) return;
        console.log(
          `  sequenced ${sequenced.toLocaleString('en-GB')} (${rate(sequenced, performance.now() - foldStarted)})`,
        );
      }
    } finally {
      sequencing = false;
    }
  })();
  let projected = 0;
  const projector = (async () => {
    for (;;) {
      const summary = await projectIgAnswers(
        { ig, log, clock: systemClock },
        { maxBatches: 1_000, maxMillis: 30_000 },
      );
      projected += summary.projected;
      if (summary.projected > 0) {
        console.log(
          `  projected ${projected.toLocaleString('en-GB')} (${rate(projected, performance.now() - foldStarted)})`,
        );
      } else if (!sequencing) return;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  await Promise.all([sequencer, projector]);
  const foldMs = performance.now() - foldStarted;
  console.log(
    `sequenced and projected ${entries.length.toLocaleString('en-GB')} entries in ${seconds(foldMs)} (${rate(entries.length, foldMs)})`,
  );
};

const benchSize = async (size: number): Promise<Timing[]> => {
  console.log(`\n== ${size.toLocaleString('en-GB')} requests ==`);
  const exchange = await startExchange({ schedules: false });
  const dynamo = new DynamoDBClient({
    endpoint: exchange.dynamoEndpoint,
    region: localRegion,
    credentials: localCredentials,
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
  const doc = createDocumentClient(dynamo);
  const log = new DynamoMerkleLogStore(doc, exchange.tableName('audit'));
  const ig = new DynamoIgStore(doc, exchange.tableName('ig'));
  try {
    // The seed's own entries first, so the year's entries follow them in the log.
    await sequenceAuditEntries({ log, clock: systemClock }, { batchSize: 100, maxBatches: 100_000 });

    const key = await readFootprintKeyFile(footprintKeyFileOf(exchange.keysDir, footprintId), footprintId);
    const random = randomFrom(16);
    const children: string[] = [];
    for (let stem = 100_000_000; children.length < Math.max(10, Math.floor(size / 4)); stem += 7) {
      const nhsNumber = nhsNumberOf(stem);
      if (nhsNumber !== undefined) children.push(nhsNumber);
    }
    const now = Date.now();
    const yearStart = now - 365 * day;
    const entries = Array.from({ length: size }, (_, n) =>
      requestEntries(random, n, key, children, yearStart, now),
    )
      .flat()
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const someChild = entries.find((e) => e.subjectRef !== undefined)?.subjectRef ?? '';
    const kinds = new Map<string, number>();
    for (const e of entries) {
      const kind = `${e.action} ${e.outcome}${e.decision === undefined ? '' : ` ${e.decision.outcome}`}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    console.log(
      `seeding ${entries.length.toLocaleString('en-GB')} entries: ${[...kinds]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([kind, n]) => `${kind} ${n.toLocaleString('en-GB')}`)
        .join(', ')}`,
    );

    if (projectionOnly) {
      // The seed's own leaves from the log, then the year's straight from memory, leaf after leaf.
      await projectUntilCaughtUp(ig, log, 0);
      const base = (await log.readTreeHead())?.size ?? 0;
      const memory: LeafSource = {
        readLeaves: async (from, limit) =>
          from < base
            ? log.readLeaves(from, Math.min(limit, base - from))
            : entries.slice(from - base, from - base + limit).map((entry, i) => ({
                index: from + i,
                entry,
                leafHash: leafHash(auditLeafData(entry)),
              })),
      };
      const started = performance.now();
      const projected = await projectUntilCaughtUp(ig, memory, started);
      const ms = performance.now() - started;
      console.log(
        `projected ${projected.toLocaleString('en-GB')} entries from memory in ${seconds(ms)} (${rate(projected, ms)})`,
      );
    } else {
      await recordSequenceAndProject(exchange.tableName('audit'), doc, ig, log, entries);
    }

    const clientOf = async (clientId: string, subject: string) =>
      new PbxClient({
        url: exchange.url,
        clientId,
        key: await readPrivateKey(localKeyFile(exchange.keysDir, clientId)),
        audience: exchange.exchangeId,
        subject,
      });
    const askers = [
      { asker: 'operator', client: await clientOf('pbx-operations-system', 'pbx-operations.operator') },
      { asker: 'lb-brent IG lead', client: await clientOf('lb-brent-system', 'lb-brent.ig-lead') },
    ];
    const timings: Timing[] = [];
    for (const { name, ask } of questions) {
      for (const { asker, client } of askers) {
        const times: number[] = [];
        const failures: number[] = [];
        for (let run = 0; run <= runs; run += 1) {
          const started = performance.now();
          const { status } = await ask(client, someChild);
          const ms = performance.now() - started;
          // The first call warms the handler (its cold start), as a function's first call would.
          if (run === 0) continue;
          times.push(ms);
          if (status !== 200) failures.push(status);
        }
        const failed = [...new Set(failures)]
          .map((status) => `${failures.filter((f) => f === status).length} x HTTP ${status}`)
          .join(', ');
        timings.push({ question: name, asker, medianMs: median(times), maxMs: Math.max(...times), failed });
      }
    }
    const deps: IgDeps = {
      ig,
      clock: systemClock,
      audit: new DynamoAuditLog(doc, exchange.tableName('audit')),
      registry: new DynamoRegistryReader(doc, exchange.tableName('registry')),
    };
    const principals = [
      { asker: 'operator', principal: principalOf('pbx-operations', 'operator', -1) },
      { asker: 'lb-brent IG lead', principal: principalOf('lb-brent', 'ig-lead', -2) },
    ];
    for (const { name, ask } of useCaseQuestions) {
      for (const { asker, principal } of principals) {
        const times: number[] = [];
        for (let run = 0; run <= runs; run += 1) {
          const started = performance.now();
          await ask(deps, principal);
          if (run > 0) times.push(performance.now() - started);
        }
        timings.push({
          question: `${name} (use case)`,
          asker,
          medianMs: median(times),
          maxMs: Math.max(...times),
          failed: '',
        });
      }
    }
    return timings;
  } finally {
    dynamo.destroy();
    await exchange.stop();
  }
};

const ms = (value: number | undefined) => (value === undefined ? '' : `${Math.round(value)} ms`);

/** The timings of the sizes run so far, side by side, with the ratio of the second to the first. */
const printTimings = (done: readonly Timing[][]) => {
  const [small, large] = done;
  console.log(
    `\nIG answers through their HTTP routes (local exchange, DynamoDB Local, this machine; ${runs} runs each after one untimed)`,
  );
  const headings = [
    'question',
    'asker',
    ...sizes
      .slice(0, done.length)
      .flatMap((s) => [`median @${s.toLocaleString('en-GB')}`, `max @${s.toLocaleString('en-GB')}`]),
    ...(large === undefined ? [] : ['ratio of medians']),
    'not answered',
  ];
  const rows = (small ?? []).map((t, i) => {
    const big = large?.[i];
    return [
      t.question,
      t.asker,
      ms(t.medianMs),
      ms(t.maxMs),
      ...(big === undefined
        ? []
        : [ms(big.medianMs), ms(big.maxMs), `${(big.medianMs / t.medianMs).toFixed(2)}x`]),
      [t.failed, big?.failed].filter((f) => f !== undefined && f !== '').join('; '),
    ];
  });
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  for (const line of [headings, widths.map((w) => '-'.repeat(w)), ...rows]) {
    console.log(
      line.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
};

const results: Timing[][] = [];
for (const size of sizes) {
  results.push(await benchSize(size));
  printTimings(results);
}
const [small, large] = results;
const slowest = Math.max(...results.flat().map((t) => t.medianMs));
const worstRatio =
  large === undefined
    ? undefined
    : Math.max(...(small ?? []).map((t, i) => (large[i]?.medianMs ?? 0) / t.medianMs));
console.log(
  `slowest median ${Math.round(slowest)} ms (goal: under 1,000 ms at 100,000 requests)` +
    (worstRatio === undefined ? '' : `; largest ratio ${worstRatio.toFixed(2)}x (goal: at most 2x)`),
);
const unanswered = results.flat().filter((t) => t.failed !== '');
if (unanswered.length > 0) {
  console.log(
    `not answered: ${unanswered.map((t) => `${t.question} as ${t.asker} (${t.failed})`).join('; ')}`,
  );
}
