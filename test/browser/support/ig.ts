import { expect } from 'vitest';
import type { RunningExchange } from '#local/exchange.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { auditSearchAnswerSchema } from '#shared/http/api-contract.ts';
import { clientOf } from '../../support/local-exchange-clients.ts';

/** The IG pages' test helpers: the exchange as a borough system or the operator, and what its log recorded. */

/** Sequences the audit log now, and publishes a checkpoint when `publish` (evidence needs one). */
export const sequenceLog = async (exchange: RunningExchange, publish = false): Promise<void> => {
  await exchange.runSchedule('SequenceAuditLog');
  if (publish) await exchange.runSchedule('PublishAuditCheckpoint');
};

/** Every entry the operator finds for `filter`, following the exchange's pages. */
export const operatorSearch = async (
  exchange: RunningExchange,
  filter: Record<string, string>,
): Promise<AuditEntry[]> => {
  const operator = await clientOf(exchange, 'pbx-operations-system', { subject: 'pbx-operations.operator' });
  const found: AuditEntry[] = [];
  let cursor: number | undefined = 0;
  while (cursor !== undefined) {
    const answer = await operator.invoke('SearchAudit', { query: { ...filter, cursor, limit: 500 } });
    expect(answer.status).toBe(200);
    const page = auditSearchAnswerSchema.parse(answer.body);
    if (!('entries' in page)) throw new Error('the operator got counts');
    found.push(...page.entries.map((e) => e.entry));
    cursor = page.next;
  }
  return found;
};

/** RFC 4180 CSV into rows of fields (quoted fields, doubled quotes, CRLF). */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
};
