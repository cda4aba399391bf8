import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientSettings } from '#shared/adapters/aws-client-settings.ts';
import { dynamoHealthProbe } from '#shared/adapters/dynamodb/health-probe.ts';
import { s3HealthProbe } from '#shared/adapters/s3/health-probe.ts';
import { DependencyError } from '#shared/domain/errors.ts';
import { checkHealth } from '#shared/domain/health/check-health.ts';
import { publicOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = publicOperation(
  operations.GetHealth,
  (runtime) => ({
    probes: [
      // One attempt: a health check asks whether the store answers now, not after retries.
      dynamoHealthProbe(
        new DynamoDBClient({ ...awsClientSettings, maxAttempts: 1 }),
        runtime.table('registry'),
      ),
      s3HealthProbe(runtime.s3, runtime.bucket('payloads')),
    ],
  }),
  async (deps) => {
    const report = await checkHealth(deps, { timeoutMs: 2_000 });
    if (report.status !== 'ok') {
      const down = Object.entries(report.checks).map(([name, state]) => `${name}: ${state}`);
      throw new DependencyError(
        'DEPENDENCY_UNAVAILABLE',
        'a dependency of the exchange does not answer',
        down,
      );
    }
    return { answer: { status: report.status, checks: report.checks }, audited: [] };
  },
);
