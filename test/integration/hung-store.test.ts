import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { dependencyTimeouts } from '#shared/adapters/aws-client-config.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';

// A hung DynamoDB (issue 13, finding 1): DynamoDB Local stopped with SIGSTOP accepts connections and never
// answers. Every AWS SDK client has time limits (aws-client-config.ts), so health, discovery and a signed route
// answer 503 DEPENDENCY_UNAVAILABLE within 3 s instead of waiting until the store resumes.

let exchange: RunningExchange;
let resumed = true;

const pidOf = () => {
  if (exchange.dynamoPid === undefined) throw new Error('DynamoDB Local runs as a child process');
  return exchange.dynamoPid;
};
const hang = () => {
  process.kill(pidOf(), 'SIGSTOP');
  resumed = false;
};
const resume = () => {
  process.kill(pidOf(), 'SIGCONT');
  resumed = true;
};

/** The status, error code and time of one answer. */
const timed = async (call: () => Promise<{ status: number; body: unknown }>) => {
  const started = performance.now();
  const answer = await call();
  return { status: answer.status, body: answer.body, ms: performance.now() - started };
};
const getJson = async (path: string) => {
  const response = await fetch(`${exchange.url}${path}`);
  return { status: response.status, body: (await response.json()) as unknown };
};

beforeAll(async () => {
  exchange = await startExchange({ schedules: false });
});

afterAll(async () => {
  if (!resumed) resume();
  await exchange?.stop();
});

describe('a hung DynamoDB', () => {
  it('sets a bound on every call that keeps an answer that reads and then records under 3 s', () => {
    const perCall = dependencyTimeouts.maxAttempts * dependencyTimeouts.requestTimeoutMs;
    expect(2 * perCall).toBeLessThan(3_000);
  });

  it('is answered 503 within 3 s by health, discovery and a signed route, and works again once resumed', async () => {
    const whoami = await clientActingFor(exchange, 'lb-brent.practitioner');
    expect((await whoami.whoami()).status).toBe(200);
    hang();
    try {
      const answers = [
        await timed(() => getJson('/v1/health')),
        await timed(() => getJson('/.well-known/pbx-exchange')),
        await timed(() => whoami.whoami()),
      ];
      for (const answer of answers) {
        expect(answer.ms, JSON.stringify(answer)).toBeLessThan(3_000);
        expect(answer.status, JSON.stringify(answer)).toBe(503);
        expect(answer.body).toMatchObject({ error: 'DEPENDENCY_UNAVAILABLE' });
      }
    } finally {
      resume();
    }
    expect((await whoami.whoami()).status).toBe(200);
  }, 60_000);
});
