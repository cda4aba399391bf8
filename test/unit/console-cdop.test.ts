import { describe, expect, it } from 'vitest';
import { agenciesFromForm, analysisFromForm, notificationFromForm } from '#console/cdop/case-forms.ts';
import {
  caseRows,
  doneBanner,
  figuresTables,
  financialYearOf,
  lastDayBefore,
  reportStatusTag,
  trackingCounts,
  trackingRows,
} from '#console/cdop/case-views.ts';
import { reportFromForm, reportFromUpload } from '#console/cdop/report-form.ts';
import { dateOf, formKeyOf, listOf, selectItems } from '#console/forms.ts';
import { exampleReport } from '#local/seed/example-cdop.ts';

const caseId = '01M84D1MGY0TPDXJ1RP1K1NZND';
const today = '2026-12-03';
const names = new Map([
  ['lb-brent', 'London Borough of Brent'],
  ['lb-harrow', 'London Borough of Harrow'],
]);

describe('the GOV.UK date input', () => {
  it('reads day, month and year as an ISO date', () => {
    expect(dateOf({ 'd-day': '2', 'd-month': '11', 'd-year': '2026' }, 'd', 'Date')).toEqual({
      value: '2026-11-02',
    });
  });

  it('names what is missing or wrong, as GOV.UK words it', () => {
    expect(dateOf({}, 'd', 'Date of death').error).toBe('Enter date of death');
    expect(dateOf({ 'd-day': '2', 'd-year': '2026' }, 'd', 'Date').error).toBe('Date must include a month');
    expect(dateOf({ 'd-day': '31', 'd-month': '2', 'd-year': '2026' }, 'd', 'Date').error).toBe(
      'Date must be a real date',
    );
    expect(dateOf({ 'd-day': 'x', 'd-month': '2', 'd-year': '2026' }, 'd', 'Date').error).toBe(
      'Date must be a real date',
    );
    expect(
      dateOf({ 'd-day': '4', 'd-month': '12', 'd-year': '2026' }, 'd', 'Date', { notAfter: today }).error,
    ).toBe('Date must be today or in the past');
    expect(dateOf({}, 'd', 'Date', { required: false })).toEqual({});
  });
});

describe('form fields', () => {
  it('reads checkboxes sent once or many times, and only well-formed form keys', () => {
    expect(listOf({ a: 'x' }, 'a')).toEqual(['x']);
    expect(listOf({ a: ['x', ' ', 'y'] }, 'a')).toEqual(['x', 'y']);
    expect(listOf({}, 'a')).toEqual([]);
    expect(formKeyOf({ formKey: 'cdop-abcdefghijklmnopqrstuvwx' })).toBe('cdop-abcdefghijklmnopqrstuvwx');
    expect(formKeyOf({ formKey: 'cdop-short' })).toBeUndefined();
    expect(formKeyOf({ formKey: 'other-abcdefghijklmnopqrstuvwx' })).toBeUndefined();
  });

  it('selects the option posted', () => {
    expect(selectItems('Pick', [{ value: 'a', text: 'A' }], 'a')).toEqual([
      { value: '', text: 'Pick', selected: false },
      { value: 'a', text: 'A', selected: true },
    ]);
  });
});

describe('the notification form', () => {
  const choices = { boroughs: ['lb-brent', 'lb-harrow'], notifiers: ['lb-brent', 'met-nw-bcu'] };
  const filled = {
    nhsNumber: '943 476 5919',
    boroughOfResidence: 'lb-brent',
    'dateOfDeath-day': '20',
    'dateOfDeath-month': '11',
    'dateOfDeath-year': '2026',
    expected: 'no',
    place: 'in-footprint',
    placeCategory: 'home',
    notifyingOrganisationId: 'met-nw-bcu',
  };

  it('gives the notification without its reference, and the NHS number in its canonical form', () => {
    const parsed = notificationFromForm(filled, choices, today);
    expect(parsed).toEqual({
      ok: true,
      value: {
        nhsNumber: '9434765919',
        notification: {
          schemaVersion: '2026',
          boroughOfResidence: 'lb-brent',
          dateOfDeath: '2026-11-20',
          expected: false,
          place: { kind: 'in-footprint' },
          placeCategory: 'home',
          notifyingOrganisationId: 'met-nw-bcu',
        },
      },
    });
  });

  it('takes the area of a death outside the footprint, and requires it', () => {
    const outside = { ...filled, place: 'out-of-footprint', placeArea: 'Camden' };
    const parsed = notificationFromForm(outside, choices, today);
    expect(parsed.ok && parsed.value.notification.place).toEqual({
      kind: 'out-of-footprint',
      area: 'Camden',
    });
    const missing = notificationFromForm({ ...outside, placeArea: '' }, choices, today);
    expect(missing.ok ? [] : missing.problems.errors).toEqual([
      { text: 'Enter the area or borough where the child died', href: '#placeArea' },
    ]);
  });

  it('names every problem, linked to its field, and never echoes the number typed', () => {
    const parsed = notificationFromForm(
      { nhsNumber: '9434765918', boroughOfResidence: 'lb-camden', 'dateOfDeath-day': '1' },
      choices,
      today,
    );
    if (parsed.ok) throw new Error('expected problems');
    expect(parsed.problems.errors.map((e) => e.href)).toEqual([
      '#nhsNumber',
      '#boroughOfResidence',
      '#dateOfDeath-day',
      '#expected',
      '#place',
      '#notifyingOrganisationId',
    ]);
    expect(JSON.stringify(parsed.problems)).not.toContain('9434765918');
    expect(parsed.problems.fieldErrors.dateOfDeath).toBe('Date of death must include a month and year');
  });

  it('refuses a date of death in the future', () => {
    const parsed = notificationFromForm({ ...filled, 'dateOfDeath-year': '2027' }, choices, today);
    expect(parsed.ok ? '' : parsed.problems.fieldErrors.dateOfDeath).toBe(
      'Date of death must be today or in the past',
    );
  });
});

describe('the agencies to ask', () => {
  it('takes the ticked and the typed, once each', () => {
    expect(
      agenciesFromForm({ agencies: ['lb-brent', 'lb-harrow'], otherAgencies: 'lb-havering, lb-brent' }),
    ).toEqual({
      ok: true,
      value: ['lb-brent', 'lb-harrow', 'lb-havering'],
    });
  });

  it('needs at least one, and registry ids only', () => {
    const none = agenciesFromForm({});
    expect(none.ok ? [] : none.problems.errors).toEqual([
      { text: 'Select at least one agency to ask', href: '#agencies' },
    ]);
    const bad = agenciesFromForm({ otherAgencies: 'Brent Council!' });
    expect(bad.ok ? '' : bad.problems.fieldErrors.otherAgencies).toMatch(/^Enter registry ids/);
  });
});

describe('the analysis form', () => {
  const filled = {
    'panelDate-day': '3',
    'panelDate-month': '12',
    'panelDate-year': '2026',
    categoryOfDeath: 'infection',
    modifiableFactors: 'yes',
    domains: ['child', 'service-provision'],
    learningThemes: 'recognition-of-deterioration',
    summary: 'Earlier recognition might have helped.',
  };

  it('gives the 2026 analysis of the case', () => {
    expect(analysisFromForm(filled, caseId, today)).toEqual({
      ok: true,
      value: {
        schemaVersion: '2026',
        caseId,
        panelDate: '2026-12-03',
        categoryOfDeath: 'infection',
        modifiableFactors: { identified: true, domains: ['child', 'service-provision'] },
        learningThemes: [{ code: 'recognition-of-deterioration' }],
        summary: 'Earlier recognition might have helped.',
      },
    });
    const none = analysisFromForm({ ...filled, modifiableFactors: 'no', domains: [] }, caseId, today);
    expect(none.ok && none.value.modifiableFactors).toEqual({ identified: false });
  });

  it('needs the domains when factors were identified, and known codes only', () => {
    const noDomains = analysisFromForm({ ...filled, domains: [] }, caseId, today);
    expect(noDomains.ok ? {} : noDomains.problems.fieldErrors).toEqual({
      domains: 'Select the domains in which modifiable factors were identified',
    });
    const unknown = analysisFromForm(
      { ...filled, learningThemes: 'made-up', categoryOfDeath: 'x' },
      caseId,
      today,
    );
    expect(unknown.ok ? {} : unknown.problems.fieldErrors).toEqual({
      categoryOfDeath: 'Select the category of death',
      learningThemes: 'Select learning themes from the list',
    });
  });
});

describe('the reporting form', () => {
  const ask = { caseId, agencyId: 'lb-brent' };
  const filled = {
    childGivenNames: 'Amara Jade',
    childFamilyName: 'Okonkwo',
    'childDateOfBirth-day': '10',
    'childDateOfBirth-month': '2',
    'childDateOfBirth-year': '2024',
    childAddress: '12 Elm Row\r\nWembley\r\n',
    childPostcode: 'HA0 1ZZ',
    caseNumbers: 'B-1\nB-2',
    completedByName: 'Pat Example',
    completedByJobTitle: 'Named professional',
    completedByContact: '020 0000 0000',
    involvementStatus: 'past',
    services: 'Early help',
    safeguardingConcerns: 'no',
    childProtectionPlan: 'no',
    lookedAfter: 'unknown',
    factorsFamily: ['smoking-in-household', 'housing-or-overcrowding'],
  };

  it('builds the 2026 form: part A who the child was, part B the agency’s account', () => {
    const parsed = reportFromForm(filled, ask, today);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.errors));
    expect(parsed.value).toEqual({
      schemaVersion: '2026',
      caseId,
      agencyId: 'lb-brent',
      partA: {
        child: {
          givenNames: 'Amara Jade',
          familyName: 'Okonkwo',
          dateOfBirth: '2024-02-10',
          address: { lines: ['12 Elm Row', 'Wembley'], postcode: 'HA0 1ZZ' },
        },
        agencyCaseNumbers: ['B-1', 'B-2'],
        completedBy: { name: 'Pat Example', jobTitle: 'Named professional', contact: '020 0000 0000' },
      },
      partB: {
        involvement: { status: 'past', services: ['Early help'] },
        concerns: { safeguardingConcerns: 'no', childProtectionPlan: 'no', lookedAfter: 'unknown' },
        factors: {
          intrinsicToChild: [],
          familyAndEnvironment: [
            { code: 'smoking-in-household', present: 'yes' },
            { code: 'housing-or-overcrowding', present: 'yes' },
          ],
          serviceProvision: [],
        },
      },
    });
    // No NHS number is taken by the form fields: it stays on the console server.
    expect(JSON.stringify(parsed.value)).not.toContain('nhsNumber');
  });

  it('names every missing answer at its field', () => {
    const parsed = reportFromForm({ carerName: 'Grace' }, ask, today);
    if (parsed.ok) throw new Error('expected problems');
    expect(Object.keys(parsed.problems.fieldErrors).sort()).toEqual(
      [
        'childGivenNames',
        'childFamilyName',
        'childAddress',
        'childPostcode',
        'completedByName',
        'completedByJobTitle',
        'completedByContact',
        'childDateOfBirth',
        'carerRelationship',
        'involvementStatus',
        'safeguardingConcerns',
        'childProtectionPlan',
        'lookedAfter',
      ].sort(),
    );
    expect(parsed.problems.errors.find((e) => e.href === '#childDateOfBirth-day')?.text).toBe(
      'Enter date of birth',
    );
  });

  it('refuses a factor code it does not know, and text past the form’s limits', () => {
    const unknown = reportFromForm({ ...filled, factorsChild: 'made-up' }, ask, today);
    expect(unknown.ok ? {} : unknown.problems.fieldErrors).toEqual({
      factorsChild: 'Select factors from the list',
    });
    const long = reportFromForm({ ...filled, childPostcode: 'X'.repeat(11) }, ask, today);
    expect(long.ok ? {} : long.problems.fieldErrors).toEqual({
      childPostcode: 'This is too long: shorten it',
    });
  });

  it('takes an uploaded form of this ask, and names what is wrong with another, by path only', () => {
    const form = exampleReport(caseId, 'lb-brent');
    expect(reportFromUpload(JSON.stringify(form), ask)).toEqual({ ok: true, value: form });
    expect(reportFromUpload('not json', ask)).toEqual({
      ok: false,
      reasons: ['The file is not JSON: upload the reporting form as a JSON document.'],
    });
    expect(reportFromUpload(JSON.stringify({ ...form, schemaVersion: '2025' }), ask).ok).toBe(false);
    const other = reportFromUpload(
      JSON.stringify(exampleReport('01M84D1MGY0TPDXJ1RP1K1NZNE', 'lb-harrow')),
      ask,
    );
    expect(other).toEqual({
      ok: false,
      reasons: [
        'agencyId: the form is for another agency than lb-brent.',
        `caseId: the request is about case ${caseId}.`,
      ],
    });
    const broken = reportFromUpload(
      JSON.stringify({ ...form, partA: { ...form.partA, secret: 'Okonkwo' } }),
      ask,
    );
    expect(broken.ok ? [] : broken.reasons).toEqual(['partA: unrecognized keys.']);
    expect(JSON.stringify(broken)).not.toContain('Okonkwo');
  });
});

describe('the tracking board', () => {
  const agencies = [
    {
      organisationId: 'lb-brent',
      requestedAt: '2026-11-01T10:00:00Z',
      dueAt: '2026-11-29T10:00:00Z',
      status: 'answered' as const,
      answeredAt: '2026-11-20T10:00:00Z',
      requestId: 'R1',
    },
    {
      organisationId: 'lb-harrow',
      requestedAt: '2026-11-01T10:00:00Z',
      dueAt: '2026-11-29T10:00:00Z',
      status: 'overdue' as const,
      daysOverdue: 4,
      requestId: 'R2',
    },
    {
      organisationId: 'met-nw-bcu',
      requestedAt: '2026-11-01T10:00:00Z',
      dueAt: '2026-12-29T10:00:00Z',
      status: 'requested' as const,
    },
  ];

  it('puts the overdue first, each with its GOV.UK tag', () => {
    const rows = trackingRows(agencies, names);
    expect(rows.map((r) => [r[0]?.text, r[1]?.html])).toEqual([
      ['London Borough of Harrow', '<strong class="govuk-tag govuk-tag--red">Overdue by 4 days</strong>'],
      ['met-nw-bcu', '<strong class="govuk-tag govuk-tag--blue">Due</strong>'],
      ['London Borough of Brent', '<strong class="govuk-tag govuk-tag--green">Answered</strong>'],
    ]);
    expect(rows[1]?.[4]?.text).toBe('Waiting for the request to be sent');
    expect(rows[2]?.[4]?.text).toBe('Answered 20 November 2026');
    expect(trackingCounts(agencies)).toEqual({ asked: 3, answered: 1, due: 1, overdue: 1, declined: 0 });
  });

  it('tags every status', () => {
    expect(reportStatusTag('overdue', 1).text).toBe('Overdue by 1 day');
    expect(reportStatusTag('declined').classes).toBe('govuk-tag--orange');
    expect(reportStatusTag('ended').text).toBe('Ended');
  });

  it('escapes what it puts in HTML cells', () => {
    const rows = caseRows(
      [
        {
          id: '<b>',
          status: 'open',
          footprintId: 'f',
          boroughOfResidence: 'lb-brent',
          dateOfDeath: '2026-11-20',
          expected: false,
          createdAt: '2026-11-21T10:00:00Z',
          agencies: 2,
          answered: 1,
          overdue: 1,
          declined: 0,
        },
      ],
      names,
    );
    expect(rows[0]?.[0]?.html).toBe('<a class="govuk-link" href="/cdop/cases/%3Cb%3E">&#60;b&#62;</a>');
    expect(rows[0]?.[5]?.html).toContain('1 overdue');
  });
});

describe('banners and years', () => {
  it('says what was just done', () => {
    expect(doneBanner('asked-2-1', false)).toBe(
      'Asked 2 agencies for their reports. 1 ask was refused: see why below.',
    );
    expect(doneBanner('asked-1-0', false)).toBe('Asked 1 agency for their reports.');
    expect(doneBanner('asked-<script>', false)).toBeUndefined();
    expect(doneBanner(undefined, true)).toMatch(/^Case opened/);
  });

  it('counts financial years from 1 April', () => {
    expect(financialYearOf('2027-03-31')).toBe(2026);
    expect(financialYearOf('2027-04-01')).toBe(2027);
    expect(lastDayBefore('2027-04-01')).toBe('2027-03-31');
    expect(lastDayBefore('2028-03-01')).toBe('2028-02-29');
  });

  it('shows suppressed cells as published', () => {
    const zero = { notified: 0, reviewed: 0, closed: 0, withModifiableFactors: 0, byCategory: {} };
    const small = {
      notified: '<5',
      reviewed: 'c',
      closed: 0,
      withModifiableFactors: 0,
      byCategory: { infection: '<5' },
    };
    const period = (label: string) => ({ label, from: '2026-04-01', to: '2027-03-31' });
    const tables = figuresTables(
      {
        for: 'publication',
        figures: {
          year: { period: period('2026/27'), rows: [{ borough: 'lb-brent', figures: small }], total: small },
          quarters: [1, 2, 3, 4].map((q) => ({ period: period(`Q${q}`), rows: [], total: zero })) as never,
        },
        learningThemes: [{ year: '2026/27', theme: 'safer-sleeping', label: 'Safer sleeping', cases: '<5' }],
      } as never,
      names,
    );
    expect(tables.byBorough[0]?.map((c) => c.text)).toEqual([
      'London Borough of Brent',
      '<5',
      '[c]',
      '0',
      '0',
    ]);
    expect(tables.byCategory.find((r) => r[0]?.text === 'Infection')?.map((c) => c.text)).toEqual([
      'Infection',
      '<5',
      '<5',
    ]);
    expect(tables.themes).toEqual([
      [{ text: '2026/27' }, { text: 'Safer sleeping' }, { text: '<5', format: 'numeric' }],
    ]);
    expect(tables.suppressed).toBe(true);
  });
});
