import type * as z from 'zod';
import { challengeEscalatedEvent } from '#events/challenge-escalated.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { IdempotentCall } from '../requests/idempotency.ts';
import type { RequestDeps } from '../requests/request-deps.ts';
import { requestStep, requestStepFacts } from '../requests/request-step.ts';
import { challengeFacts } from './challenge-facts.ts';
import {
  assertChallenger,
  type ChallengeText,
  challengeOf,
  escalateTransition,
  escalationOf,
} from './challenge-rules.ts';
import { challengeResultSchema } from './raise-challenge.ts';

const escalatedSchema = challengeResultSchema('escalated');
export type Escalated = z.infer<typeof escalatedSchema> & Audited;

/**
 * `POST /v1/requests/{id}/challenges/{n}/escalate`: the requester takes the challenge a stage further, to the
 * responder's next escalation role, when it disputes the stage's outcome or had none by the stage's due date.
 */
export const escalateChallenge = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    n: number;
    escalation: ChallengeText;
    call?: IdempotentCall | undefined;
  },
): Promise<Escalated> =>
  requestStep(deps, {
    ...input,
    action: 'challenge.escalate',
    result: escalatedSchema,
    authorise: ({ request }) => assertChallenger(input.principal, request),
    decide: ({ request, agreement, standing }, by, now) => {
      const { next, challenge } = escalateTransition(
        request,
        challengeOf(request, input.n),
        escalationOf(agreement, request),
        input.escalation,
        by,
        now,
      );
      return {
        next,
        facts: requestStepFacts(next, standing, challengeFacts(challenge)),
        events: [challengeEscalatedEvent(next, challenge, now)],
        result: { kind: 'escalated', request: next, challenge },
      };
    },
  });
