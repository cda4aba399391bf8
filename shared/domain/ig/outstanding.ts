import type { Audited } from '../audit/audit-entry.ts';
import type { AuditSearchScope } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { OpenRequestRow, OutstandingAnswer, OutstandingRow } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import type { OpenRequest } from './projection-items.ts';
import { answerHeader, igScopeOf, publish, seesRow } from './read-ig.ts';

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

/** Every open request the scope sees, submitted in the months given (every month when none is). */
export const openRequestsSeen = async (
  deps: IgDeps,
  scope: AuditSearchScope,
  months: { readonly from?: string | undefined; readonly to?: string | undefined },
): Promise<OpenRequest[]> => {
  const responders = await deps.ig.readResponders();
  const pages = await Promise.all(responders.map((r) => deps.ig.readOpenRequests(r)));
  return pages
    .flat()
    .filter(
      (o) =>
        seesRow(scope, o.requester, o.responder) &&
        (months.from === undefined || o.month >= months.from) &&
        (months.to === undefined || o.month <= months.to),
    );
};

/**
 * `GET /v1/ig/outstanding`: what each responder owes now (a decision, or the release of an approved request),
 * whenever it was asked unless months of submission are given: how many, how many past their due date and by how
 * long, and, except under counts, which requests (most overdue first).
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
  const [header, open] = await Promise.all([
    answerHeader(deps.ig, scope),
    openRequestsSeen(deps, scope, input),
  ]);
  const byResponder = new Map<string, OpenRequestRow[]>();
  for (const o of open) {
    const rows = byResponder.get(o.responder) ?? [];
    rows.push(openRowOf(o, now));
    byResponder.set(o.responder, rows);
  }
  const rows: OutstandingRow[] = [...byResponder]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([responder, requests]) => {
      const overdue = requests.filter((r) => r.overdue);
      const sorted = [...requests].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
      return {
        responder,
        open: publish(scope, requests.length),
        overdue: publish(scope, overdue.length),
        maxDaysOverdue: scope.kind === 'counts' ? null : Math.max(0, ...overdue.map((r) => r.daysOverdue)),
        ...(scope.kind === 'counts' ? {} : { requests: sorted }),
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
