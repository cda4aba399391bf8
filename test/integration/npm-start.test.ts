import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '#local/free-port.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const startScript = ['--import', 'tsx', join(projectRoot, 'local/start.ts')];
const dirs: string[] = [];

const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pbx-start-'));
  dirs.push(dir);
  return dir;
};

/** Runs `npm start`'s script as its own process, the way a newcomer does, with its output captured. */
const launch = (env: Record<string, string>) => {
  const child = spawn(process.execPath, startScript, {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
};

const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
  });

let running: ChildProcess | undefined;

afterAll(async () => {
  running?.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('answers GET /v1/health within 30 s, says how to try it and the console, and Ctrl-C stops every child', async () => {
    const [port, consolePort, identityPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = await tempDir();
    const started = Date.now();
    const { child, output, exited } = launch({
      PBX_PORT: String(port),
      PBX_CONSOLE_PORT: String(consolePort),
      PBX_IDENTITY_PORT: String(identityPort),
      PBX_DATA_DIR: dataDir,
    });
    running = child;

    let health: Response | undefined;
    while (Date.now() - started < 30_000 && health?.status !== 200) {
      health = await fetch(`http://127.0.0.1:${port}/v1/health`).catch(() => undefined);
      if (health?.status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(health?.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The console starts after the exchange; the summary is printed once both listen.
    while (Date.now() - started < 30_000 && !output.stdout.includes('Ctrl-C stops')) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output.stdout).toContain(`listening on http://127.0.0.1:${port}`);
    expect(output.stdout).toContain(`curl http://127.0.0.1:${port}/v1/registry`);
    expect((await readdir(join(dataDir, 'keys'))).length).toBeGreaterThan(0);
    // The console and its identity provider, and how to sign in.
    expect(output.stdout).toContain(`pbx console listening on http://127.0.0.1:${consolePort}`);
    expect(output.stdout).toContain(`local identity provider (http://127.0.0.1:${identityPort})`);
    expect(output.stdout).toContain('lb-brent.practitioner');
    const home = await fetch(`http://127.0.0.1:${consolePort}/`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/sign-in?returnTo=%2F');
    expect(output.stderr).toBe('');

    const dynamoPort = Number(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output.stdout)?.[1]);
    expect(await portAnswers(dynamoPort)).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await portAnswers(port)).toBe(false);
    expect(await portAnswers(dynamoPort)).toBe(false);
    expect(await portAnswers(consolePort)).toBe(false);
    expect(await portAnswers(identityPort)).toBe(false);
  }, 60_000);

  it('says in one line how to install Java when it is missing', async () => {
    const { output, exited } = launch({ PATH: '', PBX_PORT: '0', PBX_DATA_DIR: await tempDir() });
    expect(await exited).toBe(1);
    const lines = output.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^pbx: DynamoDB Local needs Java 17.*apt-get install -y openjdk-17-jre-headless/,
    );
  });
});
