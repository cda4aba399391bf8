import { listClientKeys } from '#shared/domain/registry/manage-client-keys.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** A client's keys with their status: public information, as in the registry. */
export const handler = signedOperation(
  operations.ListClientKeys,
  (runtime) => ({ registry: runtime.registry }),
  async (deps, call) => ({
    answer: { keys: await listClientKeys(deps, { clientId: call.pathId('clientId', 'client') }) },
    audited: [],
  }),
);
