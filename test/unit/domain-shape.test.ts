import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 14: the use cases return typed domain results, never an HTTP answer (the operation owns the status), and
// parse what they read back (report bytes, panel packs) with zod at the boundary. Read as text: comments may name a
// status, code may not. The one strict JSON parser (strict-json.ts) is where JSON.parse belongs.
const domain = join(import.meta.dirname, '../../shared/domain');

const codeOf = (source: string): string =>
  source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");

const sourcesUnder = async (folder: string): Promise<string[]> =>
  (await readdir(folder, { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => join(folder, f));

describe('shared/domain', () => {
  it('speaks no HTTP and never trusts bytes it reads back by a cast', async () => {
    const files = await sourcesUnder(domain);
    expect(files.length).toBeGreaterThan(60);
    const problems: string[] = [];
    for (const file of files) {
      const name = relative(domain, file);
      const code = codeOf(await readFile(file, 'utf8'));
      if (/\bstatusCode\b/.test(code)) problems.push(`${name}: statusCode`);
      if (/\bstatus\s*[:=]\s*[1-5]\d\d\b/.test(code)) problems.push(`${name}: an HTTP status`);
      if (/JSON\.parse\(/.test(code) && name !== 'strict-json.ts') {
        problems.push(`${name}: JSON.parse (parse with zod at the boundary, or strict-json.ts)`);
      }
    }
    expect(problems).toEqual([]);
  });
});
