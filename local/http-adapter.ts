import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InputError, NotFoundError, TooLargeError } from '#shared/domain/errors.ts';
import { errorResponse } from '#shared/http/error-response.ts';
import { type Operation, routeKey } from '#shared/http/operations.ts';

/** API Gateway HTTP APIs accept at most 10 MB; Lambda's synchronous payload limit is 6 MB, the tighter one. */
export const maxBodyBytes = 6 * 1024 * 1024;

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

type CompiledRoute = { route: Operation; pattern: RegExp; params: string[] };

const compile = (route: Operation): CompiledRoute => {
  const params: string[] = [];
  const source = route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{([A-Za-z0-9_]+)(\\\+)?\}/g, (_, name, greedy) => {
      params.push(name);
      return greedy ? '(.+)' : '([^/]+)';
    });
  return { route, pattern: new RegExp(`^${source}$`), params };
};

/** Bodies API Gateway passes as text; anything else arrives base64-encoded, as it does in AWS. */
const isTextual = (contentType: string | undefined): boolean =>
  contentType === undefined ||
  /^(text\/|application\/(json|[a-z0-9.+-]+\+json|xml|x-www-form-urlencoded|jose))/i.test(contentType);

/** Headers as API Gateway v2 gives them: lower-case names, repeated values joined by commas, cookies apart. */
const headersOf = (request: IncomingMessage): { headers: Record<string, string>; cookies: string[] } => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
};

const queryParametersOf = (rawQueryString: string): Record<string, string> | undefined => {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
};

/**
 * Builds the API Gateway HTTP API (payload format 2.0) event for a request, so the handlers that run behind API
 * Gateway in AWS run here unchanged. The raw path and query string are kept exactly as sent: signed requests
 * bind to them byte for byte.
 */
export const toApiGatewayEvent = (
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    cookies: string[];
    body: Buffer;
    sourceIp: string;
  },
  matched: { routeKey: string; pathParameters: Record<string, string> },
  now: Date,
): APIGatewayProxyEventV2 => {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const textual = isTextual(request.headers['content-type']);
  const requestId = randomUUID();
  const queryStringParameters = queryParametersOf(rawQueryString);
  return {
    version: '2.0',
    routeKey: matched.routeKey,
    rawPath,
    rawQueryString,
    headers: request.headers,
    ...(request.cookies.length > 0 ? { cookies: request.cookies } : {}),
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    ...(Object.keys(matched.pathParameters).length > 0 ? { pathParameters: matched.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: request.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: matched.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: request.body.length > 0 && !textual,
    ...(request.body.length > 0 ? { body: request.body.toString(textual ? 'utf8' : 'base64') } : {}),
  };
};

const lambdaContext = (functionName: string, requestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 29_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // An oversized body is drained, not kept, so the client still gets its 413 answer.
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () =>
      size > maxBodyBytes
        ? reject(new TooLargeError('BODY_TOO_LARGE', `the body exceeds ${maxBodyBytes} bytes`))
        : resolve(Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });

const decodePathParameters = (names: readonly string[], match: RegExpExecArray): Record<string, string> => {
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
  } catch {
    throw new InputError('INVALID_INPUT', 'the path holds malformed percent-encoding');
  }
};

/**
 * The contract check of the local exchange: every success answer must have its operation's answer schema
 * (shared/http/operations.ts). One that does not is the exchange's bug, answered 500 ANSWER_NOT_IN_CONTRACT with
 * the paths that broke it (never the values), so every test that calls the local exchange checks every answer.
 */
export const checkedAnswer = (
  operation: Operation,
  result: APIGatewayProxyStructuredResultV2,
): APIGatewayProxyStructuredResultV2 => {
  const status = result.statusCode ?? 200;
  if (status !== operation.status && status !== operation.alternativeStatus) return result;
  let body: unknown;
  try {
    body = JSON.parse(result.body ?? '');
  } catch {
    body = undefined;
  }
  const checked = operation.answer.safeParse(body);
  if (checked.success) return result;
  const details = checked.error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.code}`);
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      error: 'ANSWER_NOT_IN_CONTRACT',
      message: `the answer of ${operation.id} does not have its schema's form`,
      details,
    }),
  };
};

export type AccessLogLine = { method: string; path: string; status: number; ms: number };

/**
 * The local stand-in for API Gateway: matches the route table, loads the route's handler file on first use (a
 * cold start), invokes it with an API Gateway v2 event and a Lambda context, and writes back its result.
 */
export const createHttpAdapter = (options: {
  routes: readonly Operation[];
  functionsDir: URL;
  onAccess?: (line: AccessLogLine) => void;
}): Server => {
  const compiled = options.routes.map(compile);
  const instance = randomUUID();
  const handlers = new Map<string, Promise<Handler>>();
  const handlerOf = (route: Operation): Promise<Handler> => {
    let loaded = handlers.get(route.id);
    if (loaded === undefined) {
      // The query string makes each adapter load its own module instances: a cold start per exchange, so an
      // exchange restarted in the same process (tests do) gets clients built from its own environment.
      const url = new URL(route.entry, options.functionsDir);
      url.search = `instance=${instance}`;
      loaded = import(url.href).then((module: { handler: Handler }) => module.handler);
      handlers.set(route.id, loaded);
    }
    return loaded;
  };

  return createServer(async (request, response) => {
    const started = performance.now();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    // API Gateway answers every request with its id in `apigw-requestid`; a routed request's is its event's.
    let requestId: string = randomUUID();
    let result: APIGatewayProxyStructuredResultV2;
    try {
      const match = compiled
        .filter((c) => c.route.method === method)
        .map((c) => ({ c, m: c.pattern.exec(path) }))
        .find(({ m }) => m !== null);
      if (match === undefined || match.m === null) {
        await readBody(request);
        throw new NotFoundError('ROUTE_NOT_FOUND', `no route for ${method} ${path}`);
      }
      const body = await readBody(request);
      const pathParameters = decodePathParameters(match.c.params, match.m);
      const { headers, cookies } = headersOf(request);
      const event = toApiGatewayEvent(
        { method, url, headers, cookies, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
        { routeKey: routeKey(match.c.route), pathParameters },
        new Date(),
      );
      requestId = event.requestContext.requestId;
      const handler = await handlerOf(match.c.route);
      result = checkedAnswer(
        match.c.route,
        await handler(event, lambdaContext(`pbx-${match.c.route.id}`, event.requestContext.requestId)),
      );
    } catch (error) {
      const { statusCode, body } = errorResponse(error);
      result = {
        statusCode,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
      };
    }
    const statusCode = result.statusCode ?? 200;
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    headers['apigw-requestid'] = requestId;
    if (result.cookies !== undefined) response.setHeader('set-cookie', result.cookies);
    response.writeHead(statusCode, headers);
    response.end(
      result.body === undefined
        ? undefined
        : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
    );
    options.onAccess?.({ method, path, status: statusCode, ms: Math.round(performance.now() - started) });
  });
};
