import { listRestrictions } from '#shared/domain/ig/list-restrictions.ts';
import { restrictionDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igRestrictionListAnswerOf } from '#shared/http/views/ig.ts';

/** The caller's organisation's restrictions, newest first; audited. */
export const handler = signedOperation(
  operations.ListIgRestrictions,
  restrictionDependencies,
  async (deps, call) => {
    const { restrictions, audited } = await listRestrictions(deps, { principal: call.principal });
    return { answer: igRestrictionListAnswerOf(restrictions), audited };
  },
);
