import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientSettings } from '../aws-client-settings.ts';

/**
 * One document client per process. The endpoint, region and credentials come from the standard AWS environment
 * (AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local), so handlers are the same in AWS and locally.
 */
export const createDocumentClient = (
  client: DynamoDBClient = new DynamoDBClient({ ...awsClientSettings }),
): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
