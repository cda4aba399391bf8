import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { freePort } from '#local/free-port.ts';
import { exampleChild } from '#local/seed/example-cdop.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';

/**
 * `npm run demo:cdop` against a local exchange with its schedules on (the case tracker runs every 2 seconds, as
 * under `npm start`): every step passes, twice over the same exchange (a fresh child each time, and the second
 * Havering death still published as `<5`).
 */

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const demoScript = ['--import', 'tsx', join(projectRoot, 'scripts/demo-cdop.ts')];

let exchange: RunningExchange;

beforeAll(async () => {
  // Schedules on, a free port, a temporary data directory removed on stop.
  exchange = await startExchange({ schedules: true, port: await freePort(), dynamoDb: sharedDynamoDb() });
});

afterAll(async () => {
  await exchange?.stop();
});

const runDemo = (env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      demoScript,
      { cwd: projectRoot, env: { ...process.env, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });

describe('npm run demo:cdop', () => {
  it('tells the story of a child death review, step by step, and can be told again on the same exchange', async () => {
    for (let run = 1; run <= 2; run += 1) {
      const result = await runDemo({ PBX_URL: exchange.url, PBX_KEYS_DIR: exchange.keysDir });
      expect(result.code, `run ${run}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      const steps = result.stdout.split('\n').filter((line) => /^\d+\. [✓✗] /.test(line));
      expect(steps).toHaveLength(9);
      expect(steps.every((line) => line.includes('✓'))).toBe(true);
      expect(result.stdout).toContain('a second notification of the same child: HTTP 409');
      expect(result.stdout).toContain('HTTP 403 REQUEST_REFUSED');
      expect(result.stdout).toMatch(/lb-barnet: .*needs .*bhr-cdop-area/);
      // The tracker runs every 2 s: the demo waits for it (printing progress) unless it has already run.
      expect(result.stdout).toMatch(/all 4 created within/);
      expect(result.stdout).toMatch(/all 4 answered and recorded by the case tracker within/);
      expect(result.stdout).toMatch(/pack [0-9a-f]{12}…: 4 de-identified reports/);
      expect(result.stdout).toContain('lb-havering.practitioner fetching the pack: HTTP 403');
      expect(result.stdout).toContain(`lb-havering notified: <5 published (${run} exactly`);
      expect(result.stdout).toMatch(/^ {7}lb-havering +<5/m);
      expect(result.stdout).toContain('demo:cdop complete: 9 steps, all as expected');
      // No NHS number (ten digits) is printed, nor any of the example child's identifying details.
      expect(result.stdout).not.toMatch(/\b\d{10}\b/);
      for (const value of [
        exampleChild.familyName,
        exampleChild.dateOfBirth,
        exampleChild.address.postcode,
      ]) {
        expect(result.stdout).not.toContain(value);
      }
    }
  }, 180_000);

  it('says in one line to start the exchange when none answers', async () => {
    const port = await freePort();
    const result = await runDemo({ PBX_URL: `http://127.0.0.1:${port}`, PBX_KEYS_DIR: exchange.keysDir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('start the exchange first: npm start'),
    ]);
  });
});
