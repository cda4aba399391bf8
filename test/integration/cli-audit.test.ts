import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { runPbx } from '../support/pbx-cli.ts';

/**
 * `pbx audit export` then `pbx audit verify`, run as a user runs them against a local exchange: the pack verifies
 * offline, and changing one byte of one entry makes verification fail, naming that entry.
 */

let exchange: RunningExchange;
let workDir: string;

/** Runs `pbx ARGS` as its own process against the exchange of this test. */
const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const igLead = ['--as', 'lb-brent-system', '--sub', 'lb-brent.ig-lead'];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-audit-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  // Some audited traffic beyond the seeding, then a sequenced log and a checkpoint of it.
  await Promise.all([pbx(['whoami', ...igLead]), pbx(['agreement', 'list', ...igLead])]);
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('PublishAuditCheckpoint');
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx audit export and verify', () => {
  it('exports the whole log, verifies it offline, and refuses it once one byte of an entry changed', async () => {
    const exported = await pbx(['audit', 'export', '--out', 'pack.json', ...igLead]);
    expect(exported).toMatchObject({ code: 0 });
    expect(exported.stdout).toMatch(
      /^wrote \d+ leaves \[0, \d+\) to pack\.json: \d+ entries in full, \d+ of other organisations as leaf hashes\n/,
    );

    const verified = await pbx(['audit', 'verify', 'pack.json']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /^verified the whole log \(\d+ entries; \d+ more as leaf hashes, which the root covers, root recomputed\)/,
    );
    const [, size, root] = /checkpoint size (\d+), root (\S+)/.exec(verified.stdout) ?? [];
    expect(exported.stdout).toContain(`size ${size}, root ${root}`);
    expect(verified.stderr).toContain('warning: trusting the checkpoint key the pack itself names');

    const text = await readFile(join(workDir, 'pack.json'), 'utf8');
    const pack = JSON.parse(text) as {
      format: string;
      checkpointKey: string;
      leaves: { index: number; entry?: { id: string } }[];
    };
    expect(pack.format).toBe('pbx-audit-evidence/v2');
    const shown = pack.leaves.filter((leaf) => leaf.entry !== undefined);
    const pinned = await pbx(['audit', 'verify', 'pack.json', '--key', pack.checkpointKey]);
    expect(pinned).toMatchObject({ code: 0, stderr: '' });

    // One byte of one entry's id, in the file as written.
    const victim = shown[Math.floor(shown.length / 2)];
    if (victim?.entry === undefined) throw new Error('the pack has no entries');
    const { id } = victim.entry;
    const changed = `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
    expect(text.split(id)).toHaveLength(2);
    await writeFile(join(workDir, 'tampered.json'), text.replace(id, changed));
    const refused = await pbx(['audit', 'verify', 'tampered.json', '--key', pack.checkpointKey]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`first bad entry: ${victim.index}`);
    expect(refused.stderr).toContain('NOT_INCLUDED');
  }, 120_000);

  it('exports a range, verifies it as a range, and refuses a rollback', async () => {
    const exported = await pbx([
      'audit',
      'export',
      '--out',
      'range.json',
      '--from',
      '1',
      '--to',
      '3',
      ...igLead,
    ]);
    expect(exported).toMatchObject({ code: 0 });
    const verified = await pbx(['audit', 'verify', 'range.json']);
    expect(verified.code).toBe(0);
    const [, size, root] = /checkpoint size (\d+), root (\S+)/.exec(verified.stdout) ?? [];
    expect(verified.stdout).toContain(`verified entries [1, 3) of ${size}`);

    const rollback = await pbx([
      'audit',
      'verify',
      'range.json',
      '--previous-size',
      String(Number(size) + 1),
      '--previous-root',
      root ?? '',
    ]);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain('ROLLBACK');
  }, 120_000);

  it('is refused for a caller without an audit role', async () => {
    const refused = await pbx(['audit', 'export', '--out', 'nope.json', '--as', 'lb-brent-system']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 403');
  }, 60_000);
});
