import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoCaseStore } from '../adapters/dynamodb/case-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { loadConfig } from '../config.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import type { Principal } from '../domain/auth/verify-signed-request.ts';
import type { CaseDeps } from '../domain/cdop/case-deps.ts';
import type { IdempotentCall } from '../domain/requests/idempotency.ts';
import type { RegistryReader } from '../ports/registry-store.ts';
import { authenticationFromEnvironment } from './authentication.ts';
import { pathId } from './path-ids.ts';
import { idempotentCallOf, requestStoresFromEnvironment } from './requests.ts';
import { type SignedRouteHandler, signedRoute } from './signed-route.ts';

/** The case stores: the CDOP cases table (writing audit entries and events with each step) and the request stores. */
export const caseStoresFromEnvironment = (): Pick<
  CaseDeps,
  'cases' | 'requests' | 'payloads' | 'agreements'
> => {
  const config = loadConfig(['CDOP_CASES_TABLE_NAME', 'AUDIT_TABLE_NAME', 'EVENTS_TABLE_NAME']);
  return {
    ...requestStoresFromEnvironment(),
    cases: new DynamoCaseStore(createDocumentClient(), {
      cases: config.CDOP_CASES_TABLE_NAME,
      audit: config.AUDIT_TABLE_NAME,
      events: config.EVENTS_TABLE_NAME,
    }),
  };
};

/** What the /v1/cdop routes need: the case stores and what authentication built. */
export const casesFromEnvironment = (auth: AuthenticationDeps & { registry: RegistryReader }): CaseDeps => ({
  ...caseStoresFromEnvironment(),
  registry: auth.registry,
  audit: auth.audit,
  clock: auth.clock,
});

type CaseRouteHandler = (
  deps: CaseDeps,
  input: { event: APIGatewayProxyEventV2; principal: Principal; call: IdempotentCall | undefined },
) => Promise<{ statusCode: 200 | 201; body: unknown }>;

/** A /v1/cdop route: each route file is one call of this, so building deps and reading the key is written once. */
export const caseRoute = (step: CaseRouteHandler) => {
  const auth = authenticationFromEnvironment();
  const deps = casesFromEnvironment(auth);
  const handler: SignedRouteHandler = async (event, context) =>
    step(deps, { event, principal: context.principal, call: idempotentCallOf(event, context.principal) });
  return signedRoute(auth, handler);
};

/** The `{caseId}` of a case route's path; 404 NOT_FOUND, recorded by its hash only, when it is not a case id. */
export const caseIdOf = (event: APIGatewayProxyEventV2): string =>
  pathId(event.pathParameters, 'caseId', 'cdop-case');
