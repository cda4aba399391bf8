import type { AuditEntry } from '../domain/audit/audit-entry.ts';
import type { ExchangeEvent } from '../domain/events/exchange-event.ts';
import type { IdempotencyRecord } from '../domain/requests/idempotency.ts';

/**
 * What one step of a stored thing's life (a data request, a CDOP case) writes with its new state, all in one
 * transaction: its audit entry, its events, and the idempotency record of the call (when the caller sent a key).
 * The step commits whole or not at all; a store answers `false` when a condition failed (someone changed the thing
 * first, or the idempotency key was taken). Built by the step pipeline (shared/domain/steps/run-step.ts).
 */
export type StepRecord = {
  readonly audit: AuditEntry;
  readonly events: readonly ExchangeEvent[];
  readonly idempotency?: IdempotencyRecord;
};
