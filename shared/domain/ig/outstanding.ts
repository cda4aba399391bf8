import type { Owed, OwedQuery } from '../../ports/ig-store.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { AuditSearchScope } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { OpenRequestRow, OutstandingAnswer, OutstandingRow } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { listedPerResponder } from './ig-terms.ts';
import type { OpenRequest } from './projection-items.ts';
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

/**
 * What each responder owes that the scope sees (all of it for the operator and scrutineers; for an organisation,
 * all it owes and what others owe it), of the requests that match: responders that owe none are left out.
 */
export const owedSeen = async (
  deps: IgDeps,
  scope: AuditSearchScope,
  query: Omit<OwedQuery, 'requester'>,
): Promise<{ readonly responder: string; readonly owed: Owed }[]> => {
  const responders = await deps.ig.readResponders();
  const owed = await Promise.all(
    responders.map(async (responder) => ({
      responder,
      owed: await deps.ig.readOwed(responder, {
        ...query,
        ...(scope.kind === 'organisation' && responder !== scope.organisationId
          ? { requester: scope.organisationId }
          : {}),
      }),
    })),
  );
  return owed.filter(({ owed }) => owed.open > 0);
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
