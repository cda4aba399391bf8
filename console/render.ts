import nunjucks from 'nunjucks';
import { consoleFiles } from './files.ts';

export type PageContext = Record<string, unknown>;

/**
 * The Nunjucks environment: `viewDirs` (the local identity provider's pages), the console's views, then GOV.UK Frontend's (`govuk/template.njk`, the component
 * macros). Autoescaping is on; templates are read once and cached.
 */
export const createRenderer = (
  viewDirs: readonly string[] = [],
): ((view: string, context: PageContext) => string) => {
  const files = consoleFiles();
  const environment = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([...viewDirs, files.views, files.govukFrontend], { noCache: false }),
    { autoescape: true, throwOnUndefined: false },
  );
  environment.addFilter('date', (value: unknown) => formatDate(value, false));
  environment.addFilter('dateTime', (value: unknown) => formatDate(value, true));
  return (view, context) => environment.render(view, context);
};

const londonDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: 'Europe/London',
});

/** Dates as the GOV.UK style guide writes them ("3 December 2026", "3 December 2026 at 2:05pm"), in UK time. */
export const formatDate = (value: unknown, withTime: boolean): string => {
  if (typeof value !== 'string' && !(value instanceof Date)) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  if (!withTime) return londonDate.format(date);
  const parts = londonDateTime.formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('year')} at ${part('hour')}:${part('minute')}${part('dayPeriod').toLowerCase()}`;
};
