import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { type CliOutcome, runPbx } from '../support/pbx-cli.ts';

// Issue 13, finding 12: the CLI as a user meets it in a shell, outside the repository root, in a pipe.
const launcher = fileURLToPath(new URL('../../cli/pbx.js', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

let exchange: RunningExchange;
let workDir: string;

const pbx = (args: readonly string[]) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args);

/**
 * Runs pbx from `cwd` with exactly the environment given (no PBX_KEYS_DIR unless given); `closeStdout` closes the
 * reading end of its stdout at once, as `| head` does once it has read its lines.
 */
const pbxWith = (
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; closeStdout?: boolean },
): Promise<CliOutcome> =>
  new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PBX_URL: exchange.url, ...options.env };
    for (const name of ['PBX_SUB', 'PBX_HOME', 'PBX_KEYS_DIR'] as const) {
      if (options.env[name] === undefined) delete env[name];
    }
    const child = spawn(process.execPath, [launcher, ...args], { cwd: options.cwd, env });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });

const brent = ['--as', 'lb-brent-system', '--sub', 'lb-brent.practitioner'];
const harrow = ['--as', 'lb-harrow-system', '--sub', 'lb-harrow.practitioner'];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-hygiene-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx in a shell', () => {
  it('exits quietly when the reader of its output goes away (pbx audit search | head)', async () => {
    const outcome = await pbxWith(
      ['audit', 'search', '--as', 'pbx-operations-system', '--sub', 'pbx-operations.operator'],
      { cwd: workDir, env: { PBX_KEYS_DIR: exchange.keysDir }, closeStdout: true },
    );
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
  });

  it('never prints the presigned grant URL, --json included', async () => {
    const created = await pbx([
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
      'identity-residence',
      '--basis',
      'UKGDPR-6-1-e,CA1989-s47',
      '--consent',
      'not-sought',
      '--exemption',
      'would-prejudice-protection',
      '--rationale',
      'seeking consent would put the child at risk of significant harm',
      '--subject',
      `sr1.north-west-bcu.${'A'.repeat(43)}`,
      '--urgency',
      'urgent',
      '--justification',
      'MASH referral',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const id = /^submitted ([0-9A-Z]{26}) to /m.exec(created.stdout)?.[1] ?? '';
    const decided = await pbx([
      'request',
      'decide',
      id,
      ...harrow,
      '--outcome',
      'approve',
      '--reasons',
      'held',
    ]);
    expect(decided.code, decided.stderr).toBe(0);
    await writeFile(join(workDir, 'share.json'), '{"addressHistory":["HA1"]}');
    const released = await pbx([
      'request',
      'release',
      id,
      ...harrow,
      '--file',
      'share.json',
      '--content-type',
      'application/json',
      '--categories',
      'identity-residence',
    ]);
    expect(released.code, released.stderr).toBe(0);

    const fetched = await pbx(['request', 'fetch', id, ...brent, '--out', 'got.json', '--json']);
    expect(fetched.code, fetched.stderr).toBe(0);
    const printed = fetched.stdout + fetched.stderr;
    expect(printed).not.toMatch(/https?:\/\//);
    expect(printed).not.toMatch(/X-Amz-(Signature|Credential)/i);
    // The rest of the answer is still there for scripts.
    expect(JSON.parse(fetched.stdout)).toMatchObject({
      share: { fetchCount: 1 },
      grant: { expiresAt: expect.any(String) },
    });
  });

  it('finds its keys under $PBX_HOME from any folder', async () => {
    const elsewhere = join(workDir, 'elsewhere');
    await mkdir(elsewhere);
    const outcome = await pbxWith(['whoami', '--as', 'lb-brent-system'], {
      cwd: elsewhere,
      env: { PBX_HOME: dirname(exchange.keysDir) },
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
  });

  it('without $PBX_HOME, looks in .local/keys of its own repository, not of the cwd, and says where it looked', async () => {
    const outcome = await pbxWith(['whoami', '--as', 'no-such-client'], { cwd: workDir, env: {} });
    // LOCAL_INPUT: the caller's to fix.
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(join(repositoryRoot, '.local', 'keys', 'no-such-client.jwk.json'));
  });

  it('names the file it looked for when $PBX_HOME has no key for the client', async () => {
    const home = join(workDir, 'empty-home');
    await mkdir(home);
    const outcome = await pbxWith(['whoami', '--as', 'lb-brent-system'], {
      cwd: tmpdir(),
      env: { PBX_HOME: home },
    });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(join(home, 'keys', 'lb-brent-system.jwk.json'));
  });
});
