import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { PbxClient } from '#client/pbx-client.ts';
import { maxCsvEntries } from '#console/audit-view.ts';
import type { ConsoleEnv } from '#console/context.ts';
import { registerAuditPages } from '#console/pages/audit.ts';
import { createRenderer } from '#console/render.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';

/**
 * The CSV download's bound, through the handler: an exchange (an in-memory fake of the one call the download
 * makes) with more matching entries than a download holds. The browser tests drive the real exchange.
 */

const entry: AuditEntry = {
  id: '01JDQ4Z8M6V3K2W9X7Y5T4R3S2',
  time: '2026-12-03T08:27:01.096Z',
  actor: {
    kind: 'client',
    clientId: 'lb-brent-console',
    userId: 'lb-brent.ig-lead',
    organisationId: 'lb-brent',
  },
  action: 'request.submit',
  outcome: 'allowed',
  reasonCodes: [],
};

/** A log where every leaf matches, `total` entries long, paged as the exchange pages (limit, next). */
const fakeExchange = (total: number) => {
  const calls: Record<string, unknown>[] = [];
  const exchange = {
    invoke: async (id: string, input: { query: Record<string, number | string> }) => {
      if (id !== 'SearchAudit') throw new Error(`unexpected ${id}`);
      calls.push(input.query);
      const cursor = Number(input.query.cursor);
      const limit = Number(input.query.limit);
      const end = Math.min(total, cursor + limit);
      const entries = Array.from({ length: end - cursor }, (_, i) => ({ index: cursor + i, entry }));
      return { status: 200, body: end < total ? { entries, next: end } : { entries } };
    },
  };
  return { exchange: exchange as unknown as PbxClient, calls };
};

const appWith = (exchange: PbxClient) => {
  const render = createRenderer();
  const app = new Hono<ConsoleEnv>();
  app.use('*', async (c, next) => {
    c.set('exchange', exchange);
    c.set('page', (view, context = {}, status = 200) =>
      c.html(render(view, { ...context, navigation: [] }), status as 200),
    );
    await next();
  });
  registerAuditPages(app);
  return app;
};

describe('the audit CSV download', () => {
  it('hands over every entry found when the search ends within the bound', async () => {
    const { exchange, calls } = fakeExchange(1200);
    const answer = await appWith(exchange).request('/audit/download?action=request.submit');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="pbx-audit-search.csv"');
    const lines = (await answer.text()).split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1 + 1200);
    expect(calls.every((q) => q.action === 'request.submit')).toBe(true);
  });

  it('says so when the search finds more than a download holds, and gives the first part only when asked', async () => {
    const { exchange } = fakeExchange(maxCsvEntries + 10);
    const app = appWith(exchange);
    const capped = await app.request('/audit/download?action=request.submit');
    expect(capped.status).toBe(200);
    expect(capped.headers.get('content-type')).toContain('text/html');
    const page = await capped.text();
    expect(page).toContain('Your search found too many entries to download');
    expect(page).toContain('A download holds at most 5,000 entries, and your search finds more than that.');
    expect(page).toContain('download the first 5,000 entries only');
    expect(page).toContain('href="/audit/download?action=request.submit&amp;capped=accept"');

    const accepted = await app.request('/audit/download?action=request.submit&capped=accept');
    expect(accepted.headers.get('content-type')).toContain('text/csv');
    const lines = (await accepted.text()).split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1 + maxCsvEntries);
  });

  it('sends a filter that is not right back to the form, asking the exchange nothing', async () => {
    const { exchange, calls } = fakeExchange(10);
    const answer = await appWith(exchange).request('/audit/download?action=Not+an+action');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/audit?action=Not+an+action');
    expect(calls).toEqual([]);
  });
});

describe('the audit search page for a scrutineer', () => {
  it('shows the counts the exchange gives, and no entries', async () => {
    const exchange = {
      invoke: async () => ({
        status: 200,
        body: {
          counts: [
            { action: 'request.submit', outcome: 'allowed', count: 12 },
            { action: 'request.submit', outcome: 'refused', count: '<5' },
          ],
        },
      }),
    } as unknown as PbxClient;
    const answer = await appWith(exchange).request('/audit');
    expect(answer.status).toBe(200);
    const page = await answer.text();
    expect(page).toContain('As a scrutineer you see how many entries there are');
    expect(page).toMatch(
      /request\.submit<\/td>\s*<td class="govuk-table__cell">refused<\/td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">&lt;5<\/td>/,
    );
    expect(page).not.toContain('id="audit-results"');
  });
});
