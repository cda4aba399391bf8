import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type IdempotencyRecord, idempotencyRecordSchema } from '../../domain/requests/idempotency.ts';
import type { StepRecord } from '../../ports/step-record.ts';
import { appendAudit } from './audit-log.ts';
import { appendEvents } from './event-outbox.ts';
import { getItem, type Transaction } from './transaction.ts';

/** The tables a store's steps commit to: its own (the thing and its idempotency records), the audit log, events. */
export type StepTables = { readonly home: string; readonly audit: string; readonly events: string };

const idempotencyKey = (clientId: string, key: string) => ({
  pk: `IDEMPOTENCY#${clientId}#${key}`,
  sk: 'IDEMPOTENCY',
});

/** The idempotency record of a caller's key, kept in the store's own table. */
export const getIdempotencyRecord = (
  doc: DynamoDBDocumentClient,
  table: string,
  clientId: string,
  key: string,
): Promise<IdempotencyRecord | undefined> =>
  getItem(doc, table, idempotencyKey(clientId, key), idempotencyRecordSchema);

/**
 * Commits a step's state change (already in `tx`) with what every step commits beside it: the idempotency record
 * of its result (first writer wins), its audit entry and its events. The one commit of request and case steps.
 */
export const commitStepRecord = async (
  doc: DynamoDBDocumentClient,
  tables: StepTables,
  tx: Transaction,
  step: StepRecord,
): Promise<boolean> => {
  if (step.idempotency !== undefined) {
    const { clientId, key } = step.idempotency;
    tx.put(tables.home, { ...idempotencyKey(clientId, key), ...step.idempotency }, { ifAbsent: true });
  }
  appendAudit(tx, tables.audit, step.audit);
  appendEvents(tx, tables.events, step.events);
  return (await tx.commit(doc)) === 'committed';
};
