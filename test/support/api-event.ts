import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { toApiGatewayEvent } from '#local/http-adapter.ts';

/** An API Gateway v2 event as the local adapter (and API Gateway) builds it. */
export const apiEvent = (method: string, url: string, routeKey: string, body = ''): APIGatewayProxyEventV2 =>
  toApiGatewayEvent(
    {
      method,
      url,
      headers: { host: 'pbx.test' },
      cookies: [],
      body: Buffer.from(body),
      sourceIp: '192.0.2.1',
    },
    { routeKey, pathParameters: {} },
    new Date(),
  );

export const lambdaContext = { awsRequestId: 'test-request', functionName: 'test' } as unknown as Context;

export type Invoke = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export const parsed = (result: APIGatewayProxyStructuredResultV2) => ({
  status: result.statusCode,
  body: JSON.parse(result.body ?? 'null') as Record<string, unknown>,
});
