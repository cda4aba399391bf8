import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closureProblems, parseAnalysis } from '#shared/domain/cdop/analysis.ts';
import { exportForNcmd, type NcmdCase, parseNcmdExport } from '#shared/domain/cdop/ncmd-export.ts';
import {
  ageBandAt,
  assemblePanelPack,
  type PanelCaseSummary,
  panelMayFetch,
} from '#shared/domain/cdop/panel-pack.ts';
import {
  fieldNamesOf,
  parseReport,
  type ReportingForm,
  reportingFormSchemas,
  separateIdentifying,
} from '#shared/domain/cdop/reporting-form.ts';
import { ConflictError, InputError } from '#shared/domain/errors.ts';

/** 943 476 5919 is the NHS Data Dictionary's worked example of a valid NHS number. */
const reportValue = (agencyId: string, overrides: Record<string, unknown> = {}) => ({
  schemaVersion: '2026',
  caseId: 'case-01',
  agencyId,
  partA: {
    child: {
      givenNames: 'Amara Jade',
      familyName: 'Okonkwo',
      dateOfBirth: '2024-02-10',
      nhsNumber: '9434765919',
      address: { lines: ['12 Elm Row', 'Romford'], postcode: 'RM1 9ZZ' },
    },
    parentsOrCarers: [{ name: 'Grace Okonkwo', relationship: 'mother' }],
    agencyCaseNumbers: ['HAV-778812'],
    completedBy: { name: 'Pat Example', jobTitle: 'Named nurse', contact: '01708 000000' },
  },
  partB: {
    involvement: {
      status: 'past',
      services: ['health visiting'],
      summary: 'Routine contacts, all attended.',
    },
    concerns: { safeguardingConcerns: 'no', childProtectionPlan: 'no', lookedAfter: 'no' } as Record<
      string,
      string
    >,
    factors: {
      intrinsicToChild: [],
      familyAndEnvironment: [{ code: 'smoking-in-household', present: 'yes', detail: 'A parent smoked.' }],
      serviceProvision: [],
    },
  },
  ...overrides,
});

const caseSummary: PanelCaseSummary = {
  caseId: 'case-01',
  cdopFootprintId: 'bhr-cdop-area',
  boroughOfResidence: 'lb-havering',
  dateOfBirth: '2024-02-10',
  dateOfDeath: '2024-09-03',
  expected: false,
  placeCategory: 'home',
  diedInFootprint: true,
  agenciesRequested: ['lb-havering', 'met-ea-bcu', 'nelft'],
};

const analysisValue = {
  schemaVersion: '2026',
  caseId: 'case-01',
  panelDate: '2025-03-12',
  categoryOfDeath: 'sudden-unexpected-unexplained',
  modifiableFactors: { identified: true, domains: ['physical-environment'] },
  learningThemes: [{ code: 'safer-sleeping', detail: 'Co-sleeping after alcohol.' }],
};

describe('reporting form', () => {
  it('parses by version and refuses unknown versions, mismatched versions and unknown fields', () => {
    const report = parseReport('2026', reportValue('lb-havering'));
    expect(report.schemaVersion).toBe('2026');
    expect(() => parseReport('2019', reportValue('lb-havering'))).toThrow(InputError);
    expect(() => parseReport('2026', reportValue('lb-havering', { schemaVersion: '2025' }))).toThrow(
      InputError,
    );
    const withStray = reportValue('lb-havering');
    (withStray.partB as Record<string, unknown>).childName = 'Amara';
    expect(() => parseReport('2026', withStray)).toThrow(InputError);
  });

  it('refuses an invalid NHS number without echoing it', () => {
    const bad = reportValue('lb-havering');
    (bad.partA.child as Record<string, unknown>).nhsNumber = '9434765918';
    try {
      parseReport('2026', bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect(JSON.stringify([(error as InputError).message, (error as InputError).details])).not.toContain(
        '9434765918',
      );
    }
  });

  it('separation leaves no part A field in the body', () => {
    const { body, identifying, warnings } = separateIdentifying(
      parseReport('2026', reportValue('lb-havering')),
    );
    const partANames = fieldNamesOf(reportingFormSchemas['2026'].partA.parse(identifying.partA));
    const bodyNames = fieldNamesOf(body);
    for (const name of partANames) expect(bodyNames.has(name), name).toBe(false);
    expect(JSON.stringify(body)).not.toContain('Okonkwo');
    expect(warnings).toEqual([]);
  });

  it("flags the child's name and NHS number repeated in free text, by path and never by value", () => {
    const value = reportValue('lb-havering');
    value.partB.involvement.summary = 'Seen with AMARA at clinic; NHS no 943 476 5919.';
    const { warnings } = separateIdentifying(parseReport('2026', value));
    expect(warnings).toContainEqual({
      code: 'IDENTIFYING_VALUE_IN_FREE_TEXT',
      bodyPath: 'partB.involvement.summary',
      identifyingField: 'partA.child.givenNames',
    });
    expect(warnings).toContainEqual({
      code: 'IDENTIFYING_VALUE_IN_FREE_TEXT',
      bodyPath: 'partB.involvement.summary',
      identifyingField: 'partA.child.nhsNumber',
    });
    expect(JSON.stringify(warnings)).not.toMatch(/amara|9434765919/i);
  });
});

describe('panel pack', () => {
  it('holds bodies, non-identifying facts, outstanding agencies and a stable hash', () => {
    const a = parseReport('2026', reportValue('met-ea-bcu'));
    const b = parseReport('2026', reportValue('lb-havering'));
    const pack = assemblePanelPack(caseSummary, [a, b]);
    expect(pack.reports.map((r) => r.agencyId)).toEqual(['lb-havering', 'met-ea-bcu']);
    expect(pack.agenciesOutstanding).toEqual(['nelft']);
    expect(pack.facts).toEqual({
      boroughOfResidence: 'lb-havering',
      ageBand: '28-364-days',
      quarterOfDeath: '2024-Q3',
      expected: false,
      placeCategory: 'home',
      diedInFootprint: true,
    });
    expect(pack.packHash).toMatch(/^[0-9a-f]{64}$/);
    expect(assemblePanelPack(caseSummary, [b, a]).packHash).toBe(pack.packHash);
    const json = JSON.stringify(pack);
    for (const v of ['2024-02-10', '2024-09-03', 'Okonkwo', 'HAV-778812', 'RM1 9ZZ', '9434765919']) {
      expect(json).not.toContain(v);
    }
  });

  it('refuses reports of another case, from agencies not asked, and duplicates', () => {
    const ok = parseReport('2026', reportValue('lb-havering'));
    expect(() => assemblePanelPack(caseSummary, [ok, ok])).toThrow(InputError);
    expect(() => assemblePanelPack(caseSummary, [parseReport('2026', reportValue('lb-barnet'))])).toThrow(
      InputError,
    );
    expect(() =>
      assemblePanelPack(caseSummary, [
        parseReport('2026', reportValue('lb-havering', { caseId: 'case-02' })),
      ]),
    ).toThrow(InputError);
  });

  /** Identifying strings of capitals and digits: nothing else in a pack (codes, ids, hex) is upper case. */
  const token = fc.stringMatching(/^[A-Z][A-Z0-9]{7,15}$/);

  it('property: no identifying value appears anywhere in the pack, even when agencies repeat it', () => {
    fc.assert(
      fc.property(
        fc.record({
          given: token,
          family: token,
          street: token,
          caseNumber: token,
          carer: token,
          reporter: token,
          leak: fc.boolean(),
        }),
        (ids) => {
          // Distinct values, none inside another: otherwise one redaction can cover two fields.
          const values = Object.values(ids).filter((v): v is string => typeof v === 'string');
          fc.pre(values.every((v, i) => values.every((w, j) => i === j || !w.includes(v))));
          const value = reportValue('lb-havering');
          value.partA.child.givenNames = ids.given;
          value.partA.child.familyName = ids.family;
          value.partA.child.address.lines = [ids.street];
          value.partA.agencyCaseNumbers = [ids.caseNumber];
          value.partA.parentsOrCarers = [{ name: ids.carer, relationship: 'father' }];
          value.partA.completedBy.name = ids.reporter;
          if (ids.leak) {
            value.partB.involvement.summary = `${ids.given} ${ids.family} of ${ids.street}, ref ${ids.caseNumber}`;
            value.partB.concerns = { ...value.partB.concerns, detail: `Father ${ids.carer.toLowerCase()}` };
          }
          const pack = assemblePanelPack(caseSummary, [parseReport('2026', value)]);
          const json = JSON.stringify(pack).toLowerCase();
          for (const v of Object.values(ids))
            if (typeof v === 'string') expect(json).not.toContain(v.toLowerCase());
          // Six leaks were planted (given, family, street, case number, carer, the carer's relationship); a random
          // token may also happen to contain another part A word (a street word, a postcode part) and be redacted.
          const redactions = pack.reports[0]?.redactions.length ?? 0;
          if (ids.leak) expect(redactions).toBeGreaterThanOrEqual(6);
          else expect(redactions).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('age bands', () => {
    expect(ageBandAt('2024-01-01', '2024-01-28')).toBe('0-27-days');
    expect(ageBandAt('2024-01-01', '2024-01-29')).toBe('28-364-days');
    expect(ageBandAt('2020-03-05', '2025-03-04')).toBe('1-4-years');
    expect(ageBandAt('2020-03-05', '2025-03-05')).toBe('5-9-years');
    expect(ageBandAt('2008-01-01', '2025-12-31')).toBe('15-17-years');
    expect(() => ageBandAt('2007-01-01', '2025-01-01')).toThrow(InputError);
  });

  it('only the manager or coordinator of that CDOP secretariat may fetch', () => {
    const bhr = { footprintId: 'bhr-cdop-area', secretariatOrganisationId: 'bhr-cdop' };
    expect(panelMayFetch({ organisationId: 'bhr-cdop', roles: ['cdop-coordinator'] }, bhr)).toBe(true);
    expect(panelMayFetch({ organisationId: 'bhr-cdop', roles: ['cdop-manager'] }, bhr)).toBe(true);
    expect(panelMayFetch({ organisationId: 'bhr-cdop', roles: ['practitioner', 'ig-lead'] }, bhr)).toBe(
      false,
    );
    expect(panelMayFetch({ organisationId: 'brent-harrow-cdop', roles: ['cdop-manager'] }, bhr)).toBe(false);
    expect(panelMayFetch({ organisationId: 'pbx-operations', roles: ['operator'] }, bhr)).toBe(false);
  });
});

describe('analysis and closure', () => {
  it('parses by version, needs domains when factors are modifiable, refuses unknown categories', () => {
    expect(parseAnalysis('2026', analysisValue).categoryOfDeath).toBe('sudden-unexpected-unexplained');
    expect(() => parseAnalysis('2027', analysisValue)).toThrow(InputError);
    expect(() =>
      parseAnalysis('2026', { ...analysisValue, modifiableFactors: { identified: true, domains: [] } }),
    ).toThrow(InputError);
    expect(() => parseAnalysis('2026', { ...analysisValue, categoryOfDeath: 'misadventure' })).toThrow(
      InputError,
    );
  });

  it('a case closes only with an analysis of that case', () => {
    const analysis = parseAnalysis('2026', analysisValue);
    const open = { caseId: 'case-01', status: 'open' as const };
    expect(closureProblems(open, undefined, '2025-03-20')).toEqual(['ANALYSIS_MISSING']);
    expect(closureProblems({ caseId: 'case-02', status: 'open' }, analysis, '2025-03-20')).toEqual([
      'ANALYSIS_FOR_ANOTHER_CASE',
    ]);
    expect(closureProblems({ ...open, status: 'closed' }, analysis, '2025-03-20')).toEqual(['CASE_NOT_OPEN']);
    expect(closureProblems(open, analysis, '2025-03-01')).toEqual(['PANEL_DATE_AFTER_CLOSURE']);
    expect(closureProblems(open, analysis, '2025-03-20')).toEqual([]);
  });
});

describe('NCMD export', () => {
  const reports: ReportingForm[] = [
    parseReport('2026', reportValue('met-ea-bcu')),
    parseReport('2026', reportValue('lb-havering')),
  ];
  const analysis = parseAnalysis('2026', analysisValue);
  const closed: NcmdCase = {
    caseId: 'case-01',
    cdopFootprintId: 'bhr-cdop-area',
    status: 'closed',
    closedOn: '2025-03-20',
    notification: { schemaVersion: '2026', expected: false },
  };

  it('refuses an open case', () => {
    const { closedOn: _, ...rest } = closed;
    expect(() => exportForNcmd({ ...rest, status: 'open' }, reports, analysis, '2026')).toThrow(
      ConflictError,
    );
  });

  it('refuses unknown versions and forms of another case', () => {
    expect(() => exportForNcmd(closed, reports, analysis, '2030')).toThrow(InputError);
    expect(() => exportForNcmd(closed, reports, { ...analysis, caseId: 'case-09' }, '2026')).toThrow(
      InputError,
    );
  });

  it('round-trips its schema version through JSON', () => {
    const exported = exportForNcmd(closed, reports, analysis, '2026');
    expect(exported.exportSchemaVersion).toBe('2026');
    expect(exported.reporting.map((r) => r.agencyId)).toEqual(['lb-havering', 'met-ea-bcu']);
    const back = parseNcmdExport(JSON.parse(JSON.stringify(exported)));
    expect(back).toEqual(exported);
    expect(back.reporting.every((r) => r.schemaVersion === '2026')).toBe(true);
    expect(back.analysis.schemaVersion).toBe('2026');
    expect(back.notification.schemaVersion).toBe('2026');
    expect(() => parseNcmdExport({ ...exported, exportSchemaVersion: '1999' })).toThrow(InputError);
  });
});
