import type * as z from 'zod';
import { deathCategories, learningThemes, modifiableFactorDomains } from '#shared/domain/cdop/analysis.ts';
import type {
  agencyTrackingSchema,
  cdopFiguresAnswer,
  listCdopCasesAnswer,
} from '#shared/http/views/cdop.ts';
import { formatDate } from '../render.ts';

/**
 * What the CDOP pages show, built from the exchange's answers (shared/http/views/cdop.ts): table rows with GOV.UK
 * tags, plain-English labels and dates. Pure: the handlers parse the answers and pass them here.
 */

type AgencyTracking = z.infer<typeof agencyTrackingSchema>;
type CaseList = z.infer<typeof listCdopCasesAnswer>;
type Figures = z.infer<typeof cdopFiguresAnswer>;
export type Names = ReadonlyMap<string, string>;

type Cell = { text?: string; html?: string; format?: 'numeric'; classes?: string };

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const nameOf = (names: Names, id: string): string => names.get(id) ?? id;

/** A GOV.UK tag for a report's status: who has answered, who is due, who is overdue. */
export const reportStatusTag = (
  status: AgencyTracking['status'],
  daysOverdue?: number,
): { text: string; classes: string } => {
  switch (status) {
    case 'requested':
      return { text: 'Due', classes: 'govuk-tag--blue' };
    case 'overdue':
      return {
        text:
          daysOverdue === undefined
            ? 'Overdue'
            : `Overdue by ${daysOverdue} day${daysOverdue === 1 ? '' : 's'}`,
        classes: 'govuk-tag--red',
      };
    case 'answered':
      return { text: 'Answered', classes: 'govuk-tag--green' };
    case 'declined':
      return { text: 'Declined', classes: 'govuk-tag--orange' };
    case 'withdrawn':
      return { text: 'Withdrawn', classes: 'govuk-tag--grey' };
    case 'ended':
      return { text: 'Ended', classes: 'govuk-tag--grey' };
  }
};

const tagHtml = (tag: { text: string; classes: string }) =>
  `<strong class="govuk-tag ${tag.classes}">${escapeHtml(tag.text)}</strong>`;

/** What happened to a report beyond its status: when it came, or why it did not. */
const reportNote = (a: AgencyTracking): string => {
  if (a.status === 'answered' && a.answeredAt !== undefined)
    return `Answered ${formatDate(a.answeredAt, false)}`;
  if (a.status === 'declined') return `Declined: ${a.declinedReasons ?? 'no reason given'}`;
  if (a.status === 'withdrawn' && a.withdrawnAt !== undefined)
    return `Withdrawn ${formatDate(a.withdrawnAt, false)}`;
  if (a.status === 'ended') {
    return `Ended${a.endedAt === undefined ? '' : ` ${formatDate(a.endedAt, false)}`}: the agreement no longer allows it${a.endedReason === undefined ? '' : ` (${a.endedReason})`}`;
  }
  if (a.requestId === undefined) return 'Waiting for the request to be sent';
  return '';
};

/** The tracking board of a case: one row per agency asked, the most urgent first. */
export const trackingRows = (agencies: readonly AgencyTracking[], names: Names): Cell[][] => {
  const order: Record<AgencyTracking['status'], number> = {
    overdue: 0,
    requested: 1,
    declined: 2,
    answered: 3,
    withdrawn: 4,
    ended: 5,
  };
  return [...agencies]
    .sort((a, b) => order[a.status] - order[b.status] || (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0))
    .map((a) => [
      { text: nameOf(names, a.organisationId) },
      { html: tagHtml(reportStatusTag(a.status, a.daysOverdue)) },
      { text: formatDate(a.requestedAt, false) },
      { text: formatDate(a.dueAt, false) },
      { text: reportNote(a) },
    ]);
};

/** The counts the board's heading gives: answered, due (not yet answered, in time), overdue. */
export const trackingCounts = (agencies: readonly AgencyTracking[]) => ({
  asked: agencies.length,
  answered: agencies.filter((a) => a.status === 'answered').length,
  due: agencies.filter((a) => a.status === 'requested').length,
  overdue: agencies.filter((a) => a.status === 'overdue').length,
  declined: agencies.filter((a) => a.status === 'declined').length,
});

/** The cases list: one row per case, linked, with its reports and an overdue tag. */
export const caseRows = (cases: CaseList['cases'], names: Names): Cell[][] =>
  cases.map((c) => [
    { html: `<a class="govuk-link" href="/cdop/cases/${encodeURIComponent(c.id)}">${escapeHtml(c.id)}</a>` },
    { text: nameOf(names, c.boroughOfResidence) },
    { text: formatDate(c.dateOfDeath, false) },
    { text: formatDate(c.createdAt, false) },
    { text: `${c.answered} of ${c.agencies}`, format: 'numeric' },
    {
      html:
        c.status === 'closed'
          ? tagHtml({ text: 'Closed', classes: 'govuk-tag--grey' })
          : c.overdue > 0
            ? tagHtml({ text: `${c.overdue} overdue`, classes: 'govuk-tag--red' })
            : tagHtml({ text: 'Open', classes: 'govuk-tag--blue' }),
    },
  ]);

/** Who still owes a report across the open cases, the most overdue first (as the exchange orders them). */
export const outstandingRows = (outstanding: CaseList['outstanding'], names: Names): Cell[][] =>
  outstanding.flatMap((agency) =>
    agency.reports.map((r) => [
      { text: nameOf(names, agency.organisationId) },
      {
        html: `<a class="govuk-link" href="/cdop/cases/${encodeURIComponent(r.caseId)}">${escapeHtml(r.caseId)}</a>`,
      },
      { text: formatDate(r.dueAt, false) },
      { html: tagHtml(reportStatusTag(r.status, r.status === 'overdue' ? r.daysOverdue : undefined)) },
    ]),
  );

const figureLabels = [
  ['notified', 'Deaths notified'],
  ['reviewed', 'Cases reviewed'],
  ['closed', 'Cases closed'],
  ['withModifiableFactors', 'Closed with modifiable factors'],
] as const;

const cellText = (value: number | string): string =>
  value === 'c' ? '[c]' : typeof value === 'number' ? String(value) : value;

/** The year's figures as tables: by borough, by category of death, by quarter; cells as published. */
export const figuresTables = (answer: Figures, names: Names) => {
  const { year, quarters } = answer.figures;
  type Row = (typeof year.rows)[number]['figures'];
  const numbers = (f: Row): Cell[] =>
    figureLabels.map(([key]) => ({ text: cellText(f[key]), format: 'numeric' }));
  const byBorough = [
    ...year.rows.map((r) => [{ text: nameOf(names, r.borough) }, ...numbers(r.figures)]),
    [{ text: 'Total', classes: 'govuk-!-font-weight-bold' }, ...numbers(year.total)],
  ];
  const byCategory = Object.entries(deathCategories).map(([code, label]) => [
    { text: label },
    ...year.rows.map((r) => ({
      text: cellText(r.figures.byCategory[code as keyof typeof deathCategories] ?? 0),
      format: 'numeric' as const,
    })),
    {
      text: cellText(year.total.byCategory[code as keyof typeof deathCategories] ?? 0),
      format: 'numeric' as const,
    },
  ]);
  const byQuarter = quarters.map((q) => [{ text: q.period.label }, ...numbers(q.total)]);
  const themes = answer.learningThemes.map((t) => [
    { text: t.year },
    { text: t.label },
    { text: cellText(t.cases), format: 'numeric' as const },
  ]);
  return {
    period: { ...year.period, lastDay: lastDayBefore(year.period.to) },
    headFigures: figureLabels.map(([, label]) => ({ text: label, format: 'numeric' as const })),
    boroughHead: year.rows.map((r) => ({ text: nameOf(names, r.borough), format: 'numeric' as const })),
    byBorough,
    byCategory,
    byQuarter,
    themes,
    suppressed: answer.for === 'publication',
  };
};

/** A label for an analysis code, for the closed case's summary. */
export const analysisLabels = {
  category: (code: string) => deathCategories[code as keyof typeof deathCategories] ?? code,
  domain: (code: string) => modifiableFactorDomains[code as keyof typeof modifiableFactorDomains] ?? code,
  theme: (code: string) => learningThemes[code as keyof typeof learningThemes] ?? code,
};

/** A timeline entry in words. */
export const timelineText = (
  entry: {
    kind: string;
    organisationId?: string | undefined;
    by?: string | undefined;
    detail?: string | undefined;
  },
  names: Names,
): string => {
  const who = entry.organisationId === undefined ? '' : nameOf(names, entry.organisationId);
  const words: Record<string, string> = {
    'case-opened': 'Case opened',
    'report-requested': `Report asked of ${who}`,
    'report-approved': `${who} agreed to report`,
    'report-received': `Report received from ${who}`,
    'report-declined': `${who} declined to report`,
    'report-withdrawn': `Request to ${who} withdrawn`,
    'report-overdue': `Report from ${who} overdue`,
    'reminder-sent': `Reminder sent to ${who}`,
    'report-refused': `Asking ${who} was refused`,
    'report-ended': `Ask of ${who} ended`,
    'panel-pack-ready': 'Panel pack assembled',
    'case-closed': 'Case closed',
  };
  const text = words[entry.kind] ?? entry.kind;
  return `${text}${entry.by === undefined ? '' : ` by ${entry.by}`}${entry.detail === undefined ? '' : `: ${entry.detail}`}`;
};

/** A refusal kept on a case: the reasons as sentences, and the agreement that would allow the ask. */
export const refusalView = (
  refusal: {
    organisationId: string;
    at: string;
    reasons: readonly { code: string; message: string }[];
    agreementNeeded: { description: string; agencyInFootprint: boolean; footprintId: string };
  },
  names: Names,
) => ({
  agency: nameOf(names, refusal.organisationId),
  at: refusal.at,
  reasons: refusal.reasons.map((r) => sentence(r.message)),
  agreementNeeded: sentence(refusal.agreementNeeded.description),
});

const sentence = (text: string): string =>
  `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

/** The financial year (1 April to 31 March) a day falls in, by the calendar year it began. */
export const financialYearOf = (isoDay: string): number =>
  Number(isoDay.slice(0, 4)) - (isoDay.slice(5) < '04-01' ? 1 : 0);

/** The success banner after a step (its query `done`, or `opened`): what the person just did, in words. */
export const doneBanner = (done: string | undefined, opened: boolean): string | undefined => {
  if (opened) return 'Case opened. Now ask the agencies that knew the child for their reports.';
  if (done === 'pack') return 'The panel pack is assembled.';
  if (done === 'closed') return 'The case is closed with the panel’s analysis.';
  const asked = /^asked-(\d{1,2})-(\d{1,2})$/.exec(done ?? '');
  if (asked === null) return undefined;
  const [, permitted = '0', refused = '0'] = asked;
  const plural = (n: string, one: string, many: string) => `${n} ${n === '1' ? one : many}`;
  return `Asked ${plural(permitted, 'agency', 'agencies')} for their reports.${refused === '0' ? '' : ` ${plural(refused, 'ask was', 'asks were')} refused: see why below.`}`;
};

/** A CDOP's ask in the agency's list: who asked, about which case, by when, and whether it is owed or overdue. */
export const askRows = (
  requests: readonly {
    id: string;
    status: string;
    dueAt: string;
    overdue: boolean;
    requester: { organisationId: string };
    cdopCase?: { caseId: string } | undefined;
  }[],
  names: Names,
): Cell[][] =>
  requests.map((r) => [
    {
      html: `<a class="govuk-link" href="/cdop/reports/${encodeURIComponent(r.id)}">${escapeHtml(nameOf(names, r.requester.organisationId))}<span class="govuk-visually-hidden">: answer request ${escapeHtml(r.id)}</span></a>`,
    },
    { text: r.cdopCase?.caseId ?? '' },
    { text: formatDate(r.dueAt, false) },
    {
      html: tagHtml(
        r.status === 'released'
          ? { text: 'Sent', classes: 'govuk-tag--green' }
          : r.status === 'declined'
            ? { text: 'Declined', classes: 'govuk-tag--orange' }
            : r.overdue
              ? { text: 'Overdue', classes: 'govuk-tag--red' }
              : ['submitted', 'approved', 'partially-approved'].includes(r.status)
                ? { text: 'To answer', classes: 'govuk-tag--blue' }
                : { text: r.status.replaceAll('-', ' '), classes: 'govuk-tag--grey' },
      ),
    },
  ]);

/** The day before an ISO date: a period's last day, as its `to` is the first day after it. */
export const lastDayBefore = (isoDay: string): string =>
  new Date(Date.parse(`${isoDay}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
