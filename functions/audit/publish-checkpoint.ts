import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { lazyCheckpointKey } from '#shared/adapters/crypto/checkpoint-key.ts';
import { DynamoCheckpointStore } from '#shared/adapters/dynamodb/checkpoint-store.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { S3CheckpointArchive } from '#shared/adapters/s3/checkpoint-archive.ts';
import { createS3Client } from '#shared/adapters/s3/client.ts';
import { checkpointKeySourceFromEnvironment } from '#shared/adapters/secrets/checkpoint-key-source.ts';
import { loadCheckpointPolicy, loadConfig } from '#shared/config.ts';
import { publishCheckpoint, publishVerifierKey } from '#shared/domain/audit/publish-checkpoint.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';
import { systemClock } from '#shared/ports/clock.ts';

const config = loadConfig(['EXCHANGE_ID', 'AUDIT_TABLE_NAME', 'AUDIT_BUCKET_NAME']);
const policy = loadCheckpointPolicy();
const doc = createDocumentClient();
const archive = new S3CheckpointArchive(createS3Client(), config.AUDIT_BUCKET_NAME);
const deps = {
  log: new DynamoMerkleLogStore(doc, config.AUDIT_TABLE_NAME),
  checkpoints: new DynamoCheckpointStore(doc, config.AUDIT_TABLE_NAME),
  archive,
  verifierKeys: archive,
  clock: systemClock,
  key: lazyCheckpointKey(config.EXCHANGE_ID, checkpointKeySourceFromEnvironment()),
};

// Once per cold start: the verifier key is write-once, so a later run only finds it there.
let verifierKeyPublished = false;

/**
 * Scheduled: publishes the checkpoint verifier key (first run of each cold start), then signs and publishes a
 * checkpoint of the Merkle log when one is due (1,000 entries or 5 minutes).
 */
export const handler = inInvocationLogger(
  middy()
    .use(injectLambdaContext(logger))
    .handler(async () => {
      if (!verifierKeyPublished) {
        await publishVerifierKey(deps);
        verifierKeyPublished = true;
      }
      const publication = await publishCheckpoint(deps, policy);
      if (publication.published) logger.info('audit checkpoint published', { size: publication.size });
      return publication;
    }),
);
