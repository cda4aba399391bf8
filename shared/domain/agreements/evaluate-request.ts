import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import { newAuditEntry } from '../audit/audit-entry.ts';
import { actorOf } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { type Decision, decide, type ShareRequest } from './decide.ts';

export type EvaluationDeps = {
  readonly agreements: Pick<AgreementStore, 'getAgreement'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/**
 * Judges a share request for the authenticated caller and records the decision, permit or deny, with every
 * reason, the agreement version, purpose, lawful basis, consent state and data categories.
 */
export const evaluateRequest = async (
  deps: EvaluationDeps,
  input: { principal: Principal; request: ShareRequest; action?: string },
): Promise<Decision> => {
  const [registry, agreement] = await Promise.all([
    deps.registry.loadRegistry(),
    deps.agreements.getAgreement(input.request.agreementId),
  ]);
  const now = deps.clock.now();
  const decision = decide(
    {
      requester: {
        organisationId: input.principal.organisationId,
        ...(input.principal.user === undefined ? {} : { userId: input.principal.user.id }),
      },
      request: input.request,
    },
    { footprints: registry.footprints, users: registry.users, agreement },
    now,
  );
  await deps.audit.record(
    newAuditEntry(
      {
        actor: actorOf(input.principal),
        action: input.action ?? 'decision.evaluate',
        target: { type: 'organisation', id: input.request.responderOrganisationId },
        outcome: decision.decision === 'permit' ? 'allowed' : 'refused',
        reasonCodes: decision.reasons.map((r) => r.code),
        ...(decision.agreement === undefined ? {} : { agreement: decision.agreement }),
        purpose: input.request.purpose,
        lawfulBasis: [...input.request.lawfulBasis],
        consentState: input.request.consent.state,
        dataCategories: [...input.request.dataCategories],
        requestHash: input.principal.requestHash,
      },
      now,
    ),
  );
  return decision;
};
