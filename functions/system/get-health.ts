import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientSettings } from '#shared/adapters/aws-client-settings.ts';
import { dynamoHealthProbe } from '#shared/adapters/dynamodb/health-probe.ts';
import { createS3Client } from '#shared/adapters/s3/client.ts';
import { s3HealthProbe } from '#shared/adapters/s3/health-probe.ts';
import { loadConfig } from '#shared/config.ts';
import { DependencyError } from '#shared/domain/errors.ts';
import { checkHealth } from '#shared/domain/health/check-health.ts';
import { answerAuditFromEnvironment } from '#shared/http/answer-audit.ts';
import { publicRoute } from '#shared/http/route.ts';

const config = loadConfig(['REGISTRY_TABLE_NAME', 'PAYLOADS_BUCKET_NAME']);
const probes = [
  dynamoHealthProbe(new DynamoDBClient({ ...awsClientSettings, maxAttempts: 1 }), config.REGISTRY_TABLE_NAME),
  s3HealthProbe(createS3Client(), config.PAYLOADS_BUCKET_NAME),
];

export const handler = publicRoute(answerAuditFromEnvironment(), async () => {
  const report = await checkHealth({ probes }, { timeoutMs: 2_000 });
  if (report.status !== 'ok') {
    const down = Object.entries(report.checks).map(([name, state]) => `${name}: ${state}`);
    throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'a dependency of the exchange does not answer', down);
  }
  return { statusCode: 200, body: report };
});
