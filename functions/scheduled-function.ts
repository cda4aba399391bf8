import type { Context } from 'aws-lambda';
import type { FunctionHandler } from '#shared/http/operation-handler.ts';
import { createRuntime, type Runtime } from '#shared/http/runtime.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';
import { type ScheduleDefinition, schedules } from './schedules.ts';

/**
 * The handler of a scheduled function (functions/schedules.ts): its dependencies built once, at cold start, from
 * the bindings it declared, and each run with its own logger carrying the Lambda context.
 */
export const scheduledFunction = <D, R>(
  id: ScheduleDefinition['id'],
  dependencies: (runtime: Runtime) => D,
  run: (deps: D) => Promise<R>,
): FunctionHandler<(event: unknown, context: Context) => Promise<R>> => {
  const definition = schedules.find((schedule) => schedule.id === id);
  if (definition === undefined) throw new TypeError(`no scheduled function ${id}`);
  const runtime = createRuntime(id, definition);
  const deps = dependencies(runtime);
  const handler = inInvocationLogger(async (_event: unknown, context: Context) => {
    logger.addContext(context);
    return run(deps);
  });
  return Object.assign(handler, { resourcesUsed: runtime.used });
};
