import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { IgRequestsAnswer } from '#shared/http/views/ig.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import {
  type ConsoleStack,
  errorSummary,
  expectAccessible,
  referenceOf,
  screenshot,
  signIn,
  startConsoleStack,
  visit,
} from './support/console-stack.ts';
import { operatorSearch, parseCsv, sequenceLog } from './support/ig.ts';

/**
 * The IG answers section through the pages (docs/CONSOLE.md "IG answers"): a known set of requests through the
 * exchange, the projection brought up to date, then each question's page as an IG lead, checked against the
 * exchange's own JSON answer for the same person; a scrutineer's suppressed counts; one child's records from an
 * NHS number; the PQA report; and a practitioner kept out.
 */

/** 943 476 5919 is the NHS Data Dictionary's worked example of a valid NHS number. */
const nhsNumber = '9434765919';
/** The requests Brent's practitioner makes of Harrow, all in the current month. */
const made = 3;

let stack: ConsoleStack;
let igLead: PbxClient;
let scrutineer: PbxClient;

/** The log sequenced and the IG projection brought up to it: what the pages then read is the whole story. */
const project = async () => {
  await sequenceLog(stack.exchange);
  await stack.exchange.runSchedule('ProjectIgAnswers');
};

beforeAll(async () => {
  stack = await startConsoleStack();
  const brent = await clientActingFor(stack.exchange, 'lb-brent.practitioner');
  const harrow = await clientActingFor(stack.exchange, 'lb-harrow.practitioner');
  const child = await referenceOf(stack, 'north-west-bcu', nhsNumber);
  const ids: string[] = [];
  for (let i = 0; i < made; i += 1) {
    const answer = await brent.submitRequest(brentAsksHarrow(child), `ig-answers-${i}-${Date.now()}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    if (answer.status === 201) ids.push(answer.body.request.id);
  }
  // One refused by the exchange (no such agreement), one declined by Harrow with a reason code.
  const refused = await brent.submitRequest(brentAsksHarrow(child, { agreementId: 'isa-no-such-agreement' }));
  expect(refused.status).toBe(403);
  const declined = await harrow.decideRequest(ids[0] ?? '', {
    outcome: 'decline',
    reasons: 'Not necessary: the school already holds the information',
    reasonCodes: ['NOT_NECESSARY'],
  });
  expect(declined.status, JSON.stringify(declined.body)).toBe(200);
  await project();
  igLead = await clientActingFor(stack.exchange, 'lb-brent.ig-lead');
  scrutineer = await clientActingFor(stack.exchange, 'lb-brent.scrutineer');
}, 120_000);
afterAll(() => stack?.stop());

/** The counts of a table's rows as the page sent them (`data-count`: the exchange's value, `<5` included). */
const countsOf = async (page: Page, tableId: string): Promise<string[][]> => {
  const rows: string[][] = [];
  for (const row of await page.locator(`#${tableId} tbody tr`).all()) {
    const cells: string[] = [];
    for (const cell of await row.locator('[data-count]').all())
      cells.push((await cell.getAttribute('data-count')) ?? '');
    rows.push(cells);
  }
  return rows;
};

const strings = (values: readonly (number | string)[]) => values.map(String);

/** The exchange's answer, which must be a 200. */
const answered = async <T>(call: Promise<PbxResponse<T>>): Promise<PbxResponse<T>> => {
  const answer = await call;
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer;
};

/** A row of `requests`' counts, in the order of the page's columns. */
const requestCounts = (r: IgRequestsAnswer['rows'][number]) =>
  strings([r.submitted, r.refused, r.approved, r.partial, r.declined, r.released, r.withdrawn, r.closed]);

/** Each question's page, and what its tables must hold, from the exchange's answer for the same person. */
const questions: readonly {
  name: string;
  charted: boolean;
  expected: (client: PbxClient) => Promise<Record<string, string[][]>>;
}[] = [
  {
    name: 'requests',
    charted: true,
    expected: async (client) => {
      const answer = await answered(client.invoke('GetIgRequests'));
      return {
        'requests-table': answer.body.rows.map(requestCounts),
      };
    },
  },
  ...(['refusals', 'without-agreement', 'cross-footprint'] as const).map((name) => ({
    name,
    charted: true,
    expected: async (client: PbxClient) => {
      const operation = {
        refusals: 'GetIgRefusals',
        'without-agreement': 'GetIgWithoutAgreement',
        'cross-footprint': 'GetIgCrossFootprint',
      } as const;
      const answer = await answered(client.invoke(operation[name]));
      return {
        [`${name}-chart-table`]: answer.body.totals.map((t) => strings([t.count])),
        [`${name}-table`]: answer.body.rows.map((r) => strings([r.count])),
      };
    },
  })),
  {
    name: 'past-review',
    charted: false,
    expected: async (client) => {
      const answer = await answered(client.invoke('GetIgPastReview'));
      return { 'past-review-table': answer.body.rows.map((r) => strings([r.accepted, r.refused])) };
    },
  },
  {
    name: 'consent-not-sought',
    charted: true,
    expected: async (client) => {
      const answer = await answered(client.invoke('GetIgConsentNotSought'));
      return {
        'consent-chart-table': answer.body.totals.map((t) => strings([t.count])),
        'consent-table': answer.body.rows.map((r) => strings([r.count])),
      };
    },
  },
  {
    name: 'placements',
    charted: false,
    expected: async (client) => {
      const answer = await answered(client.invoke('GetIgPlacements'));
      return {
        'placements-table': answer.body.rows.map((r) =>
          strings([r.submitted, r.approved, r.partial, r.declined, r.released]),
        ),
      };
    },
  },
  {
    name: 'outcomes',
    charted: true,
    expected: async (client) => {
      const answer = await answered(client.invoke('GetIgOutcomes'));
      return {
        'outcomes-table': answer.body.rows.map((r) =>
          strings([
            r.submitted,
            r.withOutcome,
            r.open,
            r.approved,
            r.partial,
            r.declined,
            r.withdrawn,
            r.closed,
          ]),
        ),
      };
    },
  },
  {
    name: 'outstanding',
    charted: true,
    expected: async (client) => {
      const answer = await answered(client.invoke('GetIgOutstanding'));
      return {
        'outstanding-chart-table': answer.body.rows.map((r) => strings([r.open])),
        'outstanding-table': answer.body.rows.map((r) =>
          strings([r.open, r.overdue, ...(r.maxDaysOverdue === null ? [] : [r.maxDaysOverdue])]),
        ),
      };
    },
  },
];

describe('IG answers, for an IG lead', () => {
  it('lists the ten questions and the PQA report', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig');
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe('IG answers');
    const links: (string | null)[] = [];
    for (const link of await page.locator('#ig-questions a').all())
      links.push(await link.getAttribute('href'));
    expect(links).toHaveLength(10);
    expect(links).toContain('/ig/child');
    expect(await page.locator('#ig-report-link').getAttribute('href')).toBe('/ig/report');
    await context.close();
  });

  it("shows each question's answer as the exchange gives it to the IG lead, with its chart and freshness", async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig');
    for (const question of questions) {
      await visit(page, `/ig/${question.name}`);
      const expected = await question.expected(igLead);
      for (const [tableId, rows] of Object.entries(expected)) {
        expect(await countsOf(page, tableId), `${question.name}: ${tableId}`).toEqual(rows);
      }
      expect(await page.locator('#ig-freshness').innerText()).toMatch(
        /^Figures as of \d{1,2}:\d{2}[ap]m on \d{1,2} \w+ \d{4} \([\d,]+ log entries\)\.$/,
      );
      expect(await page.locator('svg.pbx-chart[role="img"]').count(), question.name).toBe(
        question.charted ? 1 : 0,
      );
      if (question.name === 'requests') await screenshot(page, 'ig-requests');
    }
    await context.close();
  });

  it('counts the known requests, refusal and decline to the number', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig/requests');
    // Brent to Harrow: the requests made this month, one of them declined.
    const [detail] = await countsOf(page, 'requests-table');
    expect(detail?.slice(0, 5)).toEqual(strings([made, 1, 0, 0, 1]));
    await visit(page, '/ig/without-agreement');
    expect(await page.locator('#without-agreement-table').innerText()).toContain('AGREEMENT_NOT_FOUND');
    await visit(page, '/ig/refusals');
    expect(await page.locator('#refusals-table').innerText()).toContain('NOT_NECESSARY');
    await context.close();
  });

  it('asks again for a month that is not one, with the error summary and inline errors', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig/requests');
    await page.fill('#from-month', '13');
    await page.fill('#from-year', '2026');
    await page.getByRole('button', { name: 'Show the figures' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['The first month must be a real month, like 4 2026']);
    expect(await page.locator('#from-error').innerText()).toContain('must be a real month');
    await context.close();
  });

  it("finds one child's records from an NHS number that never leaves the console", async () => {
    const { context, page } = await stack.newPerson();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await signIn(page, 'lb-brent.ig-lead', '/ig/child');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Find the records' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(["Enter the child's NHS number"]);
    await page.fill('#nhsNumber', '943 476 5918');
    await page.getByRole('button', { name: 'Find the records' }).click();
    expect(await errorSummary(page)).toEqual([
      'Enter a valid NHS number: this one is not (check each digit)',
    ]);
    await page.fill('#nhsNumber', '943 476 5919');
    await page.getByRole('button', { name: 'Find the records' }).click();
    await expectAccessible(page);
    const reference = await referenceOf(stack, 'north-west-bcu', nhsNumber);
    const answer = await answered(igLead.invoke('GetIgChild', { query: { subjectRef: reference } }));
    expect(await countsOf(page, 'child-counts-table')).toEqual(
      answer.body.counts.map((c) => strings([c.count])),
    );
    expect(await page.locator('#child-entries-table tbody tr').count()).toBe(answer.body.entries?.length);
    expect(answer.body.entries?.filter((e) => e.action === 'request.submit').length).toBe(made + 1);
    expect(await page.content()).not.toContain(nhsNumber);
    expect(await page.locator('#nhsNumber').inputValue()).toBe('');
    expect(urls.filter((u) => u.includes('9434765') || u.includes('943%20476'))).toEqual([]);
    await context.close();

    // The exchange recorded the question with the references only as given, and no NHS number anywhere.
    await sequenceLog(stack.exchange);
    const asked = await operatorSearch(stack.exchange, { action: 'ig.child' });
    expect(asked.length).toBeGreaterThanOrEqual(1);
    const throughConsole = asked.filter((e) => e.actor.clientId === 'lb-brent-console');
    expect(throughConsole).toHaveLength(1);
    expect(throughConsole[0]?.search).toMatchObject({ subjectRef: 'given' });
    expect(JSON.stringify(asked)).not.toContain(reference);
    const all = await operatorSearch(stack.exchange, {});
    expect(JSON.stringify(all)).not.toContain(nhsNumber);
  });

  it('shows the PQA report of a quarter, printable, and downloads it as CSV', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig/report');
    await expectAccessible(page);
    const quarter = (await page.locator('#quarter option').nth(1).getAttribute('value')) ?? '';
    await page.selectOption('#quarter', quarter);
    await page.selectOption('#footprint', 'north-west-bcu');
    await page.getByRole('button', { name: 'Show the report' }).click();
    await page.waitForURL((url) => url.searchParams.get('quarter') === quarter);
    await expectAccessible(page);
    await screenshot(page, 'ig-report');
    const answer = await answered(
      igLead.invoke('GetIgReport', { query: { quarter, footprint: 'north-west-bcu' } }),
    );
    const requests = await countsOf(page, 'report-requests');
    expect(requests.slice(0, 8).map((r) => r[0])).toEqual(
      strings(
        ['submitted', 'refused', 'approved', 'partial', 'declined', 'released', 'withdrawn', 'closed'].map(
          (k) => answer.body.requests[k as 'submitted'],
        ),
      ),
    );
    // Printed, the page keeps its tables and leaves out the navigation and the form.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.govuk-service-navigation').isVisible()).toBe(false);
    expect(await page.locator('form.pbx-filters').isVisible()).toBe(false);
    expect(await page.locator('#report-requests').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    const download = await page.request.get((await page.locator('#download-csv').getAttribute('href')) ?? '');
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toContain('text/csv');
    const [header, ...rows] = parseCsv(await download.text());
    expect(header).toEqual(['footprint', 'quarter', 'section', 'indicator', 'value']);
    expect(rows).toContainEqual([
      'north-west-bcu',
      quarter,
      'Requests',
      'Made',
      String(answer.body.requests.submitted),
    ]);
    await context.close();
  });
});

describe('IG answers, for others', () => {
  it('shows a scrutineer counts only, small numbers as "fewer than 5"', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.scrutineer', '/ig/requests');
    await expectAccessible(page);
    expect(await page.locator('#ig-scope').innerText()).toContain('counts only');
    const answer = await answered(scrutineer.invoke('GetIgRequests'));
    expect(answer.body.scope).toBe('counts');
    expect(await countsOf(page, 'requests-table')).toEqual(answer.body.rows.map(requestCounts));
    expect(await page.locator('#requests-table').innerText()).toContain('fewer than 5');
    await visit(page, '/ig/outstanding');
    expect(await page.locator('#outstanding-requests-table').count()).toBe(0);
    await context.close();
  });

  it('does not show a practitioner the section; the exchange refuses its answers by address, audited', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    const sections = await page.locator('.govuk-service-navigation__item').allInnerTexts();
    expect(sections.map((s) => s.trim())).not.toContain('IG answers');
    for (const path of ['/ig/requests', '/ig/outstanding']) {
      await visit(page, path, 403);
      expect(await page.locator('#refusal-summary').innerText()).toBe(
        'You do not have permission to do this.',
      );
    }
    await visit(page, '/ig/child');
    await page.fill('#nhsNumber', nhsNumber);
    await page.getByRole('button', { name: 'Find the records' }).click();
    expect(await page.locator('#refusal-summary').innerText()).toBe('You do not have permission to do this.');
    // Each refusal is the exchange's, recorded with its reason and the person who asked.
    await sequenceLog(stack.exchange);
    const found = await igLead.auditSearch(new URLSearchParams({ outcome: 'refused' }));
    expect(found.status).toBe(200);
    const refusals = ((found.body as { entries?: { entry: AuditEntry }[] }).entries ?? [])
      .map((e) => e.entry)
      .filter((e) => e.actor.userId === 'lb-brent.practitioner' && e.action !== 'request.submit');
    expect(refusals.map((e) => [e.action, e.target?.id, e.reasonCodes])).toEqual([
      ['api.answer', 'GET /v1/ig/requests', ['NOT_PERMITTED']],
      ['api.answer', 'GET /v1/ig/outstanding', ['NOT_PERMITTED']],
      ['ig.child', 'child', ['NOT_PERMITTED']],
    ]);
    await context.close();
  });
});
