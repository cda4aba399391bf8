import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientSettings } from '../aws-client-settings.ts';

const writeCommand = /^(Put|Update|Delete|BatchWrite|TransactWrite)(Item|Items)?Command$/;

/**
 * One document client per process. The endpoint, region and credentials come from the standard AWS environment
 * (AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local), so handlers are the same in AWS and locally.
 */
export const createDocumentClient = (
  client: DynamoDBClient = new DynamoDBClient({ ...awsClientSettings }),
): DynamoDBDocumentClient => {
  // A write's body is sent only once DynamoDB answers `100 Continue`. A store that hangs never does, so the body of
  // a write whose caller was answered 503 never reaches it and cannot be committed when it resumes (measured: a
  // request already sent is still read and applied after the client resets the connection). The SDK opens a new
  // connection for such a request; reads keep the pooled ones.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined && writeCommand.test(context.commandName ?? '')) {
        request.headers.expect = '100-continue';
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'pbxExpectContinue', override: true },
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
};
