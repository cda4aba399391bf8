import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import { verifyCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { auditEventOf } from '#shared/domain/audit/fhir-audit-event.ts';
import { decodeCanonicalBase64, encodeBase64, type NoteVerifier } from '#shared/domain/audit/signed-note.ts';
import {
  EvidenceError,
  type EvidenceLeaf,
  type EvidencePackV2,
  evidenceFormat,
  evidenceFormats,
  evidenceLeafSchema,
  type PreviousCheckpoint,
  type VerifiedEvidence,
  verifyEvidence,
} from '#shared/domain/audit/verify-evidence.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, type Io, printJson, showPath } from './command.ts';
import { type Connection, connect, fetchAuditTrust, reach, successBody, untrusted } from './connect.ts';
import { countProgress } from './progress.ts';

/**
 * `pbx audit export` and `pbx audit verify`: evidence packs of the audit log (shared/domain/audit/verify-evidence.ts,
 * docs/AUDIT.md "Evidence packs").
 *
 * Export pages through `GET /v1/audit/evidence`: each page holds up to tens of thousands of leaves as the caller
 * may see them (their organisation's entries in full, others as leaf hashes), the archived checkpoint and the
 * subtree hashes around the range. A whole pack is a handful of signed calls, each one audit entry, and it is
 * verified before it is written, as `verify` will verify it. `--format fhir` writes the same verified evidence as
 * NDJSON of FHIR R4 AuditEvents instead, one for each entry in full (docs/AUDIT.md "FHIR AuditEvent export").
 */

const checkpointSchema = z.looseObject({ note: z.string().min(1) });
const evidencePageSchema = z.object({
  checkpoint: z.looseObject({ note: z.string().min(1), size: z.number().int().nonnegative() }),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  boundary: z.array(z.string()),
  leaves: z.array(evidenceLeafSchema),
  next: z.number().int().nonnegative().optional(),
});

const parseCount = (option: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^(?:0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw usageError(`--${option} must be a whole number, not "${value}"`);
  }
  return Number(value);
};

const verifierOf = (key: string, source: string): NoteVerifier => {
  try {
    return noteVerifierFromKey(key);
  } catch {
    throw source === '--key'
      ? usageError(`--key must be a note verifier key (name+hash+base64), not "${key}"`)
      : new CliError('BAD_EVIDENCE', `${source} is not a note verifier key`);
  }
};

/** One page of evidence of [from, to) against the checkpoint of `size`, from `cursor` on. */
const fetchEvidencePage = async (
  { client, url }: Connection,
  io: Io,
  query: Record<string, number | undefined>,
) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const response = await reach(url, () => client.call('GET', `/v1/audit/evidence?${search}`));
  const page = evidencePageSchema.safeParse(successBody(response, {}, io));
  if (!page.success) throw untrusted('the exchange answered /v1/audit/evidence with something else');
  return page.data;
};

/** What `audit export --format` writes: an evidence pack (the default), or NDJSON of FHIR R4 AuditEvents. */
const exportFormats = ['evidence', 'fhir'] as const;
type ExportFormat = (typeof exportFormats)[number];

const exportFormatOf = (value: string | undefined): ExportFormat => {
  const format = exportFormats.find((f) => f === (value ?? 'evidence'));
  if (format === undefined) {
    throw usageError(`--format must be one of ${exportFormats.join(', ')}, not "${value}"`);
  }
  return format;
};

/**
 * The evidence of [from, to) of the latest checkpoint, every page of it, verified as `pbx audit verify` verifies
 * a pack: what either format is written from. Nothing the exchange sent is handed on unverified.
 */
const fetchVerifiedEvidence = async (
  values: CommandInput['values'],
  io: Io,
): Promise<{ pack: EvidencePackV2; verified: VerifiedEvidence }> => {
  const from = parseCount('from', values.from) ?? 0;
  const toOption = parseCount('to', values.to);

  const connection = await connect(values, io);
  const { origin, checkpointKey, verifier } = await fetchAuditTrust(connection);
  const trust = { origin, verifier };

  const answer = checkpointSchema.safeParse(
    successBody(await reach(connection.url, () => connection.client.auditCheckpoint()), {}, io),
  );
  if (!answer.success) throw untrusted('the exchange answered /v1/audit/checkpoint with something else');
  const note = answer.data.note;
  // The stated size and root are not used: only the signed note says what the log committed to.
  const { size } = verifyCheckpoint(note, trust);
  const to = toOption ?? size;
  if (from >= to || to > size) {
    throw usageError(
      `the range --from ${from} --to ${to} is empty or beyond the checkpoint's ${size} entries`,
    );
  }
  const first = await fetchEvidencePage(connection, io, { size, from, to });
  if (first.checkpoint.note !== note || first.from !== from || first.to !== to) {
    throw untrusted(
      `the exchange sent evidence of another checkpoint or range than [${from}, ${to}) of ${size}`,
    );
  }
  const leaves: EvidenceLeaf[] = [...first.leaves];
  const tick = countProgress(io, 'leaves', to - from);
  for (let i = 0; i < leaves.length; i += 1) tick();
  let cursor = first.next;
  while (cursor !== undefined) {
    if (cursor !== from + leaves.length) throw untrusted(`the exchange skipped to leaf ${cursor}`);
    const page = await fetchEvidencePage(connection, io, { size, from, to, cursor });
    if (page.checkpoint.note !== note) throw untrusted('the exchange changed the checkpoint between pages');
    leaves.push(...page.leaves);
    for (let i = 0; i < page.leaves.length; i += 1) tick();
    if (page.leaves.length === 0) break;
    cursor = page.next;
  }

  const pack: EvidencePackV2 = {
    format: evidenceFormat,
    origin,
    checkpointKey,
    checkpoint: note,
    from,
    to,
    exportedAt: new Date().toISOString(),
    boundary: first.boundary,
    leaves,
  };
  try {
    return { pack, verified: verifyEvidence(pack, trust) };
  } catch (error) {
    if (error instanceof EvidenceError)
      throw untrusted(`the exchange's answers do not verify: ${error.message}`);
    throw error;
  }
};

/**
 * One FHIR R4 AuditEvent a line for each verified entry (shared/domain/audit/fhir-audit-event.ts), with its leaf
 * hash from the pack; a leaf the caller sees only as its hash has no entry to map and is skipped.
 */
function* fhirLinesOf(pack: EvidencePackV2, verified: VerifiedEvidence): Generator<string> {
  const leafHashes = new Map(pack.leaves.map(({ index, leafHash }) => [index, leafHash]));
  for (const { index, entry } of verified.indexedEntries) {
    const leafHash = leafHashes.get(index);
    const leaf = leafHash === undefined ? { index, entry } : { index, entry, leafHash };
    yield `${JSON.stringify(auditEventOf(leaf, { origin: verified.origin }))}\n`;
  }
}

export const runAuditExport = async ({ values, io }: CommandInput): Promise<void> => {
  const out = values.out;
  if (out === undefined || out === '') throw usageError('missing --out FILE: where to write the export');
  const format = exportFormatOf(values.format);
  const { pack, verified } = await fetchVerifiedEvidence(values, io);
  const file = resolve(io.cwd, out);
  const checkpointLine = `checkpoint of ${verified.origin}: size ${verified.size}, root ${encodeBase64(verified.rootHash)}\n`;
  const range = `[${verified.from}, ${verified.to})`;

  if (format === 'fhir') {
    // Written line by line: a year's log is more text than one string should hold.
    await writeFile(file, fhirLinesOf(pack, verified));
    if (values.json) {
      return printJson(io, {
        format,
        ...summaryOf(verified),
        resources: verified.entries,
        skipped: verified.hashedOnly,
      });
    }
    io.stdout(
      `wrote ${verified.entries} FHIR AuditEvent resources (NDJSON) for leaves ${range} to ${showPath(io, file)}; ` +
        `skipped ${verified.hashedOnly} leaves of other organisations, seen only as leaf hashes\n${checkpointLine}`,
    );
    return;
  }
  await writeFile(file, `${JSON.stringify(pack, null, 2)}\n`);
  if (values.json) return printJson(io, summaryOf(verified));
  io.stdout(
    `wrote ${pack.leaves.length} leaves ${range} to ${showPath(io, file)}: ${verified.entries} entries in ` +
      `full, ${verified.hashedOnly} of other organisations as leaf hashes\n${checkpointLine}`,
  );
};

const summaryOf = (verified: VerifiedEvidence) => ({
  origin: verified.origin,
  size: verified.size,
  rootHash: encodeBase64(verified.rootHash),
  from: verified.from,
  to: verified.to,
  entries: verified.entries,
  hashedOnly: verified.hashedOnly,
  wholeLog: verified.wholeLog,
});

const readPack = async (io: Io, path: string): Promise<unknown> => {
  const file = resolve(io.cwd, path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const shown = showPath(io, file);
    throw new CliError(
      'LOCAL_INPUT',
      errnoOf(error) === 'ENOENT'
        ? `no file ${shown}`
        : `cannot read ${shown} (${errnoOf(error) ?? 'error'})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    // A changed byte can break the JSON itself: that is evidence that does not verify, not a usage error.
    throw new CliError(
      'BAD_EVIDENCE',
      `evidence refused: ${showPath(io, file)} is not JSON (MALFORMED_PACK)`,
    );
  }
};

const stated = (pack: unknown, field: 'format' | 'origin' | 'checkpointKey'): string | undefined => {
  const value =
    typeof pack === 'object' && pack !== null && field in pack ? Reflect.get(pack, field) : undefined;
  return typeof value === 'string' ? value : undefined;
};

const previousOf = (size: number | undefined, root: string | undefined): PreviousCheckpoint | undefined => {
  if (size === undefined && root === undefined) return undefined;
  const rootHash = root === undefined ? undefined : decodeCanonicalBase64(root);
  if (size === undefined || rootHash === undefined || rootHash.length !== 32) {
    throw usageError('--previous-size N and --previous-root B64 (a 32-byte root in base64) go together');
  }
  return { size, rootHash };
};

export const runAuditVerify = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const [path] = operands;
  if (path === undefined) throw usageError('missing FILE: the evidence pack to verify');
  const previous = previousOf(parseCount('previous-size', values['previous-size']), values['previous-root']);
  const pack = await readPack(io, path);

  const format = stated(pack, 'format');
  if (format === undefined || !evidenceFormats.includes(format)) {
    throw new CliError(
      'BAD_EVIDENCE',
      `evidence refused (the pack): UNSUPPORTED_FORMAT: not a ${evidenceFormats.join(' or ')} pack (format: ${format ?? 'none'})`,
    );
  }
  const packKey = stated(pack, 'checkpointKey');
  const key = values.key ?? packKey;
  const origin = values.origin ?? stated(pack, 'origin');
  if (key === undefined || origin === undefined) {
    throw new CliError(
      'BAD_EVIDENCE',
      'evidence refused: the pack names no origin or key; pass --key and --origin',
    );
  }
  if (values.key === undefined) {
    io.stderr(
      `warning: trusting the checkpoint key the pack itself names (${key}). That is only as good as where the\n` +
        "pack came from: pin the exchange's key with --key (from its /.well-known/pbx-exchange, or your records).\n",
    );
  } else if (packKey !== undefined && packKey !== values.key) {
    io.stderr(`note: the pack names another checkpoint key (${packKey}); verifying with --key\n`);
  }

  let verified: VerifiedEvidence;
  try {
    verified = verifyEvidence(
      pack,
      { origin, verifier: verifierOf(key, values.key ? '--key' : "the pack's key") },
      previous,
    );
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    const where = error.entryIndex === undefined ? 'the pack' : `first bad entry: ${error.entryIndex}`;
    throw new CliError('BAD_EVIDENCE', `evidence refused (${where}): ${error.code}: ${error.message}`);
  }
  if (values.json) return printJson(io, summaryOf(verified));
  const shown =
    verified.hashedOnly === 0 ? '' : `; ${verified.hashedOnly} more as leaf hashes, which the root covers`;
  const scope = verified.wholeLog
    ? `the whole log (${verified.entries} entries${shown}, root recomputed)`
    : `entries [${verified.from}, ${verified.to}) of ${verified.size} (${verified.entries} in full${shown})`;
  io.stdout(
    `verified ${scope} of ${verified.origin}\n` +
      `checkpoint size ${verified.size}, root ${encodeBase64(verified.rootHash)}\n`,
  );
};
