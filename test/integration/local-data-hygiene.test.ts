import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExchange } from '#local/exchange.ts';
import { recordingCaller } from '../support/request-exchange.ts';

// Issue 13, findings 7 and 8: what the local exchange leaves on disk, and what it takes from there.
let parent: string;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'pbx-hygiene-'));
});

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

/** Every folder and file under `root` (itself included) with its permission bits. */
const modesUnder = async (root: string): Promise<{ path: string; mode: number; folder: boolean }[]> => {
  const found = [{ path: root, mode: (await stat(root)).mode & 0o777, folder: true }];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    // DynamoDB Local's SQLite journal comes and goes while it runs: a file gone since readdir is not checked.
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue;
    found.push({ path, mode: info.mode & 0o777, folder: entry.isDirectory() });
  }
  return found;
};

const octal = (mode: number) => `0${mode.toString(8)}`;

/** The entries readable, writable or enterable by anyone but the owner, as `0755 /keys`. */
const openEntries = async (dataDir: string) =>
  (await modesUnder(dataDir))
    .filter((e) => e.mode !== (e.folder ? 0o700 : 0o600))
    .map((e) => `${octal(e.mode)} ${e.path.slice(dataDir.length) || '/'}`);

describe('the local data dir', () => {
  it('holds only 0700 folders and 0600 files, across a restart over data an older start left open', async () => {
    const dataDir = join(parent, 'fresh', 'data');
    const first = await startExchange({ dataDir, schedules: false });
    try {
      // Some data in every store: a registry change, sequenced audit entries, a published checkpoint.
      const brent = await recordingCaller(first, 'lb-brent.ig-lead');
      expect((await brent.whoami()).status).toBe(200);
      await first.runSchedule('SequenceAuditLog');
      await first.runSchedule('PublishAuditCheckpoint');
      // While it runs too: what DynamoDB Local and s3rver wrote since the start is owner-only already.
      expect(await openEntries(dataDir)).toEqual([]);
    } finally {
      await first.stop();
    }
    expect(await openEntries(dataDir)).toEqual([]);
    const afterFirst = await modesUnder(dataDir);
    expect(afterFirst.filter((e) => !e.folder).map((e) => e.path)).toContainEqual(
      expect.stringMatching(/dynamodb/),
    );
    expect(afterFirst.filter((e) => e.path.includes(`${join(dataDir, 's3')}/`)).length).toBeGreaterThan(2);

    // What an earlier version left: folders 0755 and files 0644.
    for (const entry of afterFirst) await chmod(entry.path, entry.folder ? 0o755 : 0o644);
    const second = await startExchange({ dataDir, schedules: false });
    try {
      const brent = await recordingCaller(second, 'lb-brent.ig-lead');
      expect((await brent.whoami()).status).toBe(200);
      await second.runSchedule('SequenceAuditLog');
    } finally {
      await second.stop();
    }

    expect(await openEntries(dataDir)).toEqual([]);
  });

  it('refuses to register a published test key found in the keys folder (PUBLISHED_TEST_KEY)', async () => {
    const dataDir = join(parent, 'test-key');
    await mkdir(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    // The ES256 test key with its private half, as docs/PROTOCOL.md prints it for anyone to copy.
    const protocol = await readFile(
      fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url)),
      'utf8',
    );
    const published = /^\{"kty":"EC".*"d":.*\}$/m.exec(protocol)?.[0];
    expect(published).toBeDefined();
    await writeFile(join(dataDir, 'keys', 'lb-brent-system.jwk.json'), published ?? '', { mode: 0o600 });
    const outcome = await startExchange({ dataDir, schedules: false }).then(
      async (started) => {
        await started.stop();
        return 'started';
      },
      (error: unknown) => (error as { code?: string }).code,
    );
    expect(outcome).toBe('PUBLISHED_TEST_KEY');
  });
});
