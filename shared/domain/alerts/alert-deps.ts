import type { AlertListScope, AlertStore } from '../../ports/alert-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import { auditReadScopeOf } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError } from '../errors.ts';

/** What the alert operations need: the alerts, the audit log (refusals, acknowledgements) and the clock. */
export type AlertDeps = {
  readonly alerts: AlertStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/**
 * Whose alerts the caller sees and acts on: the operator every alert, an IG lead, Caldicott guardian or DPO those
 * concerning their organisation (audit search's read scopes, shared/domain/audit/search.ts); anyone else none.
 */
export const alertScopeOf = (principal: Principal): AlertListScope => {
  const scope = auditReadScopeOf({
    organisationId: principal.organisationId,
    roles: principal.user?.roles ?? [],
  });
  if (scope === undefined) {
    throw new AuthorisationError('NOT_PERMITTED', 'alerts are for IG leads and the operator', [
      'roles allowed: operator, ig-lead, caldicott-guardian, dpo',
    ]);
  }
  return scope;
};
