import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type AuthenticationDeps, authenticateRequest } from '../domain/auth/authenticate-request.ts';
import type { Principal } from '../domain/auth/verify-signed-request.ts';
import { logger } from '../logger.ts';
import { answerAudit, httpResponse, inRequestScope, middyOptions, type RouteResult } from './route.ts';

export type SignedContext = Context & { principal: Principal };
export type SignedRouteHandler = (
  event: APIGatewayProxyEventV2,
  context: SignedContext,
) => Promise<RouteResult>;

/** The raw body bytes as API Gateway delivered them: the signature binds these, not a re-serialised parse. */
export const rawBodyOf = (event: APIGatewayProxyEventV2): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** The path and query string exactly as the client sent them. */
export const pathAndQueryOf = (event: APIGatewayProxyEventV2): string =>
  event.rawQueryString === '' || event.rawQueryString === undefined
    ? event.rawPath
    : `${event.rawPath}?${event.rawQueryString}`;

/**
 * Verifies the signed request before the handler runs and before any data access; on success the principal is on
 * `context.principal`. A refusal never reaches the handler: it is audited and answered by the error table.
 */
const verifySignedRequest = (
  deps: AuthenticationDeps,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, SignedContext> => ({
  before: async (request) => {
    const { event } = request;
    request.context.principal = await authenticateRequest(deps, {
      authorization: event.headers.authorization,
      method: event.requestContext.http.method,
      pathAndQuery: pathAndQueryOf(event),
      body: rawBodyOf(event),
      route: event.routeKey,
    });
    logger.appendKeys({ clientId: request.context.principal.clientId });
  },
});

/** A route that requires a signed request (docs/PROTOCOL.md); each answer is audited once (route.ts). */
export const signedRoute = (deps: AuthenticationDeps, handler: SignedRouteHandler) =>
  inRequestScope(
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, SignedContext>(middyOptions)
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(answerAudit(deps))
      .use(httpResponse())
      .use(verifySignedRequest(deps))
      .handler(handler as never),
  );
