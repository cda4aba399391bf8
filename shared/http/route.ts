import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { newAuditEntry } from '../domain/audit/audit-entry.ts';
import { actorOf } from '../domain/audit/audited-action.ts';
import type { Principal } from '../domain/auth/verify-signed-request.ts';
import { DependencyError, PbxError } from '../domain/errors.ts';
import { inInvocationLogger, logger } from '../logger.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { Clock } from '../ports/clock.ts';
import { currentRequestScope, runInRequestScope } from '../request-scope.ts';
import { errorResponse } from './error-response.ts';
import { MalformedIdError } from './path-ids.ts';

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

/** What a route needs to audit the answers its handler did not record: the audit log and the clock. */
export type AnswerAuditDeps = { readonly audit: AuditLog; readonly clock: Clock };

const outcomeOf = (statusCode: number) =>
  statusCode >= 500 ? 'failed' : statusCode >= 400 ? 'refused' : 'allowed';

const unavailable = (): APIGatewayProxyStructuredResultV2 => {
  const { statusCode, body } = errorResponse(
    new DependencyError('DEPENDENCY_UNAVAILABLE', 'the answer could not be audited; nothing is served'),
  );
  return { statusCode, headers: baseHeaders, body: JSON.stringify(body) };
};

const internal = (): APIGatewayProxyStructuredResultV2 => {
  const { statusCode, body } = errorResponse(undefined);
  return { statusCode, headers: baseHeaders, body: JSON.stringify(body) };
};

/**
 * Every answer has exactly one audit entry (docs/ARCHITECTURE.md, the audit port). Runs once the response is
 * formed (it is registered before httpResponse, so its after and onError run after that middleware's): if nothing
 * in this request committed an entry (a successful read, an error thrown before any use case recorded one), it
 * records `api.answer` with the outcome of the final status. An answer that cannot be audited is not served: it
 * becomes 503, and an audit write that already failed in this request is not tried again. Never throws, so no raw
 * error leaves the handler.
 */
export const answerAudit = <C extends Context & { principal?: Principal }>(
  deps: AnswerAuditDeps,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, C> => {
  const audit = async (
    request: Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, C>,
  ): Promise<void> => {
    const scope = currentRequestScope();
    if (scope !== undefined && scope.auditEntries > 0) return;
    if (scope?.recordingFailed) {
      // An audit write of this request failed already: the answer is not served, and not audited twice.
      if ((request.response?.statusCode ?? 0) < 500) request.response = unavailable();
      return;
    }
    const statusCode = request.response?.statusCode ?? 500;
    const principal = request.context.principal;
    try {
      await deps.audit.record(
        newAuditEntry(
          {
            actor: principal === undefined ? { kind: 'anonymous' } : actorOf(principal),
            action: 'api.answer',
            // A path id that is not well formed is the target as the log may hold it: its hash, never the text.
            target:
              request.error instanceof MalformedIdError
                ? request.error.target
                : { type: 'route', id: request.event.routeKey },
            outcome: outcomeOf(statusCode),
            // The code the error table gave the answer, from the error itself rather than the serialised body.
            reasonCodes: request.error == null ? [] : [errorResponse(request.error).body.error],
            ...(principal === undefined ? {} : { requestHash: principal.requestHash }),
          },
          deps.clock.now(),
        ),
      );
    } catch (error) {
      if (scope !== undefined) scope.recordingFailed = true;
      logger.error('answer not audited', {
        errorName: (error as Error | undefined)?.name,
        ...(error instanceof PbxError ? { code: error.code } : {}),
      });
      // A store that refused the write as invalid is a bug (500 INTERNAL), not an unavailable store (503).
      request.response = error instanceof DependencyError ? unavailable() : internal();
    }
  };
  return { after: audit, onError: audit };
};

/**
 * Runs each invocation in its own request scope (shared/request-scope.ts), keyed by API Gateway's request id, so
 * every audit entry written while answering carries that id and the answer audit can count them; and with its own
 * logger (shared/logger.ts), so that its lines carry its function name and caller only.
 */
export const inRequestScope = <C extends Context>(
  handler: (event: APIGatewayProxyEventV2, context: C) => Promise<APIGatewayProxyStructuredResultV2>,
) =>
  inInvocationLogger(
    (event: APIGatewayProxyEventV2, context: C): Promise<APIGatewayProxyStructuredResultV2> =>
      runInRequestScope(event.requestContext.requestId, () => handler(event, context)),
  );

/** A route that needs no signature (health, registry, discovery): public information only, its answers audited. */
export const publicRoute = (deps: AnswerAuditDeps, handler: RouteHandler) =>
  inRequestScope(
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(middyOptions)
      .use(injectLambdaContext(logger))
      .use(answerAudit(deps))
      .use(httpResponse())
      .handler(handler as never),
  );
