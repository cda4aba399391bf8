import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import { type Audited, type AuditFacts, newAuditEntry, textSha256 } from '../audit/audit-entry.ts';
import { callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { AgreementRecord } from './agreement.ts';
import { type Consent, type Decision, decide, type ShareRequest } from './decide.ts';

export type EvaluationDeps = {
  readonly agreements: Pick<AgreementStore, 'getAgreement'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/**
 * Judges a share request for the authenticated caller at `now`, against the registry and the agreement it
 * names; returns the agreement too, so a caller acting on a permit reads the terms it was judged by.
 */
export const judgeShareRequest = async (
  deps: Pick<EvaluationDeps, 'agreements' | 'registry'>,
  principal: Principal,
  request: ShareRequest,
  now: Date,
): Promise<{ decision: Decision; agreement: AgreementRecord | undefined }> => {
  const [registry, agreement] = await Promise.all([
    deps.registry.loadRegistry(),
    deps.agreements.getAgreement(request.agreementId),
  ]);
  const decision = decide(
    {
      requester: {
        organisationId: principal.organisationId,
        ...(principal.user === undefined ? {} : { userId: principal.user.id }),
      },
      request,
    },
    { footprints: registry.footprints, users: registry.users, agreement },
    now,
  );
  return { decision, agreement };
};

/**
 * What the audit log records of a judged share request: every reason, the agreement version, purpose, lawful
 * basis, consent state and data categories, and the hash of the signed request that asked.
 */
export const decisionAuditFacts = (
  principal: Principal,
  request: ShareRequest,
  decision: Decision,
  action: string,
): AuditFacts => ({
  ...callerFacts(principal),
  action,
  target: { type: 'organisation', id: request.responderOrganisationId },
  outcome: decision.decision === 'permit' ? 'allowed' : 'refused',
  reasonCodes: decision.reasons.map((r) => r.code),
  ...(decision.agreement === undefined ? {} : { agreement: decision.agreement }),
  ...(decision.standing === undefined ? {} : { agreementStanding: decision.standing }),
  ...(decision.reviewOverdue === true ? { reviewOverdue: true as const } : {}),
  purpose: request.purpose,
  lawfulBasis: [...request.lawfulBasis],
  ...consentFacts(request.consent),
  dataCategories: [...request.dataCategories],
});

/**
 * What the log records of a request's consent: its state and, when consent was refused or not sought, the
 * exemption code; the rationale only as its SHA-256 (free text stays in the record).
 */
export const consentFacts = (consent: Consent) => ({
  consentState: consent.state,
  ...('exemption' in consent && consent.exemption !== undefined
    ? { consentExemption: consent.exemption }
    : {}),
  ...('rationale' in consent && consent.rationale !== undefined
    ? { textSha256: { rationale: textSha256(consent.rationale) } }
    : {}),
});

/** `POST /v1/decisions:evaluate`: judges a share request and records the decision, permit or deny. */
export const evaluateRequest = async (
  deps: EvaluationDeps,
  input: { principal: Principal; request: ShareRequest; action?: string },
): Promise<{ decision: Decision } & Audited> => {
  const now = deps.clock.now();
  const { decision } = await judgeShareRequest(deps, input.principal, input.request, now);
  const entry = newAuditEntry(
    decisionAuditFacts(input.principal, input.request, decision, input.action ?? 'decision.evaluate'),
    now,
  );
  await deps.audit.record(entry);
  return { decision, audited: [entry] };
};
