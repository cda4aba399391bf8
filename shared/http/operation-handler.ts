import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type AuditEntry, newAuditEntry } from '../domain/audit/audit-entry.ts';
import { callerFacts } from '../domain/audit/audited-action.ts';
import { type AuthenticationDeps, authenticateRequest } from '../domain/auth/authenticate-request.ts';
import { authorizationScheme } from '../domain/auth/protocol.ts';
import type { Principal } from '../domain/auth/verify-signed-request.ts';
import { AuditWriteError, DependencyError, PbxError } from '../domain/errors.ts';
import { callFingerprint, type IdempotentCall, parseIdempotencyKey } from '../domain/requests/idempotency.ts';
import { inInvocationLogger, logger } from '../logger.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { SignedCopy } from '../ports/request-store.ts';
import { parseJsonBody, parseQuery, pathAndQueryOf, rawBodyOf } from './call-input.ts';
import { countedInFlight } from './calls-in-flight.ts';
import { errorResponse } from './error-response.ts';
import type { AnswerOf, BodyOf, Operation, QueryOf } from './operations.ts';
import { type IdKind, MalformedIdError, pathId, pathParameter } from './path-ids.ts';
import { authenticationDependencies, createRuntime, type Runtime } from './runtime.ts';

/** What an operation's handler answers: its answer, the audit entries its use case committed, and its status. */
export type Served<O extends Operation> = {
  readonly answer: AnswerOf<O>;
  /** Entries the use case committed for this call; none for an unaudited read (the answer is then audited). */
  readonly audited: readonly AuditEntry[];
  /** Only for an operation that declares an alternative success status. */
  readonly status?: O['status'] | NonNullable<O['alternativeStatus']>;
};

/** One signed call, as its handler sees it: who asked, and what they sent, parsed with the operation's schemas. */
export type SignedCall<O extends Operation> = {
  readonly principal: Principal;
  readonly body: BodyOf<O>;
  readonly query: QueryOf<O>;
  /** A path id, well formed for its kind (404 NOT_FOUND, recorded by its hash only, when it is not). */
  pathId(name: string, kind: IdKind): string;
  /** A path parameter as it came (for ids that are not ids of a stored thing, such as a version or a size). */
  pathParameter(name: string): string;
  /** The caller's Idempotency-Key with what makes "the same call", when the caller sent one. */
  readonly idempotentCall: IdempotentCall | undefined;
  /** The signed request as it arrived, kept with what it asked for. */
  readonly signedCopy: SignedCopy;
};

/** What answering needs of the audit log: the log and the clock. */
type AnswerAuditDeps = { readonly audit: AuditLog; readonly clock: Clock };

export type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A function's handler with the resources it built its dependencies on (the contract test compares them). */
export type FunctionHandler<H> = H & { readonly resourcesUsed: Runtime['used'] };

const baseHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

const jsonResult = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: baseHeaders,
  body: JSON.stringify(body),
});

const idempotentCallOf = (
  event: APIGatewayProxyEventV2,
  principal: Principal,
  body: Buffer,
): IdempotentCall | undefined => {
  const key = parseIdempotencyKey(event.headers['idempotency-key']);
  return key === undefined
    ? undefined
    : {
        clientId: principal.clientId,
        key,
        fingerprint: callFingerprint(event.requestContext.http.method, pathAndQueryOf(event), body),
      };
};

/** The body and query an operation declares, parsed with its schemas (400 when they do not have their form). */
const inputOf = <O extends Operation>(operation: O, event: APIGatewayProxyEventV2) => ({
  body: (operation.body === undefined
    ? undefined
    : parseJsonBody(event, operation.body, operation.invalidBody)) as BodyOf<O>,
  query: (operation.query === undefined ? {} : parseQuery(event, operation.query)) as QueryOf<O>,
});

const outcomeOf = (statusCode: number): AuditEntry['outcome'] =>
  statusCode >= 500 ? 'failed' : statusCode >= 400 ? 'refused' : 'allowed';

/**
 * Every answer has exactly one audit entry or more (docs/ARCHITECTURE.md, the audit port): the entries the use
 * case committed, the refusal entry an error carries (`PbxError.audited`), or else `api.answer` recorded here with
 * the outcome of the final status. An answer that cannot be audited is not served: it becomes 503 (500 when the
 * store refused the entry as invalid, a bug), and an audit write that already failed is not tried again.
 */
const answerWithAudit = async (
  deps: AnswerAuditDeps,
  event: APIGatewayProxyEventV2,
  principal: Principal | undefined,
  answered: { statusCode: number; error?: unknown; audited: boolean },
  result: APIGatewayProxyStructuredResultV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const { error } = answered;
  if (answered.audited || error instanceof AuditWriteError) return result;
  try {
    await deps.audit.record(
      newAuditEntry(
        // Assigned to the caller's facts rather than spread (verify-signed-request.ts says why).
        Object.assign(
          principal === undefined ? { actor: { kind: 'anonymous' as const } } : callerFacts(principal),
          {
            action: 'api.answer',
            // A path id that is not well formed is the target as the log may hold it: its hash, never the text.
            target: error instanceof MalformedIdError ? error.target : { type: 'route', id: event.routeKey },
            outcome: outcomeOf(answered.statusCode),
            // The code the error table gave the answer, from the error itself rather than the serialised body.
            reasonCodes: error == null ? [] : [errorResponse(error).body.error],
            requestId: event.requestContext.requestId,
          },
        ),
        deps.clock.now(),
      ),
    );
    return result;
  } catch (auditError) {
    logger.error('answer not audited', {
      errorName: (auditError as Error | undefined)?.name,
      ...(auditError instanceof PbxError ? { code: auditError.code } : {}),
    });
    const failure =
      auditError instanceof DependencyError
        ? new DependencyError('DEPENDENCY_UNAVAILABLE', 'the answer could not be audited; nothing is served')
        : undefined;
    const { statusCode, body } = errorResponse(failure);
    return jsonResult(statusCode, body);
  }
};

/** Answers an error through the one error table; 5xx bodies never carry internals, and are logged by code only. */
const errorResult = (error: unknown): { statusCode: number; result: APIGatewayProxyStructuredResultV2 } => {
  const { statusCode, body } = errorResponse(error);
  if (statusCode >= 500) {
    logger.error('request failed', {
      errorName: (error as Error | undefined)?.name,
      ...(error instanceof PbxError ? { code: error.code } : {}),
    });
  }
  return { statusCode, result: jsonResult(statusCode, body) };
};

const refusalAudited = (error: unknown): boolean => error instanceof PbxError && error.audited !== undefined;

/**
 * The Lambda handler of one operation: a logger of the invocation's own with its Lambda context, the call answered
 * as JSON through the one error table, and audited.
 */
const operationHandler = (
  operation: Operation,
  auditDeps: AnswerAuditDeps,
  answer: (event: APIGatewayProxyEventV2, principal: { current?: Principal }) => Promise<Served<Operation>>,
): LambdaHandler =>
  countedInFlight(
    inInvocationLogger(async (event, context) => {
      logger.addContext(context);
      const principal: { current?: Principal } = {};
      try {
        const served = await answer(event, principal);
        return await answerWithAudit(
          auditDeps,
          event,
          principal.current,
          { statusCode: served.status ?? operation.status, audited: served.audited.length > 0 },
          jsonResult(served.status ?? operation.status, served.answer),
        );
      } catch (error) {
        const { statusCode, result } = errorResult(error);
        return answerWithAudit(
          auditDeps,
          event,
          principal.current,
          { statusCode, error, audited: refusalAudited(error) },
          result,
        );
      }
    }),
  );

/**
 * The handler of a signed operation (docs/PROTOCOL.md): verifies the signed request before anything else (a
 * refusal is audited and answered by the error table, never reaching `serve`), parses the body and query with the
 * operation's schemas, and answers what `serve` returns. `dependencies` builds the use cases' stores once, at cold
 * start, from the function's runtime.
 */
export const signedOperation = <O extends Operation & { auth: 'signed' }, D>(
  operation: O,
  dependencies: (runtime: Runtime) => D,
  serve: (deps: D, call: SignedCall<O>) => Promise<Served<O>>,
): FunctionHandler<LambdaHandler> => {
  const runtime = createRuntime(operation.id, operation);
  const handler = signedOperationWith(
    operation,
    authenticationDependencies(runtime),
    dependencies(runtime),
    serve,
  );
  return Object.assign(handler, { resourcesUsed: runtime.used });
};

/** `signedOperation` with its authentication and dependencies given (the benchmark gives in-memory stores). */
export const signedOperationWith = <O extends Operation & { auth: 'signed' }, D>(
  operation: O,
  auth: AuthenticationDeps,
  deps: D,
  serve: (deps: D, call: SignedCall<O>) => Promise<Served<O>>,
): LambdaHandler =>
  operationHandler(operation, auth, async (event, principal) => {
    const body = rawBodyOf(event);
    const verified = await authenticateRequest(auth, {
      authorization: event.headers.authorization,
      method: event.requestContext.http.method,
      pathAndQuery: pathAndQueryOf(event),
      body,
      route: event.routeKey,
      callId: event.requestContext.requestId,
    });
    principal.current = verified;
    logger.appendKeys({ clientId: verified.clientId });
    const { body: parsedBody, query } = inputOf(operation, event);
    // What only some operations need (the idempotency key, the signed copy) is worked out when asked for.
    const call: SignedCall<O> = {
      principal: verified,
      body: parsedBody,
      query,
      pathId: (name, kind) => pathId(event.pathParameters, name, kind),
      pathParameter: (name) => pathParameter(event.pathParameters, name),
      get idempotentCall() {
        return idempotentCallOf(event, verified, body);
      },
      get signedCopy() {
        return {
          token: (event.headers.authorization ?? '').slice(`${authorizationScheme} `.length),
          body: body.toString('utf8'),
        };
      },
    };
    return (await serve(deps, call)) as Served<Operation>;
  });

/** The handler of a public operation (health, discovery, registry, this API's document): its answers audited. */
export const publicOperation = <O extends Operation & { auth: 'public' }, D>(
  operation: O,
  dependencies: (runtime: Runtime) => D,
  serve: (deps: D) => Promise<Served<O>>,
): FunctionHandler<LambdaHandler> => {
  const runtime = createRuntime(operation.id, operation);
  // The audit log now, not at the first answer: every answer is audited.
  const auditDeps = { audit: runtime.audit, clock: runtime.clock };
  const handler = publicOperationWith(operation, auditDeps, dependencies(runtime), serve);
  return Object.assign(handler, { resourcesUsed: runtime.used });
};

/** `publicOperation` with its audit log, clock and dependencies given (tests inject faults into them). */
export const publicOperationWith = <O extends Operation & { auth: 'public' }, D>(
  operation: O,
  auditDeps: AnswerAuditDeps,
  deps: D,
  serve: (deps: D) => Promise<Served<O>>,
): LambdaHandler =>
  operationHandler(operation, auditDeps, async (event) => {
    // Public information takes no input to speak of; whatever an operation declares is still checked.
    inputOf(operation, event);
    return (await serve(deps)) as Served<Operation>;
  });
