import type * as z from 'zod';
import { requestWithdrawnEvent } from '#events/request-withdrawn.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { IdempotentCall } from './idempotency.ts';
import { withdrawTransition } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { actingAs, requestResultSchema, requestStep, requestStepFacts } from './request-step.ts';

export const withdrawnSchema = requestResultSchema('withdrawn');
export type Withdrawn = z.infer<typeof withdrawnSchema> & Audited;

/**
 * `POST /v1/requests/{id}/withdraw`: the requester withdraws; no fetch succeeds after, and a released share's
 * bytes go on the purge work list, which the sweeper deletes on its next run (within a minute in AWS) as a system
 * action of its own: one answer, one audit entry.
 */
export const withdrawRequest = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; call?: IdempotentCall | undefined },
): Promise<Withdrawn> =>
  requestStep(deps, {
    ...input,
    action: 'request.withdraw',
    result: withdrawnSchema,
    // Withdrawing stops sharing: allowed whatever the agreement's standing (suspended, revoked, expired).
    authorise: actingAs(input.principal, 'requester', ['ig-lead']),
    decide: ({ request, standing }, { by }, now) => {
      const next = withdrawTransition(request, by, now);
      return {
        next,
        facts: requestStepFacts(next, standing),
        events: [requestWithdrawnEvent(next, now)],
        result: { kind: 'withdrawn', request: next },
      };
    },
  });
