import type { Audited } from '../audit/audit-entry.ts';
import type { AuditSearchScope } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { OpenRequestRow, OutstandingAnswer, OutstandingRow } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { dayOf, listedPerResponder, monthOf } from './ig-terms.ts';
import { type Aggregate, type OpenRequest, owedNow } from './projection-items.ts';
import { answerHeader, igScopeOf, publish } from './read-ig.ts';

const dayMs = 86_400_000;

/** An open request as the answer shows it, judged overdue at `now` against its due date. */
const openRowOf = (open: OpenRequest, now: Date): OpenRequestRow => {
  const late = now.getTime() - Date.parse(open.dueAt);
  return {
    requestId: open.requestId,
    requester: open.requester,
    purpose: open.purpose,
    status: open.status,
    dueAt: open.dueAt,
    overdue: late > 0,
    daysOverdue: late > 0 ? Math.floor(late / dayMs) : 0,
  };
};

/** What one responder owes: how many requests, how many past their due date, and those listed. */
export type Owed = {
  readonly open: number;
  readonly overdue: number;
  /** The `limit` due earliest, most overdue first. */
  readonly earliest: readonly OpenRequest[];
};

const sumOwed = (rows: readonly Aggregate[]): number => rows.reduce((n, row) => n + owedNow(row), 0);

/**
 * What each responder owes that the scope sees (all of it for the operator and scrutineers; for an organisation,
 * all it owes and what others owe it), of the requests that match: responders that owe none are left out.
 *
 * Counted from rows, not from the requests (docs/IG.md "Outstanding"): how many are owed from the `owed` rollup of
 * the months of submission, and how many are not yet due from the `due` rows of the days after today, plus the
 * open requests due later today, read as items (at most a day's). The rest are overdue. Only the `limit` listed
 * are read otherwise, so the answer's cost follows the number of responders, not of requests.
 */
export const owedSeen = async (
  deps: IgDeps,
  scope: AuditSearchScope,
  query: {
    readonly now: string;
    readonly limit: number;
    readonly footprint?: string | undefined;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly responder: string; readonly owed: Owed }[]> => {
  const today = dayOf(query.now);
  const tomorrow = new Date(Date.parse(today) + dayMs).toISOString();
  const submittedIn = (month: string | undefined) =>
    month !== undefined &&
    (query.from === undefined || month >= query.from) &&
    (query.to === undefined || month <= query.to);
  const months = Object.keys((await deps.ig.readCursor())?.months ?? {});
  const [responders, owedRows, dueRows] = await Promise.all([
    deps.ig.readResponders(),
    deps.ig.readAggregates('owed', months.filter(submittedIn)),
    deps.ig.readAggregates(
      'due',
      months.filter((month) => month >= monthOf(query.now)),
    ),
  ]);
  const dueLater = dueRows.filter(
    (row) => (row.fields.day ?? '') > today && submittedIn(row.fields.submitted),
  );
  const owed = await Promise.all(
    responders.map(async (responder) => {
      const requester =
        scope.kind === 'organisation' && responder !== scope.organisationId
          ? scope.organisationId
          : undefined;
      const seen = (row: Aggregate) =>
        row.fields.responder === responder &&
        (requester === undefined || row.fields.requester === requester) &&
        (query.footprint === undefined || row.fields.footprint === query.footprint);
      const open = sumOwed(owedRows.filter(seen));
      if (open <= 0) return undefined;
      const matching = { requester, footprint: query.footprint, from: query.from, to: query.to };
      const [dueLaterToday, earliest] = await Promise.all([
        deps.ig.readOpen(responder, { ...matching, dueFrom: query.now, dueBefore: tomorrow }),
        query.limit === 0 ? [] : deps.ig.readOpen(responder, { ...matching, limit: query.limit }),
      ]);
      const notYetDue = sumOwed(dueLater.filter(seen)) + dueLaterToday.length;
      // Never below nought: a batch of the projection committed between the reads may count in one and not yet
      // in the other.
      return { responder, owed: { open, overdue: Math.max(0, open - notYetDue), earliest } };
    }),
  );
  return owed.filter((o) => o !== undefined);
};

/**
 * `GET /v1/ig/outstanding`: what each responder owes now (a decision, or the release of an approved request),
 * whenever it was asked unless months of submission are given: how many, how many past their due date and by how
 * long, and, except under counts, which requests: the `listedPerResponder` most overdue of each responder.
 */
export const answerIgOutstanding = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: OutstandingAnswer } & Audited> => {
  const scope = igScopeOf(input.principal);
  const now = deps.clock.now();
  const [header, owed] = await Promise.all([
    answerHeader(deps.ig, scope),
    owedSeen(deps, scope, {
      now: now.toISOString(),
      limit: scope.kind === 'counts' ? 0 : listedPerResponder,
      from: input.from,
      to: input.to,
    }),
  ]);
  const rows: OutstandingRow[] = owed
    .sort((a, b) => (a.responder < b.responder ? -1 : 1))
    .map(({ responder, owed }) => {
      const requests = owed.earliest.map((o) => openRowOf(o, now));
      return {
        responder,
        open: publish(scope, owed.open),
        overdue: publish(scope, owed.overdue),
        maxDaysOverdue: scope.kind === 'counts' ? null : (requests[0]?.daysOverdue ?? 0),
        ...(scope.kind === 'counts' ? {} : { requests }),
      };
    });
  const period =
    input.from === undefined && input.to === undefined
      ? {}
      : {
          period: {
            ...(input.from === undefined ? {} : { from: input.from }),
            ...(input.to === undefined ? {} : { to: input.to }),
          },
        };
  return { answer: { ...header, ...period, now: now.toISOString(), rows }, audited: [] };
};
