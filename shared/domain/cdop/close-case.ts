import * as z from 'zod';
import { caseClosedEvent } from '#events/case-closed.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { dataRequestSchema } from '../requests/data-request.ts';
import type { IdempotentCall } from '../requests/idempotency.ts';
import { runStep } from '../steps/run-step.ts';
import { parseAnalysis } from './analysis.ts';
import { assertRunsCase, cdopCaseSchema, closeCase } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { actingUser, assertStandingAllows, caseStepFacts, onCase, requestsOf } from './case-step.ts';
import { schemaVersionOf } from './reporting-form.ts';

export const closeCdopCaseResultSchema = z.object({
  kind: z.literal('closed'),
  case: cdopCaseSchema,
  requests: z.array(dataRequestSchema),
});
export type CloseCdopCaseResult = z.infer<typeof closeCdopCaseResultSchema> & Audited;

/**
 * `POST /v1/cdop/cases/{caseId}/close`: closes a case with the panel's analysis (400 for an analysis that is not
 * one, checked once the caller is known to run the case); announces CaseClosed.
 */
export const closeCdopCase = (
  deps: CaseDeps,
  input: {
    principal: Principal;
    caseId: string;
    analysis: Record<string, unknown>;
    call?: IdempotentCall | undefined;
  },
): Promise<CloseCdopCaseResult> =>
  runStep(deps, {
    ...onCase(deps, input, 'cdop.case.close'),
    authorise: ({ c, s, registry }) => {
      const by = actingUser(input.principal);
      assertRunsCase(registry, c, by, deps.clock.now());
      const analysis = parseAnalysis(schemaVersionOf(input.analysis), input.analysis);
      assertStandingAllows('cdop.case.close', s);
      return { by, analysis };
    },
    decide: async ({ c, s, registry }, { by, analysis }, now) => {
      const next = closeCase(c, analysis, registry, by, now);
      return {
        next,
        facts: caseStepFacts(next, s),
        events: [caseClosedEvent(next, now)],
        result: { kind: 'closed', case: next, requests: await requestsOf(deps, [next]) },
      };
    },
    commit: (record, { next }, { c }) => deps.cases.update(c, next, record),
    idempotent: { records: deps.cases, call: input.call, result: closeCdopCaseResultSchema },
    attempts: 3,
  });
