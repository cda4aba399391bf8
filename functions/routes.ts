import type { BucketName, TableName } from '#shared/resources.ts';

/**
 * What a function may do with a resource. `probe` only asks whether it answers (DescribeTable, HeadBucket): the
 * health check needs no data.
 */
export type Access = 'probe' | 'read' | 'write' | 'readwrite';

/**
 * Every HTTP route of the exchange, with the function that serves it and the resources that function may touch.
 * The CDK API stack builds one function per route from this list and grants exactly these accesses; the local
 * exchange routes to the same handler files. One list, so the two cannot drift apart.
 */
export type RouteDefinition = {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template, e.g. `/v1/clients/{clientId}/keys`. */
  readonly path: string;
  /** Stable PascalCase construct id of the function. */
  readonly id: string;
  /** Handler file, relative to functions/. */
  readonly entry: string;
  /** Whether the route is public information (no signature) or requires a signed request. */
  readonly auth: 'public' | 'signed';
  readonly tables: Partial<Record<TableName, Access>>;
  readonly buckets: Partial<Record<BucketName, Access>>;
  readonly exchangeId?: true;
};

export const routes: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/health',
    id: 'GetHealth',
    entry: 'system/get-health.ts',
    auth: 'public',
    tables: { registry: 'probe' },
    buckets: { payloads: 'probe' },
  },
  {
    method: 'GET',
    path: '/v1/registry',
    id: 'GetRegistry',
    entry: 'registry/get-registry.ts',
    auth: 'public',
    tables: { registry: 'read' },
    buckets: {},
    exchangeId: true,
  },
];

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
