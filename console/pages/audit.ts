import type { Hono } from 'hono';
import { auditCsv, countsCsv } from '#client/audit-csv.ts';
import {
  buildEvidencePack,
  EvidenceUnavailable,
  evidenceFileName,
  latestCheckpoint,
  parseEvidenceRange,
} from '../audit-evidence.ts';
import {
  collectSearch,
  countRow,
  entryRow,
  leafView,
  maxCsvEntries,
  outcomeChoices,
  parseAuditSearchForm,
  purposeChoices,
  type SearchPage,
  searchQueryString,
} from '../audit-view.ts';
import type { ConsoleContext, ConsoleEnv } from '../context.ts';
import { explain, refusalOf } from '../plain-english.ts';

/** Results per page of the search; the console follows the exchange's pages until it has as many. */
const pageSize = 50;
/** Leaves shown before an evidence download, as the pack will hold them. */
const previewLeaves = 25;

class Refused extends Error {
  constructor(readonly response: { status: number; body: unknown }) {
    super('the exchange refused');
    this.name = 'Refused';
  }
}

/** One page of the exchange's search, as the person (their organisation's entries; counts for scrutineers). */
const searchPage =
  (c: ConsoleContext, filter: Readonly<Record<string, string>>) =>
  async (cursor: number, limit: number): Promise<SearchPage> => {
    const answer = await c
      .get('exchange')
      .invoke('SearchAudit', { query: { ...filter, cursor, limit: Math.max(1, limit) } });
    if (answer.status !== 200) throw new Refused(answer);
    return answer.body;
  };

/** A refusal by the exchange in plain English, on the refusal page the audit and IG sections share. */
export const refusedPage = (
  c: ConsoleContext,
  response: { status: number; body: unknown },
  title: string,
) => {
  const { summary, reasons } = explain(refusalOf(response));
  const status = response.status >= 400 && response.status < 600 ? response.status : 502;
  return c.get('page')('audit/refused.njk', { title, summary, reasons }, status);
};

const onRefusal = async (c: ConsoleContext, title: string, run: () => Promise<Response>) => {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Refused || error instanceof EvidenceUnavailable) {
      return refusedPage(c, error.response, title);
    }
    throw error;
  }
};

/** The IG pages of the audit log: search with CSV download, evidence packs, and how to verify them offline. */
export const registerAuditPages = (app: Hono<ConsoleEnv>): void => {
  app.get('/audit', (c) =>
    onRefusal(c, 'Audit log', async () => {
      const form = parseAuditSearchForm(c.req.query());
      const context = {
        form,
        outcomes: outcomeChoices(form.values.outcome),
        purposes: purposeChoices(form.values.purpose),
        downloadHref: `/audit/download?${searchQueryString(form.values)}`,
        maxCsv: maxCsvEntries.toLocaleString('en-GB'),
      };
      if (form.filter === undefined) {
        return c.get('page')('audit/search.njk', { ...context, errors: form.errors }, 400);
      }
      const found = await collectSearch(searchPage(c, form.filter), {
        cursor: form.cursor,
        want: pageSize,
        maxCalls: 5,
      });
      if (found.kind === 'counts') {
        return c.get('page')('audit/search.njk', { ...context, counts: found.counts.map(countRow) });
      }
      return c.get('page')('audit/search.njk', {
        ...context,
        rows: found.entries.map(entryRow),
        entries: found.entries,
        searchedFrom: form.cursor,
        nextHref:
          found.next === undefined
            ? undefined
            : `/audit?${searchQueryString(form.values, { cursor: String(found.next) })}`,
        firstHref: form.cursor === 0 ? undefined : `/audit?${searchQueryString(form.values)}`,
      });
    }),
  );

  app.get('/audit/download', (c) =>
    onRefusal(c, 'Download the search', async () => {
      const form = parseAuditSearchForm(c.req.query());
      if (form.filter === undefined) {
        return c.redirect(`/audit?${searchQueryString(form.values)}`, 303);
      }
      const found = await collectSearch(searchPage(c, form.filter), {
        cursor: 0,
        want: maxCsvEntries,
        maxCalls: 50,
      });
      const attachment = (csv: string) =>
        c.body(csv, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="pbx-audit-search.csv"',
        });
      if (found.kind === 'counts') return attachment(countsCsv(found.counts));
      // A capped file is never handed over silently: the person is told, and chooses.
      if (found.next !== undefined && c.req.query('capped') !== 'accept') {
        return c.get('page')('audit/download-capped.njk', {
          found: found.entries.length,
          full: found.entries.length >= maxCsvEntries,
          max: maxCsvEntries.toLocaleString('en-GB'),
          foundText: found.entries.length.toLocaleString('en-GB'),
          acceptHref: `/audit/download?${searchQueryString(form.values, { capped: 'accept' })}`,
          backHref: `/audit?${searchQueryString(form.values)}`,
        });
      }
      return attachment(auditCsv(found.entries));
    }),
  );

  app.get('/audit/evidence', (c) =>
    onRefusal(c, 'Evidence pack', async () => {
      const exchange = c.get('exchange');
      const { size } = await latestCheckpoint(exchange);
      const form = parseEvidenceRange(c.req.query(), size);
      if (form.errors.length > 0) {
        return c.get('page')('audit/evidence.njk', { form, size, errors: form.errors }, 400);
      }
      const from = form.range?.first ?? 0;
      const to = form.range === undefined ? size : form.range.last + 1;
      let leaves: ReturnType<typeof leafView>[] = [];
      if (form.given && to > from) {
        const answer = await exchange.auditLeaves(from, Math.min(previewLeaves, to - from));
        if (answer.status !== 200) throw new EvidenceUnavailable(answer);
        leaves = answer.body.leaves.filter((l) => l.index < to).map(leafView);
      }
      const query = form.range === undefined ? '' : `?first=${from}&last=${to - 1}`;
      return c.get('page')('audit/evidence.njk', {
        form,
        size,
        from,
        last: to - 1,
        leaves,
        more: to - from - leaves.length,
        downloadHref: `/audit/evidence/download${query}`,
      });
    }),
  );

  app.get('/audit/evidence/download', (c) =>
    onRefusal(c, 'Evidence pack', async () => {
      const exchange = c.get('exchange');
      const { size } = await latestCheckpoint(exchange);
      const form = parseEvidenceRange(c.req.query(), size);
      if (form.errors.length > 0 || size === 0) {
        return c.redirect(`/audit/evidence?${new URLSearchParams(form.values)}`, 303);
      }
      const range =
        form.range === undefined ? undefined : { from: form.range.first, to: form.range.last + 1 };
      const { pack } = await buildEvidencePack(exchange, range, new Date());
      return c.body(`${JSON.stringify(pack, null, 2)}\n`, 200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${evidenceFileName(pack.from, pack.to, size)}"`,
      });
    }),
  );
};
