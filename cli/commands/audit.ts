import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import { verifyCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { decodeCanonicalBase64, encodeBase64, type NoteVerifier } from '#shared/domain/audit/signed-note.ts';
import {
  EvidenceError,
  type EvidencePack,
  evidenceFormat,
  type PreviousCheckpoint,
  type VerifiedEvidence,
  verifyEvidence,
} from '#shared/domain/audit/verify-evidence.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, type Io, printJson, showPath } from './command.ts';
import { type Connection, connect, fetchAuditTrust, reach, successBody, untrusted } from './connect.ts';
import { countProgress } from './progress.ts';

/**
 * `pbx audit export` and `pbx audit verify`: evidence packs of the audit log (shared/domain/audit/verify-evidence.ts).
 *
 * Export fetches an inclusion proof for every entry, whole-log exports included. That costs one request per entry,
 * but it is what lets `verify` name the first bad entry of any pack: a whole-log root recomputation alone says only
 * that something, somewhere, changed. Whole-log packs are checked both ways.
 */

/** The most leaves the exchange returns per page. */
const pageSize = 1000;
/** Proof requests in flight at once. */
const proofConcurrency = 8;

const checkpointSchema = z.looseObject({ note: z.string().min(1) });
const leavesSchema = z.object({
  leaves: z.array(z.object({ index: z.number().int().nonnegative(), entry: z.unknown() })),
  next: z.number().int().nonnegative().optional(),
});
const inclusionSchema = z.looseObject({ proof: z.array(z.string()) });

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

/** Runs `task` over `items` with at most `limit` in flight, in order of results. */
const mapLimited = async <T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

const fetchLeaves = async (
  { client, url }: Connection,
  io: Io,
  from: number,
  to: number,
): Promise<{ index: number; entry: unknown }[]> => {
  const leaves: { index: number; entry: unknown }[] = [];
  const tick = countProgress(io, 'entries', to - from);
  let cursor: number | undefined = from;
  while (cursor !== undefined && cursor < to) {
    const at: number = cursor;
    const response = await reach(url, () => client.auditLeaves(at, Math.min(pageSize, to - at)));
    const page = leavesSchema.safeParse(successBody(response, {}, io));
    if (!page.success) throw untrusted('the exchange answered /v1/audit/leaves with something else');
    for (const leaf of page.data.leaves) {
      if (leaf.index >= to) break;
      if (leaf.index !== from + leaves.length) {
        throw untrusted(`the exchange sent leaf ${leaf.index} where ${from + leaves.length} belongs`);
      }
      leaves.push(leaf);
      tick();
    }
    if (page.data.leaves.length === 0) break;
    cursor = page.data.next;
  }
  if (leaves.length !== to - from) {
    throw untrusted(`the exchange sent ${leaves.length} of the ${to - from} entries asked for`);
  }
  return leaves;
};

export const runAuditExport = async ({ values, io }: CommandInput): Promise<void> => {
  const out = values.out;
  if (out === undefined || out === '') throw usageError('missing --out FILE: where to write the pack');
  const from = parseCount('from', values.from) ?? 0;
  const toOption = parseCount('to', values.to);

  const connection = await connect(values, io);
  const { client, url } = connection;
  const { origin, checkpointKey, verifier } = await fetchAuditTrust(connection);
  const trust = { origin, verifier };

  const answer = checkpointSchema.safeParse(
    successBody(await reach(url, () => client.auditCheckpoint()), {}, io),
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

  const leaves = await fetchLeaves(connection, io, from, to);
  const tick = countProgress(io, 'proofs', leaves.length);
  const entries = await mapLimited(leaves, proofConcurrency, async ({ index, entry }) => {
    const response = await reach(url, () => client.auditInclusionProof(index, size));
    const parsed = inclusionSchema.safeParse(successBody(response, {}, io));
    if (!parsed.success)
      throw untrusted(`the exchange answered the proof of entry ${index} with something else`);
    tick();
    return { index, entry, proof: parsed.data.proof };
  });

  const pack: EvidencePack = {
    format: evidenceFormat,
    origin,
    checkpointKey,
    checkpoint: note,
    from,
    to,
    exportedAt: new Date().toISOString(),
    entries,
  };
  // What the exchange sent must verify before it is handed on as evidence.
  let verified: VerifiedEvidence;
  try {
    verified = verifyEvidence(pack, trust);
  } catch (error) {
    if (error instanceof EvidenceError)
      throw untrusted(`the exchange's answers do not verify: ${error.message}`);
    throw error;
  }
  const file = resolve(io.cwd, out);
  await writeFile(file, `${JSON.stringify(pack, null, 2)}\n`);
  if (values.json) return printJson(io, summaryOf(verified));
  io.stdout(
    `wrote ${entries.length} entries [${from}, ${to}) with inclusion proofs to ${showPath(io, file)}\n` +
      `checkpoint of ${origin}: size ${size}, root ${encodeBase64(verified.rootHash)}\n`,
  );
};

const summaryOf = (verified: VerifiedEvidence) => ({
  origin: verified.origin,
  size: verified.size,
  rootHash: encodeBase64(verified.rootHash),
  from: verified.from,
  to: verified.to,
  entries: verified.entries,
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
  if (format !== evidenceFormat) {
    throw new CliError(
      'BAD_EVIDENCE',
      `evidence refused (the pack): UNSUPPORTED_FORMAT: not a ${evidenceFormat} pack (format: ${format ?? 'none'})`,
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
  const scope = verified.wholeLog
    ? `the whole log (${verified.entries} entries, root recomputed)`
    : `entries [${verified.from}, ${verified.to}) of ${verified.size}`;
  io.stdout(
    `verified ${scope} of ${verified.origin}\n` +
      `checkpoint size ${verified.size}, root ${encodeBase64(verified.rootHash)}\n`,
  );
};
