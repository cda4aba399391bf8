import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleReport } from '#local/seed/example-cdop.ts';
import { nhsNumberCheckDigit } from '#shared/domain/subjects/subject-reference.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import { auditEntriesOf, fillDate } from './support/cdop.ts';
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

/**
 * The CDOP stories of issue 15 in a real browser: the Brent and Harrow CDOP's coordinator opens a case from a
 * notification, asks Brent and Harrow (and Havering, outside the panel's area: refused, with the agreement needed),
 * Brent's practitioner sends its report through the reporting form, Harrow's declines, the manager assembles and
 * downloads the panel pack, the coordinator closes the case with the analysis, downloads the NCMD export and reads
 * the year's figures. After each step the test reads what the exchange recorded through its signed API.
 */

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await startConsoleStack();
});
afterAll(() => stack?.stop());

const coordinator = 'brent-harrow-cdop.coordinator';
const manager = 'brent-harrow-cdop.manager';
const footprintId = 'brent-harrow-cdop-area';
/** A test NHS number (the example of docs/CDOP.md): only its reference may reach the exchange. */
const nhsNumber = '9434765919';
/** Another test NHS number, of the 999 range, with its check digit. */
const secondNhsNumber = `999123457${nhsNumberCheckDigit('999123457')}`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** What the stories share: the case, and the data request each agency was sent. */
const story: { caseId?: string; requests: Record<string, string> } = { requests: {} };
const caseIdOf = () => {
  if (story.caseId === undefined) throw new Error('no case opened: the first test failed');
  return story.caseId;
};

describe('CDOP managers and coordinators in the console', () => {
  it('opens a case from a notification, with the NHS number turned into the reference on the console server', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, coordinator, '/cdop');
    expect(new URL(page.url()).pathname).toBe('/cdop');
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe('Open cases');

    await page.getByRole('button', { name: 'Open a case from a notification' }).click();
    await expectAccessible(page);
    // Nothing filled in: every problem in the summary and at its field.
    await page.getByRole('button', { name: 'Open the case' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual([
      'Enter the child’s NHS number',
      'Select the borough the child normally lived in',
      'Enter date of death',
      'Select whether the death was expected',
      'Select where the child died',
      'Select the organisation that notified the death',
    ]);
    expect(await page.locator('#nhsNumber-error').innerText()).toContain('Enter the child’s NHS number');

    // A number with a wrong check digit is refused here, and not shown again in the page.
    await page.fill('#nhsNumber', '9434765918');
    await page.selectOption('#boroughOfResidence', 'lb-brent');
    await fillDate(page, 'dateOfDeath', daysAgo(7));
    await page.check('#expected-2');
    await page.check('#place');
    await page.selectOption('#placeCategory', 'home');
    await page.selectOption('#notifyingOrganisationId', 'lb-brent');
    await page.getByRole('button', { name: 'Open the case' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Enter a valid NHS number: 10 digits, like 999 123 4567']);
    expect(await page.content()).not.toContain('9434765918');
    expect(await page.inputValue('#boroughOfResidence')).toBe('lb-brent');

    await page.fill('#nhsNumber', '943 476 5919');
    await page.getByRole('button', { name: 'Open the case' }).click();
    await page.waitForURL(/\/cdop\/cases\/[0-9A-Z]{26}\?opened=1$/);
    await expectAccessible(page);
    const caseId = new URL(page.url()).pathname.split('/').pop() ?? '';
    story.caseId = caseId;
    expect(await page.locator('h1').innerText()).toBe(`Case ${caseId}`);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Case opened');

    // The exchange holds the case under the reference of the panel's footprint, derived from the number.
    const shown = await (await clientActingFor(stack.exchange, coordinator)).getCdopCase(caseId);
    expect(shown.status).toBe(200);
    const record = (shown.body as { case: Record<string, unknown> }).case as {
      status: string;
      createdBy: string;
      notification: { subjectRef: string; boroughOfResidence: string; expected: boolean };
    };
    expect(record.status).toBe('open');
    expect(record.createdBy).toBe(coordinator);
    expect(record.notification).toMatchObject({
      subjectRef: await referenceOf(stack, footprintId, nhsNumber),
      boroughOfResidence: 'lb-brent',
      expected: false,
    });
    // Audited as the person, through the organisation's console client.
    const entries = await auditEntriesOf(
      stack.exchange,
      'brent-harrow-cdop.ig-lead',
      'cdop.case.open',
      caseId,
    );
    expect(entries.map((e) => [e.outcome, e.actor.userId, e.actor.clientId])).toEqual([
      ['allowed', coordinator, 'brent-harrow-cdop-console'],
    ]);

    await visit(page, '/cdop');
    expect(await page.locator('tbody tr').first().innerText()).toContain(caseId);
    await screenshot(page, 'cdop-cases');
    await context.close();
  });

  it('asks agencies for their reports; an agency outside the agreement is refused, naming the agreement needed', async () => {
    const caseId = caseIdOf();
    const { context, page } = await stack.newPerson();
    await signIn(page, coordinator, `/cdop/cases/${caseId}`);
    await expectAccessible(page);
    // Nothing chosen: the error summary.
    await page.getByRole('button', { name: 'Ask for reports' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual(['Select at least one agency to ask']);

    await page.getByLabel('London Borough of Brent').check();
    await page.getByLabel('London Borough of Harrow').check();
    await page.fill('#otherAgencies', 'lb-havering');
    await page.getByRole('button', { name: 'Ask for reports' }).click();
    await page.waitForURL(/\?done=asked-2-1$/);
    await expectAccessible(page);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
      'Asked 2 agencies for their reports. 1 ask was refused',
    );
    const refusal = await page.locator('#refusals + .govuk-summary-card').innerText();
    expect(refusal).toContain('London Borough of Havering');
    expect(refusal).toContain('Agreement needed:');
    expect(refusal).toContain('isa-brent-harrow-cdop must name it as a party');

    // The exchange recorded both asks and the refusal on the case.
    const shown = await (await clientActingFor(stack.exchange, coordinator)).getCdopCase(caseId);
    const body = shown.body as {
      agencies: { organisationId: string; status: string; requestId?: string }[];
      case: { refusals: { organisationId: string; by: string }[] };
    };
    expect(body.agencies.map((a) => [a.organisationId, a.status]).sort()).toEqual([
      ['lb-brent', 'requested'],
      ['lb-harrow', 'requested'],
    ]);
    expect(body.case.refusals.map((r) => [r.organisationId, r.by])).toEqual([['lb-havering', coordinator]]);
    for (const a of body.agencies) story.requests[a.organisationId] = a.requestId ?? '';

    // The case tracker sends the data requests; the tracking board shows who is due.
    await stack.exchange.runSchedule('TrackCdopCases');
    await visit(page, '/cdop/tracking');
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toContain('Due');
    await screenshot(page, 'cdop-tracking');

    // No report yet: there is nothing to put in a panel pack, and the page says why.
    await visit(page, `/cdop/cases/${caseId}`);
    await page.getByRole('button', { name: 'Assemble the panel pack' }).click();
    await expectAccessible(page);
    const noPack = await errorSummary(page);
    expect(noPack[0]).toBe('The exchange did not allow this.');
    expect(noPack.length).toBeGreaterThan(1);

    // Every agency refused: the page says so, with the reasons kept on the case.
    await visit(page, `/cdop/cases/${caseId}`);
    await page.fill('#otherAgencies', 'lb-barnet');
    await page.getByRole('button', { name: 'Ask for reports' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual([
      'The request does not meet the information-sharing agreement it names.',
    ]);
    expect(await page.locator('#refusals ~ .govuk-summary-card').count()).toBe(2);
    await context.close();
  });

  it('lets an agency answer with its reporting form, and another decline', async () => {
    const caseId = caseIdOf();
    const brent = story.requests['lb-brent'] ?? '';
    const harrow = story.requests['lb-harrow'] ?? '';
    const { context, page } = await stack.newPerson();
    // A practitioner finds the asks from their requests.
    await signIn(page, 'lb-brent.practitioner', '/requests/inbox');
    await page.getByRole('link', { name: 'Child death reports asked of you' }).click();
    expect(await page.locator('h1').innerText()).toBe('Child death reports asked of your agency');
    await visit(page, `/cdop/reports/${brent}`);
    expect(await page.locator('h1').innerText()).toBe('Send your child death report');
    await page.getByRole('button', { name: 'Send the report' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toContain('Enter the child’s given names');
    expect(await errorSummary(page)).toContain('Select your agency’s involvement with the child');

    await page.fill('#childGivenNames', 'Amara Jade');
    await page.fill('#childFamilyName', 'Okonkwo');
    await fillDate(page, 'childDateOfBirth', '2024-02-10');
    await page.fill('#childAddress', '12 Elm Row\nWembley');
    await page.fill('#childPostcode', 'HA0 1ZZ');
    await page.fill('#carerName', 'Grace Okonkwo');
    await page.fill('#carerRelationship', 'mother');
    await page.fill('#caseNumbers', 'LB-BRENT-778812');
    await page.fill('#completedByName', 'Pat Example');
    await page.fill('#completedByJobTitle', 'Named professional');
    await page.fill('#completedByContact', '020 0000 0000');
    await page.check('#involvementStatus-2');
    await page.fill('#services', 'Early help');
    await page.fill('#involvementSummary', 'Routine contacts with Amara, all attended.');
    await page.check('#safeguardingConcerns-2');
    await page.check('#childProtectionPlan-2');
    await page.check('#lookedAfter-2');
    await page.getByLabel('Smoking in household').check();
    await page.getByRole('button', { name: 'Send the report' }).click();
    await page.waitForURL(/\?sent=1$/);
    await expectAccessible(page);
    expect(await page.locator('.govuk-panel__title').innerText()).toBe('Report sent');

    // The exchange has the request released, by the practitioner through Brent's console client.
    const request = await (await clientActingFor(stack.exchange, 'lb-brent.practitioner')).getRequest(brent);
    const released = (request.body as { request: { status: string; share?: { contentType: string } } })
      .request;
    expect(released.status).toBe('released');
    expect(released.share?.contentType).toBe('application/json');
    const entries = await auditEntriesOf(stack.exchange, 'lb-brent.ig-lead', 'share.release', brent);
    expect(entries.map((e) => [e.outcome, e.actor.userId, e.actor.clientId])).toEqual([
      ['allowed', 'lb-brent.practitioner', 'lb-brent-console'],
    ]);

    // Harrow declines, with its reasons.
    const harrowPerson = await stack.newPerson();
    await signIn(harrowPerson.page, 'lb-harrow.practitioner', `/cdop/reports/${harrow}`);
    await expectAccessible(harrowPerson.page);
    await harrowPerson.page.getByRole('button', { name: 'Decline' }).click();
    await expectAccessible(harrowPerson.page);
    expect(await errorSummary(harrowPerson.page)).toEqual(['Enter why your agency will not report']);
    await harrowPerson.page.fill('#declineReasons', 'No involvement with the child or family.');
    await harrowPerson.page.getByRole('button', { name: 'Decline' }).click();
    await expectAccessible(harrowPerson.page);
    expect(await harrowPerson.page.locator('h1').innerText()).toBe('You declined to report');
    // Brent's request is not Harrow's to see.
    await visit(harrowPerson.page, `/cdop/reports/${brent}`, 404);
    await harrowPerson.context.close();

    // The case's board: Brent answered, Harrow declined.
    const cdop = await stack.newPerson();
    await signIn(cdop.page, coordinator, `/cdop/cases/${caseId}`);
    await expectAccessible(cdop.page);
    const board = await cdop.page.locator('#tracking tbody tr').allInnerTexts();
    expect(board.map((r) => r.split('\t').slice(0, 2).join(' '))).toEqual([
      'London Borough of Harrow Declined',
      'London Borough of Brent Answered',
    ]);
    await screenshot(cdop.page, 'cdop-case');
    await cdop.context.close();
    await context.close();
  });

  it('assembles and downloads the panel pack, with nothing identifying in it', async () => {
    const caseId = caseIdOf();
    const { context, page } = await stack.newPerson();
    await signIn(page, manager, `/cdop/cases/${caseId}`);
    await page.getByRole('button', { name: 'Assemble the panel pack' }).click();
    await page.waitForURL(/\?done=pack$/);
    await expectAccessible(page);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
      'The panel pack is assembled',
    );

    const download = await page.request.get(`/cdop/cases/${caseId}/pack`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toBe(
      `attachment; filename="panel-pack-${caseId}.json"`,
    );
    const text = await download.text();
    const pack = JSON.parse(text) as { pack: { packHash: string; reports: { agencyId: string }[] } };
    expect(pack.pack.reports.map((r) => r.agencyId)).toEqual(['lb-brent']);
    for (const identifying of ['Amara', 'Okonkwo', 'HA0 1ZZ', '2024-02-10', nhsNumber]) {
      expect(text).not.toContain(identifying);
    }
    // Audited: the coordinator's attempt before any report (refused), then the manager's assembly.
    const entries = await auditEntriesOf(
      stack.exchange,
      'brent-harrow-cdop.ig-lead',
      'cdop.pack.assemble',
      caseId,
    );
    expect(entries.map((e) => [e.outcome, e.actor.userId, e.actor.clientId])).toEqual([
      ['refused', coordinator, 'brent-harrow-cdop-console'],
      ['allowed', manager, 'brent-harrow-cdop-console'],
    ]);
    await context.close();
  });

  it('closes the case with the panel’s analysis, and downloads the NCMD export', async () => {
    const caseId = caseIdOf();
    const { context, page } = await stack.newPerson();
    await signIn(page, coordinator, `/cdop/cases/${caseId}`);
    await page.getByRole('button', { name: 'Close the case with the panel’s analysis' }).click();
    await expectAccessible(page);
    // The export is refused while the case is open (the exchange's reasons, in words).
    await visit(page, `/cdop/cases/${caseId}/ncmd-export`, 409);
    await visit(page, `/cdop/cases/${caseId}/close`);

    await page.getByRole('button', { name: 'Close the case' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual([
      'Enter date of the panel meeting',
      'Select the category of death',
      'Select whether the panel identified modifiable factors',
    ]);
    await fillDate(page, 'panelDate', daysAgo(-3));
    await page.getByLabel('Sudden unexpected, unexplained death').check();
    await page.check('#modifiableFactors');
    await page.getByRole('button', { name: 'Close the case' }).click();
    await expectAccessible(page);
    expect(await errorSummary(page)).toEqual([
      'Date of the panel meeting must be today or in the past',
      'Select the domains in which modifiable factors were identified',
    ]);
    expect(await page.isChecked('#modifiableFactors')).toBe(true);

    await fillDate(page, 'panelDate', daysAgo(0));
    await page.getByLabel('Factors in the physical environment').check();
    await page.getByLabel('Safer sleeping').check();
    await page.getByRole('button', { name: 'Close the case' }).click();
    await page.waitForURL(/\?done=closed$/);
    await expectAccessible(page);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('The case is closed');

    const shown = await (await clientActingFor(stack.exchange, coordinator)).getCdopCase(caseId);
    const record = (
      shown.body as { case: { status: string; closure?: { closedBy: string; analysis: unknown } } }
    ).case;
    expect(record.status).toBe('closed');
    expect(record.closure?.closedBy).toBe(coordinator);
    expect(record.closure?.analysis).toMatchObject({
      categoryOfDeath: 'sudden-unexpected-unexplained',
      modifiableFactors: { identified: true, domains: ['physical-environment'] },
      learningThemes: [{ code: 'safer-sleeping' }],
    });

    const exported = await page.request.get(`/cdop/cases/${caseId}/ncmd-export`);
    expect(exported.status()).toBe(200);
    expect(exported.headers()['content-disposition']).toBe(
      `attachment; filename="ncmd-export-${caseId}.json"`,
    );
    expect(JSON.parse(await exported.text())).toMatchObject({ caseId });
    // Both exports are audited: the one refused while the case was open, then the one downloaded.
    const entries = await auditEntriesOf(
      stack.exchange,
      'brent-harrow-cdop.ig-lead',
      'cdop.case.export',
      caseId,
    );
    expect(entries.map((e) => [e.outcome, e.actor.userId, e.actor.clientId])).toEqual([
      ['refused', coordinator, 'brent-harrow-cdop-console'],
      ['allowed', coordinator, 'brent-harrow-cdop-console'],
    ]);
    await visit(page, '/cdop?status=closed');
    expect(await page.locator('tbody tr').first().innerText()).toContain(caseId);
    await context.close();
  });

  it('shows the year’s figures with small numbers suppressed', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, manager, '/cdop/figures');
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toMatch(/^Child deaths, \d{4}\/\d{2}$/);
    const brent = await page
      .locator('table')
      .first()
      .locator('tbody tr', { hasText: 'London Borough of Brent' });
    expect((await brent.innerText()).split('\t').map((c) => c.trim())).toEqual([
      'London Borough of Brent',
      '<5',
      '<5',
      '<5',
      '<5',
    ]);
    await screenshot(page, 'cdop-figures');
    await context.close();
  });

  it('passes a notification of a child of another area to its panel, and takes an agency’s uploaded form', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, coordinator, '/cdop/cases/new');
    const open = async (borough: string, number: string) => {
      await visit(page, '/cdop/cases/new');
      await page.fill('#nhsNumber', number);
      await page.selectOption('#boroughOfResidence', borough);
      await fillDate(page, 'dateOfDeath', daysAgo(2));
      await page.check('#expected');
      await page.check('#place');
      await page.selectOption('#notifyingOrganisationId', borough);
      await page.getByRole('button', { name: 'Open the case' }).click();
      await expectAccessible(page);
    };
    // A Havering child is the BHR CDOP's: no case here, and the page says which panel reviews the death.
    await open('lb-havering', secondNhsNumber);
    expect(await page.locator('h1').innerText()).toBe('This death is reviewed by another panel');
    expect(await page.locator('main').innerText()).toContain('BHR CDOP secretariat');
    const cdop = await clientActingFor(stack.exchange, coordinator);
    const listed = (await cdop.listCdopCases('open')).body as { cases: { boroughOfResidence: string }[] };
    expect(listed.cases.map((c) => c.boroughOfResidence)).not.toContain('lb-havering');

    // A Harrow child: a case, Harrow asked, and Harrow answers by uploading the form its own system made.
    await open('lb-harrow', secondNhsNumber);
    await page.waitForURL(/\/cdop\/cases\/[0-9A-Z]{26}\?opened=1$/);
    const caseId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await page.getByLabel('London Borough of Harrow').check();
    await page.getByRole('button', { name: 'Ask for reports' }).click();
    await page.waitForURL(/\?done=asked-1-0$/);

    // One open case per child: the exchange's refusal is on the form, which then carries a new key, so that a
    // corrected form is a new call and not the replay of the refused one.
    await open('lb-harrow', secondNhsNumber);
    const refused = await errorSummary(page);
    expect(refused[0]).toBe('The exchange did not allow this.');
    expect(refused.join(' ')).toContain(caseId);
    const firstKey = await page.inputValue('input[name=formKey]');
    await page.fill('#nhsNumber', secondNhsNumber);
    await page.getByRole('button', { name: 'Open the case' }).click();
    await expectAccessible(page);
    expect(await page.inputValue('input[name=formKey]')).not.toBe(firstKey);
    await stack.exchange.runSchedule('TrackCdopCases');
    await context.close();

    const harrow = await stack.newPerson();
    await signIn(harrow.page, 'lb-harrow.practitioner', '/cdop/reports');
    await expectAccessible(harrow.page);
    const row = harrow.page.locator('tbody tr', { hasText: caseId });
    expect(await row.innerText()).toContain('To answer');
    await row.getByRole('link').click();
    await expectAccessible(harrow.page);
    const requestId = new URL(harrow.page.url()).pathname.split('/').pop() ?? '';

    // Another agency's form is refused here, by path, and nothing is sent.
    const upload = async (form: unknown) => {
      await harrow.page.setInputFiles('#reportFile', {
        name: 'report.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(form)),
      });
      await harrow.page.getByRole('button', { name: 'Upload and send' }).click();
      await expectAccessible(harrow.page);
    };
    await upload(exampleReport(caseId, 'lb-brent'));
    expect(await errorSummary(harrow.page)).toEqual([
      'agencyId: the form is for another agency than lb-harrow.',
    ]);
    const form = exampleReport(caseId, 'lb-harrow');
    await upload(form);
    expect(await harrow.page.locator('.govuk-panel__title').innerText()).toBe('Report sent');

    // Released as uploaded: the exchange's checksum is that of the bytes of the file.
    const request = await (await clientActingFor(stack.exchange, 'lb-harrow.practitioner')).getRequest(
      requestId,
    );
    const released = (request.body as { request: { status: string; share?: { sha256: string } } }).request;
    expect(released.status).toBe('released');
    expect(released.share?.sha256).toBe(createHash('sha256').update(JSON.stringify(form)).digest('hex'));
    expect(await harrow.page.locator('.pbx-hash').innerText()).toBe(released.share?.sha256);
    await harrow.context.close();
  });

  it('shows a case to its own panel only, and refuses a form without the session’s token', async () => {
    const caseId = caseIdOf();
    for (const outsider of ['bhr-cdop.coordinator', 'lb-brent.practitioner']) {
      const { context, page } = await stack.newPerson();
      await signIn(page, outsider, `/cdop/cases/${caseId}`);
      expect(await page.locator('h1').innerText()).toBe('Page not found');
      await visit(page, `/cdop/cases/${caseId}`, 404);
      await visit(page, `/cdop/cases/${caseId}/pack`, 404);
      await context.close();
    }
    // The cases list is for a panel's secretariat: a practitioner is told why not.
    const practitioner = await stack.newPerson();
    await signIn(practitioner.page, 'lb-brent.practitioner', '/cdop');
    expect(await practitioner.page.locator('h1').innerText()).toBe('The exchange did not allow this');
    await visit(practitioner.page, '/cdop', 403);
    expect(await practitioner.page.locator('main').innerText()).toContain(
      'You do not have permission to do this.',
    );
    await practitioner.context.close();

    const { context, page } = await stack.newPerson();
    await signIn(page, coordinator);
    const forged = await page.request.post(`/cdop/cases/${caseId}/pack`, { form: {}, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    await context.close();
  });
});
