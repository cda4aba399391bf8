import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

/**
 * `npm run build:cli` (run by `npm ci` through `prepare`): the pbx command built to one JavaScript module, so that a
 * call starts without compiling TypeScript. cli/pbx.js runs it; test/support/build-cli.ts rebuilds it when a source
 * changed since.
 */

const projectRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * The built command and esbuild's list of the files it was built from. dist/cli/ is as deep in the repository as
 * cli/commands/, so code that finds the repository from its own URL (`.local/keys`, cli/commands/connect.ts) finds
 * the same folder built as it does from source.
 */
export const cliBuild = {
  bundle: join(projectRoot, 'dist/cli/pbx.mjs'),
  metafile: join(projectRoot, 'dist/cli/pbx.meta.json'),
} as const;

const cliBuildOptions: BuildOptions = {
  entryPoints: [join(projectRoot, 'cli/pbx.ts')],
  absWorkingDir: projectRoot,
  outfile: cliBuild.bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The oldest Node the project supports (package.json engines).
  target: 'node20',
  minify: true,
  // Read only when PBX_DEBUG asks for stack traces (cli/pbx.js).
  sourcemap: 'linked',
  // Some dependencies still call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  metafile: true,
  write: false,
};

/**
 * Builds the command. Each file is written beside its final name and renamed over it, so a pbx started meanwhile
 * (test files run in parallel) runs the old build or the new one, never half of one; the bundle comes last and
 * carries the time the build started, which is what a later freshness check compares sources against.
 */
export const buildCli = async (): Promise<void> => {
  const started = new Date();
  const result = await build(cliBuildOptions);
  await mkdir(dirname(cliBuild.bundle), { recursive: true });
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  const files: { path: string; contents: Uint8Array | string }[] = [
    ...(result.outputFiles ?? []).map((f) => ({ path: f.path, contents: f.contents })),
    { path: cliBuild.metafile, contents: JSON.stringify(result.metafile) },
  ].sort((a, b) => Number(a.path === cliBuild.bundle) - Number(b.path === cliBuild.bundle));
  for (const file of files) {
    await writeFile(file.path + suffix, file.contents);
    if (file.path === cliBuild.bundle) await utimes(file.path + suffix, started, started);
    await rename(file.path + suffix, file.path);
  }
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildCli();
  console.log(`built ${relative(projectRoot, cliBuild.bundle)}`);
}
