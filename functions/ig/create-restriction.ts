import { restrictEntry } from '#shared/domain/ig/restrict-entry.ts';
import { restrictionDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igRestrictionAnswerOf } from '#shared/http/views/ig.ts';

/** Restricts an entry concerning the caller's organisation from subject access reports; audited either way. */
export const handler = signedOperation(
  operations.CreateIgRestriction,
  restrictionDependencies,
  async (deps, call) => {
    const { restriction, audited } = await restrictEntry(deps, { principal: call.principal, ...call.body });
    return { answer: igRestrictionAnswerOf(restriction, deps.clock.now()), audited };
  },
);
