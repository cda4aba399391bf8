import type { AgreementRecord } from '../agreements/agreement.ts';
import { refuseForAgreement } from '../agreements/agreement-in-force.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { DataRequest } from '../requests/data-request.ts';
import { assertRunsCase, type CaseActor, type CdopCase } from './case.ts';
import {
  type CaseAgreementStanding,
  type CaseStepAction,
  caseAgreementOf,
  standingFacts,
  standingRefusalFor,
} from './case-agreement.ts';
import type { CaseDeps } from './case-deps.ts';
import { caseReviewPurpose } from './fan-out.ts';

/**
 * What every step on one case shares: the case loaded with the standing of its agreement now, who may run it, and
 * what its audit entries say of it. A step is the step pipeline (shared/domain/steps/run-step.ts) over these.
 */

/** The case runner a principal stands for: a user of its organisation (a system client with no user is none). */
export const actingUser = (principal: Principal): CaseActor => {
  if (principal.user === undefined) {
    throw new AuthorisationError('NOT_PERMITTED', 'a CDOP step is taken by a user', [
      'the signed request names no user (sub)',
    ]);
  }
  return { organisationId: principal.organisationId, userId: principal.user.id };
};

/** What every audit entry about a case says of it: never the notification's details, only its pseudonym. */
export const caseFacts = (c: CdopCase) => ({
  target: { type: 'cdop-case', id: c.id },
  purpose: caseReviewPurpose,
  subjectRef: c.notification.subjectRef,
  parties: [c.cdopOrganisationId, ...c.agencies.map((a) => a.organisationId)],
});

/** What a case step's entry says of the case: the case's facts and its agreement's standing. */
export const caseStepFacts = (c: CdopCase, s: CaseAgreementStanding) => ({
  ...caseFacts(c),
  ...standingFacts(s),
});

/** A case as a step finds it: with the agreements, its own agreement's standing now, and the registry. */
export type FoundCase = {
  readonly c: CdopCase;
  readonly s: CaseAgreementStanding;
  readonly agreements: readonly AgreementRecord[];
  readonly registry: Registry;
};

const loadCase = async (deps: CaseDeps, caseId: string): Promise<FoundCase | undefined> => {
  const c = await deps.cases.getCase(caseId);
  if (c === undefined) return undefined;
  const agreements = await deps.agreements.listAgreements();
  const s = caseAgreementOf(c, agreements, deps.clock.now());
  return { c, s, agreements, registry: await deps.registry.loadRegistry() };
};

/**
 * The parts of a caller's step on one case that every step has: who, the action, the case as the caller named it,
 * its loading (404 NOT_FOUND when there is none), and what a refusal's entry says of it.
 */
export const onCase = (
  deps: CaseDeps,
  input: { readonly principal: Principal; readonly caseId: string },
  action: CaseStepAction,
) => ({
  by: input.principal,
  action,
  target: { type: 'cdop-case', id: input.caseId },
  load: () => loadCase(deps, input.caseId),
  factsOf: ({ c, s }: FoundCase) => caseStepFacts(c, s),
});

/**
 * Refuses a step unless the standing of the case's agreement lets it go ahead now (case-agreement.ts
 * `standingNeeded`): 403 with the engine's code (`AGREEMENT_SUSPENDED`, …), as every request step's is. Called by
 * each step after it has checked who the caller is, so the standing is never told to a caller the case does not
 * concern.
 */
export const assertStandingAllows = (action: CaseStepAction, s: CaseAgreementStanding): void => {
  const reason = standingRefusalFor(action, s);
  if (reason !== undefined) throw refuseForAgreement(reason, s.standing?.state);
};

/** Authorises a case runner's step: a manager or coordinator of the case's own CDOP, under the standing it needs. */
export const caseRunner =
  (deps: Pick<CaseDeps, 'clock'>, principal: Principal, action: CaseStepAction) =>
  ({ c, s, registry }: FoundCase): CaseActor => {
    const by = actingUser(principal);
    assertRunsCase(registry, c, by, deps.clock.now());
    assertStandingAllows(action, s);
    return by;
  };

/** The linked data requests of cases (each read once), for their agencies' statuses and timelines. */
export const requestsOf = async (
  deps: Pick<CaseDeps, 'requests'>,
  cases: readonly CdopCase[],
): Promise<DataRequest[]> => {
  const ids = [...new Set(cases.flatMap((c) => c.agencies.flatMap((a) => a.requestId ?? [])))];
  const found = await Promise.all(ids.map((id) => deps.requests.getRequest(id)));
  return found.filter((r): r is DataRequest => r !== undefined);
};
