import * as z from 'zod';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { assertParty } from '../requests/lifecycle.ts';
import type { RequestDeps } from '../requests/request-deps.ts';
import { requestStep, requestStepFacts } from '../requests/request-step.ts';
import { recordAlone } from '../steps/run-step.ts';
import { challengeSchema } from './challenge.ts';

export const challengeListSchema = z.object({
  kind: z.literal('challenges'),
  requestId: z.string(),
  challenges: z.array(challengeSchema),
});
export type ChallengeList = z.infer<typeof challengeListSchema> & Audited;

/** `GET /v1/requests/{requestId}/challenges`: a request's challenges, oldest first, for its two parties; audited. */
export const listChallenges = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string },
): Promise<ChallengeList> =>
  requestStep(deps, {
    ...input,
    action: 'challenge.list',
    result: challengeListSchema,
    authorise: ({ request }) => assertParty(input.principal, request),
    decide: ({ request, standing }) => ({
      next: request,
      facts: requestStepFacts(request, standing),
      events: [],
      result: { kind: 'challenges', requestId: request.id, challenges: request.challenges ?? [] },
    }),
    commit: recordAlone(deps.audit),
  });
