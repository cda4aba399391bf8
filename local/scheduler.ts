import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ScheduleDefinition } from '#functions/schedules.ts';

type ScheduledHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Runs the scheduled functions of functions/schedules.ts in the local exchange: each handler file loaded once (a
 * cold start of its own, like the HTTP adapter's), invoked with an EventBridge scheduled event on its local
 * interval, never overlapping itself. A failed run is reported and retried at the next tick.
 */
export const startScheduler = (options: {
  readonly schedules: readonly ScheduleDefinition[];
  /** Run them on their intervals; false leaves them to `runNow` (tests that want each run when they ask). */
  readonly timers?: boolean;
  readonly functionsDir: URL;
  readonly onError?: (id: string, error: unknown) => void;
}): { runNow(id: string): Promise<unknown>; stop(): Promise<void> } => {
  const instance = randomUUID();
  const running = new Map<string, Promise<unknown>>();
  const handlers = new Map<string, Promise<ScheduledHandler>>();
  const handlerOf = (schedule: ScheduleDefinition) => {
    let loaded = handlers.get(schedule.id);
    if (loaded === undefined) {
      const url = new URL(schedule.entry, options.functionsDir);
      url.search = `instance=${instance}`;
      loaded = import(url.href).then((module: { handler: ScheduledHandler }) => module.handler);
      handlers.set(schedule.id, loaded);
    }
    return loaded;
  };
  const run = (schedule: ScheduleDefinition): Promise<unknown> => {
    const current = running.get(schedule.id);
    if (current !== undefined) return current;
    const started = (async () => {
      const handler = await handlerOf(schedule);
      const time = new Date().toISOString();
      return handler(
        {
          version: '0',
          id: randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          time,
          detail: {},
        },
        {
          awsRequestId: randomUUID(),
          functionName: `pbx-${schedule.id}`,
          getRemainingTimeInMillis: () => 60_000,
        } as Context,
      );
    })().finally(() => running.delete(schedule.id));
    running.set(schedule.id, started);
    return started;
  };
  const timers = (options.timers === false ? [] : options.schedules).map((schedule) =>
    setInterval(() => {
      run(schedule).catch((error: unknown) => options.onError?.(schedule.id, error));
    }, schedule.localEverySeconds * 1000),
  );
  return {
    runNow: (id) => {
      const schedule = options.schedules.find((s) => s.id === id);
      if (schedule === undefined) throw new TypeError(`no schedule ${id}`);
      return run(schedule);
    },
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled(running.values());
    },
  };
};
