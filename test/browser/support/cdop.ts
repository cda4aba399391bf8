import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunningExchange } from '#local/exchange.ts';
import { clientActingFor } from '../../support/local-exchange-clients.ts';

/** The CDOP pages' test helpers: what the exchange recorded, seen through its signed API. */

/**
 * The sequenced audit entries of `action` on `targetId`, as the organisation's IG lead finds them (the log is
 * sequenced by its schedule first: the browser tests run the exchange without timers).
 */
export const auditEntriesOf = async (
  exchange: RunningExchange,
  igLead: string,
  action: string,
  targetId: string,
) => {
  await exchange.runSchedule('SequenceAuditLog');
  const client = await clientActingFor(exchange, igLead);
  const answer = await client.auditSearch(new URLSearchParams({ action, limit: '500' }));
  expect(answer.status).toBe(200);
  const body = answer.body as {
    entries?: { entry: { target?: { id?: string }; actor: Record<string, unknown>; outcome: string } }[];
  };
  return (body.entries ?? []).map((e) => e.entry).filter((e) => e.target?.id === targetId);
};

/** Fills a GOV.UK date input. */
export const fillDate = async (page: Page, prefix: string, iso: string): Promise<void> => {
  const [year = '', month = '', day = ''] = iso.split('-');
  await page.fill(`#${prefix}-day`, String(Number(day)));
  await page.fill(`#${prefix}-month`, String(Number(month)));
  await page.fill(`#${prefix}-year`, year);
};
