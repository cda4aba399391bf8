import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AuditEntry, auditEntrySchema } from '../../domain/audit/audit-entry.ts';
import { DependencyError } from '../../domain/errors.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import { scanAll, Transaction } from './transaction.ts';

const entryKey = (id: string) => ({ pk: `ENTRY#${id}`, sk: 'ENTRY' });

/**
 * The one way an audit entry is written: appended to the transaction of the action it records, so the state
 * change and its record commit together. Nothing else writes to the audit table.
 */
export const appendAudit = (tx: Transaction, auditTableName: string, entry: AuditEntry): Transaction =>
  tx.put(auditTableName, { ...entryKey(entry.id), ...auditEntrySchema.parse(entry) }, { ifAbsent: true });

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** An entry on its own, for actions that change nothing else (refusals, audited reads). */
  async record(entry: AuditEntry): Promise<void> {
    const outcome = await appendAudit(new Transaction(), this.tableName, entry).commit(this.doc);
    if (outcome !== 'committed') {
      // Entry ids are ULIDs: a collision means a broken id source, and an unrecorded action must not pass.
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the audit entry could not be recorded');
    }
  }

  /**
   * Every entry, oldest first. A full read for tests and small exports; the audit log capability replaces it
   * with sequenced, paginated reads.
   */
  async readAll(): Promise<AuditEntry[]> {
    const items = await scanAll(this.doc, { TableName: this.tableName, ConsistentRead: true });
    return items.map((item) => auditEntrySchema.parse(item)).sort((a, b) => a.id.localeCompare(b.id));
  }
}
