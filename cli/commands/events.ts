import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { exchangeEventSchema } from '#shared/domain/events/exchange-event.ts';
import { CliError, usageError } from './cli-error.ts';
import type { CommandInput } from './command.ts';
import { connect, reach, successBody } from './connect.ts';

/**
 * `pbx events tail`: pages through `GET /v1/events` (the caller's organisation's feed, oldest first) and prints
 * one JSON line per event. With --follow it keeps polling from the last event printed until interrupted.
 */

const pageLimit = 100;
const defaultIntervalMs = 2000;

const pageSchema = z.object({
  events: z.array(exchangeEventSchema),
  next: z.string().optional(),
});

const ulid = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const intervalOf = (value: string | undefined): number => {
  if (value === undefined) return defaultIntervalMs;
  const ms = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(ms) || ms < 100) {
    throw usageError(`--interval-ms must be a whole number of milliseconds, at least 100, not "${value}"`);
  }
  return ms;
};

export const runEventsTail = async ({ values, io }: CommandInput): Promise<void> => {
  let after = values.after;
  if (after !== undefined && !ulid.test(after)) {
    throw usageError(`--after must be an event id (a ULID, 26 characters), not "${after}"`);
  }
  if (values['interval-ms'] !== undefined && values.follow !== true) {
    throw usageError('--interval-ms only applies with --follow');
  }
  const intervalMs = intervalOf(values['interval-ms']);
  const { client, url } = await connect(values, io);

  for (;;) {
    // Read every page there is now, then (with --follow) wait and read again from the last event printed.
    for (;;) {
      const query = new URLSearchParams({ limit: String(pageLimit) });
      if (after !== undefined) query.set('after', after);
      const response = await reach(url, () => client.call('GET', `/v1/events?${query}`));
      const page = pageSchema.safeParse(successBody(response, {}, io));
      if (!page.success) {
        throw new CliError('UNTRUSTED_ANSWER', 'the exchange answered /v1/events with something else');
      }
      for (const event of page.data.events) {
        if (after !== undefined && event.id <= after) {
          throw new CliError('UNTRUSTED_ANSWER', `the exchange sent event ${event.id} after ${after}`);
        }
        io.stdout(`${JSON.stringify(event)}\n`);
        after = event.id;
      }
      if (page.data.next === undefined) break;
    }
    if (values.follow !== true) return;
    await sleep(intervalMs);
  }
};
