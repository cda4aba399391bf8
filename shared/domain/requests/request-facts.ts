import { consentFacts } from '../agreements/evaluate-request.ts';
import { type AuditFacts, textSha256 } from '../audit/audit-entry.ts';
import type { DataRequest, RequestDecision } from './data-request.ts';

/** The organisations a request concerns: its requester and its responder. */
export const requestParties = (request: DataRequest) => [
  request.requester.organisationId,
  request.responderOrganisationId,
];

/**
 * What every audit entry about a request says of it: structured facts only, never the justification, a rationale
 * or any payload (the entries that record a text hold its SHA-256: `submissionTexts`, `decisionFacts`).
 */
export const requestFacts = (request: DataRequest) => {
  const { textSha256: _recordedOnSubmission, ...consent } = consentFacts(request.consent);
  return {
    target: { type: 'request', id: request.id },
    agreement: request.agreement,
    ...(request.reviewOverdue === true ? { reviewOverdue: true as const } : {}),
    purpose: request.purpose,
    lawfulBasis: [...request.lawfulBasis],
    ...consent,
    subjectRef: request.subjectRef,
    dataCategories: [...request.dataCategories],
    ...(request.placement === undefined ? {} : { placement: { ...request.placement } }),
    parties: requestParties(request),
  };
};

/** The free text a submission records, as the log holds it: the SHA-256 of the justification and of a rationale. */
export const submissionTexts = (request: DataRequest): Record<string, string> => ({
  ...consentFacts(request.consent).textSha256,
  justification: textSha256(request.justification),
});

/**
 * What a decision's entry says of it: the outcome, the coded reasons and the withheld categories; its words only as
 * their SHA-256. A decline can be shown from the log alone, and the record proved to be the one logged.
 */
export const decisionFacts = (decision: RequestDecision): Pick<AuditFacts, 'decision' | 'textSha256'> => ({
  decision: {
    outcome: decision.outcome,
    reasonCodes: [...(decision.reasonCodes ?? [])],
    ...(decision.withheld?.dataCategories === undefined
      ? {}
      : { withheldCategories: [...decision.withheld.dataCategories] }),
  },
  textSha256: {
    reasons: textSha256(decision.reasons),
    ...(decision.withheld?.description === undefined
      ? {}
      : { withheldDescription: textSha256(decision.withheld.description) }),
  },
});
