// temporary profiling harness (not committed)
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { toApiGatewayEvent } from '#local/http-adapter.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import type { AuthenticationDeps } from '#shared/domain/auth/authenticate-request.ts';
import { sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import { newClientKey } from '#shared/domain/registry/client-key.ts';
import { signedOperationWith } from '#shared/http/operation-handler.ts';
import type { Operation } from '#shared/http/operations.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { InMemoryNonceStore, InMemoryRegistryStore } from '../test/support/in-memory-registry-store.ts';
const clientId = 'lb-brent-system';
const pathAndQuery = `/v1/clients/${clientId}/keys`;
const key = await generateSigningKey('ES256');
const publicJwk = publicJwkOf(key);
const registry = new InMemoryRegistryStore();
registry.organisations.set('lb-brent', { id: 'lb-brent', name: 'B', kind: 'local-authority' });
registry.clients.set(clientId, { id: clientId, organisationId: 'lb-brent', name: 'B', status: 'active' });
const startedAt = new Date();
registry.keys.set(`${clientId}#${key.kid}`, newClientKey(clientId, publicJwk, startedAt, { notBefore: new Date(startedAt.getTime() - 60_000) }));
registry.keyOwners.set(key.kid, clientId);
const deps: AuthenticationDeps = { exchangeId: 'pbx-bench', registry, nonces: new InMemoryNonceStore(), audit: { record: async () => undefined }, signatures: { verify: async () => true }, clock: systemClock };
const op = { id: 'Bench', method: 'POST', path: '/v1/clients/{clientId}/keys', entry: 'bench.ts', auth: 'signed', tables: {}, buckets: {}, summary: 'b', status: 200, answer: z.object({ ok: z.literal(true) }) } as const satisfies Operation;
const handler = signedOperationWith(op, deps, {}, async () => ({ answer: { ok: true as const }, audited: [] }));
const body = Buffer.from(JSON.stringify({ records: Array.from({ length: 20 }, (_, i) => ({ ref: `c-${i}`, note: 'attendance summary for the current term' })) }));
const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'pbx-req+jwt' })).toString('base64url');
const bdh = sha256Base64url(body);
const sig = Buffer.alloc(64, 1).toString('base64url');
const ctx = { awsRequestId: 'x', functionName: 'f', functionVersion: '1', invokedFunctionArn: 'a', memoryLimitInMB: '1', logGroupName: 'g', logStreamName: 's', callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 1000, done() {}, fail() {}, succeed() {} } as Context;
const events = (n: number): APIGatewayProxyEventV2[] => { const now = Math.floor(Date.now() / 1000); return Array.from({ length: n }, () => {
  const payload = Buffer.from(JSON.stringify({ iss: clientId, aud: 'pbx-bench', iat: now, exp: now + 300, jti: randomBytes(16).toString('base64url'), htm: 'POST', htu: pathAndQuery, bdh })).toString('base64url');
  return toApiGatewayEvent({ method: 'POST', url: pathAndQuery, headers: { host: 'h', authorization: `PBX-JWS ${header}.${payload}.${sig}`, 'content-type': 'application/json' }, cookies: [], body, sourceIp: '192.0.2.1' }, { routeKey: 'POST /v1/clients/{clientId}/keys', pathParameters: { clientId } }, new Date());
}); };
for (const n of [20000, 60000]) {
  const es = events(n);
  const t = performance.now();
  for (const e of es) { const r = await handler(e, ctx); if (r.statusCode !== 200) throw new Error(String(r.body)); }
  console.log(n, ((performance.now() - t) * 1000 / n).toFixed(1), 'µs/req');
}
