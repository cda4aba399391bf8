import type { PbxClient } from '#client/pbx-client.ts';
// The note verifier is crypto only (node:crypto Ed25519), no table: the console checks what the exchange sent, as
// `pbx audit export` does, before handing it on as evidence.
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import { verifyCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import {
  EvidenceError,
  type EvidenceLeaf,
  type EvidencePackV2,
  evidenceFormat,
  type VerifiedEvidence,
  verifyEvidence,
} from '#shared/domain/audit/verify-evidence.ts';
import type { FormError } from './audit-view.ts';
import { FormProblems } from './forms.ts';

/**
 * The evidence pack a person downloads: the same `pbx-audit-evidence/v2` pack as `pbx audit export` writes
 * (docs/AUDIT.md "Evidence packs"), built from the pages of `GET /v1/audit/evidence` and verified here against
 * the exchange's published checkpoint key before it is handed on.
 */

export type EvidenceRange = { readonly first: number; readonly last: number };

export type EvidenceRangeForm = {
  readonly values: { readonly first: string; readonly last: string };
  readonly errors: readonly FormError[];
  readonly fieldErrors: Readonly<Record<string, string>>;
  /** The range, when both fields are given and right; undefined means the whole log (no fields) or errors. */
  readonly range: EvidenceRange | undefined;
  /** Whether the person asked for anything (a field was given). */
  readonly given: boolean;
};

const whole = /^(?:0|[1-9]\d{0,15})$/;

/**
 * The range form: the first and last entry numbers (leaf indices, both included), each a whole number, the last
 * not before the first and both within the published checkpoint's `size` entries. No fields: the whole log.
 */
export const parseEvidenceRange = (
  query: Readonly<Record<string, string | undefined>>,
  size: number,
): EvidenceRangeForm => {
  const values = { first: (query.first ?? '').trim(), last: (query.last ?? '').trim() };
  const given = values.first !== '' || values.last !== '';
  const fieldErrors: Record<string, string> = {};
  if (!given) return { values, errors: [], fieldErrors, range: undefined, given };
  const number = (field: 'first' | 'last', name: string): number | undefined => {
    const value = values[field];
    if (value === '') {
      fieldErrors[field] = `Enter the ${name} entry number`;
      return undefined;
    }
    if (!whole.test(value) || !Number.isSafeInteger(Number(value))) {
      fieldErrors[field] = `The ${name} entry number must be a whole number, like 120`;
      return undefined;
    }
    const n = Number(value);
    if (n >= size) {
      fieldErrors[field] =
        size === 0
          ? 'No checkpoint of the log holds any entries yet'
          : `The ${name} entry number must be ${size - 1} or lower: the latest checkpoint holds entries 0 to ${size - 1}`;
      return undefined;
    }
    return n;
  };
  const first = number('first', 'first');
  const last = number('last', 'last');
  if (first !== undefined && last !== undefined && last < first) {
    fieldErrors.last = 'The last entry number must be the same as or after the first';
  }
  const errors = FormProblems.inPageOrder(fieldErrors, ['first', 'last']);
  return {
    values,
    errors,
    fieldErrors,
    range: errors.length === 0 && first !== undefined && last !== undefined ? { first, last } : undefined,
    given,
  };
};

/** A refusal or answer of the exchange the pack cannot be built from: the handler shows the refusal. */
export class EvidenceUnavailable extends Error {
  constructor(readonly response: { status: number; body: unknown }) {
    super('the exchange did not give the evidence');
    this.name = 'EvidenceUnavailable';
  }
}

/** The exchange's audit trust: its log's origin and checkpoint key, from its discovery document. */
export const auditTrustOf = async (exchange: PbxClient) => {
  const discovery = await exchange.invoke('GetDiscovery');
  if (discovery.status !== 200) throw new Error('the exchange did not answer its discovery');
  const { origin, checkpointKey } = discovery.body.audit;
  return { origin, checkpointKey, verifier: noteVerifierFromKey(checkpointKey) };
};

/**
 * The latest checkpoint's size, verified against the published key: the entries a pack can cover. Before the
 * first checkpoint is published the exchange answers 404: no entries can be in a pack yet (size 0).
 */
export const latestCheckpoint = async (exchange: PbxClient) => {
  const trust = await auditTrustOf(exchange);
  const answer = await exchange.auditCheckpoint();
  if (answer.status === 404) return { trust, note: undefined, size: 0 };
  if (answer.status !== 200) throw new EvidenceUnavailable(answer);
  const note = answer.body.note;
  const { size } = verifyCheckpoint(note, trust);
  return { trust, note, size };
};

/**
 * The pack of leaves [from, to) against the latest checkpoint, paged as the exchange gives it, verified. A
 * pack that does not verify is never handed on (the handler reports a problem with the service).
 */
export const buildEvidencePack = async (
  exchange: PbxClient,
  range: { readonly from: number; readonly to: number } | undefined,
  now: Date,
): Promise<{ pack: EvidencePackV2; verified: VerifiedEvidence }> => {
  const { trust, note, size } = await latestCheckpoint(exchange);
  if (note === undefined) throw new Error('no checkpoint is published yet: there is no evidence to give');
  const from = range?.from ?? 0;
  const to = range?.to ?? size;
  const page = async (cursor: number | undefined) => {
    const answer = await exchange.invoke('GetAuditEvidence', {
      query: { size, from, to, ...(cursor === undefined ? {} : { cursor }) },
    });
    if (answer.status !== 200) throw new EvidenceUnavailable(answer);
    if (answer.body.checkpoint.note !== note)
      throw new Error('the exchange changed the checkpoint between pages');
    return answer.body;
  };
  const first = await page(undefined);
  if (first.from !== from || first.to !== to) throw new Error('the exchange sent evidence of another range');
  const leaves: EvidenceLeaf[] = [...first.leaves];
  let cursor = first.next;
  while (cursor !== undefined) {
    if (cursor !== from + leaves.length) throw new Error(`the exchange skipped to leaf ${cursor}`);
    const next = await page(cursor);
    if (next.leaves.length === 0) break;
    leaves.push(...next.leaves);
    cursor = next.next;
  }
  const pack: EvidencePackV2 = {
    format: evidenceFormat,
    origin: trust.origin,
    checkpointKey: trust.checkpointKey,
    checkpoint: note,
    from,
    to,
    exportedAt: now.toISOString(),
    boundary: first.boundary,
    leaves,
  };
  try {
    return { pack, verified: verifyEvidence(pack, trust) };
  } catch (error) {
    if (error instanceof EvidenceError) {
      throw new Error(`the exchange's evidence does not verify: ${error.code}`);
    }
    throw error;
  }
};

/** The file name of a pack: what it covers, so two downloads do not overwrite each other. */
export const evidenceFileName = (from: number, to: number, size: number): string =>
  `pbx-audit-evidence-${from}-${to - 1}-of-${size}.json`;
