import { describe, expect, it } from 'vitest';
import { suppressSmallCount } from '#shared/domain/audit/search.ts';
import { deathCategoryCodes } from '#shared/domain/cdop/analysis.ts';
import {
  type AnnualFigures,
  annualFigures,
  type Figures,
  type FiguresCase,
  financialQuarters,
  financialYearOf,
  forPublication,
  learningThemesForNeighbour,
  type PublishedCell,
} from '#shared/domain/cdop/figures.ts';

const bhr = ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge'];

const many = (n: number, make: (i: number) => FiguresCase): FiguresCase[] =>
  Array.from({ length: n }, (_, i) => make(i));

/** Financial year 2024/25 (1 April 2024 to 31 March 2025), hand-built. */
const cases: FiguresCase[] = [
  // Havering: six notified in Q1; five reviewed and closed in Q2 (perinatal), two of them with modifiable factors.
  ...many(6, (i) => ({
    caseId: `hav-${i}`,
    boroughOfResidence: 'lb-havering',
    notifiedOn: '2024-05-01',
    ...(i < 5
      ? {
          reviewedOn: '2024-08-01',
          closedOn: '2024-08-15',
          categoryOfDeath: 'perinatal-neonatal-event' as const,
          modifiableFactors: i < 2,
        }
      : {}),
  })),
  // Havering: notified the year before, reviewed and closed in Q1 (infection).
  {
    caseId: 'hav-old',
    boroughOfResidence: 'lb-havering',
    notifiedOn: '2024-03-30',
    reviewedOn: '2024-05-20',
    closedOn: '2024-06-01',
    categoryOfDeath: 'infection',
    modifiableFactors: false,
  },
  // Redbridge: two notified in Q3, one reviewed and closed in Q4 (infection).
  {
    caseId: 'red-0',
    boroughOfResidence: 'lb-redbridge',
    notifiedOn: '2024-10-05',
    reviewedOn: '2025-01-20',
    closedOn: '2025-02-01',
    categoryOfDeath: 'infection',
    modifiableFactors: false,
  },
  { caseId: 'red-1', boroughOfResidence: 'lb-redbridge', notifiedOn: '2024-10-06' },
  // Barking & Dagenham: seven notified in Q4, none reviewed yet.
  ...many(7, (i) => ({
    caseId: `bd-${i}`,
    boroughOfResidence: 'lb-barking-dagenham',
    notifiedOn: '2025-01-10',
  })),
  // Out of the year: notified and closed in 2025/26.
  { caseId: 'next', boroughOfResidence: 'lb-havering', notifiedOn: '2025-04-01', closedOn: '2025-05-01' },
];

const row = <C>(table: AnnualFigures<C>['year'], borough: string): Figures<C> => {
  const found = table.rows.find((r) => r.borough === borough);
  if (found === undefined) throw new Error(`no row ${borough}`);
  return found.figures;
};

describe('figures', () => {
  const figures = annualFigures(cases, 2024, bhr);

  it('periods: financial year and quarters', () => {
    expect(figures.year.period).toEqual({ label: '2024/25', from: '2024-04-01', to: '2025-04-01' });
    expect(financialQuarters(2024).map((q) => [q.label, q.from, q.to])).toEqual([
      ['2024/25 Q1', '2024-04-01', '2024-07-01'],
      ['2024/25 Q2', '2024-07-01', '2024-10-01'],
      ['2024/25 Q3', '2024-10-01', '2025-01-01'],
      ['2024/25 Q4', '2025-01-01', '2025-04-01'],
    ]);
    expect(financialYearOf('2025-03-31')).toBe('2024/25');
    expect(financialYearOf('2025-04-01')).toBe('2025/26');
  });

  it('annual figures per borough and in total', () => {
    expect(figures.year.rows.map((r) => r.borough)).toEqual(bhr);
    const hav = row(figures.year, 'lb-havering');
    expect([hav.notified, hav.reviewed, hav.closed, hav.withModifiableFactors]).toEqual([6, 6, 6, 2]);
    expect(hav.byCategory['perinatal-neonatal-event']).toBe(5);
    expect(hav.byCategory.infection).toBe(1);
    const red = row(figures.year, 'lb-redbridge');
    expect([red.notified, red.reviewed, red.closed, red.withModifiableFactors]).toEqual([2, 1, 1, 0]);
    const bd = row(figures.year, 'lb-barking-dagenham');
    expect([bd.notified, bd.reviewed, bd.closed]).toEqual([7, 0, 0]);
    const t = figures.year.total;
    expect([t.notified, t.reviewed, t.closed, t.withModifiableFactors]).toEqual([15, 7, 7, 2]);
    expect(t.byCategory).toMatchObject({ 'perinatal-neonatal-event': 5, infection: 2, malignancy: 0 });
  });

  it('quarterly figures count each event in the quarter it happened', () => {
    const [q1, q2, q3, q4] = figures.quarters;
    expect([q1, q2, q3, q4].map((q) => q.total.notified)).toEqual([6, 0, 2, 7]);
    expect([q1, q2, q3, q4].map((q) => q.total.closed)).toEqual([1, 5, 0, 1]);
    expect([q1, q2, q3, q4].map((q) => q.total.reviewed)).toEqual([1, 5, 0, 1]);
    expect(row(q2, 'lb-havering').withModifiableFactors).toBe(2);
    expect(row(q4, 'lb-redbridge').byCategory.infection).toBe(1);
  });
});

describe('suppression for publication', () => {
  it('the one small-number rule: 1 to 4 become <5, 0 and 5+ stay', () => {
    expect([0, 1, 2, 3, 4, 5, 12].map(suppressSmallCount)).toEqual([0, '<5', '<5', '<5', '<5', 5, 12]);
  });

  const published = forPublication(annualFigures(cases, 2024, bhr));
  const raw = annualFigures(cases, 2024, bhr);

  const cellsOf = (f: Figures<PublishedCell | number>) => [
    f.notified,
    f.reviewed,
    f.closed,
    f.withModifiableFactors,
    ...deathCategoryCodes.map((c) => f.byCategory[c]),
  ];
  const tablesOf = <C>(a: AnnualFigures<C>) => [a.year, ...a.quarters];

  it('primary: every 1 to 4 is <5, every other cell is its number or c', () => {
    tablesOf(raw).forEach((table, t) => {
      const pub = tablesOf(published)[t];
      if (pub === undefined) throw new Error('missing table');
      const pairs = [
        ...table.rows.map(
          (r, i) => [cellsOf(r.figures), cellsOf(pub.rows[i]?.figures ?? pub.total)] as const,
        ),
        [cellsOf(table.total), cellsOf(pub.total)] as const,
      ];
      for (const [rawCells, pubCells] of pairs) {
        rawCells.forEach((n, i) => {
          const p = pubCells[i];
          if (typeof n !== 'number') throw new Error('raw cell not a number');
          if (n >= 1 && n <= 4) expect(p).toBe('<5');
          else expect(p === n || p === 'c').toBe(true);
        });
      }
    });
  });

  it('secondary: a lone <5 in a column is protected from the total row', () => {
    const year = published.year;
    expect(row(year, 'lb-redbridge').notified).toBe('<5');
    // Redbridge's 2 = 15 - 7 - 6 would be recoverable: the smallest other borough is suppressed too.
    expect(row(year, 'lb-havering').notified).toBe('c');
    expect(row(year, 'lb-barking-dagenham').notified).toBe(7);
    expect(year.total.notified).toBe(15);
    expect(year.total.withModifiableFactors).toBe('<5');
  });

  it('no published relation (column to total, categories to closed, quarters to year) has exactly one hidden cell', () => {
    const hidden = (c: PublishedCell) => c === '<5' || c === 'c';
    const tables = tablesOf(published);
    const measuresOf = (f: Figures<PublishedCell>) => cellsOf(f) as PublishedCell[];
    const lone = (cells: PublishedCell[]) => cells.filter(hidden).length === 1;
    for (const table of tables) {
      // Columns against the total row.
      const width = measuresOf(table.total).length;
      for (let m = 0; m < width; m += 1) {
        const column = [...table.rows.map((r) => measuresOf(r.figures)[m]), measuresOf(table.total)[m]];
        expect(lone(column as PublishedCell[]), `${table.period.label} column ${m}`).toBe(false);
      }
      // Categories against closed, in every row.
      for (const f of [...table.rows.map((r) => r.figures), table.total]) {
        expect(lone([f.closed, ...deathCategoryCodes.map((c) => f.byCategory[c])])).toBe(false);
      }
    }
    // Quarters against the year.
    const rowsOf = (t: (typeof tables)[number]) => [...t.rows.map((r) => r.figures), t.total];
    const yearRows = rowsOf(published.year);
    yearRows.forEach((yearRow, r) => {
      const quarterRows = published.quarters.map((q) => rowsOf(q)[r]);
      measuresOf(yearRow).forEach((cell, m) => {
        const quarterCells = quarterRows.map((q) => (q === undefined ? 0 : measuresOf(q)[m]));
        expect(lone([...(quarterCells as PublishedCell[]), cell])).toBe(false);
      });
    });
  });
});

describe('learning themes for a neighbouring CDOP', () => {
  const closedWith = (caseId: string, closedOn: string, codes: string[]) => ({
    caseId,
    closedOn,
    learningThemes: codes.map((code) => ({ code, detail: `Detail naming ${caseId}` })),
  });
  const themeCases = [
    ...Array.from({ length: 6 }, (_, i) => closedWith(`case-ss-${i}`, '2024-08-15', ['safer-sleeping'])),
    closedWith('case-wt-1', '2024-11-03', ['water-safety', 'water-safety']),
    closedWith('case-wt-2', '2025-02-03', ['water-safety', 'safer-sleeping']),
    closedWith('case-next', '2025-06-01', ['road-safety']),
    { caseId: 'case-open', learningThemes: [{ code: 'road-safety' }] },
  ] as Parameters<typeof learningThemesForNeighbour>[0];

  it('counts closed cases per year and theme, suppressed, with no case id, date or free text', () => {
    const shared = learningThemesForNeighbour(themeCases);
    expect(shared).toEqual([
      { year: '2024/25', theme: 'safer-sleeping', label: 'Safer sleeping', cases: 7 },
      { year: '2024/25', theme: 'water-safety', label: 'Water safety', cases: '<5' },
      { year: '2025/26', theme: 'road-safety', label: 'Road safety', cases: '<5' },
    ]);
    const json = JSON.stringify(shared);
    expect(json).not.toMatch(/case-|Detail|\d{4}-\d{2}-\d{2}/);
    for (const item of shared) expect(Object.keys(item).sort()).toEqual(['cases', 'label', 'theme', 'year']);
  });
});
