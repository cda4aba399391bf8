import { requestGroupings, requestPeriods } from '#shared/http/views/ig.ts';
import { choiceOf, type FormFields, FormProblems, textOf } from '../forms.ts';

/**
 * The filters of an IG answer page: a GET form of the first and last month (GOV.UK date inputs of month and year)
 * and, for requests, per month or quarter and what to group by. An empty month is the exchange's default; what is
 * typed is checked here, so the exchange is asked only a query its schema takes.
 */

export type PeriodValues = {
  readonly fromMonth: string;
  readonly fromYear: string;
  readonly toMonth: string;
  readonly toYear: string;
  readonly by: string;
  readonly group: string;
};

export type IgQuery = { from?: string; to?: string; by?: string; group?: string };

export type FilterForm = {
  readonly values: PeriodValues;
  /** The exchange's query; undefined when the form has problems. */
  readonly query: IgQuery | undefined;
  readonly problems: FormProblems;
};

const monthField = (
  fields: FormFields,
  name: 'from' | 'to',
  label: string,
  problems: FormProblems,
): string | undefined => {
  const month = textOf(fields, `${name}-month`);
  const year = textOf(fields, `${name}-year`);
  if (month === '' && year === '') return undefined;
  if (month === '') {
    problems.add(name, `${label} must include a month`, `${name}-month`);
    return undefined;
  }
  if (year === '') {
    problems.add(name, `${label} must include a year`, `${name}-year`);
    return undefined;
  }
  const m = /^\d{1,2}$/.test(month) ? Number(month) : Number.NaN;
  if (!(m >= 1 && m <= 12) || !/^\d{4}$/.test(year) || Number(year) < 2000) {
    problems.add(name, `${label} must be a real month, like 4 2026`, `${name}-month`);
    return undefined;
  }
  return `${year}-${String(m).padStart(2, '0')}`;
};

/** The filter form of a question's page from its URL's query; `requests` adds per month or quarter and grouping. */
export const filterFormOf = (fields: FormFields, options: { requests: boolean }): FilterForm => {
  const values: PeriodValues = {
    fromMonth: textOf(fields, 'from-month'),
    fromYear: textOf(fields, 'from-year'),
    toMonth: textOf(fields, 'to-month'),
    toYear: textOf(fields, 'to-year'),
    by: textOf(fields, 'by'),
    group: textOf(fields, 'group'),
  };
  const problems = new FormProblems();
  const from = monthField(fields, 'from', 'The first month', problems);
  const to = monthField(fields, 'to', 'The last month', problems);
  if (from !== undefined && to !== undefined && to < from) {
    problems.add('to', 'The last month must be the same as or after the first month', 'to-month');
  }
  const query: IgQuery = {};
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  if (options.requests) {
    const by = choiceOf(fields, 'by', requestPeriods);
    if (values.by !== '' && by === undefined) problems.add('by', 'Select per month or per quarter', 'by');
    const group = choiceOf(fields, 'group', requestGroupings);
    if (values.group !== '' && group === undefined)
      problems.add('group', 'Select what to group the requests by');
    if (by !== undefined) query.by = by;
    if (group !== undefined) query.group = group;
  }
  return { values, query: problems.any ? undefined : query, problems };
};

/** The date inputs' items of one month, what was typed kept, marked in error when it is. */
export const monthItems = (values: PeriodValues, name: 'from' | 'to', error: boolean) => {
  const classes = (width: number) => `govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`;
  return [
    {
      name: 'month',
      label: 'Month',
      classes: classes(2),
      value: name === 'from' ? values.fromMonth : values.toMonth,
    },
    {
      name: 'year',
      label: 'Year',
      classes: classes(4),
      value: name === 'from' ? values.fromYear : values.toYear,
    },
  ];
};

/** The words of the groupings for the requests page's select. */
export const groupingLabels: Readonly<Record<(typeof requestGroupings)[number], string>> = {
  pair: 'Pair of organisations (requester and responder)',
  organisation: 'Organisation (as requester and as responder)',
  purpose: 'Purpose',
  footprint: 'Footprint',
};
