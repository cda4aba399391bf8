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
 * Runs every invocation of `handler` with a fresh child of the logger: no keys from an earlier invocation, none
 * from another handler of the process. The first invocation of this handler is its cold start, as in Lambda.
 */
export const inInvocationLogger = <E, C extends Context, R>(
  handler: (event: E, context: C) => Promise<R>,
): ((event: E, context: C) => Promise<R>) => {
  let cold = true;
  return (event, context) => {
    // A child starts cold; only this handler's first invocation is.
    const invocationLogger = cold ? base.createChild() : base.createChild().warm();
    cold = false;
    return invocations.run(invocationLogger, () => handler(event, context));
  };
};
