import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { runPbx } from '../support/pbx-cli.ts';
import { seedReviewDueMashAgreement } from '../support/request-exchange.ts';

// `pbx request …` run as a user runs it, against DynamoDB Local and the S3 emulator: Brent's practitioner asks
// Harrow under the North West BCU MASH agreement. The CLI processes (about a second each) dominate the time.
let exchange: RunningExchange;
let workDir: string;

const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const file = (name: string) => join(workDir, name);

const actingFor = (user: string): string[] => {
  const [organisation] = user.split('.');
  return ['--as', `${organisation}-system`, '--sub', user];
};
const brent = actingFor('lb-brent.practitioner');
const harrow = actingFor('lb-harrow.practitioner');

/** The number in every form it could be echoed in. */
const nhsNumber = '9434765919';
const nhsForms = [nhsNumber, '943 476 5919', '943-476-5919', '4765919'];

const mashRequest = (subject: readonly string[], more: readonly string[] = []): string[] => [
  'request',
  'create',
  ...brent,
  '--to',
  'lb-harrow',
  '--agreement',
  'isa-nw-bcu-mash',
  '--purpose',
  'SAFEGUARDING_REFERRAL_MASH',
  '--categories',
  'identity-residence,protection-status,education-attendance',
  '--basis',
  'UKGDPR-6-1-e,CA1989-s47,UKGDPR-9-2-g,DPA2018-S1-P2-18',
  '--consent',
  'not-sought',
  '--exemption',
  'would-prejudice-protection',
  '--rationale',
  'seeking consent would put the child at risk of significant harm',
  ...subject,
  '--urgency',
  'urgent',
  '--justification',
  'MASH referral: concerns raised by the school about a Brent child with family in Harrow',
  ...more,
];

const idOf = (stdout: string): string => {
  const id = /^submitted ([0-9A-Z]{26}) to /m.exec(stdout)?.[1];
  if (id === undefined) throw new Error(`no request id in: ${stdout}`);
  return id;
};

let subjectRef: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-requests-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  const key = await readFootprintKeyFile(
    footprintKeyFileOf(exchange.keysDir, 'north-west-bcu'),
    'north-west-bcu',
  );
  subjectRef = deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber });
  // The MASH agreement again, signed by every party, but past its review date (flagged, not blocking).
  await seedReviewDueMashAgreement(exchange);
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx request, run as a user runs it', () => {
  it('creates from flags, deriving the subject reference from an NHS number it never sends or prints; a retry with the printed key is the same request', async () => {
    const created = await pbx(mashRequest(['--nhs-number', nhsNumber]));
    expect(created.code, created.stderr).toBe(0);
    for (const form of nhsForms) expect(created.stdout + created.stderr).not.toContain(form);
    expect(created.stdout).toContain(`subject:       ${subjectRef}`);
    expect(created.stdout).toContain('status:        submitted');
    const id = idOf(created.stdout);

    const key = /--idempotency-key (\S+)\)/.exec(created.stderr)?.[1];
    expect(key).toBeDefined();
    const retried = await pbx(mashRequest(['--nhs-number', nhsNumber], ['--idempotency-key', key ?? '']));
    expect(retried.code, retried.stderr).toBe(0);
    expect(idOf(retried.stdout)).toBe(id);
    expect(retried.stderr).toBe('');

    const reused = await pbx(
      mashRequest(['--subject', subjectRef], ['--idempotency-key', key ?? '', '--json']).map((a) =>
        a === 'urgent' ? 'routine' : a,
      ),
    );
    expect(reused.code).toBe(1);
    expect(reused.stderr).toContain('IDEMPOTENCY_KEY_REUSED');
  });

  it('lists the inbox, decides in part, releases inline, fetches verified bytes, and withdraws', async () => {
    const id = idOf((await pbx(mashRequest(['--subject', subjectRef]))).stdout);

    const inbox = await pbx([
      'request',
      'list',
      '--box',
      'inbox',
      '--status',
      'submitted',
      '--all',
      ...harrow,
    ]);
    expect(inbox.code, inbox.stderr).toBe(0);
    const row = inbox.stdout.split('\n').find((line) => line.startsWith(id));
    expect(row).toMatch(/submitted\s+lb-brent\s+SAFEGUARDING_REFERRAL_MASH\s+\d{4}-/);
    expect(row).not.toContain('OVERDUE');

    const decided = await pbx([
      'request',
      'decide',
      id,
      ...harrow,
      '--outcome',
      'partial',
      '--reasons',
      'education attendance is held by the school, not by us',
      '--withhold',
      'education-attendance',
    ]);
    expect(decided.code, decided.stderr).toBe(0);
    expect(decided.stdout).toContain(`decided ${id}: partially-approved`);
    expect(decided.stdout).toContain('--categories identity-residence,protection-status');

    const payload = Buffer.from(JSON.stringify({ protectionPlan: 'none', addressHistory: ['HA1'] }));
    await writeFile(file('small.json'), payload);
    const released = await pbx([
      'request',
      'release',
      id,
      ...harrow,
      '--file',
      'small.json',
      '--content-type',
      'application/json',
      '--categories',
      'identity-residence,protection-status',
    ]);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toContain(`released ${id} to lb-brent`);
    // Small: inline, and no progress.
    expect(released.stderr).toBe('');

    const fetched = await pbx(['request', 'fetch', id, ...brent, '--out', 'got.json']);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain('(verified)');
    expect(fetched.stdout).toMatch(/fetches:\s+1\/5 \(4 left\)/);
    expect((await readFile(file('got.json'))).equals(payload)).toBe(true);

    const shown = await pbx(['request', 'show', id, ...brent]);
    expect(shown.stdout).toContain(`${id}: released`);
    expect(shown.stdout).toMatch(/withheld:\s+education-attendance/);
    expect(shown.stdout).toMatch(/fetched:\s+1 of 5 times/);

    const withdrawn = await pbx(['request', 'withdraw', id, ...brent]);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(withdrawn.stdout).toContain(`withdrew ${id}: withdrawn`);
    const gone = await pbx(['request', 'fetch', id, ...brent, '--out', 'again.json']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('SHARE_WITHDRAWN');
    expect((await readdir(workDir)).filter((f) => f.includes('again'))).toEqual([]);
  });

  it('releases a 5 MiB file through a presigned upload and fetches the same bytes, with progress lines on stderr', async () => {
    const id = idOf((await pbx(mashRequest(['--subject', subjectRef]))).stdout);
    const approved = await pbx([
      'request',
      'decide',
      id,
      ...harrow,
      '--outcome',
      'approve',
      '--reasons',
      'ok',
    ]);
    expect(approved.code, approved.stderr).toBe(0);

    const payload = randomBytes(5 * 1024 * 1024 + 17);
    await writeFile(file('large.bin'), payload);
    const released = await pbx([
      'request',
      'release',
      id,
      ...harrow,
      '--file',
      'large.bin',
      '--content-type',
      'application/octet-stream',
      '--categories',
      'identity-residence',
    ]);
    expect(released.code, released.stderr).toBe(0);
    // Not a terminal: a line at the start and one at the end, no carriage returns.
    expect(released.stderr).toMatch(
      /^uploading large\.bin: 5\.0 MiB\nuploading large\.bin: 5\.0 MiB of 5\.0 MiB, done/,
    );
    expect(released.stderr).not.toContain('\r');

    const fetched = await pbx(['request', 'fetch', id, ...brent, '--out', 'large-copy.bin']);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stderr).toContain('downloading to large-copy.bin: 5.0 MiB');
    expect((await readFile(file('large-copy.bin'))).equals(payload)).toBe(true);

    // An existing file is not replaced, and no fetch is spent finding that out.
    const existing = await pbx(['request', 'fetch', id, ...brent, '--out', 'large-copy.bin']);
    expect(existing.code).toBe(2);
    const shown = await pbx(['request', 'show', id, ...brent, '--json']);
    expect(JSON.parse(shown.stdout).request.share.fetchCount).toBe(1);
  });

  it('flags a request past its agreement review date on create, list and show, and shows coded decision reasons', async () => {
    const created = await pbx([
      ...mashRequest(['--subject', subjectRef]).map((arg) =>
        arg === 'isa-nw-bcu-mash' ? 'isa-review-due' : arg,
      ),
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/review:\s+the agreement was past its review date/);
    const id = idOf(created.stdout);

    const inbox = await pbx(['request', 'list', '--box', 'inbox', '--all', ...harrow]);
    expect(inbox.stdout.split('\n').find((line) => line.startsWith(id))).toContain('REVIEW OVERDUE');
    const outbox = await pbx(['request', 'list', '--box', 'outbox', '--all', ...brent]);
    expect(outbox.stdout.split('\n').find((line) => line.startsWith(id))).toContain('REVIEW OVERDUE');

    const decline = (codes: string) =>
      pbx([
        'request',
        'decide',
        id,
        ...harrow,
        '--outcome',
        'decline',
        '--reasons',
        'not held',
        '--reason-codes',
        codes,
      ]);
    // An unknown code is a usage error: nothing is sent.
    expect((await decline('BECAUSE')).code).toBe(2);
    const declined = await decline('NOT_HELD');
    expect(declined.code, declined.stderr).toBe(0);
    const shown = await pbx(['request', 'show', id, ...harrow]);
    expect(shown.stdout).toMatch(/review:\s+the agreement was past its review date/);
    expect(shown.stdout).toMatch(/reason codes:\s+NOT_HELD/);
  });

  it('records the placing and host authority of a child placed out of borough, and shows them', async () => {
    const created = await pbx(
      mashRequest(
        ['--subject', subjectRef],
        ['--placing-authority', 'lb-brent', '--host-authority', 'lb-harrow'],
      ),
    );
    expect(created.code, created.stderr).toBe(0);
    const shown = await pbx(['request', 'show', idOf(created.stdout), ...harrow]);
    expect(shown.stdout).toMatch(/placement:\s+placed by lb-brent in lb-harrow/);
    // One without the other is a usage error: nothing is sent.
    const half = await pbx(mashRequest(['--subject', subjectRef], ['--placing-authority', 'lb-brent']));
    expect(half.code).toBe(2);
  });

  it('prints every reason of a refused create and exits 1; usage errors exit 2 before anything is sent', async () => {
    const refused = await pbx(
      mashRequest(['--subject', subjectRef]).map((a) =>
        a === 'lb-harrow' ? 'lb-barnet' : a === 'isa-nw-bcu-mash' ? 'isa-brent-harrow-cdop' : a,
      ),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 403 REQUEST_REFUSED');
    expect(refused.stderr).toContain('RESPONDER_NOT_A_PARTY');
    expect(refused.stderr).toContain('PURPOSE_NOT_IN_AGREEMENT');

    const partialWithoutWhat = await pbx([
      'request',
      'decide',
      '01M841HAYY4G2YKGJ1QXBFEG61',
      ...harrow,
      '--outcome',
      'partial',
      '--reasons',
      'some',
    ]);
    expect(partialWithoutWhat.code).toBe(2);
    expect(partialWithoutWhat.stderr).toContain('says what is withheld');

    const badNumber = await pbx(mashRequest(['--nhs-number', '9434765918']));
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).not.toContain('9434765918');
  });
});
