import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../aws-client-config.ts';

/**
 * One document client per process, with the exchange's time limits (aws-client-config.ts). The endpoint, region and credentials come from the standard AWS environment
 * (AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local), so handlers are the same in AWS and locally.
 */
export const createDocumentClient = (
  client: DynamoDBClient = new DynamoDBClient(awsClientConfig()),
): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
