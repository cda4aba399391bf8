import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

it('keeps the worked example in docs/PROTOCOL.md true: every value recomputed and verified', async () => {
  // The script rebuilds the example byte by byte, verifies it with jose and with the exchange's own verifier,
  // and exits non-zero if the document's generated section differs from what it computes.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/protocol-example.ts'],
    { cwd: projectRoot },
  );
  expect(stdout).toContain('Authorization: PBX-JWS ');
}, 60_000);
