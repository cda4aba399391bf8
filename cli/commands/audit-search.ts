import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { auditCsv, countsCsv } from '#client/audit-csv.ts';
import { type AuditEntry, auditEntrySchema } from '#shared/domain/audit/audit-entry.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, showPath } from './command.ts';
import { connect, reach, successBody } from './connect.ts';

/**
 * `pbx audit search`: pages through `GET /v1/audit/search` until the exchange gives no `next`, and writes what it
 * found as JSON, JSON lines or CSV. The exchange scopes and audits every page; this command only formats.
 */

const formats = ['json', 'jsonl', 'csv'] as const;
type Format = (typeof formats)[number];
/** Progress goes to stderr every this many entries found. */
const progressEvery = 1000;
const pageLimit = 500;

const pageSchema = z.union([
  z.object({
    entries: z.array(z.object({ index: z.number().int().nonnegative(), entry: auditEntrySchema })),
    next: z.number().int().positive().optional(),
  }),
  z.object({
    counts: z.array(
      z.object({ action: z.string(), outcome: z.string(), count: z.union([z.number(), z.literal('<5')]) }),
    ),
  }),
]);
type Found = { index: number; entry: AuditEntry };
type Count = { action: string; outcome: string; count: number | '<5' };

const filterOptions = [
  ['organisation', 'organisation'],
  ['from', 'from'],
  ['to', 'to'],
  ['subject', 'subjectRef'],
  ['action', 'action'],
  ['outcome', 'outcome'],
  ['agreement', 'agreementId'],
  ['purpose', 'purpose'],
] as const;

const render = (format: Format, found: readonly Found[], counts: readonly Count[] | undefined): string => {
  if (counts !== undefined) {
    if (format === 'json') return `${JSON.stringify(counts, null, 2)}\n`;
    if (format === 'jsonl') return counts.map((c) => `${JSON.stringify(c)}\n`).join('');
    return countsCsv(counts);
  }
  if (format === 'json') return `${JSON.stringify(found, null, 2)}\n`;
  if (format === 'jsonl') return found.map((f) => `${JSON.stringify(f)}\n`).join('');
  return auditCsv(found);
};

const formatOf = (value: string | undefined): Format => {
  const format = formats.find((f) => f === (value ?? 'jsonl'));
  if (format === undefined) throw usageError(`--format must be one of ${formats.join(', ')}, not "${value}"`);
  return format;
};

export const runAuditSearch = async ({ values, io }: CommandInput): Promise<void> => {
  const format = formatOf(values.format);
  const query = new URLSearchParams();
  for (const [option, parameter] of filterOptions) {
    const value = values[option];
    if (value !== undefined) query.set(parameter, value);
  }
  query.set('limit', String(pageLimit));

  const { client, url } = await connect(values, io);
  const found: Found[] = [];
  let counts: Count[] | undefined;
  let cursor: number | undefined = 0;
  let reported = 0;
  while (cursor !== undefined) {
    query.set('cursor', String(cursor));
    const response = await reach(url, () => client.auditSearch(query));
    const page = pageSchema.safeParse(successBody(response, {}, io));
    if (!page.success)
      throw new CliError('UNTRUSTED_ANSWER', 'the exchange answered /v1/audit/search with something else');
    if ('counts' in page.data) {
      counts = page.data.counts;
      break;
    }
    found.push(...page.data.entries);
    if (found.length - reported >= progressEvery) {
      reported = found.length - (found.length % progressEvery);
      io.stderr(`entries: ${found.length} found, searched to leaf ${page.data.next ?? 'end'}\n`);
    }
    if (page.data.next !== undefined && page.data.next <= cursor) {
      throw new CliError('UNTRUSTED_ANSWER', `the exchange sent cursor ${page.data.next} after ${cursor}`);
    }
    cursor = page.data.next;
  }

  const text = render(format, found, counts);
  if (values.out === undefined || values.out === '') return io.stdout(text);
  const file = resolve(io.cwd, values.out);
  await writeFile(file, text);
  io.stderr(
    `wrote ${counts === undefined ? `${found.length} entries` : `${counts.length} counts`} to ${showPath(io, file)}\n`,
  );
};
