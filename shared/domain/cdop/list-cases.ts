import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { DataRequest } from '../requests/data-request.ts';
import { assertCaseRunner, type CdopCase } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { actingUser, requestsOf } from './case-step.ts';

/** A CDOP's cases, newest first, with the data requests they sent (for their report statuses). */
export type ListCdopCasesResult = {
  readonly cases: readonly CdopCase[];
  readonly requests: readonly DataRequest[];
} & Audited;

/**
 * `GET /v1/cdop/cases`: the caller's CDOP's cases, newest first (optionally by status), with the data requests
 * that carry their asks. For the CDOP's managers and coordinators; audited.
 */
export const listCdopCases = async (
  deps: CaseDeps,
  input: { principal: Principal; status?: CdopCase['status'] | undefined },
): Promise<ListCdopCasesResult> => {
  const { principal } = input;
  const now = deps.clock.now();
  const facts = {
    ...callerFacts(principal),
    action: 'cdop.case.list',
    target: { type: 'organisation', id: principal.organisationId },
  };
  return auditedAction(deps, facts, async () => {
    assertCaseRunner(await deps.registry.loadRegistry(), actingUser(principal), now);
    const all = await deps.cases.listCases(principal.organisationId);
    const cases = all.filter((c) => input.status === undefined || c.status === input.status);
    const requests = await requestsOf(deps, cases);
    // The children the list showed, by reference, so the IG question `child` counts the listings that touched one.
    const subjectRefs = [...new Set(cases.map((c) => c.notification.subjectRef))];
    const entry = newAuditEntry(
      {
        ...facts,
        outcome: 'allowed',
        search: input.status === undefined ? {} : { status: input.status },
        ...(subjectRefs.length === 0 ? {} : { subjectRefs }),
      },
      now,
    );
    await deps.audit.record(entry);
    return { cases, requests, audited: [entry] };
  });
};
