import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxClient } from '#client/pbx-client.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import { mashReferral } from '../support/request-exchange.ts';
import {
  type ConsoleStack,
  errorSummary,
  expectAccessible,
  signIn,
  startConsoleStack,
  visit,
} from './support/console-stack.ts';

// The challenge pages (docs/REQUESTS.md "Challenge and escalation") in a real browser, axe on every page: Brent's
// practitioner challenges Harrow's decline; Harrow's IG lead records the outcome, overturning it with a new decision.

let stack: ConsoleStack;
let brent: PbxClient;
let requestId = '';

beforeAll(async () => {
  stack = await startConsoleStack();
  brent = await clientActingFor(stack.exchange, 'lb-brent.practitioner');
  const harrow = await clientActingFor(stack.exchange, 'lb-harrow.practitioner');
  const submitted = await brent.submitRequest(mashReferral('Console challenge test'));
  if (submitted.status !== 201) throw new Error('not submitted');
  requestId = submitted.body.request.id;
  await harrow.decideRequest(requestId, { outcome: 'decline', reasons: 'Not proportionate at this stage' });
});
afterAll(() => stack?.stop());

const recorded = async () => {
  const answer = await brent.getRequest(requestId);
  if (answer.status !== 200) throw new Error('no request');
  return answer.body.request;
};

const history = (page: Page) => page.locator('#history tbody').innerText();

describe('the challenge pages', () => {
  it('lets the requester challenge a decline, with the error summary for what it left out', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner', `/requests/${requestId}`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Challenge this decision' }).click();
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe('Challenge this decision');
    await page.getByRole('button', { name: 'Send the challenge' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Select at least one reason', 'Enter your reasons']);
    await page.check('input[name="reasonCodes"][value="NEEDED_TO_SAFEGUARD"]');
    await page.fill(
      '#reasons',
      'The child is at risk; we need the protection status for the strategy discussion',
    );
    await page.getByRole('button', { name: 'Send the challenge' }).click();
    await page.waitForURL(/\?done=challenged$/);
    await expectAccessible(page);
    expect(await page.locator('#done').innerText()).toContain('Challenge sent');
    expect(await history(page)).toContain('Challenged the decline');
    expect(await page.locator('#challenge-status').innerText()).toContain('stage 1 with the ig lead');
    // Not twice, and not the responder's to record.
    expect(await page.getByRole('button', { name: 'Challenge this decision' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record the outcome' }).count()).toBe(0);
    await context.close();
  });

  it("lets the responder's IG lead record the outcome, overturning with a new decision", async () => {
    const practitioner = await stack.newPerson();
    await signIn(practitioner.page, 'lb-harrow.practitioner', `/requests/${requestId}`);
    expect(await practitioner.page.getByRole('button', { name: 'Record the outcome' }).count()).toBe(0);
    await practitioner.context.close();

    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-harrow.ig-lead', `/requests/${requestId}`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expectAccessible(page);
    expect(await page.locator('#challenge-reasons').innerText()).toContain('The child is at risk');
    await page.check('input[name="outcome"][value="overturned"]');
    await page.check('input[name="reasonCodes"][value="DECISION_WRONG"]');
    await page.fill('#reasons', 'The risk to the child outweighs the intrusion');
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Select your decision', 'Enter the reasons for your decision']);
    await page.check('input[name="outcome"][value="overturned"]');
    await page.check('input[name="decision"][value="approve"]');
    await page.fill('#decisionReasons', 'Held and necessary for the strategy discussion');
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await page.waitForURL(/\?done=resolved$/);
    await expectAccessible(page);
    expect(await page.locator('#done').innerText()).toContain('Outcome recorded');
    const steps = await history(page);
    expect(steps).toContain('Challenge stage 1: Overturned with a new decision');
    expect(steps).toContain('lb-harrow.ig-lead');
    expect(await recorded()).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approve', decidedBy: 'lb-harrow.ig-lead' },
      challenges: [{ n: 1, stages: [{ outcome: { outcome: 'overturned' } }] }],
    });
    // The outcome is recorded: the form is no longer offered.
    await visit(page, `/requests/${requestId}`);
    expect(await page.getByRole('button', { name: 'Record the outcome' }).count()).toBe(0);

    // The IG question counts the challenge and its outcome for the pair.
    await stack.exchange.runSchedule('SequenceAuditLog');
    await stack.exchange.runSchedule('ProjectIgAnswers');
    await visit(page, '/ig');
    expect(await page.locator('#ig-questions a[href="/ig/challenges"]').count()).toBe(1);
    await visit(page, '/ig/challenges');
    const cells = await page.locator('#challenges-table tbody tr').first().locator('td, th').allInnerTexts();
    expect(cells.slice(1)).toEqual([
      'London Borough of Brent',
      'London Borough of Harrow',
      '1',
      '0',
      '0',
      '1',
      '0',
      '0',
    ]);
    await context.close();
  });
});
