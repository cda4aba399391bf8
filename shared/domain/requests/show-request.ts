import type * as z from 'zod';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { recordAlone } from '../steps/run-step.ts';
import { assertParty } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { requestResultSchema, requestStep, requestStepFacts } from './request-step.ts';

export const shownSchema = requestResultSchema('shown');
export type Shown = z.infer<typeof shownSchema> & Audited;

/** `GET /v1/requests/{requestId}`: one request, for its two parties only; the read is recorded. */
export const showRequest = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string },
): Promise<Shown> =>
  requestStep(deps, {
    ...input,
    action: 'request.view',
    result: shownSchema,
    authorise: ({ request }) => assertParty(input.principal, request),
    decide: ({ request, standing }) => ({
      next: request,
      facts: requestStepFacts(request, standing),
      events: [],
      result: { kind: 'shown', request },
    }),
    commit: recordAlone(deps.audit),
  });
