import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local (a JVM) for all integration files, each exchange on tables of its own; every exchange
    // starts its own S3 emulator (in-process) on a free port.
    // The compiled CLI is built once, before the files that run it start (test/support/build-cli.ts).
    globalSetup: ['test/support/global-dynamodb.ts', 'test/support/build-cli.ts'],
    // Generous, since three files share two cores with DynamoDB Local and the pbx processes: under other load a
    // CLI test that starts a dozen pbx processes took 26 s.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // vitest's default on 2 cores is one file at a time. Integration files spend much of their time waiting on
    // DynamoDB Local, the S3 emulator and the pbx processes they start, and the CDK bundling test on esbuild, so
    // three files at once keep both cores busy. One project on purpose: vitest queues projects one after another,
    // while one queue starts the longest files (by the last run, else the largest) first.
    maxWorkers: 3,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
