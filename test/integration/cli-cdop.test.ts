import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { exampleReport } from '#local/seed/example-cdop.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { runPbx } from '../support/pbx-cli.ts';

// `pbx cdop …` run as a user runs it, against DynamoDB Local and the S3 emulator: the BHR CDOP's coordinator opens
// a case on the death of a Havering child, asks Havering, the East Area police and (refused) Barnet for reports;
// Havering reports, the police decline; the coordinator assembles the pack, closes the case, exports it and reads
// the year's figures. The case tracker, which turns the asks into data requests, runs when the test says.
let exchange: RunningExchange;
let workDir: string;

const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const file = (name: string) => join(workDir, name);

const actingFor = (user: string): string[] => {
  const [organisation] = user.split('.');
  return ['--as', `${organisation}-system`, '--sub', user];
};
const coordinator = actingFor('bhr-cdop.coordinator');
const havering = actingFor('lb-havering.practitioner');
const police = actingFor('met-ea-bcu.practitioner');

/** 943 476 5919: the NHS Data Dictionary's worked example; every form it could be echoed in. */
const nhsNumber = '9434765919';
const nhsForms = [nhsNumber, '943 476 5919', '943-476-5919', '4765919'];

const day = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const dateOfDeath = new Date(Date.now() - 3 * day).toISOString().slice(0, 10);

const notification = (borough: string, more: readonly string[] = []): string[] => [
  'cdop',
  'open',
  ...coordinator,
  '--borough',
  borough,
  '--date-of-death',
  dateOfDeath,
  '--unexpected',
  '--place',
  'in-footprint',
  '--place-category',
  'home',
  '--notifying',
  'lb-havering',
  '--nhs-number',
  nhsNumber,
  ...more,
];

/** The example form, its account repeating the family name, which the pack must redact. */
const reportingForm = (caseId: string, agencyId: string) => {
  const form = exampleReport(caseId, agencyId);
  form.partB.involvement.summary = 'Okonkwo family known to early help.';
  return form;
};

const caseIdOf = (stdout: string): string => {
  const id = /^opened case ([0-9A-Z]{26})$/m.exec(stdout)?.[1];
  if (id === undefined) throw new Error(`no case id in: ${stdout}`);
  return id;
};

/** The request the case sent to an agency, from `pbx cdop status`'s agencies table. */
const requestOf = (statusOut: string, agency: string): string => {
  const id = new RegExp(`^${agency}\\s+\\S+\\s+([0-9A-Z]{26})\\s`, 'm').exec(statusOut)?.[1];
  if (id === undefined) throw new Error(`no request for ${agency} in: ${statusOut}`);
  return id;
};

let caseId: string;
let subjectRef: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-cdop-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  const key = await readFootprintKeyFile(
    footprintKeyFileOf(exchange.keysDir, 'bhr-cdop-area'),
    'bhr-cdop-area',
  );
  subjectRef = deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber });
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx cdop, run as a user runs it', () => {
  it("opens a case, deriving the reference with the CDOP footprint's key from an NHS number it never prints; a retry with the printed key is the same case", async () => {
    const opened = await pbx(notification('lb-havering'));
    expect(opened.code, opened.stderr).toBe(0);
    for (const form of nhsForms) expect(opened.stdout + opened.stderr).not.toContain(form);
    caseId = caseIdOf(opened.stdout);
    expect(opened.stdout).toContain(`subject:       ${subjectRef}`);
    expect(opened.stdout).toContain('cdop:          bhr-cdop (footprint bhr-cdop-area)');
    expect(opened.stdout).toMatch(/^met-ea-bcu\s+police\s+police-bcu-of-residence\s+yes/m);

    const key = /--idempotency-key (\S+)\)/.exec(opened.stderr)?.[1];
    expect(key).toBeDefined();
    const retried = await pbx(notification('lb-havering', ['--idempotency-key', key ?? '']));
    expect(retried.code, retried.stderr).toBe(0);
    expect(caseIdOf(retried.stdout)).toBe(caseId);
  });

  it("passes on a child who lived in another CDOP's area, naming that CDOP", async () => {
    const elsewhere = await pbx(notification('lb-brent'));
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).toContain('not opened');
    expect(elsewhere.stdout).toMatch(/notify:\s+brent-harrow-cdop/);
    for (const form of nhsForms) expect(elsewhere.stdout + elsewhere.stderr).not.toContain(form);
  });

  it('asks agencies: permitted ones get a request, a refusal names the agreement needed; --strict exits 1 on a refusal', async () => {
    const asked = await pbx([
      'cdop',
      'request',
      caseId,
      ...coordinator,
      '--agency',
      'lb-havering,met-ea-bcu',
      '--agency',
      'lb-barnet',
    ]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toMatch(/^asked lb-havering: request [0-9A-Z]{26}, report due /m);
    expect(asked.stdout).toMatch(/^asked met-ea-bcu: request [0-9A-Z]{26}/m);
    expect(asked.stdout).toContain('REFUSED lb-barnet:');
    expect(asked.stdout).toContain('agreement needed:');
    expect(asked.stdout).toContain('footprint bhr-cdop-area: lb-barnet is not a member');

    const strict = await pbx([
      'cdop',
      'request',
      caseId,
      ...coordinator,
      '--agency',
      'lb-redbridge',
      '--agency',
      'lb-brent',
      '--strict',
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^asked lb-redbridge: /m);
    expect(strict.stdout).toContain('REFUSED lb-brent:');

    // Every ask refused: the exchange refuses the call, naming each agency (the refusal is still on the case).
    const allRefused = await pbx(['cdop', 'request', caseId, ...coordinator, '--agency', 'lb-barnet']);
    expect(allRefused.code).toBe(1);
    expect(allRefused.stderr).toContain('HTTP 403 REQUEST_REFUSED');
    expect(allRefused.stderr).toContain('lb-barnet: RESPONDER_NOT_A_PARTY');

    // The case tracker sends the data requests the asks recorded.
    await exchange.runSchedule('TrackCdopCases');
    const status = await pbx(['cdop', 'status', caseId, ...coordinator]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^lb-havering\s+requested\s+[0-9A-Z]{26}/m);
    expect(status.stdout).toContain('Asks refused:');
    expect(status.stdout).toContain('report-requested');
  });

  it('an agency reports with a form checked here (paths, never values), or declines with its reasons', async () => {
    const status = (await pbx(['cdop', 'status', caseId, ...coordinator])).stdout;
    const haveringRequest = requestOf(status, 'lb-havering');
    const policeRequest = requestOf(status, 'met-ea-bcu');

    const bad = reportingForm(caseId, 'lb-havering');
    bad.partA.child.nhsNumber = '9434765918';
    await writeFile(file('bad-form.json'), JSON.stringify(bad));
    const refused = await pbx(['cdop', 'report', haveringRequest, ...havering, '--file', 'bad-form.json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('partA.child.nhsNumber');
    expect(refused.stderr).not.toContain('9434765918');

    await writeFile(file('form.json'), JSON.stringify(reportingForm(caseId, 'lb-havering')));
    const reported = await pbx(['cdop', 'report', haveringRequest, ...havering, '--file', 'form.json']);
    expect(reported.code, reported.stderr).toBe(0);
    expect(reported.stdout).toContain(`approved ${haveringRequest} (report attached)`);
    expect(reported.stdout).toContain(`released ${haveringRequest} to bhr-cdop`);
    // The family name in part B's text is flagged by path.
    expect(reported.stderr).toContain('partB.involvement.summary repeats a value of partA.child.familyName');
    for (const form of nhsForms) expect(reported.stdout + reported.stderr).not.toContain(form);

    const declined = await pbx([
      'cdop',
      'report',
      policeRequest,
      ...police,
      '--decline',
      '--reasons',
      'no police involvement with the family',
    ]);
    expect(declined.code, declined.stderr).toBe(0);
    expect(declined.stdout).toContain(`declined ${policeRequest}: declined`);

    const after = await pbx(['cdop', 'status', caseId, ...coordinator]);
    expect(after.stdout).toMatch(/^lb-havering\s+answered/m);
    expect(after.stdout).toMatch(
      /^met-ea-bcu\s+declined\s+\S+\s+\S+\s+no police involvement with the family/m,
    );
  });

  it('assembles the panel pack, checks its hash and writes it without part A; only the CDOP reads it', async () => {
    const pack = await pbx(['cdop', 'pack', caseId, ...coordinator, '--assemble', '--out', 'pack.json']);
    expect(pack.code, pack.stderr).toBe(0);
    expect(pack.stdout).toMatch(/packHash:\s+[0-9a-f]{64} \(verified\)/);
    expect(pack.stdout).toMatch(/reports:\s+1/);
    // The police declined: listed as declined, not outstanding (issue 12, finding 10).
    expect(pack.stdout).toMatch(/^outstanding:\s+lb-redbridge$/m);
    expect(pack.stdout).toMatch(/^declined:\s+met-ea-bcu$/m);
    const written = await readFile(file('pack.json'), 'utf8');
    expect(JSON.parse(written).caseId).toBe(caseId);
    expect(written).not.toContain('Okonkwo');
    expect(written).not.toContain(nhsNumber);
    expect((await stat(file('pack.json'))).mode & 0o777).toBe(0o600);

    const again = await pbx(['cdop', 'pack', caseId, ...coordinator, '--out', 'pack.json']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; choose another --out (it is not replaced)');

    const agency = await pbx(['cdop', 'pack', caseId, ...havering]);
    expect(agency.code).toBe(1);
    expect(agency.stderr).toContain('NOT_PERMITTED');
  });

  it('closes the case with the analysis, exports it and counts it in the figures, small numbers suppressed', async () => {
    const analysis = {
      schemaVersion: '2026',
      caseId,
      panelDate: today,
      categoryOfDeath: 'sudden-unexpected-unexplained',
      modifiableFactors: { identified: true, domains: ['physical-environment'] },
      learningThemes: [{ code: 'safer-sleeping' }],
    };
    await writeFile(
      file('analysis.json'),
      JSON.stringify({ ...analysis, caseId: '01M841HAYY4G2YKGJ1QXBFEG61' }),
    );
    const wrongCase = await pbx(['cdop', 'close', caseId, ...coordinator, '--analysis', 'analysis.json']);
    expect(wrongCase.code).toBe(2);
    expect(wrongCase.stderr).toContain(
      `is for case 01M841HAYY4G2YKGJ1QXBFEG61, not ${caseId}; nothing was sent`,
    );

    await writeFile(file('analysis.json'), JSON.stringify(analysis));
    const closed = await pbx(['cdop', 'close', caseId, ...coordinator, '--analysis', 'analysis.json']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toContain(`closed ${caseId}: closed`);

    const exported = await pbx(['cdop', 'export', caseId, ...coordinator, '--out', 'ncmd.json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`NCMD export of ${caseId}, version 2026`);
    expect(JSON.parse(await readFile(file('ncmd.json'), 'utf8')).reporting).toHaveLength(1);

    const year = String(Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0));
    const published = await pbx(['cdop', 'figures', ...coordinator, '--year', year]);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(/^lb-havering\s+<5\s+<5\s+<5\s+<5/m);
    const internal = await pbx(['cdop', 'figures', ...coordinator, '--year', year, '--internal']);
    expect(internal.stdout).toMatch(/^lb-havering\s+1\s+1\s+1\s+1/m);
    expect(internal.stdout).toContain('Safer sleeping');

    const list = await pbx(['cdop', 'list', ...coordinator, '--status', 'closed']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${caseId}\\s+closed\\s+lb-havering\\s+${dateOfDeath}`, 'm'));
  });

  it('says what is wrong before anything is sent (exit 2), never echoing an NHS number', async () => {
    const both = await pbx(notification('lb-havering', ['--expected']));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');

    const badNumber = await pbx(notification('lb-havering').map((a) => (a === nhsNumber ? '9434765918' : a)));
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).not.toContain('9434765918');

    const noAgency = await pbx(['cdop', 'request', caseId, ...coordinator]);
    expect(noAgency.code).toBe(2);
    expect(noAgency.stderr).toContain('missing --agency');
  });
});
