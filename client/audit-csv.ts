import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';

/**
 * The audit log as CSV, one way for every download: `pbx audit search --format csv` and the console's "Download as
 * CSV" read alike.
 */

/** An entry with its leaf index, as the search answers it. */
export type IndexedEntry = { readonly index: number; readonly entry: AuditEntry };
/** A scrutineer's count of entries by action and outcome (small numbers suppressed as `<5`). */
export type AuditCount = { readonly action: string; readonly outcome: string; readonly count: number | '<5' };

/**
 * One CSV field (RFC 4180). A cell a spreadsheet would read as a formula (starting = + - @, or a tab or carriage
 * return before one) gets a leading quote, so that opening the file runs nothing (OWASP "CSV injection").
 */
export const csvField = (value: string | number | undefined): string => {
  const cell = value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};
const csvRow = (fields: readonly (string | number | undefined)[]) => `${fields.map(csvField).join(',')}\r\n`;

export const auditCsvHeader = [
  'time',
  'index',
  'action',
  'outcome',
  'reasonCodes',
  'actorClient',
  'actorUser',
  'actorOrganisation',
  'target',
  'agreement',
  'purpose',
  'subjectRef',
] as const;

const entryFields = ({ index, entry }: IndexedEntry) => [
  entry.time,
  index,
  entry.action,
  entry.outcome,
  entry.reasonCodes.join(';'),
  entry.actor.clientId,
  entry.actor.userId,
  entry.actor.organisationId,
  entry.target === undefined ? undefined : `${entry.target.type}:${entry.target.id ?? ''}`,
  entry.agreement === undefined ? undefined : `${entry.agreement.id}@${entry.agreement.version}`,
  entry.purpose,
  entry.subjectRef,
];

export const auditCsv = (found: readonly IndexedEntry[]): string =>
  csvRow(auditCsvHeader) + found.map((f) => csvRow(entryFields(f))).join('');

export const countsCsv = (counts: readonly AuditCount[]): string =>
  csvRow(['action', 'outcome', 'count']) + counts.map((c) => csvRow([c.action, c.outcome, c.count])).join('');
