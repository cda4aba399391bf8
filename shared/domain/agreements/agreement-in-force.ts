import { AuthorisationError } from '../errors.ts';
import { type AgreementRecord, type AgreementStanding, standingOf } from './agreement.ts';
import { type DecisionReason, standingReasons } from './decide.ts';

/**
 * The agreement in force at every step (issue 12): each step after submission, on a request (decide, upload,
 * release, fetch) or on a CDOP case (ask, pack, export, close), is judged against the standing of its agreement at
 * that moment, with the reasons the decision engine gives a submission (decide.ts `standingReasons`).
 */

export type StandingState = AgreementStanding['state'];

/**
 * Where the agreement a request was accepted under stands at `now`. An agreement is never deleted, so a request
 * whose agreement cannot be found breaks an invariant of the store.
 */
export const standingAt = (agreement: AgreementRecord | undefined, now: Date): StandingState => {
  if (agreement === undefined) throw new Error('a request names an agreement that does not exist');
  return standingOf(agreement, now).state;
};

/** The codes a step may be refused with for its agreement: the engine's standing codes, and two of its own. */
export type AgreementRefusalCode =
  | (typeof standingReasons)[keyof typeof standingReasons]['code']
  | 'AGREEMENT_NOT_FOUND'
  | 'AGREEMENT_REVIEW_OVERDUE';

export type AgreementRefusal = DecisionReason & { readonly code: AgreementRefusalCode };

/** The engine's reason for a standing that stops work; undefined for an agreement in force. */
export const standingReasonOf = (standing: StandingState): AgreementRefusal | undefined =>
  standing === 'in-force' ? undefined : standingReasons[standing];

/**
 * Refuses a step for its agreement: 403 with the engine's code (`AGREEMENT_SUSPENDED`, …), the standing in the
 * details. The one error every step under an agreement answers with, so a client meets one code for one cause.
 */
export const refuseForAgreement = (
  reason: AgreementRefusal,
  standing: StandingState | undefined,
): AuthorisationError =>
  new AuthorisationError(
    reason.code,
    reason.message,
    standing === undefined ? [] : [`agreementStanding: ${standing}`],
  );

/**
 * Work on a request (a decision, an upload, a release, a fetch) goes on only while its agreement is in force:
 * suspension pauses it, revocation and the end of the agreement's validity end it.
 */
export const assertInForce = (standing: StandingState): void => {
  const reason = standingReasonOf(standing);
  if (reason !== undefined) throw refuseForAgreement(reason, standing);
};
