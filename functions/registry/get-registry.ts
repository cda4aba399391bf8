import { publishRegistry } from '#shared/domain/registry/publish-registry.ts';
import { publicOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { registryTable } from '#shared/http/stores.ts';

/** The registry as public information; read whole each time (a rare call), never from a warm copy. */
export const handler = publicOperation(
  operations.GetRegistry,
  (runtime) => ({
    registry: registryTable(runtime),
    exchangeId: runtime.exchangeId(),
  }),
  async (deps) => ({ answer: await publishRegistry(deps, { exchangeId: deps.exchangeId }), audited: [] }),
);
