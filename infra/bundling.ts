import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('../', import.meta.url));

/** A function's handler file, from its entry relative to functions/ (functions/routes.ts, functions/schedules.ts). */
export const functionEntryFile = (entry: string): string => join(projectRoot, 'functions', entry);

/**
 * How every Lambda function is bundled: the one definition, used by the house function construct
 * (infra/constructs/app-function.ts) and by `npm run bench:bundles`, which bundles the same entries with esbuild's
 * API to measure them.
 */
export const lambdaBundling = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  logLevel: LogLevel.WARNING,
  sourceMap: true,
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); give ESM bundles one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  // Bundle the pinned AWS SDK rather than trust whatever version the runtime ships.
  externalModules: [],
} as const satisfies BundlingOptions;

/**
 * The same options for esbuild's API, as NodejsFunction passes them to esbuild's command line (it adds `--bundle
 * --platform=node` and the output file).
 */
export const lambdaBuildOptions = (entry: string): BuildOptions => ({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: lambdaBundling.format,
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourceMap,
  mainFields: [...lambdaBundling.mainFields],
  banner: { js: lambdaBundling.banner },
  external: [...lambdaBundling.externalModules],
  logLevel: lambdaBundling.logLevel,
});
