import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // vitest's default on 2 cores is one file at a time. Integration files spend much of their time waiting on
    // DynamoDB Local, the S3 emulator and the pbx processes they start, and the CDK bundling test on esbuild, so
    // three files at once keep both cores busy.
    maxWorkers: 3,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    // The projects share the workers above; a project's global setup runs only when one of its files does.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/integration/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local (a JVM) for all files, each exchange on tables of its own; every exchange starts
          // its own S3 emulator (in-process) on a free port.
          globalSetup: ['test/support/global-dynamodb.ts'],
        },
      },
    ],
  },
});
