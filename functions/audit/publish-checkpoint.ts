import { lazyCheckpointKey } from '#shared/adapters/crypto/checkpoint-key.ts';
import { checkpointKeySourceFromEnvironment } from '#shared/adapters/secrets/checkpoint-key-source.ts';
import { loadCheckpointPolicy } from '#shared/config.ts';
import { publishCheckpoint, publishVerifierKey } from '#shared/domain/audit/publish-checkpoint.ts';
import { checkpointArchive, checkpointStore, merkleLogStore } from '#shared/http/stores.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

const policy = loadCheckpointPolicy();
// Once per cold start: the verifier key is write-once, so a later run only finds it there.
let verifierKeyPublished = false;

/**
 * Scheduled: publishes the checkpoint verifier key (first run of each cold start), then signs and publishes a
 * checkpoint of the Merkle log when one is due (1,000 entries or 5 minutes).
 */
export const handler = scheduledFunction(
  'PublishAuditCheckpoint',
  (runtime) => {
    const archive = checkpointArchive(runtime);
    return {
      log: merkleLogStore(runtime),
      checkpoints: checkpointStore(runtime),
      archive,
      verifierKeys: archive,
      clock: runtime.clock,
      key: lazyCheckpointKey(runtime.exchangeId(), checkpointKeySourceFromEnvironment()),
    };
  },
  async (deps) => {
    if (!verifierKeyPublished) {
      await publishVerifierKey(deps);
      verifierKeyPublished = true;
    }
    const publication = await publishCheckpoint(deps, policy);
    if (publication.published) logger.info('audit checkpoint published', { size: publication.size });
    return publication;
  },
);
