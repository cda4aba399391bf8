import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import type { AgreementContent } from '#shared/domain/agreements/agreement.ts';
import { contentHashOf } from '#shared/domain/agreements/agreement.ts';
import { concernsOrganisation } from '#shared/domain/audit/search.ts';
import { verifyEvidence } from '#shared/domain/audit/verify-evidence.ts';
import { brentHarrowReviewAgreement } from '../support/agreement-fixtures.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import {
  type ConsoleStack,
  expectAccessible,
  screenshot,
  signIn,
  startConsoleStack,
  visit,
} from './support/console-stack.ts';
import { operatorSearch, parseCsv, sequenceLog } from './support/ig.ts';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await startConsoleStack();
});
afterAll(() => stack?.stop());

const errorSummary = (page: Page) => page.locator('.govuk-error-summary').innerText();
const csrfOf = (page: Page) => page.locator('input[name="csrf"]').first().inputValue();

describe('audit search, for IG leads', () => {
  it('finds an entry of a known action, shows it in the table and downloads the same rows as CSV', async () => {
    // The known action: a Brent practitioner's refused search of the log, through Brent's own system.
    const practitioner = await clientActingFor(stack.exchange, 'lb-brent.practitioner');
    expect((await practitioner.invoke('SearchAudit')).status).toBe(403);
    await sequenceLog(stack.exchange);

    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/audit');
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe('Audit log');

    await page.fill('#action', 'audit.search');
    await page.selectOption('#outcome', 'refused');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('action') === 'audit.search');
    await expectAccessible(page);
    await screenshot(page, 'audit-search');
    const rows = await page.locator('#audit-results tbody tr').allInnerTexts();
    expect(rows.some((r) => r.includes('lb-brent.practitioner through lb-brent-system'))).toBe(true);
    expect(rows.every((r) => r.includes('audit.search') && r.includes('Refused'))).toBe(true);

    const download = await page.request.get((await page.locator('#download-csv').getAttribute('href')) ?? '');
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toContain('text/csv');
    expect(download.headers()['content-disposition']).toContain('attachment');
    const [header, ...csvRows] = parseCsv(await download.text());
    expect(header).toEqual([
      'time',
      'index',
      'action',
      'outcome',
      'reasonCodes',
      'actorClient',
      'actorUser',
      'actorOrganisation',
      'target',
      'agreement',
      'purpose',
      'subjectRef',
    ]);
    expect(csvRows.length).toBe(rows.length);
    expect(csvRows).toContainEqual(
      expect.arrayContaining(['audit.search', 'refused', 'lb-brent-system', 'lb-brent.practitioner']),
    );

    // The console's searches are the IG lead's own, through Brent's console client, and audited as such.
    await sequenceLog(stack.exchange);
    const searches = await operatorSearch(stack.exchange, { action: 'audit.search', outcome: 'allowed' });
    expect(searches).toContainEqual(
      expect.objectContaining({
        actor: expect.objectContaining({ userId: 'lb-brent.ig-lead', clientId: 'lb-brent-console' }),
      }),
    );
    await context.close();
  });

  it('checks the filters and shows every problem inline', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/audit');
    await visit(
      page,
      '/audit?action=Not+an+action&from-day=31&from-month=2&from-year=2026&agreement=mash',
      400,
    );
    const summary = await errorSummary(page);
    expect(summary).toContain('Enter an action as dotted lower-case words');
    expect(summary).toContain('The from date must be a real date');
    expect(summary).toContain('Enter an agreement id that starts with isa-');
    expect(await page.locator('#action-error').innerText()).toContain('dotted lower-case words');
    expect(await page.locator('#action').inputValue()).toBe('Not an action');
    await context.close();
  });

  it('shows the operator entries of every organisation', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'pbx-operations.operator', '/audit?organisation=lb-harrow');
    await expectAccessible(page);
    const rows = await page.locator('#audit-results tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    await context.close();
  });

  it('explains a refusal in plain English: a practitioner may not search the log nor take evidence', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    await visit(page, '/audit', 403);
    expect(await page.locator('#refusal-summary').innerText()).toBe('You do not have permission to do this.');
    await visit(page, '/audit/evidence', 403);
    expect(await page.locator('#refusal-summary').innerText()).toBe('You do not have permission to do this.');
    const pack = await page.request.get('/audit/evidence/download', { maxRedirects: 0 });
    expect(pack.status()).toBe(403);
    await context.close();
  });
});

describe('evidence packs', () => {
  it('downloads a pack of a range, with other organisations as leaf hashes, that the verifier accepts', async () => {
    // Brent's and Harrow's practitioners are refused a search of the log (the test's own entries in the range).
    for (const user of ['lb-brent.practitioner', 'lb-harrow.practitioner']) {
      expect((await (await clientActingFor(stack.exchange, user)).invoke('SearchAudit')).status).toBe(403);
    }
    await sequenceLog(stack.exchange, true);

    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/audit/evidence');
    await expectAccessible(page);
    const sizeText = await page.locator('#checkpoint-size').innerText();
    const size = Number(/holds (\d+) entr/.exec(sizeText)?.[1]);
    expect(size).toBeGreaterThan(0);
    const first = Math.max(0, size - 20);
    await page.fill('#first', String(first));
    await page.fill('#last', String(size - 1));
    await page.getByRole('button', { name: 'Show these entries' }).click();
    await page.waitForURL((url) => url.searchParams.get('first') === String(first));
    await expectAccessible(page);
    const leaves = await page.locator('#evidence-leaves tbody tr').allInnerTexts();
    expect(leaves.length).toBe(size - first);
    expect(leaves.some((r) => r.includes('Leaf hash only'))).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pack')]);
    const file = await download.path();
    const pack: unknown = JSON.parse(await readFile(file, 'utf8'));
    const discovery = await (await clientActingFor(stack.exchange, 'lb-brent.ig-lead')).invoke(
      'GetDiscovery',
    );
    if (discovery.status !== 200) throw new Error('no discovery');
    const { origin, checkpointKey } = discovery.body.audit;
    const verified = verifyEvidence(pack, { origin, verifier: noteVerifierFromKey(checkpointKey) });
    expect({ from: verified.from, to: verified.to, size: verified.size }).toEqual({
      from: first,
      to: size,
      size,
    });
    expect(verified.entries).toBeGreaterThan(0);
    expect(verified.hashedOnly).toBeGreaterThan(0);
    expect(verified.indexedEntries.every(({ entry }) => concernsOrganisation(entry, 'lb-brent'))).toBe(true);

    // A chosen entry: from a search result to the evidence of that one entry.
    await visit(page, '/audit?action=audit.search&outcome=refused');
    const row = page
      .locator('#audit-results tbody tr')
      .filter({ hasText: 'lb-brent.practitioner through lb-brent-system' })
      .last();
    const index = await row.locator('td').first().innerText();
    await row.getByRole('link', { name: /Evidence/ }).click();
    await page.waitForURL((url) => url.pathname === '/audit/evidence');
    await expectAccessible(page);
    expect(await page.locator('#pack-range').innerText()).toContain(`entries ${index} to ${index}`);
    const one = await page.locator('#evidence-leaves tbody tr').allInnerTexts();
    expect(one).toHaveLength(1);
    expect(one[0]).toContain('audit.search, refused, by lb-brent.practitioner through lb-brent-system');
    await context.close();
  });

  it('refuses a range beyond the checkpoint with an inline error, and explains how to verify offline', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/audit/evidence');
    await visit(page, '/audit/evidence?first=5&last=999999', 400);
    expect(await page.locator('#last-error').innerText()).toContain('or lower');
    await visit(page, '/help/verify-evidence');
    expect(await page.locator('h1').innerText()).toBe('Verifying an evidence pack offline');
    expect(await page.locator('ol.govuk-list--number').first().innerText()).toContain('pbx audit verify');
    await context.close();
  });
});

describe('agreements', () => {
  const id = 'isa-console-ig-story';
  const content: AgreementContent = brentHarrowReviewAgreement('Console story', 'CONSOLE');
  const agreementNow = async () => {
    const answer = await (await clientActingFor(stack.exchange, 'lb-brent.ig-lead')).getAgreement(id);
    if (answer.status !== 200) throw new Error(`GetAgreement ${answer.status}`);
    return answer.body.agreement;
  };

  beforeAll(async () => {
    const created = await (await clientActingFor(stack.exchange, 'lb-brent.ig-lead')).createAgreement(
      content,
      id,
    );
    expect(created.status).toBe(201);
  });

  it('lists the agreements, and signs a version after the person confirms its content hash', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.ig-lead', '/agreements');
    await expectAccessible(page);
    await screenshot(page, 'agreements');
    const ours = await page.locator('#our-agreements tbody tr').allInnerTexts();
    const mine = ours.find((r) => r.includes(id));
    expect(mine).toContain('Waiting for your signature');
    expect(ours.some((r) => r.includes('isa-brent-harrow-cdop'))).toBe(true);
    expect(ours.some((r) => r.includes('isa-bhr-cdop'))).toBe(false);

    await page.getByRole('link', { name: content.title }).click();
    await page.waitForURL((url) => url.pathname === `/agreements/${id}`);
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe(content.title);
    expect(await page.locator('#hash-1').innerText()).toBe(contentHashOf(content));
    expect(await page.locator('#signatures-1').innerText()).toContain('Not signed');

    // Without the confirmation nothing is signed.
    await page.getByRole('button', { name: 'Sign version 1' }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/sign'));
    await expectAccessible(page);
    expect(await errorSummary(page)).toContain('Confirm that you have read version 1');
    expect((await agreementNow()).versions[0]?.signatures).toEqual([]);

    await page.check('#confirm-1');
    await page.getByRole('button', { name: 'Sign version 1' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'signed');
    await expectAccessible(page);
    await screenshot(page, 'agreement');
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('You signed the version.');
    const signatures = (await agreementNow()).versions[0]?.signatures;
    expect(signatures).toEqual([
      expect.objectContaining({
        organisationId: 'lb-brent',
        userId: 'lb-brent.ig-lead',
        clientId: 'lb-brent-console',
        contentHash: contentHashOf(content),
      }),
    ]);
    expect(await page.locator('#signatures-1').innerText()).toContain('lb-brent.ig-lead');
    // Signing again (a second tab, say): the exchange refuses, and the page says why in plain English.
    const again = await page.request.post(`/agreements/${id}/versions/1/sign`, {
      form: { csrf: await csrfOf(page), contentHash: contentHashOf(content), confirm: 'yes' },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('Your organisation has already signed this version.');

    await sequenceLog(stack.exchange);
    const signs = await operatorSearch(stack.exchange, { action: 'agreement.version.sign', agreementId: id });
    expect(signs).toContainEqual(
      expect.objectContaining({
        outcome: 'allowed',
        actor: expect.objectContaining({ userId: 'lb-brent.ig-lead', clientId: 'lb-brent-console' }),
      }),
    );
    await context.close();
  });

  it('suspends with a reason (required) and resumes, as the exchange records', async () => {
    // The parties yet to sign do so through their own systems, so the version is in force.
    const signedBy = new Set((await agreementNow()).versions[0]?.signatures.map((s) => s.organisationId));
    for (const user of ['lb-brent.ig-lead', 'lb-harrow.ig-lead', 'brent-harrow-cdop.ig-lead']) {
      if (signedBy.has(user.split('.')[0] ?? '')) continue;
      const signer = await clientActingFor(stack.exchange, user);
      expect((await signer.signAgreementVersion(id, 1, contentHashOf(content))).status).toBe(201);
    }
    expect((await agreementNow()).standing.state).toBe('in-force');

    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.caldicott-guardian', `/agreements/${id}`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Suspend the agreement' }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/suspend'));
    await expectAccessible(page);
    expect(await page.locator('#suspend-reason-error').innerText()).toContain(
      'Enter why you are suspending the agreement',
    );
    expect((await agreementNow()).standing.state).toBe('in-force');

    await page.fill('#suspend-reason', 'Review of a data breach at a party');
    await page.getByRole('button', { name: 'Suspend the agreement' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'suspended');
    await expectAccessible(page);
    expect(await page.locator('#standing-tag').innerText()).toBe('Suspended');
    const suspended = await agreementNow();
    expect(suspended.standing.state).toBe('suspended');
    expect(suspended.suspended).toMatchObject({ reason: 'Review of a data breach at a party' });

    await page.fill('#resume-reason', 'The review found no breach');
    await page.getByRole('button', { name: 'Resume the agreement' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'resumed');
    await expectAccessible(page);
    expect((await agreementNow()).standing.state).toBe('in-force');

    await sequenceLog(stack.exchange);
    for (const action of ['agreement.suspend', 'agreement.resume']) {
      const entries = await operatorSearch(stack.exchange, { action, outcome: 'allowed' });
      expect(entries, action).toContainEqual(
        expect.objectContaining({
          actor: expect.objectContaining({
            userId: 'lb-brent.caldicott-guardian',
            clientId: 'lb-brent-console',
          }),
        }),
      );
    }
    await context.close();
  });

  it('shows a non-party what the exchange shows, refuses its actions in plain English, and 404s what is not there', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-barnet.ig-lead', `/agreements/${id}`);
    await expectAccessible(page);
    // The exchange lets every member read every agreement: the console says plainly that Barnet is no party.
    expect(await page.locator('#not-a-party').innerText()).toContain('not a party');
    expect(await page.getByRole('button', { name: 'Suspend the agreement' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Sign version/ }).count()).toBe(0);

    // Typing the action anyway: the exchange refuses, and the page says why.
    const before = (await agreementNow()).standing;
    const csrf = await csrfOf(page);
    const refused = await page.request.post(`/agreements/${id}/suspend`, {
      form: { csrf, reason: 'not ours to suspend' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('You do not have permission to do this.');
    expect((await agreementNow()).standing).toEqual(before);

    // A form without the session's token is refused before the exchange is asked.
    const forged = await page.request.post(`/agreements/${id}/suspend`, {
      form: { reason: 'forged' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);

    await visit(page, '/agreements/isa-no-such-agreement', 404);
    expect(await page.locator('h1').innerText()).toBe('Page not found');
    await visit(page, '/agreements/not%20an%20id', 404);
    await context.close();
  });
});
