import type { AuditEntry } from '../domain/audit/audit-entry.ts';

/**
 * Records an action that changes no state (a refusal, a read worth auditing). Actions that change state pass
 * their entry to the store that makes the change, which commits both in one transaction.
 */
export type AuditLog = {
  record(entry: AuditEntry): Promise<void>;
};
