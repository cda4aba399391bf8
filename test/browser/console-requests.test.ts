import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxClient } from '#client/pbx-client.ts';
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
import { overwriteShare } from './support/requests.ts';

const nhsNumber = '9434765919';
const payload = Buffer.from(
  'Harrow children services: protection plan none; address history HA1 2XY\n'.repeat(40),
);
const sha256 = createHash('sha256').update(payload).digest('hex');

let stack: ConsoleStack;
let brent: PbxClient;
let requestId = '';
beforeAll(async () => {
  stack = await startConsoleStack();
  brent = await clientActingFor(stack.exchange, 'lb-brent.practitioner');
});
afterAll(() => stack?.stop());

const heading = (page: Page) => page.locator('h1').innerText();
const recorded = async () => {
  const answer = await brent.getRequest(requestId);
  expect(answer.status).toBe(200);
  if (answer.status !== 200) throw new Error('no request');
  return answer.body.request;
};

/** The MASH request of the seeded partnership, through the form (consent not sought: it would put the child at risk). */
const fillRequest = async (page: Page, nhs: string) => {
  await page.selectOption('#responder', 'lb-harrow');
  await page.fill('#nhsNumber', nhs);
  for (const c of ['identity-residence', 'protection-status', 'education-attendance']) {
    await page.check(`input[name="dataCategories"][value="${c}"]`);
  }
  for (const b of ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18']) {
    await page.check(`input[name="lawfulBasis"][value="${b}"]`);
  }
  await page.check('input[name="consent"][value="not-sought"]');
  await page.check('input[name="exemption"][value="would-prejudice-protection"]');
  await page.fill('#rationale', 'Seeking consent would put the child at risk of significant harm');
  await page.check('input[name="urgency"][value="urgent"]');
  await page.fill(
    '#justification',
    'MASH referral: the school raised concerns about a Brent child with family in Harrow',
  );
};

describe('the practitioner pages', () => {
  it('sends a request through the form: choices from the agreements in force, the NHS number checked and never sent, a dry run with every reason', async () => {
    const { context, page } = await stack.newPerson();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await signIn(page, 'lb-brent.practitioner', '/requests/new');
    await expectAccessible(page);
    expect(await heading(page)).toBe('What is the request for?');
    await page.check('input[name="under"][value="isa-nw-bcu-mash/SAFEGUARDING_REFERRAL_MASH"]');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectAccessible(page);
    expect(await heading(page)).toBe('Cross-borough MASH enquiry');
    // Only the agreement's other parties can be asked.
    const responders = await page.locator('#responder option').allInnerTexts();
    expect(responders.slice(1).sort()).toEqual(
      [
        'London Borough of Barnet',
        'London Borough of Harrow',
        'Metropolitan Police, North West Basic Command Unit',
      ].sort(),
    );

    // A wrong check digit: an inline error, the number re-shown in its field only.
    await fillRequest(page, '943 476 5918');
    await screenshot(page, 'request-new');
    await page.getByRole('button', { name: 'Send request' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual([
      'Enter a valid NHS number: this one is not (check each digit)',
    ]);
    expect(await page.inputValue('#nhsNumber')).toBe('943 476 5918');
    expect(await page.locator('#nhsNumber-error').innerText()).toContain('Enter a valid NHS number');

    // Health information without an Art 9 ground: the dry run says so, and the exchange refuses the request.
    await page.fill('#nhsNumber', nhsNumber);
    await page.check('input[name="dataCategories"][value="health"]');
    await page.uncheck('input[name="lawfulBasis"][value="UKGDPR-9-2-g"]');
    await page.getByRole('button', { name: 'Check if this would be allowed' }).click();
    await expectAccessible(page);
    const denied = await page.locator('#evaluation').innerText();
    expect(denied).toContain('This request would not be allowed');
    expect(denied).toMatch(/Art 9|special/i);
    await page.getByRole('button', { name: 'Send request' }).click();
    await expectAccessible(page);
    const refusal = await page.locator('#refusal').innerText();
    expect(refusal).toContain('The exchange did not allow this');
    expect(refusal).toContain('The request does not meet the information-sharing agreement it names.');
    expect(refusal).toContain(
      'do not cover the data: special category data (such as health) needs a UK GDPR Article 9 condition.',
    );

    await page.uncheck('input[name="dataCategories"][value="health"]');
    await page.check('input[name="lawfulBasis"][value="UKGDPR-9-2-g"]');
    await page.getByRole('button', { name: 'Check if this would be allowed' }).click();
    await expectAccessible(page);
    expect(await page.locator('#evaluation').innerText()).toContain('This request would be allowed');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/requests\/[0-9A-Z]{26}\?done=sent$/);
    await expectAccessible(page);
    expect(await page.locator('#done').innerText()).toContain('Request sent');
    requestId = new URL(page.url()).pathname.split('/')[2] ?? '';

    // What the exchange recorded: the person through the console client, and the footprint's reference only.
    const request = await recorded();
    expect(request).toMatchObject({
      status: 'submitted',
      requester: {
        organisationId: 'lb-brent',
        clientId: 'lb-brent-console',
        userId: 'lb-brent.practitioner',
      },
      responderOrganisationId: 'lb-harrow',
      agreement: { id: 'isa-nw-bcu-mash' },
      dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
      consent: { state: 'not-sought', exemption: 'would-prejudice-protection' },
      subjectRef: await referenceOf(stack, 'north-west-bcu', nhsNumber),
    });
    expect(JSON.stringify(request)).not.toContain(nhsNumber);
    expect(urls.filter((u) => u.includes('9434765') || u.includes('943%20476'))).toEqual([]);
    // Sending the same form again is the same request (its Idempotency-Key), not a second one.
    await context.close();
    const outbox = await brent.listRequests(new URLSearchParams({ box: 'outbox' }));
    expect(outbox.status === 200 ? outbox.body.requests.map((r) => r.id) : []).toEqual([requestId]);
  });

  it('lists the request in the outbox and the inbox, with due dates and filters', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner', '/requests/outbox');
    await expectAccessible(page);
    expect(await heading(page)).toBe('Requests you sent');
    const outRow = await page.locator('#requests tbody tr').allInnerTexts();
    expect(outRow).toHaveLength(1);
    expect(outRow[0]).toContain('London Borough of Harrow');
    expect(outRow[0]).toContain('Awaiting decision');
    await context.close();

    const harrow = await stack.newPerson();
    await signIn(harrow.page, 'lb-harrow.practitioner', '/requests');
    await expectAccessible(harrow.page);
    expect(new URL(harrow.page.url()).pathname).toBe('/requests/inbox');
    const inRows = await harrow.page.locator('#requests tbody tr').allInnerTexts();
    expect(inRows).toHaveLength(1);
    expect(inRows[0]).toContain('Cross-borough MASH enquiry');
    expect(inRows[0]).toContain('London Borough of Brent');
    expect(inRows[0]).not.toContain('Overdue');
    await screenshot(harrow.page, 'requests-inbox');
    await harrow.page.selectOption('#status', 'declined');
    await harrow.page.getByRole('button', { name: 'Apply filters' }).click();
    await expectAccessible(harrow.page);
    expect(await harrow.page.locator('#no-requests').innerText()).toContain('that match the filters');
    await visit(harrow.page, '/requests/inbox?status=submitted&overdue=false');
    expect(await harrow.page.locator('#requests tbody tr').count()).toBe(1);
    await visit(harrow.page, '/requests/inbox?dueBefore=31-12-2026');
    expect(await errorSummary(harrow.page)).toEqual([
      'Enter the date as year-month-day, for example 2026-12-31',
    ]);
    await harrow.context.close();
  });

  it("shows a third organisation the not-found page for the request's address, and refuses a form without its token", async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-barnet.practitioner');
    await visit(page, `/requests/${requestId}`, 404);
    expect(await heading(page)).toBe('Page not found');
    await visit(page, `/requests/${requestId}/decide`, 404);
    await context.close();

    const harrow = await stack.newPerson();
    await signIn(harrow.page, 'lb-harrow.practitioner');
    const forged = await harrow.page.request.post(`/requests/${requestId}/decide`, {
      form: { outcome: 'approve', reasons: 'held and necessary' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect((await recorded()).status).toBe('submitted');
    await harrow.context.close();
  });

  it("lets the responder decide, approving in part with reasons, on the request's page with its history", async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-harrow.practitioner', `/requests/${requestId}`);
    await expectAccessible(page);
    expect(await heading(page)).toBe('Cross-borough MASH enquiry');
    const summary = await page.locator('#request-summary').innerText();
    expect(summary).toContain('London Borough of Brent (lb-brent.practitioner)');
    expect(summary).toContain('isa-nw-bcu-mash, version 1');
    expect(await page.locator('#history tbody tr').count()).toBe(1);
    await screenshot(page, 'request-page');
    await page.getByRole('button', { name: 'Decide on this request' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Select your decision', 'Enter the reasons for your decision']);
    // The same words inline, at each field.
    expect(
      (await page.locator('.govuk-error-message').allInnerTexts()).map((t) => t.replace(/^Error:\s*/, '')),
    ).toEqual(['Select your decision', 'Enter the reasons for your decision']);
    await page.check('input[name="outcome"][value="partial"]');
    await page.uncheck('input[name="kept"][value="education-attendance"]');
    await page.fill('#reasons', 'Held and necessary; attendance records are held by the school, not by us');
    await screenshot(page, 'request-decide');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.waitForURL(/\?done=decided$/);
    await expectAccessible(page);
    expect(await page.locator('#done').innerText()).toContain('Decision recorded');
    const history = await page.locator('#history tbody').innerText();
    expect(history).toContain('Approved in part');
    expect(history).toContain('lb-harrow.practitioner');
    expect(await recorded()).toMatchObject({
      status: 'partially-approved',
      decision: {
        outcome: 'partial',
        decidedBy: 'lb-harrow.practitioner',
        withheld: { dataCategories: ['education-attendance'] },
      },
    });
    await context.close();
  });

  it('releases a file by upload, with the checksum computed in the browser and shown on the confirmation', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-harrow.practitioner', `/requests/${requestId}`);
    await page.getByRole('button', { name: 'Release the information' }).click();
    await expectAccessible(page);
    expect(await heading(page)).toBe('Release the information');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Select the file to release']);
    await page.setInputFiles('input#file', { name: 'records.txt', mimeType: 'text/plain', buffer: payload });
    await expect.poll(() => page.locator('[data-pbx-checksum]').innerText()).toContain(sha256);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.waitForURL(/\/released$/);
    await expectAccessible(page);
    expect(await page.locator('#sha256').innerText()).toBe(sha256);
    expect(await recorded()).toMatchObject({
      status: 'released',
      share: {
        sha256,
        size: payload.byteLength,
        contentType: 'text/plain',
        releasedBy: 'lb-harrow.practitioner',
        dataCategories: ['identity-residence', 'protection-status'],
      },
    });
    await context.close();
  });

  it('lets the requester download the share, verified, and refuses bytes that are not what was released', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner', `/requests/${requestId}`);
    await expectAccessible(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the information' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`request-${requestId}.txt`);
    expect(Buffer.compare(await readFile(await download.path()), payload)).toBe(0);
    expect((await recorded()).share?.fetchCount).toBe(1);

    const objectKey = (await recorded()).share?.objectKey ?? '';
    const tampered = Buffer.from(payload);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    await overwriteShare(stack, objectKey, tampered);
    await visit(page, `/requests/${requestId}`);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/download')),
      page.getByRole('button', { name: 'Download the information' }).click(),
    ]);
    expect(answer.status()).toBe(502);
    await expectAccessible(page);
    expect(await heading(page)).toBe('The file was not downloaded');
    expect(await page.locator('main').innerText()).toContain(`not ${sha256} as the exchange recorded`);
    await overwriteShare(stack, objectKey, payload);
    await context.close();
  });
});
