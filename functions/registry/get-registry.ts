import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { publishRegistry } from '#shared/domain/registry/publish-registry.ts';
import { publicOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** The registry as public information; read whole each time (a rare call), never from a warm copy. */
export const handler = publicOperation(
  operations.GetRegistry,
  (runtime) => ({
    registry: new DynamoRegistryReader(runtime.doc, runtime.table('registry')),
    exchangeId: runtime.exchangeId(),
  }),
  async (deps) => ({ answer: await publishRegistry(deps, { exchangeId: deps.exchangeId }), audited: [] }),
);
