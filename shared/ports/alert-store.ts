import type { Alert, AlertStatus } from '../domain/alerts/alert.ts';
import type { RuleState } from '../domain/alerts/rule-state.ts';
import type { AuditEntry } from '../domain/audit/audit-entry.ts';
import type { FollowerCursorStore, LogCursor } from '../domain/audit/follow-log.ts';
import type { ExchangeEvent } from '../domain/events/exchange-event.ts';

/** An alert raised, with the audit entry and the event that announce it: committed together or not at all. */
export type RaisedAlert = {
  readonly alert: Alert;
  readonly audit: AuditEntry;
  readonly event: ExchangeEvent;
};

/** One batch of the detector: its state changes and alerts, committed with its cursor's move or not at all. */
export type AlertBatch = {
  /** The cursor the batch was folded from; the commit fails if another run has moved it. */
  readonly expectedNext: number;
  readonly cursor: LogCursor;
  readonly changes: readonly RuleState[];
  readonly raised: readonly RaisedAlert[];
};

/** Whose alerts a listing reads: every alert (the operator), or those concerning one organisation. */
export type AlertListScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'organisation'; readonly organisationId: string };

/** What the alert operations read and write: the alerts, and one alert's acknowledgement or closure. */
export type AlertStore = {
  /** The alerts of a scope (of one status, if given), most recently raised first, at most `limit`. */
  listAlerts(scope: AlertListScope, limit: number, status?: AlertStatus): Promise<Alert[]>;
  getAlert(id: string): Promise<Alert | undefined>;
  /** Replaces an alert if its status is still the one read, with the entry recording the change; false otherwise. */
  updateAlert(previous: Alert, next: Alert, audit: AuditEntry): Promise<boolean>;
};

/** The detector's store (DetectAnomalies): its cursor, the rules' state and the batch's commit. */
export type AlertDetectionStore = FollowerCursorStore & {
  /** How many items one batch may write (one DynamoDB transaction holds them and the cursor). */
  readonly maxItemsPerBatch: number;
  /** The items raising one alert writes: the alert, its listings, its audit entry and its event. */
  itemsOfAlert(alert: Pick<Alert, 'organisations'>): number;
  readState(keys: readonly string[]): Promise<RuleState[]>;
  /** Commits the batch if the cursor is still at `expectedNext` (absent counts as 0); false otherwise. */
  commitBatch(batch: AlertBatch): Promise<boolean>;
};
