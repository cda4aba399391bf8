import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { DataRequest } from '../requests/data-request.ts';
import { recordAlone, runStep } from '../steps/run-step.ts';
import type { CdopCase } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { caseRunner, caseStepFacts, onCase, requestsOf } from './case-step.ts';
import { type AgencySuggestion, suggestAgencies } from './fan-out.ts';

/** One case, the data requests it sent, and the agencies the registry suggests asking. */
export type ShowCdopCaseResult = {
  readonly case: CdopCase;
  readonly requests: readonly DataRequest[];
  readonly suggestions: readonly AgencySuggestion[];
} & Audited;

/** `GET /v1/cdop/cases/{caseId}`: one case for its CDOP's managers and coordinators; audited. */
export const showCdopCase = (
  deps: CaseDeps,
  input: { principal: Principal; caseId: string },
): Promise<ShowCdopCaseResult> =>
  runStep(deps, {
    ...onCase(deps, input, 'cdop.case.view'),
    authorise: caseRunner(deps, input.principal, 'cdop.case.view'),
    decide: async ({ c, s, registry }, _by, now) => ({
      next: undefined,
      facts: caseStepFacts(c, s),
      events: [],
      result: {
        case: c,
        requests: await requestsOf(deps, [c]),
        suggestions: suggestAgencies(c, registry, now),
      },
    }),
    commit: recordAlone(deps.audit),
  });
