import { checkpointOrigin, publishedVerifierKey } from '#shared/adapters/crypto/checkpoint-key.ts';
import { discoveryDocument } from '#shared/domain/auth/protocol.ts';
import { publicOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { checkpointArchive } from '#shared/http/stores.ts';

/**
 * The exchange id and protocol parameters, with the verifier key clients check checkpoints against offline, as the
 * checkpoint publisher published it: this public operation never holds the signing secret.
 */
export const handler = publicOperation(
  operations.GetDiscovery,
  (runtime) => ({
    exchangeId: runtime.exchangeId(),
    checkpointKey: publishedVerifierKey(checkpointArchive(runtime)),
  }),
  async (deps) => ({
    answer: discoveryDocument(deps.exchangeId, {
      origin: checkpointOrigin(deps.exchangeId),
      checkpointKey: await deps.checkpointKey(),
    }),
    audited: [],
  }),
);
