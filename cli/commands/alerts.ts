import { igTableOf, igTablesText } from '#client/ig-table.ts';
import { type Alert, alertIdSchema, alertStatuses } from '#shared/domain/alerts/alert.ts';
import { usageError } from './cli-error.ts';
import type { CommandInput } from './command.ts';
import { connect, reach, successBody } from './connect.ts';

/**
 * `pbx ig alerts` and `pbx ig alerts acknowledge|close ID --note TEXT` (docs/IG.md "Anomaly alerts"): one call of
 * `GET /v1/alerts` or of the alert's acknowledge or close route. The exchange scopes and audits each; the note is
 * sent to it, and it keeps only the note's SHA-256.
 */

const alertTable = (alerts: readonly Alert[]) =>
  igTableOf(
    `${alerts.length} alert${alerts.length === 1 ? '' : 's'}`,
    [
      { heading: 'Alert', kind: 'text', value: (a: Alert) => a.id },
      { heading: 'Rule', kind: 'text', value: (a: Alert) => a.rule },
      { heading: 'Status', kind: 'text', value: (a: Alert) => a.status },
      { heading: 'Time', kind: 'text', value: (a: Alert) => a.time },
      { heading: 'User', kind: 'text', value: (a: Alert) => a.userId },
      { heading: 'Client', kind: 'text', value: (a: Alert) => a.clientId },
      { heading: 'Organisations', kind: 'text', value: (a: Alert) => a.organisations.join(' ') },
      { heading: 'Leaves', kind: 'text', value: (a: Alert) => a.entries.join(' ') },
    ],
    alerts,
  );

/** `pbx ig alerts [--status open|acknowledged|closed] [--json]`. */
export const runIgAlerts = async ({ values, io }: CommandInput): Promise<void> => {
  const status = alertStatuses.find((s) => s === values.status);
  if (values.status !== undefined && status === undefined) {
    throw usageError(`--status must be one of ${alertStatuses.join(', ')}, not "${values.status}"`);
  }
  const { client, url } = await connect(values, io);
  const body = successBody(await reach(url, () => client.listAlerts(status)), values, io);
  if (values.json) return;
  io.stdout(`${igTablesText([alertTable(body.alerts)])}`);
};

/** `pbx ig alerts acknowledge|close ID --note TEXT`. */
export const runIgAlertAction =
  (action: 'acknowledge' | 'close') =>
  async ({ values, operands, io }: CommandInput): Promise<void> => {
    const [id] = operands;
    if (id === undefined || !alertIdSchema.safeParse(id).success) {
      throw usageError('missing or malformed ID: the alert (alt-…), as pbx ig alerts lists them');
    }
    const note = values.note?.trim();
    if (note === undefined || note === '') throw usageError(`--note is required: why you ${action} it`);
    const { client, url } = await connect(values, io);
    const body = successBody(await reach(url, () => client.actOnAlert(id, action, note)), values, io);
    if (values.json) return;
    io.stdout(`${body.alert.id} is ${body.alert.status}\n`);
  };
