import { type AgreementRecord, type AgreementStanding, standingOf } from '../agreements/agreement.ts';
import { type AgreementRefusal, standingReasonOf } from '../agreements/agreement-in-force.ts';
import { caseReviewPurpose } from './fan-out.ts';

/**
 * The agreement in force at every step of a case (issue 12, finding 1; docs/CDOP.md "The agreement at every
 * step"). Each step of a case is judged against the standing, at that moment, of the CDOP's child death review
 * agreement, with the reason codes the decision engine gives a submission. What each step needs of it is one table
 * here, `standingNeeded`; the tracker's rule for asks whose request does not exist yet is `pendingAskRule`. Pure.
 */

export type CaseAgreementStanding = {
  /** The CDOP's child death review agreement for the case's footprint; undefined when there is none at all. */
  readonly agreement: AgreementRecord | undefined;
  readonly standing: AgreementStanding | undefined;
};

/** Which standing comes first when several agreements could be the CDOP's: the one nearest to being in force. */
const preference: readonly AgreementStanding['state'][] = [
  'in-force',
  'suspended',
  'not-yet-valid',
  'expired',
  'revoked',
  'not-active',
];

/**
 * The CDOP's child death review agreement for a case at `now`, whatever its standing: among the agreements one of
 * whose versions covers the case's footprint, names the CDOP as a party and has the case-review purpose, the one
 * in force, else a suspended one, else one not yet valid, expired, revoked, or never signed, in that order. So a
 * suspended agreement is found as suspended (not as missing), and a revoked one replaced by a new agreement gives
 * way to it.
 */
export const caseAgreementOf = (
  c: { readonly footprintId: string; readonly cdopOrganisationId: string },
  agreements: readonly AgreementRecord[],
  now: Date,
): CaseAgreementStanding => {
  const ranked = agreements
    .filter((a) =>
      a.versions.some(
        (v) =>
          v.content.footprintId === c.footprintId &&
          v.content.parties.includes(c.cdopOrganisationId) &&
          v.content.purposes.some((p) => p.code === caseReviewPurpose),
      ),
    )
    .map((agreement) => ({ agreement, standing: standingOf(agreement, now) }))
    .sort(
      (a, b) =>
        preference.indexOf(a.standing.state) - preference.indexOf(b.standing.state) ||
        a.agreement.id.localeCompare(b.agreement.id),
    );
  const [first] = ranked;
  return first === undefined
    ? { agreement: undefined, standing: undefined }
    : { agreement: first.agreement, standing: first.standing };
};

/**
 * The engine's reason for a standing that stops a case step (agreement-in-force.ts), and the CDOP's own two: no
 * child death review agreement at all, and one past its review date that blocks requests then. Undefined for an
 * agreement in force (past its review date only when it does not block: flagged, not refused).
 */
export const caseStandingReasonOf = (s: CaseAgreementStanding): AgreementRefusal | undefined => {
  const standing = s.standing;
  if (standing === undefined) {
    return { code: 'AGREEMENT_NOT_FOUND', message: 'the CDOP has no child death review agreement' };
  }
  if (standing.state !== 'in-force') return standingReasonOf(standing.state);
  return standing.reviewOverdue && standing.version.content.blockWhenReviewOverdue
    ? {
        code: 'AGREEMENT_REVIEW_OVERDUE',
        message: `the agreement was due for review on ${standing.version.content.reviewDate}`,
      }
    : undefined;
};

/** What every audit entry of a case step says of the agreement: its standing, and the review flag when raised. */
export const standingFacts = (s: CaseAgreementStanding) => ({
  ...(s.standing === undefined ? {} : { agreementStanding: s.standing.state }),
  ...(s.standing?.state === 'in-force' && s.standing.reviewOverdue ? { reviewOverdue: true as const } : {}),
});

/**
 * What each step of a case needs of the agreement:
 * - `any`: reading a case, and opening one (a death notification is the CDOP's statutory business, not a share
 *   under the agreement): never refused for the agreement, the entry still names its standing;
 * - `in-force`: every step that moves or reads the agencies' data (assembling and reading the panel pack, the NCMD
 *   export): refused with the engine's reason unless the agreement is in force;
 * - `judged`: asking agencies: refused with the engine's reason unless the agreement is in force; with no agreement
 *   at all, the engine judges each ask and says which agreement would be needed (fan-out.ts);
 * - `not-paused`: closing with the panel's analysis, the CDOP's own record of its review: paused while the
 *   agreement is suspended (resuming restores it), allowed once the agreement has ended for good (revoked,
 *   expired) so the case can still be closed.
 */
export const standingNeeded = {
  'cdop.case.open': 'any',
  'cdop.case.view': 'any',
  'cdop.report.request': 'judged',
  'cdop.pack.assemble': 'in-force',
  'cdop.pack.fetch': 'in-force',
  'cdop.case.export': 'in-force',
  'cdop.case.close': 'not-paused',
} as const;
export type CaseStepAction = keyof typeof standingNeeded;

/** The reason a step may not go ahead under the agreement's standing; undefined if it may. */
export const standingRefusalFor = (
  action: CaseStepAction,
  s: CaseAgreementStanding,
): AgreementRefusal | undefined => {
  const needed = standingNeeded[action];
  if (needed === 'any') return undefined;
  if (needed === 'not-paused') {
    return s.standing?.state === 'suspended' ? caseStandingReasonOf(s) : undefined;
  }
  if (needed === 'judged' && s.agreement === undefined) return undefined;
  return caseStandingReasonOf(s);
};

/**
 * What the case tracker does with an ask whose data request does not exist yet: `create` it under an agreement in
 * force; `wait` while the agreement is suspended (or not valid yet), so resuming it restores the ask; `end` it
 * when the agreement has ended for good (revoked, expired), recorded once on the case, never retried.
 */
export const pendingAskRule = (s: CaseAgreementStanding): 'create' | 'wait' | 'end' => {
  const state = s.standing?.state;
  if (state === 'revoked' || state === 'expired') return 'end';
  return caseStandingReasonOf(s) === undefined ? 'create' : 'wait';
};
