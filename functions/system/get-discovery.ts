import { loadConfig } from '#shared/config.ts';
import { discoveryDocument } from '#shared/domain/auth/protocol.ts';
import { publicRoute } from '#shared/http/route.ts';

const config = loadConfig(['EXCHANGE_ID']);
const document = discoveryDocument(config.EXCHANGE_ID);

export const handler = publicRoute(async () => ({ statusCode: 200, body: document }));
