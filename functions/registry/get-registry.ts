import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { loadConfig } from '#shared/config.ts';
import { publishRegistry } from '#shared/domain/registry/publish-registry.ts';
import { answerAuditFromEnvironment } from '#shared/http/answer-audit.ts';
import { publicRoute } from '#shared/http/route.ts';

const config = loadConfig(['EXCHANGE_ID', 'REGISTRY_TABLE_NAME']);
const deps = { registry: new DynamoRegistryReader(createDocumentClient(), config.REGISTRY_TABLE_NAME) };

export const handler = publicRoute(answerAuditFromEnvironment(), async () => ({
  statusCode: 200,
  body: await publishRegistry(deps, { exchangeId: config.EXCHANGE_ID }),
}));
