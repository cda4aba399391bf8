import { type AgreementRecord, type AgreementStanding, standingOf } from '../agreements/agreement.ts';
import { standingReasons } from '../agreements/decide.ts';
import { AuthorisationError } from '../errors.ts';

export type StandingState = AgreementStanding['state'];

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
  // The submission's code and reason (decide.ts), so a later step is refused as the submission would be.
  const reason = standingReasons[standing];
  throw new AuthorisationError(reason.code, reason.message, [`agreementStanding: ${standing}`]);
};
