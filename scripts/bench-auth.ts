import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type CryptoKey, compactVerify, importJWK, type JWK } from 'jose';
import * as z from 'zod';
import { toApiGatewayEvent } from '#local/http-adapter.ts';
import { NodeSignatureVerifier } from '#shared/adapters/crypto/node-signature-verifier.ts';
import { signRequest } from '#shared/adapters/jose/request-signing.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { type AuthenticationDeps, authenticateRequest } from '#shared/domain/auth/authenticate-request.ts';
import { requestClaimsSchema } from '#shared/domain/auth/protocol.ts';
import {
  type SignedRequestInput,
  sha256Base64url,
  verifySignedRequest,
} from '#shared/domain/auth/verify-signed-request.ts';
import { newClientKey } from '#shared/domain/registry/client-key.ts';
import { pathAndQueryOf, rawBodyOf } from '#shared/http/call-input.ts';
import { signedRequestVerifier } from '#shared/http/calls-in-flight.ts';
import { type LambdaHandler, signedOperationWith } from '#shared/http/operation-handler.ts';
import type { Operation } from '#shared/http/operations.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';
import type { AuditLog } from '#shared/ports/audit-log.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { InMemoryNonceStore, InMemoryRegistryStore } from '../test/support/in-memory-registry-store.ts';

/**
 * `npm run bench:auth`: signed-request verifications per second through the whole signedOperation handler (the
 * Powertools logger, error table, the domain checks, in-memory stores, the real node:crypto verifier), against raw jose
 * ES256 compactVerify with a pre-imported key. Goal: the middleware keeps at least 70% of the raw rate.
 * A measurement, not a test: it exits 0 whatever the figures, and non-zero only if a request is refused (a
 * benchmark of refusals would measure the wrong thing).
 */

const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
  },
});
const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--${name} must be a positive number`);
  return n;
};
const measureMs = positive('seconds', options.seconds) * 1000;
const rounds = Math.round(positive('rounds', options.rounds));
const inFlight = Math.round(positive('concurrency', options.concurrency));
const warmUpMs = 2000;
const goal = 0.7;

// --- The exchange under test: one client with one ES256 key, in-memory stores, the system clock. ----------------

const exchangeId = 'pbx-bench';
const clientId = 'lb-brent-system';
const pathAndQuery = `/v1/clients/${clientId}/keys`;
const routeKey = 'POST /v1/clients/{clientId}/keys';

const key = await generateSigningKey('ES256');
const publicJwk = publicJwkOf(key);
const registry = new InMemoryRegistryStore();
registry.organisations.set('lb-brent', {
  id: 'lb-brent',
  name: 'London Borough of Brent',
  kind: 'local-authority',
});
registry.clients.set(clientId, {
  id: clientId,
  organisationId: 'lb-brent',
  name: 'London Borough of Brent system',
  status: 'active',
});
const startedAt = new Date();
registry.keys.set(
  `${clientId}#${key.kid}`,
  newClientKey(clientId, publicJwk, startedAt, { notBefore: new Date(startedAt.getTime() - 60_000) }),
);
registry.keyOwners.set(key.kid, clientId);

/**
 * The audit log of the benchmark: takes each entry and keeps nothing. What a store costs to write an entry (its
 * schema check included) is measured end to end by `npm run bench:e2e`; here, only what the handler does.
 */
const keptNowhere: AuditLog = { record: async () => undefined };
const deps: AuthenticationDeps = {
  exchangeId,
  registry,
  nonces: new InMemoryNonceStore(),
  audit: keptNowhere,
  signatures: signedRequestVerifier(),
  clock: systemClock,
};
/** An operation that answers `{ ok: true }` once the signed request is verified: the framework's cost alone. */
const benchOperation = {
  id: 'Bench',
  method: 'POST',
  path: routeKey.slice('POST '.length),
  entry: 'bench.ts',
  auth: 'signed',
  tables: {},
  buckets: {},
  summary: 'bench',
  status: 200,
  answer: z.object({ ok: z.literal(true) }),
} as const satisfies Operation;
const routeWith = (d: AuthenticationDeps): LambdaHandler =>
  signedOperationWith(benchOperation, d, {}, async () => ({ answer: { ok: true as const }, audited: [] }));
const handler = routeWith(deps);

/** A JSON body of about 1 KB, so the body digest does real work. */
const bodyText = JSON.stringify({
  jwk: publicJwk,
  notBefore: startedAt.toISOString(),
  records: Array.from({ length: 9 }, (_, i) => ({
    ref: `case-${String(i).padStart(4, '0')}`,
    category: 'education-attendance',
    note: 'attendance summary for the current term',
  })),
});
const body = Buffer.from(bodyText);

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'pbx-AddClientKey',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:pbx-AddClientKey',
  memoryLimitInMB: '1024',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/pbx-AddClientKey',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 29_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** Signs `count` requests, each with its own jti (single use), outside any timed section. */
const signTokens = async (count: number): Promise<string[]> => {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(64, count - i) }, () =>
        signRequest({
          method: 'POST',
          pathAndQuery,
          body,
          key,
          issuer: clientId,
          audience: exchangeId,
          lifetimeSeconds: 300,
        }),
      ),
    );
    for (const signed of batch) tokens.push(signed.token);
  }
  return tokens;
};

/** The API Gateway v2 events API Gateway (here the local adapter) would deliver: built before timing. */
const eventsFor = (tokens: readonly string[]): APIGatewayProxyEventV2[] =>
  tokens.map((token) =>
    toApiGatewayEvent(
      {
        method: 'POST',
        url: pathAndQuery,
        headers: {
          host: 'pbx.bench',
          authorization: `PBX-JWS ${token}`,
          'content-type': 'application/json',
          'user-agent': 'pbx-bench',
        },
        cookies: [],
        body,
        sourceIp: '192.0.2.1',
      },
      { routeKey, pathParameters: { clientId } },
      new Date(),
    ),
  );

const itemOf = <T>(items: readonly T[], i: number): T => {
  const item = items[i];
  if (item === undefined) throw new RangeError(`no item ${i} of ${items.length}`);
  return item;
};

const invoke = async (event: APIGatewayProxyEventV2): Promise<void> => {
  const result = await handler(event, lambdaContext);
  if (result.statusCode !== 200) {
    throw new Error(`a benchmark request was refused: ${result.statusCode} ${result.body ?? ''}`);
  }
};

// --- Timing -----------------------------------------------------------------------------------------------------

type Run = { ops: number; seconds: number; cpuSeconds: number; rate: number; capped: boolean };

/** Runs `op` with `concurrency` calls in flight until `durationMs` has passed or `limit` calls were started. */
const run = async (
  concurrency: number,
  durationMs: number,
  op: (i: number) => Promise<void>,
  limit = Number.POSITIVE_INFINITY,
): Promise<Run> => {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (next < limit && performance.now() < deadline) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { ops: next, seconds, cpuSeconds, rate: next / seconds, capped: next >= limit };
};

/** Nanoseconds per call of a synchronous step, over about `durationMs`. */
const perCallSync = (durationMs: number, step: (i: number) => unknown): number => {
  let calls = 0;
  let sink: unknown;
  const started = performance.now();
  const deadline = started + durationMs;
  while (performance.now() < deadline) {
    for (let i = 0; i < 256; i++) sink = step(calls++);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return ((performance.now() - started) * 1e6) / calls;
};

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? itemOf(sorted, mid) : (itemOf(sorted, mid - 1) + itemOf(sorted, mid)) / 2;
};

// A full collection before each timed run, so one run does not pay for the garbage of the set-up before it.
setFlagsFromString('--expose-gc');
const collectGarbage: unknown = runInNewContext('gc');
const pause = async () => {
  if (typeof collectGarbage === 'function') collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 20));
};

// --- Raw jose baseline: comparable tokens (same key, claims and body), key imported once. ------------------------

const rawKey = (await importJWK(publicJwk as JWK, 'ES256')) as CryptoKey;
const rawTokens = await signTokens(2048);
const rawVerify = async (i: number) => {
  await compactVerify(itemOf(rawTokens, i % rawTokens.length), rawKey, { algorithms: ['ES256'] });
};

/** Fresh requests for a middleware measurement: one per call it may make, since a jti is accepted once only. */
const freshEvents = async (expectedRate: number, durationMs: number, concurrency: number) =>
  eventsFor(await signTokens(Math.ceil((expectedRate * durationMs * 1.5) / 1000) + concurrency));

type Tally = { ops: number; seconds: number; cpuSeconds: number; capped: boolean };
const add = (tally: Tally, r: Run): Tally => ({
  ops: tally.ops + r.ops,
  seconds: tally.seconds + r.seconds,
  cpuSeconds: tally.cpuSeconds + r.cpuSeconds,
  capped: tally.capped || r.capped,
});
const empty: Tally = { ops: 0, seconds: 0, cpuSeconds: 0, capped: false };
const sliceMs = 250;

/**
 * One round: raw and middleware in alternating slices of 250 ms, so that both see the same machine (a neighbour's
 * load or a change of clock speed falls on both alike), each adding up to `durationMs`.
 */
const round = async (concurrency: number, durationMs: number, expectedRate: number) => {
  const events = await freshEvents(expectedRate, durationMs, concurrency);
  await pause();
  let raw = empty;
  let middleware = empty;
  for (let slice = 0; slice < Math.max(1, Math.round(durationMs / sliceMs)); slice++) {
    raw = add(raw, await run(concurrency, sliceMs, rawVerify));
    const offset = middleware.ops;
    middleware = add(
      middleware,
      await run(concurrency, sliceMs, (i) => invoke(itemOf(events, offset + i)), events.length - offset),
    );
  }
  return { raw, middleware };
};

const modes = [
  { name: 'sequential (1 in flight)', concurrency: 1 },
  { name: `concurrent (${inFlight} in flight)`, concurrency: inFlight },
] as const;

const sampleToken = itemOf(rawTokens, 0);
const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
const format = (n: number) => Math.round(n).toLocaleString('en-GB');
const percent = (r: number) => `${(r * 100).toFixed(1)}%`;
/** CPU time (ms) all processes spent, and this one, so that the time taken by other processes can be shown. */
const cpuClock = () => ({
  allMs: cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0),
  ownMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  wallMs: performance.now(),
});
const cpuAtStart = cpuClock();
const [loadBefore = 0] = loadavg();

console.log(
  'pbx bench:auth: signed-request verification through signedOperation vs raw jose ES256 compactVerify',
);
console.log(
  `machine:  node ${process.version}, ${process.platform} ${process.arch}, ${availableParallelism()} CPUs (${cpuModel}), libuv threadpool ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, load average ${loadBefore.toFixed(2)}`,
);
console.log(
  `workload: POST ${pathAndQuery}, ${body.byteLength}-byte JSON body, ES256 token of ${sampleToken.length} bytes, in-memory registry, nonce store and audit log, system clock`,
);
console.log(
  `method:   ${warmUpMs / 1000} s warm-up per measurement, then ${rounds} rounds of ${measureMs / 1000} s each for raw and middleware, alternating in ${sliceMs} ms slices; medians of rounds`,
);
console.log('');

// Warm-up: JIT, key import caches, the Powertools logger's first invocation.
const warmRates = new Map<number, number>();
for (const mode of modes) {
  const raw = await run(mode.concurrency, warmUpMs, rawVerify);
  warmRates.set(mode.concurrency, raw.rate);
  const events = await freshEvents(raw.rate, warmUpMs, mode.concurrency);
  await run(mode.concurrency, warmUpMs, (i) => invoke(itemOf(events, i)), events.length);
}

type Results = { raw: Tally[]; middleware: Tally[] };
const results = new Map<number, Results>();
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) {
    const entry = results.get(mode.concurrency) ?? { raw: [], middleware: [] };
    results.set(mode.concurrency, entry);
    const measured = await round(mode.concurrency, measureMs, warmRates.get(mode.concurrency) ?? 1000);
    entry.raw.push(measured.raw);
    entry.middleware.push(measured.middleware);
  }
}
const rateOf = (t: Tally) => t.ops / t.seconds;
const cpuUsOf = (t: Tally) => (t.cpuSeconds * 1e6) / t.ops;

const column = (s: string, n: number) => s.padStart(n);
console.log(
  `${'mode'.padEnd(28)}${column('raw verify/s', 14)}${column('signedOp/s', 15)}${column('ratio', 9)}  goal ≥ ${percent(goal)}`,
);
// The ratio is the median of each round's ratio: a round's raw and middleware slices alternate on the same machine,
// so a neighbour's load skews both and cancels out more than it would in a ratio of two medians.
const verdicts: { mode: string; ratio: number }[] = [];
for (const mode of modes) {
  const entry = results.get(mode.concurrency);
  if (entry === undefined) continue;
  const ratio = median(entry.raw.map((r, i) => rateOf(entry.middleware[i] ?? empty) / rateOf(r)));
  verdicts.push({ mode: mode.name, ratio });
  console.log(
    `${mode.name.padEnd(28)}${column(format(median(entry.raw.map(rateOf))), 14)}${column(format(median(entry.middleware.map(rateOf))), 15)}${column(percent(ratio), 9)}  ${ratio >= goal ? 'met' : 'NOT met'}`,
  );
}
console.log('');
console.log('per round, verifications per second (raw / signedOperation = ratio):');
for (const mode of modes) {
  const entry = results.get(mode.concurrency);
  if (entry === undefined) continue;
  const rows = entry.raw.map((r, i) => {
    const mw = entry.middleware[i] ?? empty;
    return `${format(rateOf(r))} / ${format(rateOf(mw))} = ${percent(rateOf(mw) / rateOf(r))}${mw.capped ? ' (ran out of tokens)' : ''}`;
  });
  console.log(`  ${mode.name.padEnd(26)}${rows.join('   ')}`);
}
console.log('');
console.log('CPU time per request, all threads (µs; median of rounds):');
for (const mode of modes) {
  const entry = results.get(mode.concurrency);
  if (entry === undefined) continue;
  const raw = median(entry.raw.map(cpuUsOf));
  const mw = median(entry.middleware.map(cpuUsOf));
  console.log(
    `  ${mode.name.padEnd(26)}raw ${raw.toFixed(1)}   signedOperation ${mw.toFixed(1)}   (+${(mw - raw).toFixed(1)}; raw / signedOperation = ${percent(raw / mw)})`,
  );
}

// --- Where the time goes (sequential, per request) --------------------------------------------------------------
// In sequential mode (one request per Lambda instance, as in AWS) every microsecond of main-thread work adds to
// latency. Each layer is
// measured with the real verifier and with one that accepts every signature, to separate crypto from the rest,
// all in alternating slices like the main measurement.

const [encodedHeader = '', encodedClaims = ''] = sampleToken.split('.');
const claims: unknown = JSON.parse(Buffer.from(encodedClaims, 'base64url').toString('utf8'));
const sampleEvent = itemOf(eventsFor([sampleToken]), 0);
const acceptAll: AuthenticationDeps['signatures'] = { verify: async () => true };
const withoutCrypto: AuthenticationDeps = { ...deps, signatures: acceptAll };
const sequentialRaw = median((results.get(1)?.raw ?? []).map(rateOf));
const layerSliceMs = 100;
const layerSlices = 8;
const layerSeconds = (layerSliceMs * layerSlices) / 1000;

/** Requests that differ only in their token, as API Gateway would deliver them (one toApiGatewayEvent template). */
const withToken = (token: string): APIGatewayProxyEventV2 => ({
  ...sampleEvent,
  headers: { ...sampleEvent.headers, authorization: `PBX-JWS ${token}` },
});
const inputOf = (event: APIGatewayProxyEventV2): SignedRequestInput => ({
  authorization: event.headers.authorization,
  method: event.requestContext.http.method,
  pathAndQuery: pathAndQueryOf(event),
  body: rawBodyOf(event),
});
/** Well-formed tokens with fresh jti and a signature no one checks: for the accept-all layers, cheap to make. */
const unsignedTokens = (count: number): string[] => {
  const now = Math.floor(Date.now() / 1000);
  const bdh = sha256Base64url(body);
  const fakeSignature = Buffer.alloc(64, 1).toString('base64url');
  return Array.from({ length: count }, () => {
    const payload = JSON.stringify({
      iss: clientId,
      aud: exchangeId,
      iat: now,
      exp: now + 300,
      jti: randomBytes(16).toString('base64url'),
      htm: 'POST',
      htu: pathAndQuery,
      bdh,
    });
    return `${encodedHeader}.${Buffer.from(payload).toString('base64url')}.${fakeSignature}`;
  });
};

const nodeKey = createPublicKey({ key: publicJwk, format: 'jwk' });
const nodeVerify = async (token: string) => {
  const dot = token.lastIndexOf('.');
  const data = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  if (!verify('sha256', data, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw new Error('node:crypto did not verify a valid token');
  }
};
const nodeVerifier = new NodeSignatureVerifier();
const registeredKey = { jwk: publicJwk, alg: 'ES256' as const, cacheKey: `${clientId}#${key.kid}` };
const bareHandler = inInvocationLogger(
  async (_event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    logger.addContext(context);
    return { statusCode: 200, headers: {}, body: JSON.stringify({ ok: true }) };
  },
);
const routeCall = (route: LambdaHandler) => async (_: number, event: APIGatewayProxyEventV2) => {
  const result = await route(event, lambdaContext);
  if (result.statusCode !== 200) throw new Error(`refused: ${result.body ?? ''}`);
};

type Layer = {
  readonly name: string;
  /** Fresh events, one per call (the layer claims each jti), or undefined for a layer that reuses tokens. */
  readonly events?: readonly APIGatewayProxyEventV2[];
  readonly op: (i: number, event: APIGatewayProxyEventV2) => Promise<unknown>;
};
const cycled = (i: number) => itemOf(rawTokens, i % rawTokens.length);
const signedBudget = Math.ceil(sequentialRaw * 1.3 * layerSeconds * 1.5);
const unsignedBudget = Math.ceil((1e6 / 15) * layerSeconds);
const signedEvents = async () => (await signTokens(signedBudget)).map(withToken);
const unsignedEvents = () => unsignedTokens(unsignedBudget).map(withToken);
const layers: Layer[] = [
  {
    name: 'raw jose compactVerify (pre-imported key)',
    op: (i) => compactVerify(cycled(i), rawKey, { algorithms: ['ES256'] }),
  },
  {
    name: 'NodeSignatureVerifier.verify (cached KeyObject)',
    op: async (i) => {
      const token = cycled(i);
      const dot = token.lastIndexOf('.');
      return nodeVerifier.verify(
        token.slice(0, dot),
        Buffer.from(token.slice(dot + 1), 'base64url'),
        registeredKey,
      );
    },
  },
  {
    name: 'verifySignedRequest (domain, in-memory stores)',
    events: await signedEvents(),
    op: (_, e) => verifySignedRequest(deps, inputOf(e), { exchangeId, now: systemClock.now() }),
  },
  {
    name: 'authenticateRequest (+ clock, refusal audit wrapper)',
    events: await signedEvents(),
    op: (_, e) => authenticateRequest(deps, { ...inputOf(e), route: routeKey }),
  },
  {
    name: 'signedOperation (+ logger, JSON answer, answer audit)',
    events: await signedEvents(),
    op: routeCall(routeWith(deps)),
  },
  {
    name: 'verifySignedRequest',
    events: unsignedEvents(),
    op: (_, e) => verifySignedRequest(withoutCrypto, inputOf(e), { exchangeId, now: systemClock.now() }),
  },
  {
    name: 'authenticateRequest',
    events: unsignedEvents(),
    op: (_, e) => authenticateRequest(withoutCrypto, { ...inputOf(e), route: routeKey }),
  },
  { name: 'signedOperation', events: unsignedEvents(), op: routeCall(routeWith(withoutCrypto)) },
  {
    name: 'Powertools logger + JSON answer, no auth',
    op: () => bareHandler(sampleEvent, lambdaContext),
  },
  { name: 'node:crypto verify, synchronous, cached KeyObject', op: (i) => nodeVerify(cycled(i)) },
];
const tallies = layers.map(() => empty);
await pause();
for (let slice = 0; slice < layerSlices; slice++) {
  for (const [index, layer] of layers.entries()) {
    const before = tallies[index] ?? empty;
    const { events } = layer;
    const measured =
      events === undefined
        ? await run(1, layerSliceMs, (i) => layer.op(i, sampleEvent).then(() => undefined))
        : await run(
            1,
            layerSliceMs,
            (i) => layer.op(i, itemOf(events, before.ops + i)).then(() => undefined),
            events.length - before.ops,
          );
    tallies[index] = add(before, measured);
  }
}
const layerUs = tallies.map((tally, i) => {
  if (tally.ops === 0) throw new Error(`layer ${layers[i]?.name ?? i} did not run`);
  return (tally.seconds * 1e6) / tally.ops;
});

const line = (name: string, value: number, previous?: number) =>
  console.log(
    `  ${name.padEnd(54)}${column(value.toFixed(1), 8)}${previous === undefined ? '' : `  (+${(value - previous).toFixed(1)})`}`,
  );
/** Prints layer `i`, with its increment over layer `over`. */
const show = (i: number, over?: number) =>
  line(itemOf(layers, i).name, itemOf(layerUs, i), over === undefined ? undefined : itemOf(layerUs, over));
console.log('');
console.log('where the time goes, sequential, µs per request (each layer includes the ones above it):');
console.log(' with the real ES256 verifier');
show(0);
show(1, 0);
show(2, 1);
show(3, 2);
show(4, 3);
console.log(' with a verifier that accepts every signature (main-thread work only)');
show(5);
show(6, 5);
show(7, 6);
console.log(' parts, measured alone');
show(8);
show(9);
const sync = (step: () => unknown) => perCallSync(300, step) / 1000;
line(
  'zod requestClaimsSchema.safeParse',
  sync(() => requestClaimsSchema.safeParse(claims)),
);
line(
  'decode header + claims (base64url, JSON.parse)',
  sync(() => [
    JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8')),
    JSON.parse(Buffer.from(encodedClaims, 'base64url').toString('utf8')),
  ]),
);
line(
  'SHA-256 of the token (audit request hash)',
  sync(() => sha256Base64url(sampleToken)),
);
line(
  `SHA-256 of the ${body.byteLength}-byte body (bdh)`,
  sync(() => sha256Base64url(body)),
);
line(
  'rawBodyOf (body string to bytes)',
  sync(() => rawBodyOf(sampleEvent)),
);

console.log('');
const cpuAtEnd = cpuClock();
const othersShare =
  (cpuAtEnd.allMs - cpuAtStart.allMs - (cpuAtEnd.ownMs - cpuAtStart.ownMs)) /
  ((cpuAtEnd.wallMs - cpuAtStart.wallMs) * availableParallelism());
console.log(
  `other processes used ${percent(Math.max(0, othersShare))} of the machine's CPU time during the run${othersShare > 0.1 ? ': the machine was busy, so the figures are noisy; run again on a quiet machine' : ''}`,
);
const unmet = verdicts.filter((v) => v.ratio < goal);
console.log(
  unmet.length === 0
    ? `goal met: the middleware keeps at least ${percent(goal)} of the raw verify rate in every mode`
    : `goal NOT met in: ${unmet.map((v) => `${v.mode} (${percent(v.ratio)})`).join(', ')}`,
);
