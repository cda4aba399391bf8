import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxClient } from '#client/pbx-client.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { textSha256 } from '#shared/domain/audit/audit-entry.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import {
  type ConsoleStack,
  errorSummary,
  expectAccessible,
  screenshot,
  signIn,
  startConsoleStack,
  visit,
} from './support/console-stack.ts';
import { sequenceLog } from './support/ig.ts';

/**
 * The alerts page of the IG answers section (docs/IG.md "Anomaly alerts"): an alert raised by the detector from a
 * cross-footprint attempt, shown to Brent's IG lead with its rule, who and the audit entry behind it; the
 * acknowledge form refused without a note, then acknowledged and closed; a practitioner kept out. Every page is
 * checked with axe.
 */

let stack: ConsoleStack;
let igLead: PbxClient;

beforeAll(async () => {
  stack = await startConsoleStack();
  const brent = await clientActingFor(stack.exchange, 'lb-brent.practitioner');
  const elsewhere = `sr1.east-area-bcu.${randomBytes(32).toString('base64url')}`;
  expect((await brent.submitRequest(brentAsksHarrow(elsewhere))).status).toBe(403);
  await sequenceLog(stack.exchange);
  await stack.exchange.runSchedule('DetectAnomalies');
  igLead = await clientActingFor(stack.exchange, 'lb-brent.ig-lead');
}, 120_000);
afterAll(() => stack?.stop());

const crossFootprintAlert = async () => {
  const answer = await igLead.listAlerts();
  expect(answer.status).toBe(200);
  const alert =
    answer.status === 200 ? answer.body.alerts.find((a) => a.rule === 'cross-footprint') : undefined;
  if (alert === undefined) throw new Error('the detector raised no cross-footprint alert');
  return alert;
};

describe('the alerts page', () => {
  it('shows the alert with its rule, who, and a link to the entry that raised it', async () => {
    const alert = await crossFootprintAlert();
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig');
    expect(await page.locator('#ig-alerts-link').getAttribute('href')).toBe('/ig/alerts');
    await visit(page, '/ig/alerts');
    const section = page.locator(`section#${alert.id}`);
    expect(await section.locator('h2').innerText()).toMatch(/^Cross-footprint attempt/);
    expect(await section.innerText()).toContain('lb-brent.practitioner');
    const [leaf] = alert.entries;
    expect(await section.locator('a', { hasText: `Leaf ${leaf}` }).getAttribute('href')).toBe(
      `/audit/evidence?first=${leaf}&last=${leaf}`,
    );
    await screenshot(page, 'ig-alerts');
    await context.close();
  });

  it('refuses to acknowledge without a note, then acknowledges and closes with one', async () => {
    const alert = await crossFootprintAlert();
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/ig/alerts');
    await page.locator(`#${alert.id}-acknowledge`).click();
    await page.waitForLoadState();
    expect(await errorSummary(page)).toEqual(['Enter a note saying why you acknowledge this alert']);
    await expectAccessible(page);

    const note = 'Asked the practitioner: a mistyped reference, no access was gained';
    await page.locator(`#note-${alert.id}`).fill(note);
    await page.locator(`#${alert.id}-acknowledge`).click();
    await page.waitForURL((url) => url.search === '?done=acknowledged');
    await expectAccessible(page);
    expect(await page.locator(`section#${alert.id}`).innerText()).toContain('Acknowledged');

    await page.locator(`#note-${alert.id}`).fill('Explained; nothing more to do');
    await page.locator(`#${alert.id}-close`).click();
    await page.waitForURL((url) => url.search === '?done=closed');
    await expectAccessible(page);
    const closed = await crossFootprintAlert();
    expect(closed.status).toBe('closed');
    expect(closed.actions.map((a) => [a.status, a.by, a.noteSha256])).toEqual([
      ['acknowledged', 'lb-brent.ig-lead', textSha256(note)],
      ['closed', 'lb-brent.ig-lead', textSha256('Explained; nothing more to do')],
    ]);
    expect(await page.locator(`section#${alert.id} form`).count()).toBe(0);
    await context.close();
  });

  it('refuses a practitioner the page', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    await visit(page, '/ig/alerts', 403);
    await context.close();
  });
});
