import * as z from 'zod';
import { challengeRaisedEvent } from '#events/challenge-raised.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { dataRequestSchema } from '../requests/data-request.ts';
import type { IdempotentCall } from '../requests/idempotency.ts';
import type { RequestDeps } from '../requests/request-deps.ts';
import { requestStep, requestStepFacts } from '../requests/request-step.ts';
import { challengeSchema } from './challenge.ts';
import { challengeFacts } from './challenge-facts.ts';
import { assertChallenger, type ChallengeText, escalationOf, raiseTransition } from './challenge-rules.ts';

/** The result of a challenge step: the request's next state and the challenge as the step left it. */
export const challengeResultSchema = <K extends string>(kind: K) =>
  z.object({ kind: z.literal(kind), request: dataRequestSchema, challenge: challengeSchema });

export const raisedSchema = challengeResultSchema('raised');
export type Raised = z.infer<typeof raisedSchema> & Audited;

/**
 * `POST /v1/requests/{id}/challenges`: the requester (the user who asked, or its IG roles) challenges a decline, a
 * partial approval or an overdue answer, with reasons; stage 1 goes to the responder's first escalation role.
 * Allowed whatever the agreement's standing: disputing an answer shares nothing.
 */
export const raiseChallenge = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    challenge: ChallengeText;
    call?: IdempotentCall | undefined;
  },
): Promise<Raised> =>
  requestStep(deps, {
    ...input,
    action: 'challenge.raise',
    result: raisedSchema,
    authorise: ({ request }) => assertChallenger(input.principal, request),
    decide: ({ request, agreement, standing }, by, now) => {
      const { next, challenge } = raiseTransition(
        request,
        escalationOf(agreement, request),
        input.challenge,
        by,
        now,
      );
      return {
        next,
        facts: requestStepFacts(next, standing, challengeFacts(challenge)),
        events: [challengeRaisedEvent(next, challenge, now)],
        result: { kind: 'raised', request: next, challenge },
      };
    },
  });
