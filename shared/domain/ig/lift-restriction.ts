import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ConflictError } from '../errors.ts';
import { runStep } from '../steps/run-step.ts';
import { type RestrictionDeps, restrictionFacts } from './restrict-entry.ts';
import { type Restriction, restrictingUser, restrictionInForce } from './restriction.ts';

/**
 * `POST /v1/ig/restrictions/{id}/lift`: an IG role of the restricting organisation lifts a restriction before its
 * end date, with a reason (its SHA-256 in the log). Another organisation's restriction is not found (404); one
 * lifted or ended already is 409 WRONG_STATE. Audited either way.
 */
export const liftRestriction = (
  deps: RestrictionDeps,
  input: { readonly principal: Principal; readonly restrictionId: string; readonly reason: string },
): Promise<{ readonly kind: 'lifted'; readonly restriction: Restriction } & Audited> =>
  runStep(deps, {
    by: input.principal,
    action: 'ig.restriction.lift',
    target: { type: 'ig-restriction', id: input.restrictionId },
    load: () => deps.restrictions.getRestriction(input.principal.organisationId, input.restrictionId),
    factsOf: (r) => ({ target: { type: 'ig-restriction', id: r.id }, parties: [r.organisationId] }),
    authorise: () => restrictingUser(input.principal),
    decide: (r, by, now) => {
      if (!restrictionInForce(r, now)) {
        throw new ConflictError('WRONG_STATE', 'the restriction is no longer in force', [
          `state: ${r.state === 'lifted' ? 'lifted' : 'ended'}`,
        ]);
      }
      const next: Restriction = {
        ...r,
        state: 'lifted',
        lifted: { at: now.toISOString(), userId: by.userId, reason: input.reason },
      };
      return {
        next,
        facts: restrictionFacts(next, 'lift', input.reason),
        events: [],
        result: { kind: 'lifted' as const, restriction: next },
      };
    },
    commit: (record, plan) => deps.restrictions.lift(plan.next, record),
  });
