import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands } from '#cli/commands/catalog.ts';

// `npm run bench:ig` at a tiny size: it seeds, sequences, projects and asks every question without failing. The
// figures themselves are not checked (no timing assertions in tests).

const script = fileURLToPath(new URL('../../scripts/bench-ig.ts', import.meta.url));

/** The `pbx ig` commands that ask no question of the projection: alerts, and restrictions of a child's entries. */
const notQuestions = new Set(['alerts', 'restrict', 'restrictions']);

/** The questions `pbx ig` asks, and the report, as the command catalogue names them. */
const igQuestions = [
  ...new Set(commands.filter((c) => c.words[0] === 'ig').map((c) => c.words[1] ?? '')),
].filter((name) => !notQuestions.has(name));

describe('npm run bench:ig', () => {
  it('seeds a small year, projects it and times every question as the operator and an IG lead', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, '--requests', '60', '--runs', '1'],
      { timeout: 60_000 },
    );
    const seeded = /^seeding ([\d,]+) entries: (.*)$/m.exec(stdout);
    expect(seeded?.[2]).toContain('request.submit allowed');
    expect(stdout).toMatch(/^sequenced and projected [\d,]+ entries in /m);
    for (const question of igQuestions) {
      expect(stdout).toMatch(new RegExp(`^${question} +operator +\\d+ ms`, 'm'));
      expect(stdout).toMatch(new RegExp(`^${question} +lb-brent IG lead +\\d+ ms`, 'm'));
    }
    expect(stdout).toMatch(/^slowest median \d+ ms/m);
  }, 90_000);
});
