import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('../', import.meta.url));

/** A function's handler file, from its entry relative to functions/ (shared/http/operations.ts, functions/schedules.ts). */
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
  // The Lambda Node.js runtime ships AWS SDK v3 (its own minor version, not the pinned one): bundling it again adds
  // 350-500 kB of clients and @smithy to each bundle, and to its cold start. pbx uses only long-stable DynamoDB, S3,
  // Secrets Manager and EventBridge calls; the infra test loads each bundle against the pinned SDK.
  externalModules: ['@aws-sdk/*'],
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
