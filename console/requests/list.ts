import type { DataRequestView } from '#client/pbx-client.ts';
import { type RequestStatus, requestStatuses } from '#shared/domain/requests/data-request.ts';
import { FormProblems } from '../forms.ts';
import { purposeLabel, statusLabels, statusTag } from './labels.ts';

/**
 * The inbox and outbox: the filters of the GET form (as the person typed them, checked), the exchange's query they
 * make, and the table rows of the answer.
 */

export const boxes = ['inbox', 'outbox'] as const;
export type Box = (typeof boxes)[number];

export const pageSize = 25;

export type ListFilters = {
  readonly status: RequestStatus | '';
  readonly overdue: boolean;
  /** A day, YYYY-MM-DD, as typed. */
  readonly dueBefore: string;
  readonly after: string;
};

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const requestIdPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A real calendar day as YYYY-MM-DD, or undefined. */
export const dayOf = (text: string): string | undefined => {
  const match = dayPattern.exec(text.trim());
  if (match === null) return undefined;
  const date = new Date(`${match[0]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[0] ? undefined : match[0];
};

/** The filters of the list form and the exchange's ListRequests query they make (an unknown value is an error). */
export const listQueryOf = (
  box: Box,
  given: Readonly<Record<string, string | undefined>>,
): { filters: ListFilters; query: URLSearchParams; problems: FormProblems } => {
  const problems = new FormProblems();
  const statusGiven = given.status ?? '';
  const status: RequestStatus | '' = (requestStatuses as readonly string[]).includes(statusGiven)
    ? (statusGiven as RequestStatus)
    : '';
  if (statusGiven !== '' && status === '') problems.add('status', 'Choose a status from the list');
  const dueBeforeGiven = (given.dueBefore ?? '').trim();
  const dueDay = dueBeforeGiven === '' ? undefined : dayOf(dueBeforeGiven);
  if (dueBeforeGiven !== '' && dueDay === undefined) {
    problems.add('dueBefore', 'Enter the date as year-month-day, for example 2026-12-31');
  }
  const afterGiven = given.after ?? '';
  const after = requestIdPattern.test(afterGiven) ? afterGiven : '';
  const filters: ListFilters = {
    status,
    overdue: given.overdue === 'true',
    dueBefore: dueBeforeGiven,
    after,
  };
  const query = new URLSearchParams({ box, limit: String(pageSize) });
  if (status !== '') query.set('status', status);
  if (filters.overdue) query.set('overdue', 'true');
  if (dueDay !== undefined) query.set('dueBefore', `${dueDay}T00:00:00Z`);
  if (after !== '') query.set('after', after);
  return { filters, query, problems };
};

/** The link to the next page: the same filters, after the last request shown. */
export const nextPageHref = (
  box: Box,
  filters: ListFilters,
  next: string | undefined,
): string | undefined => {
  if (next === undefined) return undefined;
  const query = new URLSearchParams();
  if (filters.status !== '') query.set('status', filters.status);
  if (filters.overdue) query.set('overdue', 'true');
  if (filters.dueBefore !== '') query.set('dueBefore', filters.dueBefore);
  query.set('after', next);
  return `/requests/${box}?${query.toString()}`;
};

export const statusItems = (selected: string) => [
  { value: '', text: 'Any status', selected: selected === '' },
  ...requestStatuses.map((s) => ({ value: s, text: statusLabels[s], selected: selected === s })),
];

export type OrganisationNames = ReadonlyMap<string, string>;

export const nameOf = (names: OrganisationNames, id: string): string => names.get(id) ?? id;

/** One request as a row of govukTable: who it is from (inbox) or to (outbox), purpose, due date, status. */
export const requestRows = (
  requests: readonly DataRequestView[],
  box: Box,
  names: OrganisationNames,
  formatDate: (iso: string) => string,
) =>
  requests.map((r) => [
    {
      html: `<a class="govuk-link" href="/requests/${encodeURIComponent(r.id)}">${escapeHtml(
        purposeLabel(r.purpose),
      )}</a>`,
    },
    {
      text: nameOf(names, box === 'inbox' ? r.requester.organisationId : r.responderOrganisationId),
    },
    { text: formatDate(r.submittedAt) },
    {
      html: `${escapeHtml(formatDate(r.dueAt))}${
        r.overdue ? ' <strong class="govuk-tag govuk-tag--red">Overdue</strong>' : ''
      }`,
    },
    {
      html: `<strong class="govuk-tag ${statusTag(r.status).classes}">${escapeHtml(statusTag(r.status).text)}</strong>`,
    },
  ]);

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
