import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import type { RestrictionStore } from '../../ports/restriction-store.ts';
import { type Audited, textSha256 } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { InputError } from '../errors.ts';
import { ulid } from '../ids.ts';
import { runStep, type StepDeps, type StepFacts } from '../steps/run-step.ts';
import {
  assertConcernsOrganisation,
  assertEndAhead,
  maxRestrictedReferences,
  type Restriction,
  type RestrictionReasonCode,
  referencesOf,
  restrictingUser,
} from './restriction.ts';

/** What restricting and lifting need: the restrictions, the sequenced log (to read the entry), the audit log, the clock. */
export type RestrictionDeps = StepDeps & {
  readonly restrictions: RestrictionStore;
  readonly leaves: Pick<MerkleLogStore, 'readLeaves'>;
};

/**
 * What a restriction's entries say of it: its organisation, its reason code, the entry and the end date; the reason
 * in words only as its SHA-256. Never the child's subject reference: a restriction is not an access to the child's
 * data, and its entry stays out of the child's records.
 */
export const restrictionFacts = (
  r: Restriction,
  outcome: 'restrict' | 'lift',
  reason: string,
): StepFacts => ({
  target: { type: 'ig-restriction', id: r.id },
  parties: [r.organisationId],
  decision: { outcome, reasonCodes: [r.reasonCode] },
  textSha256: { reason: textSha256(reason) },
  search: { index: String(r.index), until: r.until },
});

export type RestrictInput = {
  readonly principal: Principal;
  readonly index: number;
  readonly reasonCode: RestrictionReasonCode;
  readonly reason: string;
  readonly until: string;
};

/**
 * `POST /v1/ig/restrictions`: an IG lead, Caldicott guardian or DPO restricts an entry that concerns their
 * organisation from subject access reports until an end date (today or later). Refused, and audited with the
 * reason: no such role (403 NOT_PERMITTED), an entry that does not concern the organisation (403 NOT_PERMITTED), an
 * end date over (400 INVALID_INPUT), an entry not yet sequenced (404 NOT_FOUND) or about no child (400).
 */
export const restrictEntry = (
  deps: RestrictionDeps,
  input: RestrictInput,
): Promise<{ readonly kind: 'restricted'; readonly restriction: Restriction } & Audited> => {
  const target = { type: 'audit-entry', id: String(input.index) };
  return runStep(deps, {
    by: input.principal,
    action: 'ig.restriction.create',
    target,
    load: async () => (await deps.leaves.readLeaves(input.index, 1)).find((l) => l.index === input.index),
    factsOf: () => ({ target }),
    authorise: ({ entry }) => {
      const by = restrictingUser(input.principal);
      assertConcernsOrganisation(entry, input.principal.organisationId);
      const subjectRefs = referencesOf(entry);
      if (subjectRefs.length === 0 || subjectRefs.length > maxRestrictedReferences) {
        throw new InputError('INVALID_INPUT', 'an entry restricted is about one child, or a few', [
          `index: an entry with ${subjectRefs.length} subject references`,
        ]);
      }
      return { by, subjectRefs };
    },
    decide: (_found, { by, subjectRefs }, now) => {
      assertEndAhead(input.until, now);
      const restriction: Restriction = {
        id: ulid(now.getTime()),
        organisationId: input.principal.organisationId,
        index: input.index,
        subjectRefs,
        reasonCode: input.reasonCode,
        reason: input.reason,
        until: input.until,
        createdAt: now.toISOString(),
        createdBy: by,
        state: 'restricted',
      };
      return {
        next: restriction,
        facts: restrictionFacts(restriction, 'restrict', input.reason),
        events: [],
        result: { kind: 'restricted' as const, restriction },
      };
    },
    commit: (record, plan) => deps.restrictions.create(plan.next, record),
  });
};
