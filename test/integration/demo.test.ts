import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { freePort } from '#local/free-port.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';

/**
 * `npm run demo` against a local exchange with its schedules on (the audit sequencer and the checkpoint publisher
 * run every second or so, as under `npm start`): every step passes, twice over the same exchange.
 */

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const demoScript = ['--import', 'tsx', join(projectRoot, 'scripts/demo.ts')];

let exchange: RunningExchange;
let packDir: string;

beforeAll(async () => {
  packDir = await mkdtemp(join(tmpdir(), 'pbx-demo-test-'));
  // Schedules on, a free port, a temporary data directory removed on stop.
  exchange = await startExchange({ schedules: true, port: await freePort(), dynamoDb: sharedDynamoDb() });
});

afterAll(async () => {
  await exchange?.stop();
  if (packDir !== undefined) await rm(packDir, { recursive: true, force: true });
});

const runDemo = (env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      demoScript,
      { cwd: projectRoot, env: { ...process.env, PBX_DEMO_DIR: packDir, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });

describe('npm run demo', () => {
  it('tells the whole story, step by step, and can be told again on the same exchange', async () => {
    for (let run = 1; run <= 2; run += 1) {
      const result = await runDemo({ PBX_URL: exchange.url, PBX_KEYS_DIR: exchange.keysDir });
      expect(result.code, `run ${run}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      const steps = result.stdout.split('\n').filter((line) => /^\d+\. [✓✗] /.test(line));
      expect(steps).toHaveLength(6);
      expect(steps.every((line) => line.includes('✓'))).toBe(true);
      expect(result.stdout).toContain('retry with the same Idempotency-Key: same request');
      expect(result.stdout).toContain('HTTP 403 REQUEST_REFUSED');
      expect(result.stdout).toContain('RESPONDER_NOT_A_PARTY');
      expect(result.stdout).toMatch(
        /Harrow RequestSubmitted → RequestDecided → ShareReleased → ShareFetched/,
      );
      expect(result.stdout).toMatch(/pbx audit verify: verified entries \[\d+, \d+\) of \d+/);
      expect(result.stdout).toContain('demo complete: 6 steps, all as expected');
      // No NHS number (ten digits from the 999 test range) is printed.
      expect(result.stdout).not.toMatch(/\b999\d{7}\b/);
    }
  }, 120_000);

  it('says in one line to start the exchange when none answers', async () => {
    const port = await freePort();
    const result = await runDemo({ PBX_URL: `http://127.0.0.1:${port}`, PBX_KEYS_DIR: exchange.keysDir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('start the exchange first: npm start'),
    ]);
  });
});
