import { checkpointOrigin, publishedVerifierKey } from '../adapters/crypto/checkpoint-key.ts';
import { noteVerifierFromKey } from '../adapters/crypto/note-keys.ts';
import type { AuditArchiveReadDeps, AuditReadDeps } from '../domain/audit/audit-proofs.ts';
import type { CosignDeps } from '../domain/audit/cosign-checkpoint.ts';
import { InputError } from '../domain/errors.ts';
import type { WitnessDeps } from '../domain/registry/witnesses.ts';
import type { Runtime } from './runtime.ts';
import {
  checkpointArchive,
  checkpointStore,
  merkleLogStore,
  registryStore,
  registryTable,
} from './stores.ts';

/**
 * What the /v1/audit reads need: the Merkle log and its checkpoints in the audit table (which every signed
 * operation may already append to, for refusals), and the log's origin.
 */
export const auditReadDependencies = (runtime: Runtime): AuditReadDeps => ({
  log: merkleLogStore(runtime),
  checkpoints: checkpointStore(runtime),
  audit: runtime.audit,
  clock: runtime.clock,
  origin: checkpointOrigin(runtime.exchangeId()),
});

/** The audit reads that also use the write-once checkpoint archive (an earlier checkpoint, evidence). */
export const auditArchiveReadDependencies = (runtime: Runtime): AuditArchiveReadDeps => ({
  ...auditReadDependencies(runtime),
  archive: checkpointArchive(runtime),
});

/**
 * What cosigning a checkpoint needs: the checkpoint store, the registered witnesses (registry), and the exchange's
 * own checkpoint verifier key as the publisher published it (the operation never holds the signing secret).
 */
export const cosignDependencies = (runtime: Runtime): CosignDeps => {
  const verifierKey = publishedVerifierKey(checkpointArchive(runtime));
  return {
    checkpoints: checkpointStore(runtime),
    witnesses: registryTable(runtime),
    audit: runtime.audit,
    clock: runtime.clock,
    origin: checkpointOrigin(runtime.exchangeId()),
    logVerifier: async () => noteVerifierFromKey(await verifierKey()),
    witnessVerifier: noteVerifierFromKey,
  };
};

/** What registering and listing witnesses need: the registry table, written with its audit entry. */
export const witnessDependencies = (runtime: Runtime): WitnessDeps => ({
  witnesses: registryStore(runtime),
  audit: runtime.audit,
  clock: runtime.clock,
  logKeyName: runtime.exchangeId(),
  witnessVerifier: noteVerifierFromKey,
});

/** The tree size in a path (`{size}`): 400 INVALID_INPUT if it is not a canonical whole number. */
export const treeSizeOf = (value: string): number => {
  const size = Number(value);
  if (!/^(?:0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(size)) {
    throw new InputError('INVALID_INPUT', 'the size in the path is not a tree size');
  }
  return size;
};
