import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '#cli/commands/catalog.ts';
import {
  childTables,
  consentNotSoughtTables,
  type IgTable,
  igAnswerHeading,
  igChildHeading,
  igReportHeading,
  igTableCsv,
  igTablesText,
  outcomesTables,
  outstandingTables,
  pastReviewTables,
  placementsTables,
  refusalsTables,
  reportTables,
  requestsTables,
} from '#client/ig-table.ts';
import type { PbxClient } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { monthOf, quarterOfMonth } from '#shared/domain/ig/ig-terms.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor, localDynamoClient } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';
import { mashReferral, seedReviewDueMashAgreement } from '../support/request-exchange.ts';

// `pbx ig …` run as a user runs it, against a local exchange with a few requests, refusals and decisions behind it:
// each question in table, --json and --csv form, checked against the exchange's own JSON answer to the same asker.
// The CLI talks to the exchange through a recording proxy, so the test sees every request it sent.

let exchange: RunningExchange;
let proxy: Server;
let proxyUrl: string;
let workDir: string;
/** Every request the CLI sent: method, path with query, and body. */
const sent: string[] = [];

const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: proxyUrl, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const actingFor = (user: string): string[] => ['--as', `${user.split('.')[0]}-system`, '--sub', user];
const igLead = actingFor('lb-brent.ig-lead');
const operator = actingFor('pbx-operations.operator');
const scrutineer = actingFor('lb-brent.scrutineer');

const nhsNumber = '9434765919';
const nhsForms = [nhsNumber, '943 476 5919', '943-476-5919', '4765919'];

/** The footprints Brent is or was a member of: the ones `pbx ig child` derives a reference in. */
const brentFootprints = registrySeed.footprints
  .filter((f) => f.memberships.some((m) => m.organisationId === 'lb-brent'))
  .map((f) => f.id);

let brentIgLead: PbxClient;
/** The organisations' names, as the CLI shows them in a child's records. */
const organisationNames = new Map(registrySeed.organisations.map((o) => [o.id, o.name]));
let references: string[];

/** A request that passes through to the exchange, recorded on the way. */
const startRecordingProxy = async (target: string): Promise<string> => {
  proxy = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    sent.push(`${request.method} ${request.url} ${body.toString('utf8')}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers.set(name, value);
    }
    const answer = await fetch(`${target}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body.length === 0 ? {} : { body }),
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return `http://127.0.0.1:${address.port}`;
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-ig-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  proxyUrl = await startRecordingProxy(exchange.url);
  references = await Promise.all(
    brentFootprints.map(async (id) =>
      deriveSubjectReference(await readFootprintKeyFile(footprintKeyFileOf(exchange.keysDir, id), id), {
        kind: 'nhs-number',
        nhsNumber,
      }),
    ),
  );
  const child = references[brentFootprints.indexOf('north-west-bcu')];
  if (child === undefined) throw new Error('Brent is in the North West BCU footprint');

  // The MASH agreement again, signed by every party, but past its review date (flagged, not blocking).
  await seedReviewDueMashAgreement(exchange);

  // Brent asks Harrow three times about the child and twice about others, once under the agreement past its
  // review date about a child placed out of borough; Harrow approves one and declines one (NOT_HELD); one request
  // names no agreement and one a child of another footprint: both refused.
  const brent = await clientActingFor(exchange, 'lb-brent.practitioner');
  const harrow = await clientActingFor(exchange, 'lb-harrow.practitioner');
  const submitted = [];
  const others = {
    agreementId: 'isa-review-due',
    placement: { placingAuthority: 'lb-brent', hostAuthority: 'lb-harrow' },
  };
  for (const [i, subjectRef] of [child, child, child, undefined, undefined].entries()) {
    const body = mashReferral(
      `IG question test ${i}`,
      subjectRef === undefined ? (i === 4 ? others : {}) : { subjectRef },
    );
    const answer = await brent.invoke('SubmitRequest', { body });
    if (answer.status !== 201) throw new Error(`submit answered ${answer.status}`);
    submitted.push(answer.body.request.id);
  }
  const refusals = await Promise.all([
    brent.invoke('SubmitRequest', {
      body: mashReferral('IG question test: no agreement', { agreementId: 'isa-none-such' }),
    }),
    brent.invoke('SubmitRequest', {
      body: mashReferral('IG question test: a child of another footprint', {
        subjectRef: `sr1.east-area-bcu.${'A'.repeat(43)}`,
      }),
    }),
  ]);
  expect(refusals.map((r) => r.status)).toEqual([403, 403]);
  const [approved, declined] = submitted;
  expect(
    (
      await harrow.invoke('DecideRequest', {
        path: { requestId: approved ?? '' },
        body: { outcome: 'approve', reasons: 'held and necessary', reasonCodes: ['HELD_AND_NECESSARY'] },
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await harrow.invoke('DecideRequest', {
        path: { requestId: declined ?? '' },
        body: { outcome: 'decline', reasons: 'not held here', reasonCodes: ['NOT_HELD'] },
      })
    ).status,
  ).toBe(200);
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('ProjectIgAnswers');
  brentIgLead = await clientActingFor(exchange, 'lb-brent.ig-lead');
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** A question's three forms from the CLI, against the answer the exchange gives the same asker directly. */
const expectForms = async (
  args: readonly string[],
  direct: () => Promise<{ status: number; body: unknown }>,
  render: (answer: never) => { heading: string; tables: readonly IgTable[] },
  ignore: readonly string[] = [],
  stdin?: string,
) => {
  const options = stdin === undefined ? {} : { stdin };
  const [json, table, csv] = await Promise.all([
    pbx([...args, '--json'], options),
    pbx(args, options),
    pbx([...args, '--csv'], options),
  ]);
  const answer = await direct();
  expect(answer.status).toBe(200);
  const without = (value: unknown) =>
    Object.fromEntries(Object.entries(value as object).filter(([k]) => !ignore.includes(k)));
  expect(json.code, json.stderr).toBe(0);
  expect(without(JSON.parse(json.stdout))).toEqual(without(answer.body));

  const { heading, tables } = render(answer.body as never);
  expect(table.code, table.stderr).toBe(0);
  if (ignore.length === 0) expect(table.stdout).toBe(`${heading}\n\n${igTablesText(tables)}`);
  const [main] = tables;
  if (main === undefined) throw new Error('every answer has a main table');
  expect(main.rows.length).toBeGreaterThan(0);
  expect(table.stdout).toContain(`${main.title}:\n${main.columns[0]?.heading}`);
  expect(csv.code, csv.stderr).toBe(0);
  if (ignore.length === 0) expect(csv.stdout).toBe(igTableCsv(main));
  expect(csv.stdout.split('\r\n')[0]).toBe(main.columns.map((c) => c.heading).join(','));
  expect(csv.stdout.split('\r\n')).toHaveLength(main.rows.length + 2);
  return answer.body;
};

const thisMonth = monthOf(new Date().toISOString());
const periodRender = (tablesOf: (answer: never) => IgTable[]) => (answer: never) => ({
  heading: igAnswerHeading(answer),
  tables: tablesOf(answer),
});

/** The questions `pbx ig` asks, and the report, as the command catalogue names them. */
const igQuestions = commands.filter((c) => c.words[0] === 'ig').map((c) => c.words[1] ?? '');

describe('pbx ig, run as a user runs it', () => {
  it('answers requests by month and pair, and by quarter and purpose, to the number', async () => {
    const byPair = await expectForms(
      ['ig', 'requests', '--from', thisMonth, '--to', thisMonth, ...igLead],
      () => brentIgLead.invoke('GetIgRequests', { query: { from: thisMonth, to: thisMonth } }),
      periodRender(requestsTables),
    );
    expect(byPair).toMatchObject({
      scope: 'organisation',
      rows: expect.arrayContaining([
        expect.objectContaining({
          period: thisMonth,
          requester: 'lb-brent',
          responder: 'lb-harrow',
          submitted: 5,
          approved: 1,
          declined: 1,
        }),
      ]),
    });
    await expectForms(
      ['ig', 'requests', '--by', 'quarter', '--group', 'purpose', ...igLead],
      () => brentIgLead.invoke('GetIgRequests', { query: { by: 'quarter', group: 'purpose' } }),
      periodRender(requestsTables),
    );
  }, 120_000);

  it.each([
    ['refusals', 'GetIgRefusals', refusalsTables],
    ['without-agreement', 'GetIgWithoutAgreement', refusalsTables],
    ['cross-footprint', 'GetIgCrossFootprint', refusalsTables],
    ['past-review', 'GetIgPastReview', pastReviewTables],
    ['consent-not-sought', 'GetIgConsentNotSought', consentNotSoughtTables],
    ['placements', 'GetIgPlacements', placementsTables],
    ['outcomes', 'GetIgOutcomes', outcomesTables],
  ] as const)(
    'answers %s as the exchange does',
    async (name, id, tablesOf) => {
      await expectForms(
        ['ig', name, ...igLead],
        () => brentIgLead.invoke(id),
        periodRender(tablesOf as (answer: never) => IgTable[]),
      );
    },
    120_000,
  );

  it('counts the refusal and the decline by reason code', async () => {
    const refusals = await pbx(['ig', 'refusals', '--json', ...igLead]);
    expect(JSON.parse(refusals.stdout)).toMatchObject({
      totals: expect.arrayContaining([
        { kind: 'refusal', reasonCode: 'AGREEMENT_NOT_FOUND', count: 1 },
        { kind: 'decline', reasonCode: 'NOT_HELD', count: 1 },
      ]),
    });
    const consent = await pbx(['ig', 'consent-not-sought', '--json', ...igLead]);
    expect(JSON.parse(consent.stdout)).toMatchObject({
      totals: [{ exemption: 'would-prejudice-protection', count: 5 }],
    });
  }, 60_000);

  it('answers outstanding as the exchange does, with the time it judged overdue at', async () => {
    const answer = await expectForms(
      ['ig', 'outstanding', ...operator],
      async () => (await clientActingFor(exchange, 'pbx-operations.operator')).invoke('GetIgOutstanding'),
      periodRender(outstandingTables),
      ['now'],
    );
    expect(answer).toMatchObject({
      scope: 'all',
      rows: expect.arrayContaining([expect.objectContaining({ responder: 'lb-harrow', open: 4 })]),
    });
  }, 120_000);

  it('writes the PQA report of a quarter for a footprint', async () => {
    const quarter = quarterOfMonth(thisMonth);
    const operatorClient = await clientActingFor(exchange, 'pbx-operations.operator');
    await expectForms(
      ['ig', 'report', '--quarter', quarter, '--footprint', 'north-west-bcu', ...operator],
      () => operatorClient.invoke('GetIgReport', { query: { quarter, footprint: 'north-west-bcu' } }),
      (answer: never) => ({ heading: igReportHeading(answer), tables: reportTables(answer) }),
    );
  }, 120_000);

  it('shows a scrutineer counts only, small ones as <5', async () => {
    const table = await pbx(['ig', 'requests', '--from', thisMonth, ...scrutineer]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('counts only, under 5 shown as <5');
    expect(table.stdout).toContain('<5');
    const json = JSON.parse(
      (await pbx(['ig', 'requests', '--from', thisMonth, '--json', ...scrutineer])).stdout,
    );
    expect(json).toMatchObject({ scope: 'counts' });
    expect(JSON.stringify(json.rows)).not.toMatch(/"(submitted|approved|declined)":[1-4]\b/);
  }, 60_000);

  it("finds every access to the child from the NHS number, sending only the child's references", async () => {
    sent.length = 0;
    const direct = () => brentIgLead.invoke('GetIgChild', { query: { subjectRef: references.join(',') } });
    const answer = await expectForms(
      ['ig', 'child', '--nhs-number', '-', ...igLead],
      direct,
      (a: never) => ({ heading: igChildHeading(a), tables: childTables(a, organisationNames) }),
      [],
      `${nhsNumber}\n`,
    );
    expect(answer).toMatchObject({ references: brentFootprints.length });
    const submits = (answer as { entries: { action: string; outcome: string }[] }).entries.filter(
      (e) => e.action === 'request.submit' && e.outcome === 'allowed',
    );
    expect(submits).toHaveLength(3);

    const childCalls = sent.filter((line) => line.startsWith('GET /v1/ig/child?'));
    expect(childCalls.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) expect(childCalls[0]).toContain(reference);
    for (const form of nhsForms) {
      expect(sent.filter((line) => line.includes(form) || line.includes(encodeURIComponent(form)))).toEqual(
        [],
      );
    }
    // Nor is it in anything the exchange recorded.
    const audit = new DynamoAuditLog(
      createDocumentClient(localDynamoClient(exchange)),
      exchange.tableName('audit'),
    );
    const recorded = JSON.stringify(await audit.readAll());
    for (const form of nhsForms) expect(recorded).not.toContain(form);
  }, 120_000);

  it('refuses bad input as a usage error (exit 2) before sending anything', async () => {
    sent.length = 0;
    const outcomes = await Promise.all([
      pbx(['ig', 'requests', '--from', '2026-13', ...igLead]),
      pbx(['ig', 'requests', '--to', 'last-month', ...igLead]),
      pbx(['ig', 'requests', '--by', 'week', ...igLead]),
      pbx(['ig', 'refusals', '--from', '2026-06', '--to', '2026-01', ...igLead]),
      pbx(['ig', 'outcomes', '--json', '--csv', ...igLead]),
      pbx(['ig', 'report', ...igLead]),
      pbx(['ig', 'report', '--quarter', '2026-Q3', ...igLead]),
      pbx(['ig', 'unknown-question', ...igLead]),
      pbx(['ig', 'child', '--nhs-number', '9434765918', ...igLead]),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(outcome.stdout).toBe('');
    }
    expect(outcomes.map((o) => o.stderr.split('\n')[0])).toEqual([
      expect.stringContaining('--from must be a month'),
      expect.stringContaining('--to must be a month'),
      expect.stringContaining('--by must be one of month, quarter'),
      expect.stringContaining('is after --to'),
      expect.stringContaining('--json or --csv'),
      expect.stringContaining('missing --quarter'),
      expect.stringContaining('--quarter must be a quarter'),
      expect.stringContaining('unknown command "pbx ig unknown-question"'),
      expect.stringContaining('--nhs-number'),
    ]);
    expect(outcomes.at(-1)?.stderr).not.toContain('9434765918');
    expect(sent).toEqual([]);
  }, 60_000);

  it('lists the questions in pbx --help and explains each in one line in pbx ig --help', async () => {
    const [overview, group] = await Promise.all([pbx(['--help']), pbx(['ig', '--help'])]);
    for (const name of igQuestions) {
      expect(overview.stdout).toContain(`pbx ig ${name} `);
      expect(group.stdout).toMatch(new RegExp(`^  pbx ig ${name} +\\S.*$`, 'm'));
    }
  }, 60_000);
});
