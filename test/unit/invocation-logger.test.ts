import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

type LoggerModule = typeof import('#shared/logger.ts');
let inInvocationLogger: LoggerModule['inInvocationLogger'];
let logger: LoggerModule['logger'];

beforeAll(async () => {
  // The test config silences the logger, and Powertools reads the level when the logger is built; cold starts are
  // reported only for an on-demand environment, as Lambda sets it.
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'INFO', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
  vi.resetModules();
  ({ inInvocationLogger, logger } = await import('#shared/logger.ts'));
});

// Each invocation logs with its own keys and Lambda context, whether its logger is new or kept from an earlier
// invocation of the handler, and whether another invocation runs beside it (the local exchange runs them so).
const contextOf = (functionName: string, awsRequestId: string) =>
  ({
    functionName,
    awsRequestId,
    invokedFunctionArn: 'arn',
    memoryLimitInMB: '512',
    functionVersion: '1',
  }) as Context;

const captured = () => {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    for (const line of String(text).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
    return true;
  });
  return lines;
};

afterEach(() => vi.restoreAllMocks());

describe('inInvocationLogger', () => {
  it('keeps no key of an earlier invocation, and marks only the first as the cold start', async () => {
    const lines = captured();
    const handler = inInvocationLogger(async (client: string | undefined, context: Context) => {
      logger.addContext(context);
      if (client !== undefined) logger.appendKeys({ clientId: client });
      logger.info('answered');
    });
    await handler('lb-brent-system', contextOf('pbx-F', 'first'));
    await handler(undefined, contextOf('pbx-F', 'second'));
    expect(lines.map((l) => [l.function_request_id, l.clientId, l.cold_start])).toEqual([
      ['first', 'lb-brent-system', true],
      ['second', undefined, false],
    ]);
  });

  it('gives invocations that overlap a logger each', async () => {
    const lines = captured();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = inInvocationLogger(async (client: string, context: Context) => {
      logger.addContext(context);
      logger.appendKeys({ clientId: client });
      if (client === 'lb-brent-system') await held;
      logger.info('answered');
    });
    const first = handler('lb-brent-system', contextOf('pbx-F', 'a'));
    await handler('lb-harrow-system', contextOf('pbx-F', 'b'));
    release();
    await first;
    expect(lines.map((l) => [l.function_request_id, l.clientId])).toEqual([
      ['b', 'lb-harrow-system'],
      ['a', 'lb-brent-system'],
    ]);
  });
});
