import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import type { RunningExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';

/** A DynamoDB client on the exchange's DynamoDB Local, to look at what the handlers stored. */
export const localDynamoClient = (exchange: Pick<RunningExchange, 'dynamoEndpoint'>): DynamoDBClient =>
  new DynamoDBClient({
    endpoint: exchange.dynamoEndpoint,
    region: localRegion,
    credentials: localCredentials,
  });

/** A signing client `clientId`, with its seeded key unless another is given, acting for `subject` if given. */
export const clientOf = async (
  exchange: Pick<RunningExchange, 'url' | 'keysDir' | 'exchangeId'>,
  clientId: string,
  options: { key?: PrivateJwk; subject?: string } = {},
): Promise<PbxClient> =>
  new PbxClient({
    url: exchange.url,
    clientId,
    key: options.key ?? (await readPrivateKey(localKeyFile(exchange.keysDir, clientId))),
    audience: exchange.exchangeId,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
  });

/** A signing client of `<org>-system`, with its seeded key, acting for `user` (`<org>.<name>`). */
export const clientActingFor = (
  exchange: Pick<RunningExchange, 'url' | 'keysDir' | 'exchangeId'>,
  user: string,
): Promise<PbxClient> => clientOf(exchange, `${user.split('.')[0] ?? user}-system`, { subject: user });
