import type { AuditLog } from '../../ports/audit-log.ts';
import type { CheckpointStore, CosignatureStore, StoredCosignature } from '../../ports/checkpoint-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, DependencyError, InputError, NotFoundError } from '../errors.ts';
import type { UserRole } from '../registry/registry.ts';
import { newAuditEntry } from './audit-entry.ts';
import { actorOf, auditedAction } from './audited-action.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  MerkleProofError,
  rootAt,
  rootNodes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
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

/** Who may read the whole log for now; scoping reads by organisation is a later step of issue 5. */
export const auditReaderRoles: readonly UserRole[] = ['ig-lead', 'caldicott-guardian', 'dpo', 'operator'];

/** The most leaves one page of `GET /v1/audit/leaves` holds. */
export const maxLeavesPerPage = 1000;

const requireAuditReader = (principal: Principal): void => {
  if (!principal.user?.roles.some((role) => auditReaderRoles.includes(role))) {
    throw new AuthorisationError('NOT_PERMITTED', 'reading the audit log needs an audit reader role', [
      `roles allowed: ${auditReaderRoles.join(', ')}`,
    ]);
  }
};

/**
 * A refused read is a record too (audited-action.ts); an allowed proof read changes nothing and is recorded by the
 * route middleware as `api.answer`, like every answer.
 */
const asReader = <T>(
  deps: AuditReadDeps,
  principal: Principal,
  action: string,
  read: () => Promise<T>,
): Promise<T> =>
  auditedAction(
    deps,
    {
      actor: actorOf(principal),
      action,
      target: { type: 'audit-log', id: deps.origin },
      requestHash: principal.requestHash,
    },
    async () => {
      requireAuditReader(principal);
      return read();
    },
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

export const getLatestCheckpoint = (deps: AuditReadDeps, input: { readonly principal: Principal }) =>
  asReader(deps, input.principal, 'audit.checkpoint.read', async () => {
    const latest = await deps.checkpoints.readLatest();
    if (latest === undefined) throw new NotFoundError('NOT_FOUND', 'no checkpoint has been published yet');
    const cosignatures = await deps.checkpoints.readCosignatures(latest.size);
    return {
      note: withCosignatures(latest, cosignatures),
      size: latest.size,
      rootHash: latest.rootHash,
      origin: deps.origin,
      cosignatures: cosignatures
        .filter((cosignature) => cosignature.rootHash === latest.rootHash)
        .map(({ keyName, witnessKey, recordedAt }) => ({ name: keyName, witnessKey, recordedAt })),
    };
  });

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
 * One page of sequenced entries, exactly as stored, with their leaf hashes; `next` is the index to ask for next
 * while the log goes on. Each call is audited as an export (one entry per call, allowed or refused).
 */
export const listAuditLeaves = (
  deps: AuditReadDeps,
  input: { readonly principal: Principal; readonly from: number; readonly limit: number },
) =>
  asReader(deps, input.principal, 'audit.export', async () => {
    const head = await headOf(deps);
    const leaves = input.from >= head.size ? [] : await deps.log.readLeaves(input.from, input.limit);
    leaves.forEach((leaf, i) => {
      if (leaf.index !== input.from + i) throw inconsistent('leaves');
    });
    const end = input.from + leaves.length;
    await deps.audit.record(
      newAuditEntry(
        {
          actor: actorOf(input.principal),
          action: 'audit.export',
          target: { type: 'audit-log', id: deps.origin },
          outcome: 'allowed',
          requestHash: input.principal.requestHash,
        },
        deps.clock.now(),
      ),
    );
    return {
      leaves: leaves.map((leaf) => ({ index: leaf.index, leafHash: b64(leaf.leafHash), entry: leaf.entry })),
      ...(leaves.length > 0 && end < head.size ? { next: end } : {}),
    };
  });
