import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AuditEntry, auditEntrySchema } from '../../domain/audit/audit-entry.ts';
import { AuditWriteError, DependencyError } from '../../domain/errors.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import { scanAll, Transaction } from './transaction.ts';

export const entryKey = (id: string) => ({ pk: `ENTRY#${id}`, sk: 'ENTRY' });

/**
 * Entries not yet sequenced into the Merkle log are listed, in id (time) order, in one partition of markers
 * written in the same transaction as the entry; the sequencer deletes a marker when it gives the entry its index.
 */
export const pendingKey = (id: string) => ({ pk: 'PENDING', sk: id });

/**
 * The one way an audit entry is written: appended to the transaction of the action it records, so the state
 * change and its record commit together, with its pending marker. Nothing else writes entries; the sequencer only
 * gives them their index. An entry of a caller's action carries the id of the call (`callerFacts`), and the use
 * case returns the entries it committed, so the operation knows its answer is audited (shared/http/operation-handler.ts).
 */
export const appendAudit = (tx: Transaction, auditTableName: string, entry: AuditEntry): Transaction => {
  const checked = auditEntrySchema.parse(entry);
  return tx
    .put(auditTableName, { ...entryKey(entry.id), ...checked }, { ifAbsent: true })
    .put(auditTableName, { ...pendingKey(entry.id), entryId: entry.id }, { ifAbsent: true });
};

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * An entry on its own, for actions that change nothing else (refusals, audited reads). A store that does not
   * take it is an AuditWriteError (503): the action is not served, and its answer is not audited with another
   * write to the same store.
   */
  async record(entry: AuditEntry): Promise<void> {
    let outcome: 'committed' | 'condition-failed';
    try {
      outcome = await appendAudit(new Transaction(), this.tableName, entry).commit(this.doc);
    } catch (error) {
      if (error instanceof DependencyError) {
        throw new AuditWriteError(error.code, 'the audit entry could not be recorded', error.details);
      }
      throw error;
    }
    if (outcome !== 'committed') {
      // Entry ids are ULIDs: a collision means a broken id source, and an unrecorded action must not pass.
      throw new AuditWriteError('DEPENDENCY_UNAVAILABLE', 'the audit entry could not be recorded');
    }
  }

  /**
   * Every entry, oldest first. A full read for tests and small exports; the audit log capability replaces it
   * with sequenced, paginated reads.
   */
  async readAll(): Promise<AuditEntry[]> {
    const items = await scanAll(this.doc, {
      TableName: this.tableName,
      ConsistentRead: true,
      FilterExpression: 'begins_with(pk, :entry)',
      ExpressionAttributeValues: { ':entry': 'ENTRY#' },
    });
    return items.map((item) => auditEntrySchema.parse(item)).sort((a, b) => a.id.localeCompare(b.id));
  }
}
