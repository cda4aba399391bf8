import { publishRegistry } from '#shared/domain/registry/publish-registry.ts';
import { publicOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = publicOperation(
  operations.GetRegistry,
  (runtime) => ({ registry: runtime.registry, exchangeId: runtime.exchangeId() }),
  async (deps) => ({ answer: await publishRegistry(deps, { exchangeId: deps.exchangeId }), audited: [] }),
);
