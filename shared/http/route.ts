import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PbxError } from '../domain/errors.ts';
import { logger } from '../logger.ts';
import { errorResponse } from './error-response.ts';

/** What a route handler returns: a success status and a body the middleware serialises as JSON. */
export type RouteResult = { statusCode: 200 | 201 | 204; body?: unknown; headers?: Record<string, string> };

export type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<RouteResult>;

const baseHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/**
 * Serialises results and maps errors through the one error table. 5xx bodies never carry internals; the error
 * is logged by class and code only, never with the request's body or headers.
 */
export const httpResponse = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  after: (request) => {
    const result = request.response as unknown as RouteResult;
    request.response = {
      statusCode: result.statusCode,
      headers: { ...baseHeaders, ...result.headers },
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    };
  },
  onError: (request) => {
    const { statusCode, body } = errorResponse(request.error);
    const error = request.error;
    if (statusCode >= 500) {
      logger.error('request failed', {
        errorName: error?.name,
        ...(error instanceof PbxError ? { code: error.code } : {}),
      });
    }
    request.response = { statusCode, headers: baseHeaders, body: JSON.stringify(body) };
  },
});

/**
 * Every route answers in well under its Lambda timeout; middy's early-timeout timer would cost a timer per
 * request (measured by `npm run bench:auth`) for a response nobody needs.
 */
export const middyOptions = { timeoutEarlyInMillis: 0 };

/** A route that needs no signature (health, registry, discovery): public information only. */
export const publicRoute = (handler: RouteHandler) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(middyOptions)
    .use(injectLambdaContext(logger))
    .use(httpResponse())
    .handler(handler as never);
