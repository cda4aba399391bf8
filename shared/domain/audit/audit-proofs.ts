import type { AuditLog } from '../../ports/audit-log.ts';
import type {
  CheckpointArchive,
  CheckpointStore,
  CosignatureStore,
  StoredCosignature,
} from '../../ports/checkpoint-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore, SequencedEntry } from '../../ports/merkle-log-store.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, DependencyError, InputError, NotFoundError } from '../errors.ts';
import type { UserRole } from '../registry/registry.ts';
import { type Audited, newAuditEntry } from './audit-entry.ts';
import { auditedAction, callerFacts } from './audited-action.ts';
import { CheckpointError, parseCheckpoint } from './checkpoint.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  MerkleProofError,
  rangeBoundaryNodes,
  rootAt,
  rootNodes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import { type AuditReadScope, auditReadScopeOf, entryVisibility } from './search.ts';
import { decodeCanonicalBase64, encodeBase64 } from './signed-note.ts';

/**
 * Reading the audit log's checkpoints, proofs and leaves (the signed /v1/audit routes). Every answer comes from
 * stored hashes (merkle.ts) and is checked against the stored root before it is served, so a damaged table fails
 * closed (503) instead of handing a client a proof that cannot verify.
 */
export type AuditReadDeps = {
  readonly log: MerkleLogStore;
  readonly checkpoints: CheckpointStore & Pick<CosignatureStore, 'readCosignatures'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** The log's checkpoint origin, `<exchangeId>/audit`. */
  readonly origin: string;
};

/**
 * Reads that also need the write-once archive of published checkpoints (a checkpoint of an earlier size, and
 * evidence against one).
 */
export type AuditArchiveReadDeps = AuditReadDeps & { readonly archive: Pick<CheckpointArchive, 'read'> };

/**
 * Who may read checkpoints, proofs and leaves: the roles whose read scope (search.ts auditReadScopeOf) is the whole
 * log or their organisation's entries. What each of them sees of an entry is search.ts entryVisibility.
 */
export const auditReaderRoles: readonly UserRole[] = ['ig-lead', 'caldicott-guardian', 'dpo', 'operator'];

/** The most leaves one page of `GET /v1/audit/leaves` holds. */
export const maxLeavesPerPage = 1000;

const requireAuditReader = (principal: Principal): AuditReadScope => {
  const scope = auditReadScopeOf({
    organisationId: principal.organisationId,
    roles: principal.user?.roles ?? [],
  });
  if (scope === undefined) {
    throw new AuthorisationError('NOT_PERMITTED', 'reading the audit log needs an audit reader role', [
      `roles allowed: ${auditReaderRoles.join(', ')}`,
    ]);
  }
  return scope;
};

/**
 * A refused read is a record too (audited-action.ts); an allowed proof read changes nothing and is recorded by the
 * route middleware as `api.answer`, like every answer.
 */
const asReader = <T>(
  deps: AuditReadDeps,
  principal: Principal,
  action: string,
  read: (scope: AuditReadScope) => Promise<T>,
): Promise<T> =>
  auditedAction(
    deps,
    {
      ...callerFacts(principal),
      action,
      target: { type: 'audit-log', id: deps.origin },
    },
    async () => read(requireAuditReader(principal)),
  );

/** Stored state that does not reproduce its own root is the exchange's fault: fail closed. */
const inconsistent = (what: string) =>
  new DependencyError('DEPENDENCY_UNAVAILABLE', `the audit log's stored ${what} is inconsistent`);

const checked = (what: string, check: () => void): void => {
  try {
    check();
  } catch (error) {
    if (error instanceof MerkleProofError) throw inconsistent(what);
    throw error;
  }
};

const b64 = (bytes: Uint8Array) => encodeBase64(bytes);

const headOf = async (deps: AuditReadDeps) => {
  const head = await deps.log.readTreeHead();
  const root = head === undefined ? undefined : decodeCanonicalBase64(head.rootHash);
  if (head !== undefined && root === undefined) throw inconsistent('tree head');
  return { size: head?.size ?? 0, root };
};

/** The root of the tree of `size` leaves (size <= the head's), from stored nodes. */
const rootOfSize = async (deps: AuditReadDeps, size: number): Promise<Uint8Array> =>
  rootAt(size, await deps.log.readNodes(rootNodes(size)));

const latestCheckpointSize = async (deps: AuditReadDeps): Promise<number> => {
  const latest = await deps.checkpoints.readLatest();
  if (latest === undefined) throw new NotFoundError('NOT_FOUND', 'no checkpoint has been published yet');
  return latest.size;
};

const requireWithin = (name: string, value: number, size: number) => {
  if (value > size) {
    throw new InputError('INVALID_INPUT', `${name} is beyond the log`, [`${name} must be at most ${size}`]);
  }
};

/**
 * The published note with every stored cosignature line appended (c2sp.org/signed-note allows any number of
 * signature lines; c2sp.org/tlog-cosignature lines sit beside the log's). Lines of another root are dropped:
 * the store's conditional write makes them impossible, and this keeps a damaged table from showing one.
 */
export const withCosignatures = (
  published: { readonly note: string; readonly rootHash: string },
  cosignatures: readonly StoredCosignature[],
): string =>
  published.note +
  cosignatures
    .filter((cosignature) => cosignature.rootHash === published.rootHash)
    .sort((a, b) => a.keyName.localeCompare(b.keyName))
    .map((cosignature) => cosignature.line)
    .join('');

const checkpointView = (
  deps: AuditReadDeps,
  published: { readonly note: string; readonly size: number; readonly rootHash: string },
  cosignatures: readonly StoredCosignature[],
) => ({
  note: withCosignatures(published, cosignatures),
  size: published.size,
  rootHash: published.rootHash,
  origin: deps.origin,
  cosignatures: cosignatures
    .filter((cosignature) => cosignature.rootHash === published.rootHash)
    .map(({ keyName, witnessKey, recordedAt }) => ({ name: keyName, witnessKey, recordedAt })),
});

export const getLatestCheckpoint = (deps: AuditReadDeps, input: { readonly principal: Principal }) =>
  asReader(deps, input.principal, 'audit.checkpoint.read', async () => {
    const latest = await deps.checkpoints.readLatest();
    if (latest === undefined) throw new NotFoundError('NOT_FOUND', 'no checkpoint has been published yet');
    return checkpointView(deps, latest, await deps.checkpoints.readCosignatures(latest.size));
  });

/** The note's text: everything up to the blank line before its signature lines (c2sp.org/signed-note). */
const noteText = (note: string): string => note.slice(0, note.indexOf('\n\n') + 1);

/**
 * The checkpoint published for `size`, from the write-once archive (every size the exchange ever signed), with
 * the cosignatures stored for it; 404 NOT_FOUND if none was published for that size. The note is served as
 * archived: its signature is what a reader checks, so the exchange only checks that it states this size.
 */
const archivedCheckpoint = async (deps: AuditArchiveReadDeps, size: number) => {
  const note = await deps.archive.read(size);
  if (note === undefined) {
    throw new NotFoundError('NOT_FOUND', 'no checkpoint was published for that size');
  }
  let stated: { size: number; rootHash: Uint8Array };
  try {
    stated = parseCheckpoint(noteText(note));
  } catch (error) {
    if (error instanceof CheckpointError) throw inconsistent('checkpoint archive');
    throw error;
  }
  if (stated.size !== size) throw inconsistent('checkpoint archive');
  const published = { note, size, rootHash: b64(stated.rootHash) };
  return checkpointView(deps, published, await deps.checkpoints.readCosignatures(size));
};

/** `GET /v1/audit/checkpoint[?size=N]`: the latest checkpoint, or the one published for an earlier size. */
export const getCheckpoint = (
  deps: AuditArchiveReadDeps,
  input: { readonly principal: Principal; readonly size?: number | undefined },
) => {
  const { size } = input;
  return size === undefined
    ? getLatestCheckpoint(deps, input)
    : asReader(deps, input.principal, 'audit.checkpoint.read', () => archivedCheckpoint(deps, size));
};

export const getInclusionProof = (
  deps: AuditReadDeps,
  input: { readonly principal: Principal; readonly index: number; readonly size?: number | undefined },
) =>
  asReader(deps, input.principal, 'audit.proof.read', async () => {
    const head = await headOf(deps);
    const size = input.size ?? (await latestCheckpointSize(deps));
    requireWithin('size', size, head.size);
    if (input.index >= size) {
      throw new InputError('INVALID_INPUT', 'the index is outside the tree', [
        'index must be less than size',
      ]);
    }
    const [leaf] = await deps.log.readLeaves(input.index, 1);
    if (leaf === undefined || leaf.index !== input.index) throw inconsistent('leaves');
    const proof = inclusionProof(
      input.index,
      size,
      await deps.log.readNodes(inclusionProofNodes(input.index, size)),
    );
    const root = await rootOfSize(deps, size);
    checked('nodes', () => verifyInclusion(leaf.leafHash, input.index, size, proof, root));
    return { index: input.index, size, leafHash: b64(leaf.leafHash), proof: proof.map(b64) };
  });

export const getConsistencyProof = (
  deps: AuditReadDeps,
  input: { readonly principal: Principal; readonly from: number; readonly to?: number | undefined },
) =>
  asReader(deps, input.principal, 'audit.proof.read', async () => {
    const head = await headOf(deps);
    const to = input.to ?? (await latestCheckpointSize(deps));
    requireWithin('to', to, head.size);
    requireWithin('from', input.from, to);
    const proof = consistencyProof(
      input.from,
      to,
      await deps.log.readNodes(consistencyProofNodes(input.from, to)),
    );
    const [root1, root2] = [await rootOfSize(deps, input.from), await rootOfSize(deps, to)];
    checked('nodes', () => verifyConsistency(input.from, to, proof, root1, root2));
    return { from: input.from, to, proof: proof.map(b64) };
  });

/**
 * What a scope sees of one leaf: its index and hash always, the entry only where entryVisibility says `full`
 * (search.ts). A leaf hash says nothing of the entry, yet is all inclusion and consistency need.
 */
export const leafView = (leaf: SequencedEntry, scope: AuditReadScope) => ({
  index: leaf.index,
  leafHash: b64(leaf.leafHash),
  ...(entryVisibility(leaf.entry, scope) === 'full' ? { entry: leaf.entry } : {}),
});

/**
 * Records one allowed `audit.export` (a page of leaves or of evidence): one entry per page, never per leaf. Returns
 * the entry committed.
 */
const recordExport = async (deps: AuditReadDeps, principal: Principal): Promise<Audited> => {
  const entry = newAuditEntry(
    {
      ...callerFacts(principal),
      action: 'audit.export',
      target: { type: 'audit-log', id: deps.origin },
      outcome: 'allowed',
    },
    deps.clock.now(),
  );
  await deps.audit.record(entry);
  return { audited: [entry] };
};

/**
 * One page of sequenced entries, as the caller's scope sees them, with their leaf hashes; `next` is the index to ask for next
 * while the log goes on. Each call is audited as an export (one entry per call, allowed or refused).
 */
export const listAuditLeaves = (
  deps: AuditReadDeps,
  input: { readonly principal: Principal; readonly from: number; readonly limit: number },
) =>
  asReader(deps, input.principal, 'audit.export', async (scope) => {
    const head = await headOf(deps);
    const leaves = input.from >= head.size ? [] : await deps.log.readLeaves(input.from, input.limit);
    leaves.forEach((leaf, i) => {
      if (leaf.index !== input.from + i) throw inconsistent('leaves');
    });
    const end = input.from + leaves.length;
    const { audited } = await recordExport(deps, input.principal);
    return {
      page: {
        leaves: leaves.map((leaf) => leafView(leaf, scope)),
        ...(leaves.length > 0 && end < head.size ? { next: end } : {}),
      },
      audited,
    };
  });

/**
 * The most leaves one page of `GET /v1/audit/evidence` holds, and its budget in serialised bytes: 4 MB leaves room
 * under Lambda's 6 MB answer for the checkpoint, the boundary and the escaping of the body in the proxy envelope.
 */
export const maxEvidenceLeavesPerPage = 50_000;
const maxEvidenceBytesPerPage = 4_000_000;
const evidenceReadChunk = 1000;

/**
 * One page of evidence for the leaves [from, to) against the published checkpoint of `size` (the latest when
 * omitted): the checkpoint as archived, the hashes of the perfect subtrees outside the range
 * (merkle.ts rangeBoundaryNodes), and from `cursor` on, every leaf as the caller's scope sees it (leafView), up
 * to a page's budget (well under Lambda's 6 MB answer); `next` is the cursor of the next page. With every page's
 * leaves a verifier recomputes the checkpoint's root (merkle.ts rootFromRange): hashes of others' entries are
 * enough. Each page is one `audit.export` entry, however many leaves it holds.
 */
export const getAuditEvidence = (
  deps: AuditArchiveReadDeps,
  input: {
    readonly principal: Principal;
    readonly size?: number | undefined;
    readonly from?: number | undefined;
    readonly to?: number | undefined;
    readonly cursor?: number | undefined;
  },
) =>
  asReader(deps, input.principal, 'audit.export', async (scope) => {
    const size = input.size ?? (await latestCheckpointSize(deps));
    const head = await headOf(deps);
    requireWithin('size', size, head.size);
    const from = input.from ?? 0;
    const to = input.to ?? size;
    const cursor = input.cursor ?? from;
    if (from >= to || to > size || cursor < from || cursor >= to) {
      throw new InputError('INVALID_INPUT', 'the range is empty or beyond the tree', [
        'from < to <= size, and from <= cursor < to',
      ]);
    }
    const checkpoint = await archivedCheckpoint(deps, size);
    const boundaryIds = rangeBoundaryNodes(from, to, size);
    const nodes = await deps.log.readNodes(boundaryIds);
    const boundary = boundaryIds.map(({ level, index }) => b64(nodes.node(level, index)));

    const leaves: ReturnType<typeof leafView>[] = [];
    let bytes = 0;
    let at = cursor;
    while (at < to && leaves.length < maxEvidenceLeavesPerPage && bytes < maxEvidenceBytesPerPage) {
      const chunk = await deps.log.readLeaves(at, Math.min(evidenceReadChunk, to - at));
      if (chunk.length === 0) throw inconsistent('leaves');
      for (const leaf of chunk) {
        if (leaf.index !== at) throw inconsistent('leaves');
        const view = leafView(leaf, scope);
        leaves.push(view);
        bytes += JSON.stringify(view).length;
        at += 1;
        if (leaves.length >= maxEvidenceLeavesPerPage || bytes >= maxEvidenceBytesPerPage) break;
      }
    }
    const { audited } = await recordExport(deps, input.principal);
    return { page: { checkpoint, from, to, boundary, leaves, ...(at < to ? { next: at } : {}) }, audited };
  });
