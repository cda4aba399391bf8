import { type Audited, newAuditEntry, textSha256 } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { type Alert, type AlertStatus, alertConcerns } from './alert.ts';
import { type AlertDeps, alertScopeOf } from './alert-deps.ts';

/** What each action on an alert does: the status it leaves the alert in, and the statuses it may be taken from. */
const alertActions = {
  acknowledge: { action: 'alert.acknowledge', to: 'acknowledged', from: ['open'] },
  close: { action: 'alert.close', to: 'closed', from: ['open', 'acknowledged'] },
} as const satisfies Record<
  string,
  { action: string; to: Exclude<AlertStatus, 'open'>; from: readonly AlertStatus[] }
>;
type AlertActionKind = keyof typeof alertActions;

/**
 * `POST /v1/alerts/{alertId}/acknowledge` and `/close`: an IG lead of an organisation the alert concerns (or the
 * operator) acknowledges or closes it with a note. The note stays out of the log and the alert: both hold only its
 * SHA-256. The alert's change commits with its audit entry, conditional on the status read; an alert of another
 * organisation is 404, as one that does not exist, so ids reveal nothing.
 */
export const actOnAlert = (
  deps: AlertDeps,
  input: {
    readonly principal: Principal;
    readonly alertId: string;
    readonly kind: AlertActionKind;
    readonly note: string;
  },
): Promise<{ readonly alert: Alert } & Audited> => {
  const { action, to, from } = alertActions[input.kind];
  const target = { type: 'alert', id: input.alertId };
  return auditedAction(deps, { ...callerFacts(input.principal), action, target }, async () => {
    const scope = alertScopeOf(input.principal);
    const alert = await deps.alerts.getAlert(input.alertId);
    if (
      alert === undefined ||
      (scope.kind === 'organisation' && !alertConcerns(alert, scope.organisationId))
    ) {
      throw new NotFoundError('NOT_FOUND', `there is no alert ${input.alertId}`);
    }
    if (!(from as readonly AlertStatus[]).includes(alert.status)) {
      throw new ConflictError('WRONG_STATE', `the alert is ${alert.status}`);
    }
    const now = deps.clock.now();
    const noteSha256 = textSha256(input.note);
    const next: Alert = {
      ...alert,
      status: to,
      actions: [
        ...alert.actions,
        {
          status: to,
          at: now.toISOString(),
          by: input.principal.user?.id ?? input.principal.clientId,
          organisationId: input.principal.organisationId,
          noteSha256,
        },
      ],
    };
    const entry = newAuditEntry(
      {
        ...callerFacts(input.principal),
        action,
        target,
        outcome: 'allowed',
        reasonCodes: [alert.rule],
        parties: alert.organisations,
        textSha256: { note: noteSha256 },
      },
      now,
    );
    if (!(await deps.alerts.updateAlert(alert, next, entry))) {
      throw new ConflictError('CONFLICT', 'the alert changed while this was done; read it again and retry');
    }
    return { alert: next, audited: [entry] };
  });
};
