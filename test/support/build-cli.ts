import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { buildCli, cliBuild } from '../../scripts/build-cli.ts';

/**
 * The CLI tests run the built command (dist/cli/pbx.mjs), as a user does, while its sources change under
 * development: this rebuilds it first when it is missing, or when any file it was built from (esbuild's metafile:
 * the CLI, the shared code and the packages it bundles) or the build script itself changed since the build
 * started. Also a vitest globalSetup (`export default`), so that one run builds once before the test files start.
 */

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const buildScript = fileURLToPath(new URL('../../scripts/build-cli.ts', import.meta.url));

const metafileSchema = z.object({ inputs: z.record(z.string(), z.unknown()) });

const modifiedAt = async (path: string): Promise<number | undefined> =>
  (await stat(path).catch(() => undefined))?.mtimeMs;

const isFresh = async (): Promise<boolean> => {
  const builtAt = await modifiedAt(cliBuild.bundle);
  const metafile = await readFile(cliBuild.metafile, 'utf8').catch(() => undefined);
  if (builtAt === undefined || metafile === undefined) return false;
  const sources = [
    buildScript,
    ...Object.keys(metafileSchema.parse(JSON.parse(metafile)).inputs).map((input) =>
      resolve(projectRoot, input),
    ),
  ];
  const changed = await Promise.all(
    sources.map(async (source) => {
      const at = await modifiedAt(source);
      return at === undefined || at > builtAt;
    }),
  );
  return !changed.includes(true);
};

let ready: Promise<void> | undefined;

/** Builds the CLI if it is not built from the sources as they are now; once per process. */
export const ensureCliBuilt = (): Promise<void> => {
  ready ??= isFresh().then((fresh) => (fresh ? undefined : buildCli()));
  return ready;
};

export default ensureCliBuilt;
