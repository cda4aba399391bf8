import { lazyCheckpointKey } from '#shared/adapters/crypto/checkpoint-key.ts';
import { checkpointKeySourceFromEnvironment } from '#shared/adapters/secrets/checkpoint-key-source.ts';
import { loadConfig } from '#shared/config.ts';
import { discoveryDocument } from '#shared/domain/auth/protocol.ts';
import { answerAuditFromEnvironment } from '#shared/http/answer-audit.ts';
import { publicRoute } from '#shared/http/route.ts';

const config = loadConfig(['EXCHANGE_ID']);
// The function derives the checkpoint key only to publish its public half: the verifier key clients check
// checkpoints against offline.
const checkpointKey = lazyCheckpointKey(config.EXCHANGE_ID, checkpointKeySourceFromEnvironment());

export const handler = publicRoute(answerAuditFromEnvironment(), async () => {
  const { origin, verifierKey } = await checkpointKey();
  return {
    statusCode: 200,
    body: discoveryDocument(config.EXCHANGE_ID, { origin, checkpointKey: verifierKey }),
  };
});
