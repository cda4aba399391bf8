import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { Alert, AlertStatus } from './alert.ts';
import { type AlertDeps, alertScopeOf } from './alert-deps.ts';

/** The most alerts one listing reads, newest first. */
const maxAlertsListed = 200;

/**
 * `GET /v1/alerts`: the alerts the caller may see (alert-deps.ts), newest first, optionally of one status. A read
 * that audits nothing itself: the operation records its answer, and a refusal is recorded with its reason.
 */
export const listAlerts = async (
  deps: Pick<AlertDeps, 'alerts'>,
  input: { readonly principal: Principal; readonly status?: AlertStatus | undefined },
): Promise<{ readonly alerts: readonly Alert[] } & Audited> => {
  const scope = alertScopeOf(input.principal);
  return { alerts: await deps.alerts.listAlerts(scope, maxAlertsListed, input.status), audited: [] };
};
