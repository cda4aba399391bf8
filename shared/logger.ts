import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/** Powertools' logger, whose children can be told that their invocation is not a cold start. */
class InvocationLogger extends Logger {
  /** The cold-start flag is per instance, and a fresh child's is set: consume it. */
  warm(): this {
    this.getColdStart();
    return this;
  }

  public override createChild(options?: ConstructorOptions): InvocationLogger {
    return super.createChild(options) as InvocationLogger;
  }

  protected override createLogger(options?: ConstructorOptions): InvocationLogger {
    return new InvocationLogger(options);
  }
}

const base = new InvocationLogger({ serviceName: 'pbx' });
const invocations = new AsyncLocalStorage<InvocationLogger>();

/**
 * The one structured logger. It logs what happened (codes, ids of principals, counts, timings), never bodies,
 * tokens, keys, subject references or other personal data.
 *
 * Inside a handler wrapped by `inInvocationLogger` it is that invocation's own logger: its function name and
 * request id (injectLambdaContext), its keys (the client id), and nothing of another invocation's. In Lambda one
 * invocation runs at a time, but the local exchange runs every function in one process, side by side: one shared
 * instance gave a scheduled function's lines another function's name and an earlier caller's client id.
 */
export const logger: Logger = new Proxy(base, {
  get(target, property) {
    const current = invocations.getStore() ?? target;
    const value: unknown = Reflect.get(current, property, current);
    return typeof value === 'function' ? value.bind(current) : value;
  },
  set(target, property, value) {
    return Reflect.set(invocations.getStore() ?? target, property, value);
  },
});

/**
 * Runs every invocation of `handler` with a logger of its own: no keys from an earlier invocation, none from another
 * handler of the process or another invocation running beside it. A logger is a child of the base one, built once
 * and kept for this handler's next invocation with its keys reset (building one per invocation cost about 40 µs:
 * `npm run bench:auth`, its "Powertools logger + JSON answer" line went from 41 to 2 µs); a second one is built only
 * for an invocation that overlaps another (the local exchange). The first invocation of this handler is its cold
 * start, as in Lambda.
 */
export const inInvocationLogger = <E, C extends Context, R>(
  handler: (event: E, context: C) => Promise<R>,
): ((event: E, context: C) => Promise<R>) => {
  const idle: InvocationLogger[] = [];
  let cold = true;
  return async (event, context) => {
    const invocationLogger = idle.pop() ?? base.createChild();
    // Only this handler's first invocation is a cold start: a logger made or reused after it is warm.
    if (!cold) invocationLogger.warm();
    cold = false;
    try {
      return await invocations.run(invocationLogger, () => handler(event, context));
    } finally {
      invocationLogger.resetKeys();
      idle.push(invocationLogger);
    }
  };
};
