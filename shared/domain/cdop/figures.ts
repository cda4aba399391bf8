import { suppressSmallCount } from '../audit/search.ts';
import { InputError } from '../errors.ts';
import { type DeathCategory, deathCategoryCodes, type LearningTheme, learningThemes } from './analysis.ts';

/**
 * Child death figures for a partnership's annual report (issue 7 "Figures"; brief 4.6, 9.11 R30): per borough of
 * residence and in total, per financial year (1 April to 31 March, the year the CDOP annual reports use) and per
 * quarter of it, the deaths notified, the cases reviewed at panel, the cases closed, the closed cases with
 * modifiable factors, and the closed cases by category of death. Each event counts in the period it happened in:
 * a death notified in March and closed in June counts as notified in Q4 of one year and closed in Q1 of the next.
 *
 * `forPublication` suppresses small numbers with the exchange's one rule (audit/search.ts `suppressSmallCount`,
 * 1 to 4 become `<5`) and then adds secondary suppression (see there). Pure: no I/O.
 */

/** A case as the figures need it: plain facts, no subject reference, no identifying detail. */
export type FiguresCase = {
  readonly caseId: string;
  /** Registry id of the local authority the child normally lived in. */
  readonly boroughOfResidence: string;
  readonly notifiedOn: string;
  /** The day of the panel that reviewed the case, once it has been. */
  readonly reviewedOn?: string | undefined;
  readonly closedOn?: string | undefined;
  /** From the panel's analysis, once the case is closed. */
  readonly categoryOfDeath?: DeathCategory | undefined;
  readonly modifiableFactors?: boolean | undefined;
};

/** A half-open period of days: `from` inclusive, `to` exclusive (YYYY-MM-DD). */
export type Period = { readonly label: string; readonly from: string; readonly to: string };

const checkStartYear = (startYear: number) => {
  if (!Number.isInteger(startYear) || startYear < 2000 || startYear > 2999) {
    throw new InputError('INVALID_INPUT', 'a financial year starts in a year from 2000 to 2999');
  }
};

/** The financial year starting 1 April of `startYear`, labelled `2025/26`. */
export const financialYear = (startYear: number): Period => {
  checkStartYear(startYear);
  return {
    label: `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`,
    from: `${startYear}-04-01`,
    to: `${startYear + 1}-04-01`,
  };
};

/** The four quarters of a financial year: Q1 April–June … Q4 January–March. */
export const financialQuarters = (startYear: number): [Period, Period, Period, Period] => {
  const { label } = financialYear(startYear);
  const bounds = [`${startYear}-04-01`, `${startYear}-07-01`, `${startYear}-10-01`, `${startYear + 1}-01-01`];
  const ends = [...bounds.slice(1), `${startYear + 1}-04-01`];
  return [0, 1, 2, 3].map((i) => ({ label: `${label} Q${i + 1}`, from: bounds[i], to: ends[i] })) as [
    Period,
    Period,
    Period,
    Period,
  ];
};

/** The financial year (`2025/26`) a day falls in: the only date a neighbour's theme counts carry. */
export const financialYearOf = (isoDate: string): string => {
  const year = Number(isoDate.slice(0, 4));
  return financialYear(isoDate.slice(5, 10) < '04-01' ? year - 1 : year).label;
};

const inPeriod = (day: string | undefined, period: Period): boolean =>
  day !== undefined && day >= period.from && day < period.to;

export type Figures<Cell> = {
  readonly notified: Cell;
  readonly reviewed: Cell;
  readonly closed: Cell;
  readonly withModifiableFactors: Cell;
  readonly byCategory: Readonly<Record<DeathCategory, Cell>>;
};

export type FiguresTable<Cell = number> = {
  readonly period: Period;
  readonly rows: readonly { readonly borough: string; readonly figures: Figures<Cell> }[];
  readonly total: Figures<Cell>;
};

export type AnnualFigures<Cell = number> = {
  readonly year: FiguresTable<Cell>;
  readonly quarters: readonly [
    FiguresTable<Cell>,
    FiguresTable<Cell>,
    FiguresTable<Cell>,
    FiguresTable<Cell>,
  ];
};

const zeroFigures = (): Figures<number> & { byCategory: Record<DeathCategory, number> } => ({
  notified: 0,
  reviewed: 0,
  closed: 0,
  withModifiableFactors: 0,
  byCategory: Object.fromEntries(deathCategoryCodes.map((c) => [c, 0])) as Record<DeathCategory, number>,
});

const figuresOf = (cases: readonly FiguresCase[], period: Period): Figures<number> => {
  const f = zeroFigures();
  let notified = 0;
  let reviewed = 0;
  let closed = 0;
  let modifiable = 0;
  for (const c of cases) {
    if (inPeriod(c.notifiedOn, period)) notified += 1;
    if (inPeriod(c.reviewedOn, period)) reviewed += 1;
    if (inPeriod(c.closedOn, period)) {
      closed += 1;
      if (c.modifiableFactors === true) modifiable += 1;
      if (c.categoryOfDeath !== undefined) f.byCategory[c.categoryOfDeath] += 1;
    }
  }
  return { ...f, notified, reviewed, closed, withModifiableFactors: modifiable };
};

/**
 * One period's table: a row per borough (every borough in `boroughs`, so a footprint's boroughs show even with
 * no deaths, plus any other borough a case names), sorted, and the total row.
 */
export const figuresTable = (
  cases: readonly FiguresCase[],
  period: Period,
  boroughs: readonly string[] = [],
): FiguresTable => {
  const all = [...new Set([...boroughs, ...cases.map((c) => c.boroughOfResidence)])].sort();
  return {
    period,
    rows: all.map((borough) => ({
      borough,
      figures: figuresOf(
        cases.filter((c) => c.boroughOfResidence === borough),
        period,
      ),
    })),
    total: figuresOf(cases, period),
  };
};

/** A financial year's table and its four quarters' tables. */
export const annualFigures = (
  cases: readonly FiguresCase[],
  startYear: number,
  boroughs: readonly string[] = [],
): AnnualFigures => {
  const [q1, q2, q3, q4] = financialQuarters(startYear);
  const table = (p: Period) => figuresTable(cases, p, boroughs);
  return { year: table(financialYear(startYear)), quarters: [table(q1), table(q2), table(q3), table(q4)] };
};

// --- Publication ----------------------------------------------------------------------------------------------

/** A published cell: a number, `<5` (a count of 1 to 4), or `c` (suppressed so a `<5` cannot be worked out). */
export type PublishedCell = number | '<5' | 'c';

const measures = ['notified', 'reviewed', 'closed', 'withModifiableFactors'] as const;
const measureKeys = [...measures, ...deathCategoryCodes.map((c) => `category:${c}`)];
const categoryKeys = deathCategoryCodes.map((c) => `category:${c}`);

const cellOf = (f: Figures<number>, measure: string): number =>
  measure.startsWith('category:')
    ? f.byCategory[measure.slice('category:'.length) as DeathCategory]
    : f[measure as (typeof measures)[number]];

/** A published relation: the members add up to the total, so one unknown among them could be solved for. */
type Relation = { readonly members: readonly string[]; readonly total: string };

/**
 * The figures as they may be published. Primary suppression: every count of 1 to 4 becomes `<5` (0 stays 0).
 * Secondary suppression, so no `<5` can be recovered by subtraction from a total the same publication shows.
 * The relations a reader can use are:
 *
 * - in every table, the boroughs of each column add up to the total row;
 * - in every row, the categories add up to `closed` (when every closed case has a category);
 * - for every borough (and the total) and every column, the four quarters add up to the year.
 *
 * While some relation has exactly one suppressed cell, the smallest non-zero cell among that relation's members
 * is suppressed too (as `c`; failing one, a zero member, then the total), until every relation has none or at
 * least two. Totals are kept where possible. This stops recovery from any one relation; it does not prove that
 * no combination of several relations narrows a cell down (that needs a full audit of the linear system, as
 * statistical disclosure tools such as tau-argus do), and a reader still learns bounds.
 */
export const forPublication = (figures: AnnualFigures): AnnualFigures<PublishedCell> => {
  const tables: [string, FiguresTable][] = [
    ['year', figures.year],
    ...figures.quarters.map((t, i): [string, FiguresTable] => [`q${i + 1}`, t]),
  ];
  const values = new Map<string, number>();
  const rowKeys = ['#total', ...figures.year.rows.map((r) => r.borough)];
  const key = (table: string, row: string, measure: string) => `${table}|${row}|${measure}`;
  for (const [name, table] of tables) {
    const rowBoroughs = table.rows.map((r) => r.borough).join('\0');
    if (rowBoroughs !== figures.year.rows.map((r) => r.borough).join('\0')) {
      throw new InputError('INVALID_INPUT', 'the quarterly and annual tables have different boroughs');
    }
    for (const m of measureKeys) {
      values.set(key(name, '#total', m), cellOf(table.total, m));
      for (const r of table.rows) values.set(key(name, r.borough, m), cellOf(r.figures, m));
    }
  }
  const value = (k: string) => values.get(k) ?? 0;

  const relations: Relation[] = [];
  for (const [name, table] of tables) {
    for (const m of measureKeys) {
      relations.push({
        members: table.rows.map((r) => key(name, r.borough, m)),
        total: key(name, '#total', m),
      });
    }
    for (const row of rowKeys) {
      const members = categoryKeys.map((m) => key(name, row, m));
      const total = key(name, row, 'closed');
      if (members.reduce((sum, k) => sum + value(k), 0) === value(total)) relations.push({ members, total });
    }
  }
  for (const row of rowKeys) {
    for (const m of measureKeys) {
      relations.push({
        members: ['q1', 'q2', 'q3', 'q4'].map((q) => key(q, row, m)),
        total: key('year', row, m),
      });
    }
  }

  const primary = new Set([...values].filter(([, n]) => suppressSmallCount(n) === '<5').map(([k]) => k));
  const secondary = new Set<string>();
  const hidden = (k: string) => primary.has(k) || secondary.has(k);
  const byValueThenKey = (a: string, b: string) => value(a) - value(b) || (a < b ? -1 : a > b ? 1 : 0);
  for (let changed = true; changed; ) {
    changed = false;
    for (const { members, total } of relations) {
      if ([...members, total].filter(hidden).length !== 1) continue;
      const known = members.filter((k) => !hidden(k)).sort(byValueThenKey);
      const pick = known.find((k) => value(k) > 0) ?? known[0] ?? total;
      secondary.add(pick);
      changed = true;
    }
  }

  const publish = (k: string): PublishedCell => (primary.has(k) ? '<5' : secondary.has(k) ? 'c' : value(k));
  const publishFigures = (table: string, row: string): Figures<PublishedCell> => ({
    notified: publish(key(table, row, 'notified')),
    reviewed: publish(key(table, row, 'reviewed')),
    closed: publish(key(table, row, 'closed')),
    withModifiableFactors: publish(key(table, row, 'withModifiableFactors')),
    byCategory: Object.fromEntries(
      deathCategoryCodes.map((c) => [c, publish(key(table, row, `category:${c}`))]),
    ) as Record<DeathCategory, PublishedCell>,
  });
  const publishTable = (name: string, table: FiguresTable): FiguresTable<PublishedCell> => ({
    period: table.period,
    rows: table.rows.map((r) => ({ borough: r.borough, figures: publishFigures(name, r.borough) })),
    total: publishFigures(name, '#total'),
  });
  const [q1, q2, q3, q4] = figures.quarters;
  return {
    year: publishTable('year', figures.year),
    quarters: [
      publishTable('q1', q1),
      publishTable('q2', q2),
      publishTable('q3', q3),
      publishTable('q4', q4),
    ],
  };
};

// --- Learning themes for a neighbouring CDOP ------------------------------------------------------------------

/** A closed case as theme sharing needs it: the day it closed and its learning-theme codes. */
export type ThemeCase = {
  readonly closedOn?: string | undefined;
  readonly learningThemes: readonly { readonly code: LearningTheme }[];
};

export type SharedTheme = {
  /** The financial year the cases closed in: no finer date is shared. */
  readonly year: string;
  readonly theme: LearningTheme;
  readonly label: string;
  /** Closed cases with this theme that year, small numbers suppressed. */
  readonly cases: number | '<5';
};

/**
 * De-identified learning themes to share with a neighbouring CDOP (Bedfordshire & Luton with Milton Keynes;
 * purpose CDR_LEARNING_THEMES): per financial year of closure and theme code, how many closed cases raised it.
 * No case id, no date finer than the year, no free text (the panel's theme detail may name people or places),
 * and counts of 1 to 4 as `<5`. No total is published, so a suppressed count cannot be subtracted out and no
 * secondary suppression is needed; a caller adding totals must suppress them too. Open cases are left out.
 */
export const learningThemesForNeighbour = (cases: readonly ThemeCase[]): SharedTheme[] => {
  const counts = new Map<string, { year: string; theme: LearningTheme; n: number }>();
  for (const c of cases) {
    if (c.closedOn === undefined) continue;
    const year = financialYearOf(c.closedOn);
    for (const theme of new Set(c.learningThemes.map((t) => t.code))) {
      const k = `${year}|${theme}`;
      const found = counts.get(k);
      if (found === undefined) counts.set(k, { year, theme, n: 1 });
      else found.n += 1;
    }
  }
  return [...counts.values()]
    .sort((a, b) => a.year.localeCompare(b.year) || a.theme.localeCompare(b.theme))
    .map(({ year, theme, n }) => ({
      year,
      theme,
      label: learningThemes[theme],
      cases: suppressSmallCount(n),
    }));
};
