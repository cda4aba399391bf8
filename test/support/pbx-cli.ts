import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureCliBuilt } from './build-cli.ts';

const launcher = fileURLToPath(new URL('../../cli/pbx.js', import.meta.url));
const run = promisify(execFile);

// Before any test of this file's importer launches pbx, here or on its own (cli-hygiene, events --follow).
await ensureCliBuilt();

export type CliOutcome = { code: number; stdout: string; stderr: string };

const isExecFailure = (error: unknown): error is CliOutcome =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  typeof error.code === 'number' &&
  'stdout' in error &&
  'stderr' in error;

/**
 * Runs `pbx ARGS` as its own process, the way a user does (the launcher and the CLI as built at install, rebuilt
 * first if its sources changed), against one exchange: its URL and keys folder come through PBX_URL and
 * PBX_KEYS_DIR, and an inherited PBX_SUB is cleared so every test names its user itself.
 */
export const runPbx = async (
  target: { readonly url: string; readonly keysDir: string; readonly cwd?: string },
  args: readonly string[],
  options: { readonly stdin?: string } = {},
): Promise<CliOutcome> => {
  const env: NodeJS.ProcessEnv = { ...process.env, PBX_URL: target.url, PBX_KEYS_DIR: target.keysDir };
  delete env.PBX_SUB;
  const running = run(process.execPath, [launcher, ...args], {
    ...(target.cwd === undefined ? {} : { cwd: target.cwd }),
    env,
  });
  running.child.stdin?.end(options.stdin ?? '');
  try {
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (isExecFailure(error)) return { code: error.code, stdout: error.stdout, stderr: error.stderr };
    throw error;
  }
};
