import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Alert, type AlertStatus, alertSchema } from '../../domain/alerts/alert.ts';
import { type RuleState, ruleStateSchema } from '../../domain/alerts/rule-state.ts';
import type { AuditEntry } from '../../domain/audit/audit-entry.ts';
import { type LogCursor, logCursorSchema } from '../../domain/audit/follow-log.ts';
import type { AlertBatch, AlertDetectionStore, AlertListScope, AlertStore } from '../../ports/alert-store.ts';
import { appendAudit } from './audit-log.ts';
import { appendEvents } from './event-outbox.ts';
import { batchGetAll, callDynamo, getItem, moveFollowerCursor, Transaction } from './transaction.ts';

/**
 * Item layout of the `alerts` table (docs/IG.md "Anomaly alerts"):
 *   pk CURSOR          sk CURSOR    the detector's next leaf index, and when a run last ran
 *   pk STATE#<key>     sk STATE     one rule's rolling state (rule-state.ts), expired by TTL on `expiresAt`
 *   pk ALERT#<id>      sk ALERT     an alert and its acknowledgements and closure
 *   pk LIST#<org>      sk <id>      an alert concerning the organisation, listed newest first
 *   pk LIST#ALL        sk <id>      every alert, for the operator
 *   pk LIST#<org>#<status>, LIST#ALL#<status>   sk <id>
 *                                   the same listings of the alerts now of one status, moved as the status changes
 * The detector writes the cursor, the state, the alerts and their listings with each alert's audit entry and event
 * in one transaction conditional on the cursor; an acknowledgement or closure replaces one alert, conditional on its
 * status, with its audit entry.
 */
const cursorKey = { pk: 'CURSOR', sk: 'CURSOR' };
const stateKey = (key: string) => ({ pk: `STATE#${key}`, sk: 'STATE' });
const alertKey = (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' });
const listKey = (scope: AlertListScope, id: string, status?: AlertStatus) => ({
  pk: `LIST#${scope.kind === 'all' ? 'ALL' : scope.organisationId}${status === undefined ? '' : `#${status}`}`,
  sk: id,
});
/** Every listing an alert is in: the operator's and each organisation's it concerns. */
const scopesOf = (alert: Pick<Alert, 'organisations'>): AlertListScope[] => [
  { kind: 'all' },
  ...[...new Set(alert.organisations)].map((organisationId) => ({
    kind: 'organisation' as const,
    organisationId,
  })),
];

/** The tables an alert store writes: the events table only for the detector, which raises alerts. */
export type AlertTables = { readonly alerts: string; readonly audit: string; readonly events?: string };

export class DynamoAlertStore implements AlertStore, AlertDetectionStore {
  /** DynamoDB's 100 items per transaction, less the cursor and a margin. */
  readonly maxItemsPerBatch = 90;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: AlertTables,
  ) {}

  /**
   * The alert, two listings (of every status, and of its status) per organisation and for all, the entry and its
   * marker, a feed item per organisation and the relay's marker.
   */
  itemsOfAlert(alert: Pick<Alert, 'organisations'>): number {
    const organisations = new Set(alert.organisations).size;
    return 1 + 2 * (organisations + 1) + 2 + (organisations + 1);
  }

  readCursor(): Promise<LogCursor | undefined> {
    return getItem(this.doc, this.tables.alerts, cursorKey, logCursorSchema);
  }

  async touchCursor(cursor: LogCursor): Promise<boolean> {
    const tx = new Transaction();
    moveFollowerCursor(
      tx,
      this.tables.alerts,
      { ...cursorKey, ...logCursorSchema.parse(cursor) },
      cursor.next,
    );
    return (await tx.commit(this.doc)) === 'committed';
  }

  async readState(keys: readonly string[]): Promise<RuleState[]> {
    const items = await batchGetAll(this.doc, this.tables.alerts, [...new Set(keys)].map(stateKey));
    return items.map((item) => ruleStateSchema.parse(item));
  }

  async commitBatch(batch: AlertBatch): Promise<boolean> {
    const events = this.tables.events;
    if (events === undefined) throw new TypeError('raising alerts needs the events table');
    const tx = new Transaction();
    // The cursor moves only from where this batch was folded: a concurrent or repeated run's batch fails here.
    moveFollowerCursor(
      tx,
      this.tables.alerts,
      { ...cursorKey, ...logCursorSchema.parse(batch.cursor) },
      batch.expectedNext,
    );
    for (const state of batch.changes) {
      tx.put(this.tables.alerts, { ...stateKey(state.key), ...ruleStateSchema.parse(state) });
    }
    for (const { alert, audit, event } of batch.raised) {
      const checked = alertSchema.parse(alert);
      tx.put(this.tables.alerts, { ...alertKey(checked.id), ...checked }, { ifAbsent: true });
      for (const scope of scopesOf(checked)) {
        tx.put(this.tables.alerts, listKey(scope, checked.id));
        tx.put(this.tables.alerts, listKey(scope, checked.id, checked.status));
      }
      appendAudit(tx, this.tables.audit, audit);
      appendEvents(tx, events, [event]);
    }
    return (await tx.commit(this.doc)) === 'committed';
  }

  async listAlerts(scope: AlertListScope, limit: number, status?: AlertStatus): Promise<Alert[]> {
    const page = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.alerts,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': listKey(scope, '', status).pk },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    const ids = (page.Items ?? []).map((item) => String(item.sk));
    const items = await batchGetAll(this.doc, this.tables.alerts, ids.map(alertKey));
    return items.map((item) => alertSchema.parse(item)).sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  getAlert(id: string): Promise<Alert | undefined> {
    return getItem(this.doc, this.tables.alerts, alertKey(id), alertSchema);
  }

  async updateAlert(previous: Alert, next: Alert, audit: AuditEntry): Promise<boolean> {
    const tx = new Transaction().replace(
      this.tables.alerts,
      { ...alertKey(next.id), ...alertSchema.parse(next) },
      { attribute: 'status', equals: previous.status },
    );
    if (next.status !== previous.status) {
      for (const scope of scopesOf(next)) {
        tx.delete(this.tables.alerts, listKey(scope, next.id, previous.status));
        tx.put(this.tables.alerts, listKey(scope, next.id, next.status));
      }
    }
    appendAudit(tx, this.tables.audit, audit);
    return (await tx.commit(this.doc)) === 'committed';
  }
}
