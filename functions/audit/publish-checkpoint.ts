import { lazyCheckpointKey } from '#shared/adapters/crypto/checkpoint-key.ts';
import { DynamoCheckpointStore } from '#shared/adapters/dynamodb/checkpoint-store.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { S3CheckpointArchive } from '#shared/adapters/s3/checkpoint-archive.ts';
import { checkpointKeySourceFromEnvironment } from '#shared/adapters/secrets/checkpoint-key-source.ts';
import { loadCheckpointPolicy } from '#shared/config.ts';
import { publishCheckpoint, publishVerifierKey } from '#shared/domain/audit/publish-checkpoint.ts';
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
    const archive = new S3CheckpointArchive(runtime.s3, runtime.bucket('auditCheckpoints'));
    return {
      log: new DynamoMerkleLogStore(runtime.doc, runtime.table('audit')),
      checkpoints: new DynamoCheckpointStore(runtime.doc, runtime.table('audit')),
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
