import { liftRestriction } from '#shared/domain/ig/lift-restriction.ts';
import { restrictionDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igRestrictionAnswerOf } from '#shared/http/views/ig.ts';

/** Lifts one of the caller's organisation's restrictions before its end date; audited either way. */
export const handler = signedOperation(
  operations.LiftIgRestriction,
  restrictionDependencies,
  async (deps, call) => {
    const { restriction, audited } = await liftRestriction(deps, {
      principal: call.principal,
      restrictionId: call.pathId('restrictionId', 'ig-restriction'),
      reason: call.body.reason,
    });
    return { answer: igRestrictionAnswerOf(restriction, deps.clock.now()), audited };
  },
);
