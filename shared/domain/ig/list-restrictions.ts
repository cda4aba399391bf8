import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { RestrictionDeps } from './restrict-entry.ts';
import { type Restriction, restrictingUser, restrictionInForce } from './restriction.ts';

/** A restriction as its organisation's IG roles see it, with whether it is in force now. */
export type ListedRestriction = Restriction & { readonly inForce: boolean };

/**
 * `GET /v1/ig/restrictions`: every restriction the caller's organisation made, newest first, in force or not
 * (IG lead, Caldicott guardian, DPO). Audited as `ig.restriction.list`.
 */
export const listRestrictions = (
  deps: Pick<RestrictionDeps, 'restrictions' | 'audit' | 'clock'>,
  input: { readonly principal: Principal },
): Promise<{ readonly restrictions: readonly ListedRestriction[] } & Audited> => {
  const facts = {
    ...callerFacts(input.principal),
    action: 'ig.restriction.list',
    target: { type: 'organisation', id: input.principal.organisationId },
  };
  return auditedAction(deps, facts, async () => {
    restrictingUser(input.principal);
    const now = deps.clock.now();
    const restrictions = (await deps.restrictions.listRestrictions(input.principal.organisationId)).map(
      (r) => ({ ...r, inForce: restrictionInForce(r, now) }),
    );
    const entry = newAuditEntry({ ...facts, outcome: 'allowed' }, now);
    await deps.audit.record(entry);
    return { restrictions, audited: [entry] };
  });
};
