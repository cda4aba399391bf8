import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '#cli/commands/cli-error.ts';
import type { Io } from '#cli/commands/command.ts';
import { byteProgress, countProgress } from '#cli/commands/progress.ts';
import { hashFile, writeVerified } from '#cli/commands/share-transfer.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const chunksOf = (bytes: Buffer, size = 1000): AsyncIterable<Uint8Array> =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pbx-share-transfer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const payload = Buffer.from('the share: protection plan none; address history HA1 '.repeat(100));

describe('writeVerified: a download reaches its path only once verified', () => {
  it('writes the bytes, readable by the user only, when size and SHA-256 match', async () => {
    const out = join(dir, 'share.bin');
    const written = await writeVerified(chunksOf(payload), out, {
      sha256: sha256(payload),
      size: payload.length,
    });
    expect(written).toEqual({ sha256: sha256(payload), size: payload.length });
    expect((await readFile(out)).equals(payload)).toBe(true);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['share.bin']);
  });

  it('leaves nothing behind, neither at the path nor beside it, when the SHA-256 is wrong', async () => {
    const out = join(dir, 'share.bin');
    const tampered = Buffer.from(payload);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    const failure = await writeVerified(chunksOf(tampered), out, {
      sha256: sha256(payload),
      size: payload.length,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).code).toBe('UNTRUSTED_ANSWER');
    expect((failure as CliError).exitCode).toBe(1);
    expect((failure as CliError).message).toContain('nothing was written');
    expect(await readdir(dir)).toEqual([]);
  });

  it('stops at the first byte beyond the stated size, and refuses a short download', async () => {
    const expected = { sha256: sha256(payload), size: payload.length };
    const longer = Buffer.concat([payload, Buffer.from('more')]);
    await expect(writeVerified(chunksOf(longer), join(dir, 'a'), expected)).rejects.toThrow(/larger than/);
    await expect(writeVerified(chunksOf(payload.subarray(1)), join(dir, 'b'), expected)).rejects.toThrow(
      /has \d+ bytes, not/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves an existing file alone when the download fails verification', async () => {
    const out = join(dir, 'share.bin');
    await writeFile(out, 'earlier');
    await expect(
      writeVerified(chunksOf(payload), out, { sha256: '0'.repeat(64), size: payload.length }),
    ).rejects.toThrow(/SHA-256/);
    expect(await readFile(out, 'utf8')).toBe('earlier');
  });

  it('hashes a file as a stream', async () => {
    const path = join(dir, 'in.bin');
    await writeFile(path, payload);
    expect(await hashFile(path)).toEqual({ sha256: sha256(payload), size: payload.length });
  });
});

const capture = (stderrIsTty: boolean) => {
  const written: string[] = [];
  const io: Io = {
    env: {},
    cwd: '/',
    stdin: Readable.from([]),
    stdout: () => undefined,
    stderr: (text) => written.push(text),
    stderrIsTty,
    setExitStatus: () => undefined,
  };
  return { io, written };
};

describe('progress on stderr', () => {
  it('is silent below the threshold', () => {
    const { io, written } = capture(true);
    const progress = byteProgress(io, 'uploading x', 1000);
    progress.advance(1000);
    progress.done();
    expect(written).toEqual([]);
  });

  it('writes a line at the start and one at the end when stderr is not a terminal', () => {
    const { io, written } = capture(false);
    let now = 0;
    const progress = byteProgress(io, 'uploading x', 4 * 1024 * 1024, { now: () => now });
    for (let i = 0; i < 4; i += 1) progress.advance(1024 * 1024);
    now = 1500;
    progress.done();
    progress.done();
    expect(written).toEqual(['uploading x: 4.0 MiB\n', 'uploading x: 4.0 MiB of 4.0 MiB, done in 1.5 s\n']);
  });

  it('redraws a bar in place on a terminal, at most every 100 ms, and ends its line', () => {
    const { io, written } = capture(true);
    let now = 0;
    const progress = byteProgress(io, 'downloading', 2 * 1024 * 1024, { now: () => now });
    progress.advance(512 * 1024);
    now = 150;
    progress.advance(512 * 1024);
    now = 160;
    progress.advance(512 * 1024);
    progress.abort();
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\rdownloading \[\.{30}\] 0 B \/ 2\.0 MiB {3}0%$/);
    expect(written[1]).toMatch(/^\rdownloading \[#{15}\.{15}\] 1\.0 MiB \/ 2\.0 MiB {2}50%$/);
    expect(written[2]).toBe('\n');
  });

  it('counts items every thousand for large tasks (audit export)', () => {
    const { io, written } = capture(false);
    const tick = countProgress(io, 'entries', 2500);
    for (let i = 0; i < 2500; i += 1) tick();
    expect(written).toEqual([
      'entries: 1000/2500 (40%)\n',
      'entries: 2000/2500 (80%)\n',
      'entries: 2500/2500 (100%)\n',
    ]);
  });
});
