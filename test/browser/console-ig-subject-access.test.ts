import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withheldText } from '#client/ig-words.ts';
import type { PbxClient } from '#client/pbx-client.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import {
  type ConsoleStack,
  errorSummary,
  expectAccessible,
  referenceOf,
  screenshot,
  signIn,
  startConsoleStack,
} from './support/console-stack.ts';
import { operatorSearch, sequenceLog } from './support/ig.ts';

/**
 * Who looked at this child, and subject access, through the pages (docs/IG.md): Harrow's IG lead finds the child's
 * records, restricts Harrow's decision with the form (every problem shown first), sees it marked, and makes the
 * subject access report: printable, saying an entry was withheld, with a download; axe on every page.
 */

/** 943 476 5919 is the NHS Data Dictionary's worked example of a valid NHS number. */
const nhsNumber = '9434765919';

let stack: ConsoleStack;
let harrowIgLead: PbxClient;
let reference: string;

beforeAll(async () => {
  stack = await startConsoleStack();
  const brent = await clientActingFor(stack.exchange, 'lb-brent.practitioner');
  const harrow = await clientActingFor(stack.exchange, 'lb-harrow.practitioner');
  reference = await referenceOf(stack, 'north-west-bcu', nhsNumber);
  const submitted = await brent.submitRequest(brentAsksHarrow(reference), `sar-${Date.now()}`);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  if (submitted.status !== 201) return;
  const declined = await harrow.decideRequest(submitted.body.request.id, {
    outcome: 'decline',
    reasons: 'Not held here',
    reasonCodes: ['NOT_HELD'],
  });
  expect(declined.status, JSON.stringify(declined.body)).toBe(200);
  await sequenceLog(stack.exchange);
  await stack.exchange.runSchedule('ProjectIgAnswers');
  harrowIgLead = await clientActingFor(stack.exchange, 'lb-harrow.ig-lead');
}, 120_000);
afterAll(() => stack?.stop());

const findRecords = async (page: Page) => {
  await page.fill('#nhsNumber', '943 476 5919');
  await page.getByRole('button', { name: 'Find the records' }).click();
  await expectAccessible(page);
};

const inFiveDays = new Date(Date.now() + 5 * 86_400_000);

describe('restricting an entry and the subject access report', () => {
  it('restricts an entry from the child view, marks it, and withholds it from the report, saying so', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-harrow.ig-lead', '/ig/child');
    await findRecords(page);
    const decision = page.locator('#child-entries-table tbody tr', { hasText: 'Decided what to share' });
    await decision.getByRole('link', { name: /Restrict/ }).click();
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe('Restrict an entry from subject access reports');

    // Every problem at once, linked to its field.
    await page.getByRole('button', { name: 'Restrict the entry' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual([
      'Select why the entry is restricted',
      'Enter the reason in words',
      'Enter the end date',
    ]);
    await page.check('input[name="reasonCode"][value="crime-prevention"]');
    await page.fill('#reason', 'A police enquiry would be prejudiced');
    await page.fill('#until-day', '1');
    await page.fill('#until-month', '1');
    await page.fill('#until-year', '2020');
    await page.getByRole('button', { name: 'Restrict the entry' }).click();
    expect(await errorSummary(page)).toEqual(['The end date must be today or in the future']);
    expect(await page.locator('#reason').inputValue()).toBe('A police enquiry would be prejudiced');
    await page.fill('#until-day', String(inFiveDays.getUTCDate()));
    await page.fill('#until-month', String(inFiveDays.getUTCMonth() + 1));
    await page.fill('#until-year', String(inFiveDays.getUTCFullYear()));
    await page.getByRole('button', { name: 'Restrict the entry' }).click();
    await expectAccessible(page);
    expect(await page.locator('.govuk-panel__title').innerText()).toBe('Entry restricted');
    await screenshot(page, 'ig-restricted');

    // The records show it marked, with no Restrict link on it any more.
    await page.goto('/ig/child');
    await findRecords(page);
    const marked = page.locator('#child-entries-table tbody tr', { hasText: 'Decided what to share' });
    expect(await marked.innerText()).toContain('Restricted until');
    expect(await marked.innerText()).toContain('Prevention or detection of crime');
    expect(await marked.getByRole('link', { name: /Restrict/ }).count()).toBe(0);
    expect(await page.locator('#ig-restricted').count()).toBe(1);

    // The report withholds it and says so; it matches the exchange's own answer.
    await page.getByRole('link', { name: 'make a subject access report' }).click();
    await expectAccessible(page);
    await page.fill('#nhsNumber', '943 476 5919');
    await page.getByRole('button', { name: 'Make the report' }).click();
    await expectAccessible(page);
    await screenshot(page, 'ig-subject-access-report');
    const answer = await harrowIgLead.invoke('GetIgChildDisclosure', { query: { subjectRef: reference } });
    expect(answer.status).toBe(200);
    if (answer.status !== 200) return;
    expect(answer.body.withheld).toBe(1);
    expect(await page.locator('#report-withheld').innerText()).toContain(withheldText(1));
    expect(await page.locator('#disclosure-table tbody tr').count()).toBe(answer.body.entries.length);
    const report = await page.locator('#disclosure-table').innerText();
    expect(report).toContain('Asked another organisation for information about the child');
    expect(report).not.toContain('Decided what to share');
    expect(await page.content()).not.toContain(nhsNumber);

    // Printable: the form and the navigation are left out of the printout.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('form[action="/ig/child/disclosure"]').isVisible()).toBe(false);
    expect(await page.locator('#disclosure-table').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the report' }).click(),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(path, 'utf8');
    expect(text).toContain(withheldText(1));
    expect(text).toContain('Asked another organisation for information about the child');
    expect(text).not.toContain('Decided what to share');
    expect(text).not.toContain(nhsNumber);

    // The organisation's restrictions: lifted early with a reason (none given is a problem first).
    await page.goto('/ig/restrictions');
    await expectAccessible(page);
    expect(await page.locator('h2', { hasText: 'In force' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Lift the restriction' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Enter why the restriction is lifted early']);
    await page.locator('textarea[name="reason"]').fill('The enquiry has ended');
    await page.getByRole('button', { name: 'Lift the restriction' }).click();
    await page.waitForURL((url) => url.pathname === '/ig/restrictions');
    await expectAccessible(page);
    expect(await page.locator('h2', { hasText: 'Lifted' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Lift the restriction' }).count()).toBe(0);
    const after = await harrowIgLead.invoke('GetIgChildDisclosure', { query: { subjectRef: reference } });
    expect(after.status === 200 && after.body.withheld).toBe(0);
    await context.close();

    // Each step was audited by the exchange, the NHS number in none.
    await sequenceLog(stack.exchange);
    const restricted = await operatorSearch(stack.exchange, { action: 'ig.restriction.create' });
    expect(restricted).toContainEqual(
      expect.objectContaining({ actor: expect.objectContaining({ clientId: 'lb-harrow-console' }) }),
    );
    const reports = await operatorSearch(stack.exchange, { action: 'ig.child.disclosure' });
    expect(reports.filter((e) => e.actor.clientId === 'lb-harrow-console')).toHaveLength(2);
    const lifts = await operatorSearch(stack.exchange, { action: 'ig.restriction.lift', outcome: 'allowed' });
    expect(lifts.filter((e) => e.actor.clientId === 'lb-harrow-console')).toHaveLength(1);
    expect(JSON.stringify(await operatorSearch(stack.exchange, {}))).not.toContain(nhsNumber);
  });

  it('offers no Restrict action on entries the organisation may not restrict', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'pbx-operations.operator', '/ig/child');
    await findRecords(page);
    expect(await page.locator('#child-entries-table').count()).toBe(1);
    expect(
      await page
        .locator('#child-entries-table')
        .getByRole('link', { name: /^Restrict/ })
        .count(),
    ).toBe(0);
    await context.close();
  });
});
