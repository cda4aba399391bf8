import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childTables,
  disclosureTables,
  igChildHeading,
  igDisclosureHeading,
  igTablesText,
} from '#client/ig-table.ts';
import { actionText } from '#client/ig-words.ts';
import type { PbxClient } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor, localDynamoClient } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';
import { mashReferral } from '../support/request-exchange.ts';

// `pbx ig child --disclosure`, `pbx ig restrict`, `pbx ig restrictions` and `pbx ig restrictions lift`, run as a
// user runs them against a local exchange: Harrow's IG lead restricts its decision about a child, the subject
// access report withholds it and says so, the records still show it marked, and the lift discloses it again.

let exchange: RunningExchange;
let workDir: string;
let harrowIgLead: PbxClient;
let reference: string;

const pbx = (args: readonly string[], stdin?: string) =>
  runPbx(
    { url: exchange.url, keysDir: exchange.keysDir, cwd: workDir },
    args,
    stdin === undefined ? {} : { stdin },
  );
const actingFor = (user: string): string[] => ['--as', `${user.split('.')[0]}-system`, '--sub', user];
const asHarrowIgLead = [...actingFor('lb-harrow.ig-lead'), '--footprint', 'north-west-bcu'];
const nhsNumber = '9434765919';
const names = new Map(registrySeed.organisations.map((o) => [o.id, o.name]));
const until = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
const reason = 'a police enquiry is under way';

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-sar-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  const footprint = 'north-west-bcu';
  reference = deriveSubjectReference(
    await readFootprintKeyFile(footprintKeyFileOf(exchange.keysDir, footprint), footprint),
    { kind: 'nhs-number', nhsNumber },
  );
  const brent = await clientActingFor(exchange, 'lb-brent.practitioner');
  const harrow = await clientActingFor(exchange, 'lb-harrow.practitioner');
  const submitted = await brent.invoke('SubmitRequest', {
    body: mashReferral('subject access test', { subjectRef: reference }),
  });
  expect(submitted.status).toBe(201);
  const decided = await harrow.invoke('DecideRequest', {
    path: { requestId: submitted.body.request.id },
    body: { outcome: 'decline', reasons: 'not held here', reasonCodes: ['NOT_HELD'] },
  });
  expect(decided.status).toBe(200);
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('ProjectIgAnswers');
  harrowIgLead = await clientActingFor(exchange, 'lb-harrow.ig-lead');
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx ig restrict and pbx ig child --disclosure', () => {
  it('restricts an entry, withholds it from the report and says so, and lifts it', async () => {
    const records = await pbx(
      ['ig', 'child', '--nhs-number', '-', '--json', ...asHarrowIgLead],
      `${nhsNumber}\n`,
    );
    expect(records.code, records.stderr).toBe(0);
    const decided = JSON.parse(records.stdout).entries.find(
      (e: { action: string }) => e.action === 'request.decide',
    );

    const made = await pbx([
      'ig',
      'restrict',
      String(decided.index),
      '--reason-code',
      'crime-prevention',
      '--reason',
      reason,
      '--until',
      until,
      ...actingFor('lb-harrow.ig-lead'),
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(
      `restricted entry ${decided.index} from subject access reports until ${until}`,
    );

    // The report, as text fit to print: the exchange's own answer, written in words, saying one was withheld.
    const report = await pbx(['ig', 'child', '--nhs-number', nhsNumber, '--disclosure', ...asHarrowIgLead]);
    expect(report.code, report.stderr).toBe(0);
    const direct = await harrowIgLead.invoke('GetIgChildDisclosure', { query: { subjectRef: reference } });
    expect(direct.body).toMatchObject({ withheld: 1 });
    const expected = `${igDisclosureHeading(direct.body)}\n\n${igTablesText(disclosureTables(direct.body, names))}`;
    // The two answers differ only in the time of the report.
    expect(report.stdout.replace(/Report made \S+;/, '')).toBe(expected.replace(/Report made \S+;/, ''));
    expect(report.stdout).toContain('Some entries were withheld from this report: 1 entry is not shown');
    expect(report.stdout).toContain(actionText('request.submit'));
    expect(report.stdout).toContain('London Borough of Brent');
    expect(report.stdout).not.toContain(actionText('request.decide'));
    expect(report.stdout).not.toContain('crime-prevention');
    const json = await pbx([
      'ig',
      'child',
      '--nhs-number',
      nhsNumber,
      '--disclosure',
      '--json',
      ...asHarrowIgLead,
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ withheld: 1 });

    // The records still show it, marked.
    const marked = await pbx(['ig', 'child', '--nhs-number', nhsNumber, ...asHarrowIgLead]);
    const answer = await harrowIgLead.invoke('GetIgChild', { query: { subjectRef: reference } });
    expect(marked.stdout).toBe(
      `${igChildHeading(answer.body)}\n\n${igTablesText(childTables(answer.body, names))}`,
    );
    expect(marked.stdout).toContain(`crime-prevention until ${until}`);

    const listed = await pbx(['ig', 'restrictions', '--json', ...actingFor('lb-harrow.ig-lead')]);
    const [restriction] = JSON.parse(listed.stdout).restrictions;
    expect(restriction).toMatchObject({ index: decided.index, inForce: true, reason });
    const text = await pbx(['ig', 'restrictions', ...actingFor('lb-harrow.ig-lead')]);
    expect(text.stdout).toContain(
      `${restriction.id}  entry ${decided.index}  crime-prevention  until ${until}  in force`,
    );

    const lifted = await pbx([
      'ig',
      'restrictions',
      'lift',
      restriction.id,
      '--reason',
      'the enquiry ended',
      ...actingFor('lb-harrow.ig-lead'),
    ]);
    expect(lifted.code, lifted.stderr).toBe(0);
    const after = await pbx(['ig', 'child', '--nhs-number', nhsNumber, '--disclosure', ...asHarrowIgLead]);
    expect(after.stdout).toContain('No entry was withheld from this report.');
    expect(after.stdout).toContain(actionText('request.decide'));

    // The NHS number is in nothing the exchange recorded.
    const audit = new DynamoAuditLog(
      createDocumentClient(localDynamoClient(exchange)),
      exchange.tableName('audit'),
    );
    const recorded = JSON.stringify(await audit.readAll());
    for (const form of [nhsNumber, '943 476 5919']) expect(recorded).not.toContain(form);
    expect(recorded).not.toContain(reason);
  }, 120_000);

  it('refuses bad input as a usage error before sending anything', async () => {
    const outcomes = await Promise.all([
      pbx(['ig', 'restrict', 'first', '--reason-code', 'other', '--reason', 'x', '--until', until]),
      pbx(['ig', 'restrict', '1', '--reason-code', 'because', '--reason', 'x', '--until', until]),
      pbx(['ig', 'restrict', '1', '--reason-code', 'other', '--until', until]),
      pbx(['ig', 'restrict', '1', '--reason-code', 'other', '--reason', 'x', '--until', '31/12/2030']),
      pbx(['ig', 'restrictions', 'lift', '--reason', 'x']),
      pbx(['ig', 'child', '--nhs-number', nhsNumber, '--disclosure', '--csv']),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(outcome.stdout).toBe('');
    }
  }, 60_000);
});
