import * as z from 'zod';
import type { AgreementRecord } from '../agreements/agreement.ts';
import { assertInForce, type StandingState, standingAt } from '../agreements/agreement-in-force.ts';
import type { Audited, AuditFacts } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { UserRole } from '../registry/registry.ts';
import { runStep, type Step, type StepCommit, type StepFacts } from '../steps/run-step.ts';
import { type DataRequest, dataRequestSchema } from './data-request.ts';
import type { IdempotentCall } from './idempotency.ts';
import { assertActsFor, purposeOfRequest, type Side } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { requestFacts } from './request-facts.ts';

/**
 * The request side of the step pipeline (shared/domain/steps/run-step.ts): how a step finds a request, who may take
 * it, what its entry says, and how it commits (ports/request-store.ts `update`).
 */

/** A request as a step finds it: the record, its agreement, and where the agreement stands now. */
export type FoundRequest = {
  readonly request: DataRequest;
  readonly agreement: AgreementRecord | undefined;
  readonly standing: StandingState;
};

/** The result schema of a step whose result is the request's new state, by its kind (`decided`, …). */
export const requestResultSchema = <K extends string>(kind: K) =>
  z.object({ kind: z.literal(kind), request: dataRequestSchema });

/**
 * The terms of the request's purpose, and who may act on it as `side`: only a user of that side with a role the
 * purpose allows (or one of `extraRoles`).
 */
export const actingAs =
  (principal: Principal, side: Side, extraRoles: readonly UserRole[] = []) =>
  (found: FoundRequest) => {
    const terms = purposeOfRequest(found.agreement, found.request);
    const roles = side === 'requester' ? terms.rolesAllowedToRequest : terms.rolesAllowedToAnswer;
    const by = assertActsFor(principal, found.request, side, [...roles, ...extraRoles]);
    return { terms, by };
  };

/**
 * As `actingAs`, for work that needs the agreement in force: a decision, an upload, a release, a fetch. The
 * standing is checked second, so that another organisation is refused without learning it.
 */
export const workingAs = (principal: Principal, side: Side) => (found: FoundRequest) => {
  const acting = actingAs(principal, side)(found);
  assertInForce(found.standing);
  return acting;
};

/** What a step's entry says of the request: its facts after the step, the agreement's standing, what it adds. */
export const requestStepFacts = (
  request: DataRequest,
  standing: StandingState,
  added: Pick<AuditFacts, 'decision' | 'textSha256' | 'challenge'> = {},
): StepFacts => ({ ...requestFacts(request), agreementStanding: standing, ...added });

/** The commit of a step that changes the request: the next revision, if the stored one is still the one read. */
export const updateRequest =
  (deps: Pick<RequestDeps, 'requests'>): StepCommit<FoundRequest, DataRequest, unknown> =>
  (record, plan, found) =>
    deps.requests.update(found.request, plan.next, record);

type RequestStepOf<A, R> = Step<FoundRequest, A, DataRequest, R>;

/**
 * A caller's step on one request: loads it (404 if there is none) with its agreement's standing now, authorises,
 * decides and commits through the pipeline (by default the request's next revision), under the caller's key.
 */
export const requestStep = <A, R extends object>(
  deps: RequestDeps,
  input: {
    readonly principal: Principal;
    readonly requestId: string;
    readonly action: string;
    readonly call?: IdempotentCall | undefined;
    readonly result: z.ZodType<R>;
    readonly authorise: RequestStepOf<A, R>['authorise'];
    readonly decide: RequestStepOf<A, R>['decide'];
    readonly commit?: RequestStepOf<A, R>['commit'];
  },
): Promise<R & Audited> =>
  runStep(deps, {
    by: input.principal,
    action: input.action,
    target: { type: 'request', id: input.requestId },
    load: async (): Promise<FoundRequest | undefined> => {
      const request = await deps.requests.getRequest(input.requestId);
      if (request === undefined) return undefined;
      const agreement = await deps.agreements.getAgreement(request.agreement.id);
      return { request, agreement, standing: standingAt(agreement, deps.clock.now()) };
    },
    factsOf: ({ request, standing }) => ({ ...requestFacts(request), agreementStanding: standing }),
    authorise: input.authorise,
    decide: input.decide,
    commit: input.commit ?? updateRequest(deps),
    idempotent: { records: deps.requests, call: input.call, result: input.result },
  });
