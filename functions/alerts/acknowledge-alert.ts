import { actOnAlert } from '#shared/domain/alerts/act-on-alert.ts';
import { alertDependencies } from '#shared/http/alerts.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** Acknowledges an anomaly alert with a note, audited. */
export const handler = signedOperation(operations.AcknowledgeAlert, alertDependencies, async (deps, call) => {
  const { alert, audited } = await actOnAlert(deps, {
    principal: call.principal,
    alertId: call.pathId('alertId', 'alert'),
    kind: 'acknowledge',
    note: call.body.note,
  });
  return { answer: { alert }, audited };
});
