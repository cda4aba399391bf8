import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoAgreementStore } from '../adapters/dynamodb/agreement-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { DynamoRequestStore } from '../adapters/dynamodb/request-store.ts';
import { createS3Client } from '../adapters/s3/client.ts';
import { S3PayloadStore } from '../adapters/s3/payload-store.ts';
import { loadConfig } from '../config.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import { authorizationScheme } from '../domain/auth/protocol.ts';
import type { Principal } from '../domain/auth/verify-signed-request.ts';
import { callFingerprint, type IdempotentCall, parseIdempotencyKey } from '../domain/requests/idempotency.ts';
import type { RequestDeps } from '../domain/requests/request-deps.ts';
import type { RegistryReader } from '../ports/registry-store.ts';
import type { SignedCopy } from '../ports/request-store.ts';
import { authenticationFromEnvironment } from './authentication.ts';
import { pathId } from './path-ids.ts';
import { pathAndQueryOf, rawBodyOf, type SignedRouteHandler, signedRoute } from './signed-route.ts';

/**
 * The request stores: the requests table (writing audit entries and events with each step), the payloads bucket
 * and the agreements (read).
 */
export const requestStoresFromEnvironment = (): Pick<RequestDeps, 'requests' | 'payloads'> & {
  agreements: DynamoAgreementStore;
} => {
  const config = loadConfig([
    'REQUESTS_TABLE_NAME',
    'AGREEMENTS_TABLE_NAME',
    'AUDIT_TABLE_NAME',
    'EVENTS_TABLE_NAME',
    'PAYLOADS_BUCKET_NAME',
  ]);
  const doc = createDocumentClient();
  return {
    requests: new DynamoRequestStore(doc, {
      requests: config.REQUESTS_TABLE_NAME,
      audit: config.AUDIT_TABLE_NAME,
      events: config.EVENTS_TABLE_NAME,
    }),
    payloads: new S3PayloadStore(createS3Client(), config.PAYLOADS_BUCKET_NAME),
    agreements: new DynamoAgreementStore(doc, {
      agreements: config.AGREEMENTS_TABLE_NAME,
      audit: config.AUDIT_TABLE_NAME,
    }),
  };
};

/** What the /v1/requests routes need: the request stores and what authentication built. */
export const requestsFromEnvironment = (
  auth: AuthenticationDeps & { registry: RegistryReader },
): RequestDeps => ({
  ...requestStoresFromEnvironment(),
  registry: auth.registry,
  audit: auth.audit,
  clock: auth.clock,
});

/** The caller's Idempotency-Key with what makes "the same call": method, path and query, body bytes. */
export const idempotentCallOf = (
  event: APIGatewayProxyEventV2,
  principal: Principal,
): IdempotentCall | undefined => {
  const key = parseIdempotencyKey(event.headers['idempotency-key']);
  return key === undefined
    ? undefined
    : {
        clientId: principal.clientId,
        key,
        fingerprint: callFingerprint(
          event.requestContext.http.method,
          pathAndQueryOf(event),
          rawBodyOf(event),
        ),
      };
};

/** The signed request as it arrived: the compact JWS from the Authorization header and the body it binds. */
export const signedCopyOf = (event: APIGatewayProxyEventV2): SignedCopy => ({
  token: (event.headers.authorization ?? '').slice(`${authorizationScheme} `.length),
  body: rawBodyOf(event).toString('utf8'),
});

type RequestStepHandler = (
  deps: RequestDeps,
  input: {
    event: APIGatewayProxyEventV2;
    principal: Principal;
    requestId: string;
    call: IdempotentCall | undefined;
  },
) => Promise<{ statusCode: 200 | 201; body: unknown }>;

/**
 * A route on one request (`/v1/requests/{requestId}/…`): each route file is one call of this with its step, so
 * building deps, reading the id and the idempotency key is written once.
 */
export const requestStepRoute = (step: RequestStepHandler) => {
  const auth = authenticationFromEnvironment();
  const deps = requestsFromEnvironment(auth);
  const handler: SignedRouteHandler = async (event, context) =>
    step(deps, {
      event,
      principal: context.principal,
      requestId: pathId(event.pathParameters, 'requestId', 'request'),
      call: idempotentCallOf(event, context.principal),
    });
  return signedRoute(auth, handler);
};
