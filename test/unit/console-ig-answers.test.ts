import { describe, expect, it } from 'vitest';
import { refusalsView, requestsView } from '#console/ig/answer-views.ts';
import { childView } from '#console/ig/child-view.ts';
import { filterFormOf } from '#console/ig/filters.ts';
import { outcomesView, outstandingView } from '#console/ig/outcome-views.ts';
import { quarterChoices, reportCsv, reportFormOf, reportSections } from '#console/ig/report-view.ts';
import { freshnessText, withinText } from '#console/ig/words.ts';
import { purposeLabel } from '#console/requests/labels.ts';
import { monthsBetween } from '#shared/domain/ig/ig-terms.ts';
import {
  igChildAnswer,
  igOutcomesAnswer,
  igOutstandingAnswer,
  igRefusalsAnswer,
  igReportAnswer,
  igRequestsAnswer,
} from '#shared/http/views/ig.ts';

/** The IG pages' view code over answers read with the exchange's own answer schemas (shared/http/views/ig.ts). */

const names = new Map([
  ['lb-brent', 'London Borough of Brent'],
  ['lb-harrow', 'London Borough of Harrow'],
]);
const asOf = { leaves: 12_345, time: '2026-12-04T09:05:00.000Z' };
const noTimes = { median: null, p90: null };

const counts = (values: Partial<Record<string, number | '<5'>> = {}) => ({
  submitted: 0,
  refused: 0,
  approved: 0,
  partial: 0,
  declined: 0,
  released: 0,
  withdrawn: 0,
  closed: 0,
  ...values,
});

/** The data-count of each cell of a table row, as the page sends it. */
const dataCounts = (row: readonly { attributes?: Readonly<Record<string, string>> }[]) =>
  row.flatMap((cell) =>
    cell.attributes?.['data-count'] === undefined ? [] : [cell.attributes['data-count']],
  );

describe('the requests page', () => {
  const answer = igRequestsAnswer.parse({
    asOf,
    scope: 'all',
    period: { from: '2026-09', to: '2026-12' },
    by: 'month',
    group: 'pair',
    rows: [
      {
        period: '2026-10',
        label: 'lb-brent to lb-harrow',
        requester: 'lb-brent',
        responder: 'lb-harrow',
        ...counts({ submitted: 7, approved: 4, declined: 1 }),
        approvalRate: 0.8,
        responseTime: { median: 24, p90: 72 },
      },
      {
        period: '2026-10',
        label: 'lb-harrow to lb-brent',
        requester: 'lb-harrow',
        responder: 'lb-brent',
        ...counts({ submitted: 2 }),
        approvalRate: null,
        responseTime: noTimes,
      },
      {
        period: '2026-12',
        label: 'lb-brent to lb-harrow',
        requester: 'lb-brent',
        responder: 'lb-harrow',
        ...counts({ submitted: 1 }),
        approvalRate: null,
        responseTime: noTimes,
      },
    ],
  });

  it('charts every month of the period, the months without requests at 0, each the sum of its rows', () => {
    const [chart] = requestsView(answer, names);
    const months = monthsBetween(answer.period.from, answer.period.to);
    expect(chart?.table.rows.map((r) => r[0]?.text)).toEqual([
      'September 2026',
      'October 2026',
      'November 2026',
      'December 2026',
    ]);
    const expected = months.map((m) =>
      answer.rows.filter((r) => r.period === m).reduce((n, r) => n + Number(r.submitted), 0),
    );
    expect(chart?.table.rows.map((r) => dataCounts(r)[0])).toEqual(expected.map(String));
    expect(chart?.chart).toContain('role="img"');
  });

  it('gives every row of the answer a table row with its counts, rate and response times', () => {
    const [, detail] = requestsView(answer, names);
    expect(detail?.table.rows).toHaveLength(answer.rows.length);
    const first = detail?.table.rows[0] ?? [];
    expect(first[1]?.text).toBe('London Borough of Brent to London Borough of Harrow');
    expect(dataCounts(first)).toEqual(['7', '0', '4', '0', '1', '0', '0', '0']);
    expect(first.slice(-3).map((c) => c.text)).toEqual(['80%', withinText(24), withinText(72)]);
    expect((detail?.table.rows[1] ?? []).slice(-3).map((c) => c.text)).toEqual([
      'not known',
      'none recorded',
      'none recorded',
    ]);
    // Numeric columns are right-aligned, in the head as in the rows.
    expect(detail?.table.head.filter((h) => h.format === 'numeric')).toHaveLength(11);
  });

  it('charts per quarter, every quarter of the period, in words', () => {
    const byQuarter = igRequestsAnswer.parse({
      ...answer,
      by: 'quarter',
      rows: answer.rows.map((r) => ({ ...r, period: r.period < '2026-10' ? '2026Q3' : '2026Q4' })),
    });
    const [chart] = requestsView(byQuarter, names);
    expect(chart?.heading).toBe('Requests made each quarter');
    expect(chart?.table.rows.map((r) => [r[0]?.text, dataCounts(r)[0]])).toEqual([
      ['July to September 2026', '0'],
      ['October to December 2026', '10'],
    ]);
  });

  it('counts each request once in the chart of rows by organisation (as requester, not again as responder)', () => {
    const byOrganisation = igRequestsAnswer.parse({
      ...answer,
      group: 'organisation',
      rows: [
        {
          period: '2026-10',
          label: 'Brent',
          organisation: 'lb-brent',
          side: 'requester',
          ...counts({ submitted: 3 }),
          approvalRate: null,
          responseTime: noTimes,
        },
        {
          period: '2026-10',
          label: 'Harrow',
          organisation: 'lb-harrow',
          side: 'responder',
          ...counts({ submitted: 3 }),
          approvalRate: null,
          responseTime: noTimes,
        },
      ],
    });
    const [chart, detail] = requestsView(byOrganisation, names);
    expect(dataCounts(chart?.table.rows[1] ?? [])).toEqual(['3']);
    expect(detail?.table.rows.map((r) => r[1]?.text)).toEqual([
      'London Borough of Brent as requester',
      'London Borough of Harrow as responder',
    ]);
  });

  it('shows a suppressed count as "fewer than 5", keeping <5 for screen readers, and sums it into bounds', () => {
    const suppressed = igRequestsAnswer.parse({
      ...answer,
      scope: 'counts',
      rows: answer.rows.map((r) => ({ ...r, submitted: Number(r.submitted) < 5 ? '<5' : r.submitted })),
    });
    const [chart, detail] = requestsView(suppressed, names);
    const cell = detail?.table.rows[1]?.[2];
    expect(cell?.html).toMatch(/^fewer than 5<span class="govuk-visually-hidden">[^<]*&lt;5[^<]*<\/span>$/);
    expect(cell?.attributes?.['data-count']).toBe('<5');
    // October: 7 and a suppressed count, so 8 to 11; December: one suppressed count alone.
    expect(chart?.table.rows.map((r) => dataCounts(r)[0])).toEqual(['0', '8-11', '0', '<5']);
    expect(chart?.table.rows[1]?.[1]?.text).toBe('8 to 11');
  });
});

describe('the refusal pages', () => {
  it('charts the totals by reason, as the exchange added them up, and lists the rows by pair', () => {
    const answer = igRefusalsAnswer.parse({
      asOf,
      scope: 'organisation',
      organisationId: 'lb-brent',
      period: { from: '2026-01', to: '2026-12' },
      rows: [
        {
          requester: 'lb-brent',
          responder: 'lb-harrow',
          kind: 'refusal',
          action: 'request.submit',
          reasonCode: 'AGREEMENT_SUSPENDED',
          count: 2,
        },
        {
          requester: 'lb-brent',
          kind: 'refusal',
          action: 'request.list',
          reasonCode: 'NOT_PERMITTED',
          count: 1,
        },
      ],
      totals: [
        { kind: 'refusal', reasonCode: 'AGREEMENT_SUSPENDED', count: 2 },
        { kind: 'decline', reasonCode: 'NOT_NECESSARY', count: 5 },
      ],
    });
    const [chart, table] = refusalsView(answer, names, 'without-agreement');
    expect(chart?.table.rows.map((r) => [r[0]?.text, dataCounts(r)[0]])).toEqual([
      ['Agreement suspended', '2'],
      ['Declined: Not necessary for the purpose', '5'],
    ]);
    expect(table?.table.rows[0]?.map((c) => c.text)).toEqual([
      'London Borough of Brent',
      'London Borough of Harrow',
      'Refused by the exchange',
      'request.submit',
      'Agreement suspended (AGREEMENT_SUSPENDED)',
      '2',
    ]);
    expect(table?.table.rows[1]?.[1]?.text).toBe('None named');
    expect(chart?.table.id).not.toBe(table?.table.id);
  });
});

describe('the outcomes and outstanding pages', () => {
  it('charts what became of the requests, added up over the pairs', () => {
    const row = {
      requester: 'lb-brent',
      responder: 'lb-harrow',
      submitted: 10,
      withOutcome: 7,
      open: 3,
      approved: 4,
      partial: 1,
      declined: 1,
      withdrawn: 1,
      closed: 0,
      outcomeRate: 0.7,
      timeToOutcome: { median: 48, p90: '>720' },
    };
    const answer = igOutcomesAnswer.parse({
      asOf,
      scope: 'all',
      period: { from: '2026-01', to: '2026-12' },
      rows: [row, { ...row, requester: 'lb-harrow', responder: 'lb-brent' }],
    });
    const [chart, table] = outcomesView(answer, names);
    expect(chart?.table.rows.map((r) => dataCounts(r)[0])).toEqual(['8', '2', '2', '2', '0', '6']);
    expect(table?.table.rows[0]?.slice(-3).map((c) => c.text)).toEqual([
      '70%',
      'within 2 days',
      'over 30 days',
    ]);
  });

  it('lists the open requests when the scope shows them, and only counts under the counts scope', () => {
    const open = {
      requestId: '01JZ8M6Q3T5R0Y4B2N7K9C1D3E',
      requester: 'lb-brent',
      purpose: 'SAFEGUARDING_REFERRAL_MASH',
      status: 'submitted',
      dueAt: '2026-12-01T09:00:00.000Z',
      overdue: true,
      daysOverdue: 3,
    };
    const answer = igOutstandingAnswer.parse({
      asOf,
      scope: 'all',
      now: '2026-12-04T09:00:00.000Z',
      rows: [{ responder: 'lb-harrow', open: 1, overdue: 1, maxDaysOverdue: 3, requests: [open] }],
    });
    const sections = outstandingView(answer, names);
    expect(sections.map((s) => s.table.id)).toEqual([
      'outstanding-chart-table',
      'outstanding-table',
      'outstanding-requests-table',
    ]);
    expect(sections[2]?.table.rows[0]?.map((c) => c.text)).toEqual([
      open.requestId,
      'London Borough of Harrow',
      'London Borough of Brent',
      purposeLabel(open.purpose),
      'Awaiting decision',
      '1 December 2026',
      '3',
    ]);
    const counted = igOutstandingAnswer.parse({
      ...answer,
      scope: 'counts',
      rows: [{ responder: 'lb-harrow', open: '<5', overdue: '<5', maxDaysOverdue: null }],
    });
    const countsOnly = outstandingView(counted, names);
    expect(countsOnly.map((s) => s.table.id)).toEqual(['outstanding-chart-table', 'outstanding-table']);
    expect(countsOnly[1]?.table.rows[0]?.[3]?.text).toBe('not shown');
  });
});

describe("one child's records", () => {
  const reference = `sr1.north-west-bcu.${'A'.repeat(43)}`;
  const entry = {
    subjectRef: reference,
    index: 41,
    time: '2026-12-01T09:00:00.000Z',
    action: 'request.submit',
    outcome: 'allowed',
    reasonCodes: [],
    actor: { organisationId: 'lb-brent', userId: 'lb-brent.practitioner', role: 'practitioner' },
    purpose: 'SAFEGUARDING_REFERRAL_MASH',
  };
  const footprints = new Map([[reference, 'north-west-bcu']]);
  const withNames = new Map([...names, ['north-west-bcu', 'North West BCU']]);

  it('lists every entry with its evidence link and the footprint of the reference it carries', () => {
    const answer = igChildAnswer.parse({
      asOf,
      scope: 'organisation',
      organisationId: 'lb-brent',
      references: 1,
      entries: [entry],
      truncated: false,
      counts: [{ action: 'request.submit', outcome: 'allowed', count: 1 }],
    });
    const [counted, entries] = childView(answer, withNames, footprints);
    expect(counted?.table.rows.map(dataCounts)).toEqual([['1']]);
    const row = entries?.table.rows[0] ?? [];
    expect(row[0]?.html).toContain('href="/audit/evidence?first=41&amp;last=41"');
    expect(row.slice(2).map((c) => c.text)).toEqual([
      'Asked another organisation for information about the child',
      'Allowed',
      'lb-brent.practitioner, London Borough of Brent',
      'Practitioner',
      purposeLabel(entry.purpose),
      'North West BCU',
      '',
    ]);
  });

  it('shows counts only under the counts scope', () => {
    const answer = igChildAnswer.parse({
      asOf,
      scope: 'counts',
      references: 1,
      truncated: false,
      counts: [{ action: 'request.submit', outcome: 'allowed', count: '<5' }],
    });
    const sections = childView(answer, withNames, footprints);
    expect(sections.map((s) => s.table.id)).toEqual(['child-counts-table']);
    expect(sections[0]?.table.rows.map(dataCounts)).toEqual([['<5']]);
  });
});

describe('freshness', () => {
  it('says when the figures were worked out, in UK time, and from how many log entries', () => {
    expect(freshnessText(asOf)).toBe('Figures as of 9:05am on 4 December 2026 (12,345 log entries).');
    expect(freshnessText({ leaves: 1, time: '2026-07-01T08:30:00.000Z' })).toBe(
      'Figures as of 9:30am on 1 July 2026 (1 log entry).',
    );
    expect(freshnessText({ leaves: 0, time: null })).toMatch(/not yet worked out/);
  });
});

describe('the filter form', () => {
  const errorsOf = (fields: Record<string, string>, requests = false) =>
    filterFormOf(fields, { requests }).problems.errors;

  it('asks the exchange for its default period when no month is given', () => {
    expect(filterFormOf({}, { requests: false })).toMatchObject({ query: {} });
  });

  it('sends the months as YYYY-MM, and the requests page its period and grouping', () => {
    expect(
      filterFormOf(
        {
          'from-month': '4',
          'from-year': '2026',
          'to-month': '03',
          'to-year': '2027',
          by: 'quarter',
          group: 'purpose',
        },
        { requests: true },
      ).query,
    ).toEqual({ from: '2026-04', to: '2027-03', by: 'quarter', group: 'purpose' });
  });

  it('names what is wrong with each month, linked to its field', () => {
    expect(errorsOf({ 'from-month': '4' })).toEqual([
      { text: 'The first month must include a year', href: '#from-year' },
    ]);
    expect(errorsOf({ 'to-year': '2026' })).toEqual([
      { text: 'The last month must include a month', href: '#to-month' },
    ]);
    expect(errorsOf({ 'from-month': '13', 'from-year': '2026' })).toEqual([
      { text: 'The first month must be a real month, like 4 2026', href: '#from-month' },
    ]);
    expect(errorsOf({ 'from-month': '5', 'from-year': '2026', 'to-month': '4', 'to-year': '2026' })).toEqual([
      { text: 'The last month must be the same as or after the first month', href: '#to-month' },
    ]);
    expect(errorsOf({ by: 'week', group: 'child' }, true)).toEqual([
      { text: 'Select per month or per quarter', href: '#by' },
      { text: 'Select what to group the requests by', href: '#group' },
    ]);
    expect(
      filterFormOf({ 'from-month': 'x', 'from-year': '2026' }, { requests: false }).query,
    ).toBeUndefined();
  });
});

describe('the PQA report', () => {
  const zero = { ...counts(), approvalRate: null, responseTime: noTimes };
  const report = igReportAnswer.parse({
    asOf,
    quarter: '2026Q3',
    footprint: 'north-west-bcu',
    period: { from: '2026-07', to: '2026-09' },
    requests: { ...zero, submitted: 40, approved: '<5' },
    byPurpose: [{ purpose: 'SAFEGUARDING_REFERRAL_MASH', submitted: 40, approvalRate: 0.5 }],
    refusals: [{ reasonCode: '=HYPERLINK("http://x")', count: '<5' }],
    declines: [],
    pastReview: { accepted: 0, refused: 0 },
    withoutAgreement: [{ reasonCode: 'AGREEMENT_SUSPENDED', count: 6 }],
    crossFootprint: [],
    consentNotSought: [{ exemption: 'would-prejudice-protection', count: 5 }],
    placements: { submitted: 0 },
    challenges: { raised: 0, escalated: 0, upheld: 0, overturned: 0, resolvedOtherwise: 0 },
    outcomes: { submitted: 40, withOutcome: 35, open: 5, outcomeRate: 0.875, timeToOutcome: noTimes },
    outstanding: { open: 5, overdue: '<5' },
  });

  it('holds the same indicators in its tables and its CSV', () => {
    const sections = reportSections(report);
    const csv = reportCsv(report)
      .split('\r\n')
      .filter((l) => l !== '');
    expect(csv[0]).toBe('footprint,quarter,section,indicator,value');
    const tableRows = sections.flatMap((s) => s.table.rows);
    expect(csv.length - 1).toBe(tableRows.length);
    expect(sections.map((s) => s.heading)).toContain('Requests by purpose');
    expect(csv).toContain('north-west-bcu,2026Q3,Requests,Approved,<5');
    expect(csv).toContain('north-west-bcu,2026Q3,Outcomes,Outcome rate,88%');
  });

  it('never hands a spreadsheet a formula (the CSV guard of client/audit-csv.ts)', () => {
    const line = reportCsv(report)
      .split('\r\n')
      .find((l) => l.includes('HYPERLINK'));
    expect(line).toContain(`,"'=HYPERLINK(""http://x"")",`);
  });

  it('asks for a quarter and a footprint, the footprint implied when there is one only', () => {
    expect(reportFormOf({}, ['north-west-bcu']).query).toBeUndefined();
    expect(reportFormOf({}, ['north-west-bcu']).problems.any).toBe(false);
    expect(reportFormOf({ quarter: '2026Q3' }, ['north-west-bcu']).query).toEqual({
      quarter: '2026Q3',
      footprint: 'north-west-bcu',
    });
    expect(reportFormOf({ quarter: '2026Q5', footprint: 'elsewhere' }, ['a', 'b']).problems.errors).toEqual([
      { text: 'Select a quarter', href: '#quarter' },
      { text: 'Select the footprint the report is for', href: '#footprint' },
    ]);
    expect(quarterChoices(new Date('2026-12-04T00:00:00Z')).slice(0, 5)).toEqual([
      '2026Q4',
      '2026Q3',
      '2026Q2',
      '2026Q1',
      '2025Q4',
    ]);
  });
});
