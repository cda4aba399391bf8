import { describe, expect, it } from 'vitest';
import { appendAudit } from '#shared/adapters/dynamodb/audit-log.ts';
import { Transaction } from '#shared/adapters/dynamodb/transaction.ts';
import { loadConfig } from '#shared/config.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';

describe('loadConfig', () => {
  it('returns the named variables', () => {
    expect(
      loadConfig(['EXCHANGE_ID', 'REGISTRY_TABLE_NAME'], {
        EXCHANGE_ID: 'pbx-test',
        REGISTRY_TABLE_NAME: 't',
      }),
    ).toEqual({
      EXCHANGE_ID: 'pbx-test',
      REGISTRY_TABLE_NAME: 't',
    });
  });

  it('fails at cold start naming every missing or empty key', () => {
    expect(() => loadConfig(['EXCHANGE_ID', 'AUDIT_TABLE_NAME'], { EXCHANGE_ID: '  ' })).toThrow(
      /EXCHANGE_ID, AUDIT_TABLE_NAME/,
    );
  });
});

describe('newAuditEntry', () => {
  const now = new Date('2026-11-23T09:00:00Z');

  it('stamps a time-ordered id and the time', () => {
    const first = newAuditEntry(
      { actor: systemActor, action: 'registry.client.create', outcome: 'allowed' },
      now,
    );
    const later = newAuditEntry(
      { actor: systemActor, action: 'registry.client.create', outcome: 'allowed' },
      new Date(now.getTime() + 1),
    );
    expect(first.time).toBe('2026-11-23T09:00:00.000Z');
    expect(first.reasonCodes).toEqual([]);
    expect(first.id < later.id).toBe(true);
  });

  it('is never written when it is not well formed: the audit log checks each entry it writes', () => {
    const write = (entry: ReturnType<typeof newAuditEntry>) => appendAudit(new Transaction(), 'audit', entry);
    expect(() =>
      write(newAuditEntry({ actor: systemActor, action: 'Registry Create', outcome: 'allowed' }, now)),
    ).toThrow();
    expect(() =>
      write(
        newAuditEntry({ actor: systemActor, action: 'registry.create', outcome: 'maybe' as 'allowed' }, now),
      ),
    ).toThrow();
    expect(() =>
      write(newAuditEntry({ actor: systemActor, action: 'registry.create', outcome: 'allowed' }, now)),
    ).not.toThrow();
  });
});
