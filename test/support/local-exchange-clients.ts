import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localKeyFile, PbxClient, readPrivateKey } from '#cli/client.ts';
import type { RunningExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';

/** A DynamoDB client on the exchange's DynamoDB Local, to look at what the handlers stored. */
export const localDynamoClient = (exchange: Pick<RunningExchange, 'dynamoEndpoint'>): DynamoDBClient =>
  new DynamoDBClient({
    endpoint: exchange.dynamoEndpoint,
    region: localRegion,
    credentials: localCredentials,
  });

/** A signing client of `<org>-system`, with its seeded key, acting for `user` (`<org>.<name>`). */
export const clientActingFor = async (
  exchange: Pick<RunningExchange, 'url' | 'keysDir' | 'exchangeId'>,
  user: string,
): Promise<PbxClient> => {
  const clientId = `${user.split('.')[0] ?? user}-system`;
  return new PbxClient({
    url: exchange.url,
    clientId,
    key: await readPrivateKey(localKeyFile(exchange.keysDir, clientId)),
    audience: exchange.exchangeId,
    subject: user,
  });
};
