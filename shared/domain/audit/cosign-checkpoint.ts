import type { AuditLog } from '../../ports/audit-log.ts';
import type { CosignatureStore, StoredCosignature } from '../../ports/checkpoint-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { WitnessReader } from '../../ports/witness-registry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, InputError, NotFoundError } from '../errors.ts';
import { witnessManagerRole } from '../registry/witnesses.ts';
import { type Audited, newAuditEntry } from './audit-entry.ts';
import { auditedAction, callerFacts } from './audited-action.ts';
import { CheckpointError, verifyCheckpoint } from './checkpoint.ts';
import { encodeBase64, keyIdHex, NoteError, type NoteVerifier } from './signed-note.ts';

/**
 * A witness's cosignature of a published checkpoint (c2sp.org/tlog-cosignature), sent back to the exchange so that
 * `GET /v1/audit/checkpoint` shows it beside the log's own signature.
 *
 * Only a registered witness may cosign (`POST /v1/audit/witnesses`, shared/domain/registry/witnesses.ts): the line
 * must be under the witness's own registered name and verify with its registered key, and the caller must be an IG
 * lead of the organisation that registered it. So a cosignature shows that this organisation's witness saw the
 * checkpoint, and no organisation can cosign under another's name. The key is stored with the line so that any
 * reader can check it too.
 */
export type CosignDeps = {
  readonly checkpoints: CosignatureStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** The log's checkpoint origin, `<exchangeId>/audit`. */
  readonly origin: string;
  /** The exchange's own checkpoint verifier, from its published public key (never the signing secret). */
  readonly logVerifier: () => Promise<NoteVerifier>;
  /** The registered witnesses. */
  readonly witnesses: Pick<WitnessReader, 'getWitness'>;
  /** Decodes a note verifier key string (`name+hash+base64`); throws a NoteError if it is not one. */
  readonly witnessVerifier: (witnessKey: string) => NoteVerifier;
};

export type CosignInput = {
  readonly principal: Principal;
  /** The size in the path: the checkpoint the caller means to cosign. */
  readonly size: number;
  /** The exchange's checkpoint note with the witness's cosignature line added. */
  readonly note: string;
  /** The witness's verifier key, as registered. */
  readonly witnessKey: string;
};

export type CosignResult = {
  readonly size: number;
  readonly rootHash: string;
  readonly witness: string;
  readonly witnessKey: string;
};

/** The signed-note signature line of one signature (c2sp.org/signed-note "Format"): em dash, name, key ID || sig. */
const signatureLine = (name: string, keyId: Uint8Array, signature: Uint8Array): string => {
  const bytes = new Uint8Array(keyId.length + signature.length);
  bytes.set(keyId, 0);
  bytes.set(signature, keyId.length);
  return `\u2014 ${name} ${encodeBase64(bytes)}\n`;
};

/** Note and checkpoint errors here are the caller's input that did not verify: 400, with the precise code. */
const asInput = <T>(what: string, check: () => T): T => {
  try {
    return check();
  } catch (error) {
    if (error instanceof NoteError || error instanceof CheckpointError) {
      throw new InputError('INVALID_INPUT', `the ${what} does not verify`, [error.code]);
    }
    throw error;
  }
};

const sameKey = (a: Pick<NoteVerifier, 'name' | 'keyId'>, b: Pick<NoteVerifier, 'name' | 'keyId'>) =>
  a.name === b.name && keyIdHex(a.keyId) === keyIdHex(b.keyId);

/**
 * Verifies and stores a witness's cosignature: the log's own signature must verify (the exchange never keeps a line
 * under a note it did not sign), the checkpoint must be the one published for `size` with the same root, and the
 * witness's line must verify with the given key. One line per witness key name; a re-cosign replaces the older.
 * Audited as `audit.checkpoint.cosign`, in the same transaction as the stored line.
 */
export const cosignPublishedCheckpoint = (
  deps: CosignDeps,
  input: CosignInput,
): Promise<{ cosigned: CosignResult } & Audited> =>
  auditedAction(
    deps,
    {
      ...callerFacts(input.principal),
      action: 'audit.checkpoint.cosign',
      target: { type: 'audit-checkpoint', id: `${deps.origin}/${input.size}` },
    },
    async () => {
      if (!input.principal.user?.roles.includes(witnessManagerRole)) {
        throw new AuthorisationError('NOT_PERMITTED', "a witness's cosignature is sent by its IG lead", [
          `role needed: ${witnessManagerRole}`,
        ]);
      }
      const witness = asInput('witness key', () => deps.witnessVerifier(input.witnessKey));
      const log = await deps.logVerifier();
      if (sameKey(witness, log)) {
        throw new InputError('INVALID_INPUT', "the log's own key is not a witness", ['NOT_A_WITNESS']);
      }
      const registered = await deps.witnesses.getWitness(witness.name);
      if (registered === undefined) {
        throw new AuthorisationError('WITNESS_NOT_REGISTERED', `no witness ${witness.name} is registered`, [
          'an IG lead registers their witness first: POST /v1/audit/witnesses',
        ]);
      }
      if (registered.organisationId !== input.principal.organisationId) {
        throw new AuthorisationError(
          'WITNESS_NOT_OF_ORGANISATION',
          "the witness is another organisation's: only its own IG lead cosigns with it",
        );
      }
      if (registered.verifierKey !== input.witnessKey) {
        throw new AuthorisationError(
          'WITNESS_KEY_MISMATCH',
          'the key is not the one registered under this witness name',
        );
      }
      const verified = asInput('checkpoint', () =>
        verifyCheckpoint(input.note, { origin: deps.origin, verifier: log, witnesses: [witness] }),
      );
      if (verified.size !== input.size) {
        throw new InputError('INVALID_INPUT', 'the note is a checkpoint of another size', ['SIZE_MISMATCH']);
      }
      const cosignature = verified.cosignatures.find(
        (signature) => signature.verified && sameKey(signature, witness),
      );
      if (cosignature === undefined) {
        throw new InputError('INVALID_INPUT', "the note has no line by the witness's key", [
          'NO_COSIGNATURE',
        ]);
      }
      const published = await deps.checkpoints.readBySize(input.size);
      if (published === undefined) {
        throw new NotFoundError('NOT_FOUND', `no checkpoint of size ${input.size} is published`);
      }
      const rootHash = encodeBase64(verified.rootHash);
      if (published.rootHash !== rootHash) {
        // Two roots the log signed for one size: a split view, or a note from another deployment of the key.
        throw new ConflictError('CONFLICT', 'the published checkpoint of this size has another root');
      }
      const now = deps.clock.now();
      const stored: StoredCosignature = {
        size: input.size,
        rootHash,
        keyName: witness.name,
        witnessKey: input.witnessKey,
        line: signatureLine(cosignature.name, cosignature.keyId, cosignature.signature),
        recordedAt: now.toISOString(),
      };
      const entry = newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'audit.checkpoint.cosign',
          target: { type: 'audit-checkpoint', id: `${deps.origin}/${input.size}` },
          outcome: 'allowed',
        },
        now,
      );
      const recorded = await deps.checkpoints.recordCosignature(stored, entry);
      if (!recorded) throw new ConflictError('CONFLICT', 'the checkpoint changed while cosigning');
      return {
        cosigned: { size: input.size, rootHash, witness: witness.name, witnessKey: input.witnessKey },
        audited: [entry],
      };
    },
  );
