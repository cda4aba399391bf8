import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { commitStep, recordAlone } from '../steps/run-step.ts';
import { type DataRequest, isOverdue, type RequestStatus } from './data-request.ts';
import type { RequestDeps } from './request-deps.ts';

export type RequestListFilter = {
  readonly box: 'inbox' | 'outbox';
  readonly status?: RequestStatus | undefined;
  /** Only requests due before this instant. */
  readonly dueBefore?: string | undefined;
  readonly overdue?: boolean | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
};

/** One page of an organisation's requests, and where the next starts while there is one. */
export type RequestList = { readonly requests: readonly DataRequest[]; readonly next?: string } & Audited;

/**
 * `GET /v1/requests?box=inbox|outbox`: the caller's organisation's requests, newest first, filtered; the read
 * is recorded (`request.list`). A page may hold fewer than `limit` requests after filtering: follow `next`.
 */
export const listRequests = async (
  deps: RequestDeps,
  input: { principal: Principal; filter: RequestListFilter },
): Promise<RequestList> => {
  const { principal, filter } = input;
  const page = await deps.requests.listRequests(filter.box, principal.organisationId, {
    limit: filter.limit,
    ...(filter.after === undefined ? {} : { after: filter.after }),
  });
  const now = deps.clock.now();
  const requests = page.requests.filter(
    (r) =>
      (filter.status === undefined || r.status === filter.status) &&
      (filter.dueBefore === undefined || r.dueAt < filter.dueBefore) &&
      (filter.overdue === undefined || isOverdue(r, now) === filter.overdue),
  );
  // The references the page showed, so the IG question `child` counts the listings that touched a child.
  const subjectRefs = [...new Set(requests.map((r) => r.subjectRef))];
  return commitStep(deps, {
    by: principal,
    action: 'request.list',
    type: 'organisation',
    plan: {
      next: undefined,
      facts: {
        target: { type: 'organisation', id: principal.organisationId },
        search: Object.fromEntries(
          Object.entries({ ...filter, limit: String(filter.limit) })
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        ),
        ...(subjectRefs.length === 0 ? {} : { subjectRefs }),
      },
      events: [],
      result: { requests, ...(page.next === undefined ? {} : { next: page.next }) },
    },
    commit: recordAlone(deps.audit),
  });
};
