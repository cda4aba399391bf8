import { describe, expect, it } from 'vitest';
import {
  igAnswerHeading,
  igTableCsv,
  igTablesText,
  outstandingTables,
  refusalsTables,
  reportTables,
  requestsTables,
} from '#client/ig-table.ts';
import type { IgRefusalsAnswer, IgReportAnswer, IgRequestsAnswer } from '#shared/http/views/ig.ts';

// The IG answers as tables and CSV (client/ig-table.ts), from answers written out by hand.

const asOf = { leaves: 120, time: '2026-12-04T10:00:00.000Z' };

const requests: IgRequestsAnswer = {
  asOf,
  scope: 'counts',
  period: { from: '2026-01', to: '2026-12' },
  by: 'quarter',
  group: 'pair',
  rows: [
    {
      period: '2026Q3',
      label: 'lb-brent to lb-harrow',
      requester: 'lb-brent',
      responder: 'lb-harrow',
      submitted: 120,
      refused: '<5',
      approved: 90,
      partial: 0,
      declined: 30,
      released: 85,
      withdrawn: 0,
      closed: 0,
      approvalRate: 0.75,
      responseTime: { median: 24, p90: '>720' },
    },
    {
      period: '2026Q4',
      label: 'lb-harrow to lb-brent',
      requester: 'lb-harrow',
      responder: 'lb-brent',
      submitted: '<5',
      refused: 0,
      approved: 0,
      partial: 0,
      declined: 0,
      released: 0,
      withdrawn: 0,
      closed: 0,
      approvalRate: null,
      responseTime: { median: null, p90: null },
    },
  ],
};

describe('IG answers as tables', () => {
  it('aligns text left and numbers right, writes rates as percentages and times as bucket bounds', () => {
    expect(igTablesText(requestsTables(requests))).toBe(
      [
        'Requests by quarter and pair:',
        'Period  Requester  Responder  Submitted  Refused  Approved  Partial  Declined  Released  Withdrawn  Closed  Approval rate  Response median (h)  Response p90 (h)',
        '------  ---------  ---------  ---------  -------  --------  -------  --------  --------  ---------  ------  -------------  -------------------  ----------------',
        '2026Q3  lb-brent   lb-harrow        120       <5        90        0        30        85          0       0          75.0%                  ≤24              >720',
        '2026Q4  lb-harrow  lb-brent          <5        0         0        0         0         0          0       0              -                    -                 -',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV with the numbers as they are, empty where there is nothing to say', () => {
    const [main] = requestsTables(requests);
    if (main === undefined) throw new Error('a requests answer has a table');
    expect(igTableCsv(main)).toBe(
      'Period,Requester,Responder,Submitted,Refused,Approved,Partial,Declined,Released,Withdrawn,Closed,Approval rate,Response median (h),Response p90 (h)\r\n' +
        '2026Q3,lb-brent,lb-harrow,120,<5,90,0,30,85,0,0,0.75,24,>720\r\n' +
        '2026Q4,lb-harrow,lb-brent,<5,0,0,0,0,0,0,0,,,\r\n',
    );
  });

  it('guards every CSV field against formula injection and quotes what RFC 4180 needs', () => {
    const refusals: IgRefusalsAnswer = {
      asOf,
      scope: 'all',
      period: { from: '2026-01', to: '2026-12' },
      rows: [
        {
          requester: '=cmd',
          responder: 'lb-harrow',
          kind: 'refusal',
          action: 'a,b',
          reasonCode: '+X"Y',
          count: 3,
        },
      ],
      totals: [],
    };
    const [rows, totals] = refusalsTables(refusals);
    if (rows === undefined || totals === undefined) throw new Error('refusals have two tables');
    expect(igTableCsv(rows).split('\r\n')[1]).toBe(`'=cmd,lb-harrow,refusal,"a,b","'+X""Y",3`);
    expect(igTablesText([totals])).toBe('Totals by reason code: none\n');
  });

  it('lists open requests only where the answer holds them', () => {
    const rows = [{ responder: 'lb-harrow', open: '<5' as const, overdue: 0, maxDaysOverdue: null }];
    const now = '2026-12-04T10:00:00.000Z';
    expect(outstandingTables({ asOf, scope: 'counts', now, rows })).toHaveLength(1);
    const listed = outstandingTables({
      asOf,
      scope: 'all',
      now,
      rows: [
        {
          responder: 'lb-harrow',
          open: 1,
          overdue: 1,
          maxDaysOverdue: 3,
          requests: [
            {
              requestId: '01KBQ0000000000000000000AA',
              requester: 'lb-brent',
              purpose: 'SAFEGUARDING_REFERRAL_MASH',
              status: 'submitted',
              dueAt: '2026-12-01T10:00:00.000Z',
              overdue: true,
              daysOverdue: 3,
            },
          ],
        },
      ],
    });
    expect(listed[1]?.rows).toEqual([
      [
        { kind: 'text', value: 'lb-harrow' },
        { kind: 'text', value: '01KBQ0000000000000000000AA' },
        { kind: 'text', value: 'lb-brent' },
        { kind: 'text', value: 'SAFEGUARDING_REFERRAL_MASH' },
        { kind: 'text', value: 'submitted' },
        { kind: 'text', value: '2026-12-01T10:00:00.000Z' },
        { kind: 'text', value: 'yes' },
        { kind: 'count', value: 3 },
      ],
    ]);
  });

  it('writes the PQA report in long form, each value by its own kind', () => {
    const counts = {
      submitted: 12,
      refused: '<5',
      approved: 8,
      partial: 0,
      declined: '<5',
      released: 7,
      withdrawn: 0,
      closed: 0,
    } as const;
    const report: IgReportAnswer = {
      asOf,
      quarter: '2026Q3',
      footprint: 'north-west-bcu',
      period: { from: '2026-07', to: '2026-09' },
      requests: { ...counts, approvalRate: 0.8, responseTime: { median: 8, p90: 48 } },
      byPurpose: [{ purpose: 'SAFEGUARDING_REFERRAL_MASH', submitted: 12, approvalRate: 0.8 }],
      refusals: [{ reasonCode: 'AGREEMENT_SUSPENDED', count: '<5' }],
      declines: [],
      pastReview: { accepted: 0, refused: 0 },
      withoutAgreement: [],
      crossFootprint: [],
      consentNotSought: [{ exemption: 'would-prejudice-protection', count: 6 }],
      placements: { submitted: 0 },
      challenges: { raised: 0, escalated: 0, upheld: 0, overturned: 0, resolvedOtherwise: 0 },
      outcomes: {
        submitted: 12,
        withOutcome: 10,
        open: '<5',
        outcomeRate: 0.833,
        timeToOutcome: { median: 8, p90: 72 },
      },
      outstanding: { open: '<5', overdue: 0 },
    };
    const [table] = reportTables(report);
    if (table === undefined) throw new Error('a report has a table');
    const csv = igTableCsv(table).split('\r\n');
    expect(csv[0]).toBe('Section,Item,Measure,Value');
    expect(csv).toContain('requests,all,approval rate,0.8');
    expect(csv).toContain('by purpose,SAFEGUARDING_REFERRAL_MASH,submitted,12');
    expect(csv).toContain('refusals,AGREEMENT_SUSPENDED,count,<5');
    expect(csv).toContain('consent not sought,would-prejudice-protection,count,6');
    expect(csv).toContain('outcomes,all,to outcome p90 (h),72');
    const text = igTablesText([table]);
    expect(text).toMatch(/^requests +all +approval rate +80\.0%$/m);
    expect(text).toMatch(/^outcomes +all +to outcome median \(h\) +≤8$/m);
  });

  it('says whose rows an answer holds, which months and how fresh', () => {
    expect(igAnswerHeading({ ...requests, scope: 'organisation', organisationId: 'lb-brent' })).toBe(
      '2026-01 to 2026-12; rows of lb-brent; as of audit leaf 120 (projected 2026-12-04T10:00:00.000Z)',
    );
    expect(igAnswerHeading({ asOf: { leaves: 0, time: null }, scope: 'counts' })).toBe(
      'every month; counts only, under 5 shown as <5; as of audit leaf 0 (not yet projected)',
    );
  });
});
