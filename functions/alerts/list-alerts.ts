import { listAlerts } from '#shared/domain/alerts/list-alerts.ts';
import { alertDependencies } from '#shared/http/alerts.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** The anomaly alerts the caller may see, newest first. */
export const handler = signedOperation(operations.ListAlerts, alertDependencies, async (deps, call) => {
  const { alerts, audited } = await listAlerts(deps, { principal: call.principal, ...call.query });
  return { answer: { alerts }, audited };
});
