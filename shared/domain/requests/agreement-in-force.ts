import { type AgreementRecord, type AgreementStanding, standingOf } from '../agreements/agreement.ts';
import type { DecisionReasonCode } from '../agreements/decide.ts';
import { AuthorisationError, type AuthorisationErrorCode } from '../errors.ts';

export type StandingState = AgreementStanding['state'];

/**
 * The codes the decision engine gives a submission under an agreement not in force (decide.ts `standingReasons`),
 * so that a later step is refused for the same reason under the same code. Typed against the engine's codes: a
 * code the engine renames no longer compiles here.
 */
const standingCodes = {
  'not-active': 'AGREEMENT_NOT_ACTIVE',
  suspended: 'AGREEMENT_SUSPENDED',
  revoked: 'AGREEMENT_REVOKED',
  expired: 'AGREEMENT_EXPIRED',
  'not-yet-valid': 'AGREEMENT_NOT_YET_VALID',
} as const satisfies Record<Exclude<StandingState, 'in-force'>, DecisionReasonCode & AuthorisationErrorCode>;

/**
 * Where the agreement a request was accepted under stands at `now`. An agreement is never deleted, so a request
 * whose agreement cannot be found breaks an invariant of the store.
 */
export const standingAt = (agreement: AgreementRecord | undefined, now: Date): StandingState => {
  if (agreement === undefined) throw new Error('a request names an agreement that does not exist');
  return standingOf(agreement, now).state;
};

/**
 * Work on a request (a decision, an upload, a release, a fetch) goes on only while its agreement is in force:
 * suspension pauses it, revocation and the end of the agreement's validity end it. 403 with the engine's code.
 */
export const assertInForce = (standing: StandingState): void => {
  if (standing === 'in-force') return;
  const code = standingCodes[standing];
  throw new AuthorisationError(code, `the request's agreement is not in force (${standing})`, [
    `agreementStanding: ${standing}`,
  ]);
};
