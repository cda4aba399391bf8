import type * as z from 'zod';
import { challengeResolvedEvent } from '#events/challenge-resolved.v1.ts';
import { requestDecidedEvent } from '#events/request-decided.v1.ts';
import { assertInForce } from '../agreements/agreement-in-force.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { DataRequest } from '../requests/data-request.ts';
import type { IdempotentCall } from '../requests/idempotency.ts';
import { type DecisionInput, decideTransition, redecidableStatuses } from '../requests/lifecycle.ts';
import type { RequestDeps } from '../requests/request-deps.ts';
import { requestStep, requestStepFacts } from '../requests/request-step.ts';
import { challengeFacts } from './challenge-facts.ts';
import {
  assertAnswersStage,
  assertNewDecision,
  challengeOf,
  type OutcomeInput,
  outcomeTransition,
} from './challenge-rules.ts';
import { challengeResultSchema } from './raise-challenge.ts';

export const resolvedSchema = challengeResultSchema('resolved');
export type Resolved = z.infer<typeof resolvedSchema> & Audited;

/**
 * `POST /v1/requests/{id}/challenges/{n}/outcome`: a responder's user with the escalation role of the challenge's
 * current stage records its outcome with reasons: `upheld` (the answer stands), `resolved-otherwise`, or
 * `overturned` with a new decision, which decides the request anew through the decide step's own transition
 * (so an overturn, like a decision, needs the agreement in force) and sends RequestDecided as a decision does.
 */
export const recordOutcome = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    n: number;
    outcome: OutcomeInput;
    decision?: DecisionInput | undefined;
    call?: IdempotentCall | undefined;
  },
): Promise<Resolved> =>
  requestStep(deps, {
    ...input,
    action: 'challenge.resolve',
    result: resolvedSchema,
    authorise: ({ request, standing }) => {
      const challenge = challengeOf(request, input.n);
      const by = assertAnswersStage(input.principal, request, challenge);
      if (input.outcome.outcome === 'overturned') assertInForce(standing);
      return { by, challenge };
    },
    decide: ({ request, standing }, { by, challenge }, now) => {
      assertNewDecision(input.outcome.outcome, input.decision !== undefined);
      const newDecision = input.decision;
      const redecide =
        newDecision === undefined
          ? undefined
          : (current: DataRequest) => decideTransition(current, newDecision, by, now, redecidableStatuses);
      const { next, challenge: resolved } = outcomeTransition(
        request,
        challenge,
        input.outcome,
        by,
        now,
        redecide,
      );
      const decision = input.decision === undefined ? undefined : next.decision;
      return {
        next,
        facts: requestStepFacts(next, standing, challengeFacts(resolved, decision)),
        events: [
          challengeResolvedEvent(next, resolved, now),
          ...(decision === undefined ? [] : [requestDecidedEvent(next, now)]),
        ],
        result: { kind: 'resolved', request: next, challenge: resolved },
      };
    },
  });
