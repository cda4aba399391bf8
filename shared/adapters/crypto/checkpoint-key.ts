import { createHash } from 'node:crypto';
import type { NoteSigner } from '../../domain/audit/signed-note.ts';
import { DependencyError } from '../../domain/errors.ts';
import type { CheckpointKeySource } from '../../ports/checkpoint-key-source.ts';
import type { CheckpointVerifierKeyStore } from '../../ports/checkpoint-verifier-key.ts';
import {
  decodeNotePrivateKey,
  encodeNotePrivateKey,
  encodeNoteVerifierKey,
  noteSignerFromPrivateKey,
} from './note-keys.ts';

/**
 * The exchange's checkpoint signing key: an Ed25519 note key named after the exchange id, signing checkpoints of the
 * log whose origin is `<exchangeId>/audit` (c2sp.org/tlog-checkpoint: the origin names the log, the key name names
 * the signer).
 */
export const checkpointOrigin = (exchangeId: string): string => `${exchangeId}/audit`;

export type CheckpointKey = {
  readonly origin: string;
  readonly signer: NoteSigner;
  /** `name+hash+base64(0x01 || public key)`, published in the discovery document for offline verification. */
  readonly verifierKey: string;
};

/**
 * Derives the key from the secret string. An Ed25519 private key is nothing but a 32-byte uniformly random seed
 * (RFC 8032 section 5.1.5), so SHA-256 of a generated random secret (Secrets Manager's GetRandomPassword-style
 * string, or 32 random bytes locally) is a sound seed: the secret store keeps the entropy and the exchange never
 * has to store key material in a key-specific format.
 */
export const checkpointKeyFromSecret = (exchangeId: string, secret: string): CheckpointKey => {
  if (secret.length === 0) throw new TypeError('the checkpoint key secret is empty');
  const seed = new Uint8Array(createHash('sha256').update(secret, 'utf8').digest());
  const privateKey = encodeNotePrivateKey({ name: exchangeId, type: 'ed25519', seed });
  const { publicKey } = decodeNotePrivateKey(privateKey);
  return {
    origin: checkpointOrigin(exchangeId),
    signer: noteSignerFromPrivateKey(privateKey),
    verifierKey: encodeNoteVerifierKey({ name: exchangeId, type: 'ed25519', publicKey }),
  };
};

/** Loads the key once per cold start; a failed load is retried by the next call rather than cached. */
export const lazyCheckpointKey = (exchangeId: string, source: CheckpointKeySource) => {
  let loading: Promise<CheckpointKey> | undefined;
  return (): Promise<CheckpointKey> => {
    loading ??= source.secret().then(
      (secret) => checkpointKeyFromSecret(exchangeId, secret),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
};

/**
 * The checkpoint verifier key as the publisher published it (functions that never hold the signing secret: discovery,
 * cosigning). Cached once found, since it is write-once; until the publisher has first run, 503.
 */
export const publishedVerifierKey = (store: Pick<CheckpointVerifierKeyStore, 'readVerifierKey'>) => {
  let found: string | undefined;
  return async (): Promise<string> => {
    found ??= await store.readVerifierKey();
    if (found === undefined) {
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the checkpoint verifier key is not published yet');
    }
    return found;
  };
};
