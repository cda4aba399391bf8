import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 14: the CDOP use cases return typed domain results, never an HTTP answer, and parse what they read back
// (report bytes, panel packs) with zod at the boundary. Read as text: comments may name a status, code may not.
const folder = join(import.meta.dirname, '../../shared/domain/cdop');

const codeOf = (source: string): string =>
  source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");

describe('shared/domain/cdop', () => {
  it('speaks no HTTP and never trusts bytes it reads back by a cast', async () => {
    const files = (await readdir(folder)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const file of files) {
      const code = codeOf(await readFile(join(folder, file), 'utf8'));
      if (/\bstatusCode\b/.test(code)) problems.push(`${file}: statusCode`);
      if (/\bstatus\s*[:=]\s*[1-5]\d\d\b/.test(code)) problems.push(`${file}: an HTTP status`);
      if (/JSON\.parse\(/.test(code)) problems.push(`${file}: JSON.parse (parse with zod at the boundary)`);
    }
    expect(problems).toEqual([]);
  });
});
