import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HealthProbe } from '../../ports/health-probe.ts';

/** DynamoDB answers if it can describe the table the function is bound to. */
export const dynamoHealthProbe = (client: DynamoDBClient, tableName: string): HealthProbe => ({
  name: 'dynamodb',
  check: async (signal) => {
    await client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal });
  },
});
