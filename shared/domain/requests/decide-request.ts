import type * as z from 'zod';
import { requestDecidedEvent } from '#events/request-decided.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { IdempotentCall } from './idempotency.ts';
import { type DecisionInput, decideTransition } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { decisionFacts } from './request-facts.ts';
import { requestResultSchema, requestStep, requestStepFacts, workingAs } from './request-step.ts';

export const decidedSchema = requestResultSchema('decided');
export type Decided = z.infer<typeof decidedSchema> & Audited;

/** `POST /v1/requests/{id}/decision`: the responder approves, approves in part or declines, always with reasons. */
export const decideRequest = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    decision: DecisionInput;
    call?: IdempotentCall | undefined;
  },
): Promise<Decided> =>
  requestStep(deps, {
    ...input,
    action: 'request.decide',
    result: decidedSchema,
    authorise: workingAs(input.principal, 'responder'),
    decide: ({ request, standing }, { by }, now) => {
      const next = decideTransition(request, input.decision, by, now);
      if (next.decision === undefined) throw new Error('a decision is recorded');
      return {
        next,
        facts: requestStepFacts(next, standing, decisionFacts(next.decision)),
        events: [requestDecidedEvent(next, now)],
        result: { kind: 'decided', request: next },
      };
    },
  });
