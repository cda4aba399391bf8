import { checkpointOrigin, publishedVerifierKey } from '#shared/adapters/crypto/checkpoint-key.ts';
import { S3CheckpointArchive } from '#shared/adapters/s3/checkpoint-archive.ts';
import { createS3Client } from '#shared/adapters/s3/client.ts';
import { loadConfig } from '#shared/config.ts';
import { discoveryDocument } from '#shared/domain/auth/protocol.ts';
import { answerAuditFromEnvironment } from '#shared/http/answer-audit.ts';
import { publicRoute } from '#shared/http/route.ts';

const config = loadConfig(['EXCHANGE_ID', 'AUDIT_BUCKET_NAME']);
// The verifier key clients check checkpoints against offline, as the checkpoint publisher published it: this
// public route never holds the signing secret.
const checkpointKey = publishedVerifierKey(
  new S3CheckpointArchive(createS3Client(), config.AUDIT_BUCKET_NAME),
);

export const handler = publicRoute(answerAuditFromEnvironment(), async () => ({
  statusCode: 200,
  body: discoveryDocument(config.EXCHANGE_ID, {
    origin: checkpointOrigin(config.EXCHANGE_ID),
    checkpointKey: await checkpointKey(),
  }),
}));
