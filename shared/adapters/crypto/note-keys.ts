import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import {
  cosignatureV1Message,
  maxCosignatureTimestamp,
  parseCheckpoint,
  splitTimestampedSignature,
} from '../../domain/audit/checkpoint.ts';
import {
  decodeCanonicalBase64,
  encodeBase64,
  isValidKeyName,
  keyIdHex,
  NoteError,
  type NoteSigner,
  type NoteVerifier,
} from '../../domain/audit/signed-note.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';

/**
 * Ed25519 keys for signed notes, with node:crypto, in the text encodings of golang.org/x/mod/sumdb/note:
 * a verifier key `name+hex(key ID)+base64(type || public key)` (c2sp.org/signed-note "Verifier keys") and a private
 * key `PRIVATE+KEY+name+hex(key ID)+base64(type || seed)`. The key ID is SHA-256(name || 0x0A || type || public
 * key)[:4] (signed-note "Signatures").
 *
 * Two signature types: 0x01, plain Ed25519 over the note text (the log signs checkpoints with it, and
 * sumdb/note-era witnesses cosign with it); and 0x04, timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature),
 * which say when the witness saw the checkpoint and are what transparency-dev witnesses produce.
 */

export const noteKeyTypes = { ed25519: 0x01, cosignatureV1: 0x04 } as const;
export type NoteKeyType = keyof typeof noteKeyTypes;

const typeOf = (byte: number | undefined): NoteKeyType | undefined =>
  byte === noteKeyTypes.ed25519
    ? 'ed25519'
    : byte === noteKeyTypes.cosignatureV1
      ? 'cosignatureV1'
      : undefined;

const ed25519KeyBytes = 32;
const ed25519SignatureBytes = 64;
// DER prefixes of an Ed25519 SubjectPublicKeyInfo and PKCS #8 private key (RFC 8410 sections 4 and 7).
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/** signed-note: key ID = SHA-256(key name || 0x0A || signature type || public key)[:4]. */
export const computeNoteKeyId = (name: string, type: NoteKeyType, publicKey: Uint8Array): Uint8Array =>
  new Uint8Array(
    createHash('sha256')
      .update(name, 'utf8')
      .update(Uint8Array.of(0x0a, noteKeyTypes[type]))
      .update(publicKey)
      .digest()
      .subarray(0, 4),
  );

export type NoteVerifierKey = {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly type: NoteKeyType;
  readonly publicKey: Uint8Array;
};
export type NotePrivateKey = NoteVerifierKey & { readonly seed: Uint8Array };

const malformedKey = () => new NoteError('MALFORMED_KEY', 'malformed note key');

/** Splits at the first `count` pluses; the last part (base64) may itself contain pluses. */
const cut = (text: string, count: number): string[] | undefined => {
  const parts: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) return undefined;
    parts.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  return [...parts, rest];
};

/** Name, key ID and typed key material: the part common to both encodings. */
const decodeKeyParts = (name: string | undefined, hash16: string | undefined, key64: string | undefined) => {
  const material = key64 === undefined ? undefined : decodeCanonicalBase64(key64);
  if (
    name === undefined ||
    !isValidKeyName(name) ||
    hash16 === undefined ||
    !/^[0-9a-fA-F]{8}$/.test(hash16) ||
    material === undefined ||
    material.length === 0
  ) {
    throw malformedKey();
  }
  const type = typeOf(material[0]);
  if (type === undefined) throw new NoteError('UNSUPPORTED_KEY_TYPE', 'unsupported note key type');
  const key = material.slice(1);
  if (key.length !== ed25519KeyBytes) throw malformedKey();
  return { name, keyId: new Uint8Array(Buffer.from(hash16, 'hex')), type, key };
};

const checkKeyId = (keyId: Uint8Array, name: string, type: NoteKeyType, publicKey: Uint8Array) => {
  if (keyIdHex(keyId) !== keyIdHex(computeNoteKeyId(name, type, publicKey))) {
    throw new NoteError('KEY_HASH_MISMATCH', 'the key ID does not match the key');
  }
};

const typed = (type: NoteKeyType, key: Uint8Array) => Uint8Array.of(noteKeyTypes[type], ...key);

const checkName = (name: string) => {
  if (!isValidKeyName(name)) throw new NoteError('MALFORMED_KEY', 'invalid note key name');
};

export const encodeNoteVerifierKey = (key: Omit<NoteVerifierKey, 'keyId'>): string => {
  checkName(key.name);
  if (key.publicKey.length !== ed25519KeyBytes) throw malformedKey();
  const keyId = computeNoteKeyId(key.name, key.type, key.publicKey);
  return `${key.name}+${keyIdHex(keyId)}+${encodeBase64(typed(key.type, key.publicKey))}`;
};

export const decodeNoteVerifierKey = (vkey: string): NoteVerifierKey => {
  const [rawName, hash16, key64] = cut(vkey, 2) ?? [];
  const { name, keyId, type, key } = decodeKeyParts(rawName, hash16, key64);
  checkKeyId(keyId, name, type, key);
  return { name, keyId, type, publicKey: key };
};

const privateKeyObject = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });

const publicKeyObject = (publicKey: Uint8Array): KeyObject =>
  createPublicKey({ key: Buffer.concat([spkiPrefix, publicKey]), format: 'der', type: 'spki' });

const rawPublicKey = (privateKey: KeyObject): Uint8Array =>
  new Uint8Array(
    createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(spkiPrefix.length),
  );

export const encodeNotePrivateKey = (key: Omit<NotePrivateKey, 'keyId' | 'publicKey'>): string => {
  checkName(key.name);
  if (key.seed.length !== ed25519KeyBytes) throw malformedKey();
  const keyId = computeNoteKeyId(key.name, key.type, rawPublicKey(privateKeyObject(key.seed)));
  return `PRIVATE+KEY+${key.name}+${keyIdHex(keyId)}+${encodeBase64(typed(key.type, key.seed))}`;
};

/** Decodes a private key string; like sumdb/note, checks the key ID against the public key derived from the seed. */
export const decodeNotePrivateKey = (skey: string): NotePrivateKey => {
  const [private1, private2, rawName, hash16, key64] = cut(skey, 4) ?? [];
  if (private1 !== 'PRIVATE' || private2 !== 'KEY') throw malformedKey();
  const { name, keyId, type, key: seed } = decodeKeyParts(rawName, hash16, key64);
  const publicKey = rawPublicKey(privateKeyObject(seed));
  checkKeyId(keyId, name, type, publicKey);
  return { name, keyId, type, seed, publicKey };
};

/** A fresh key pair: the private key string (keep it secret) and the verifier key string to publish. */
export const generateNoteKey = (
  name: string,
  type: NoteKeyType = 'ed25519',
): { readonly signerKey: string; readonly verifierKey: string } => {
  checkName(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = new Uint8Array(
    privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(pkcs8Prefix.length),
  );
  return {
    signerKey: encodeNotePrivateKey({ name, type, seed }),
    verifierKey: encodeNoteVerifierKey({ name, type, publicKey: rawPublicKey(privateKey) }),
  };
};

const ed25519Sign = (privateKey: KeyObject, message: Uint8Array) =>
  new Uint8Array(sign(null, message, privateKey));

const ed25519Verify = (publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean => {
  if (signature.length !== ed25519SignatureBytes) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A note signer from a private key string. A 0x04 key makes cosignature/v1 signatures, stamped with the clock's
 * time; it signs only checkpoint texts, since its signature is a statement about a log's tree head.
 */
export const noteSignerFromPrivateKey = (skey: string, clock: Clock = systemClock): NoteSigner => {
  const { name, keyId, type, seed } = decodeNotePrivateKey(skey);
  const privateKey = privateKeyObject(seed);
  if (type === 'ed25519') return { name, keyId, sign: (message) => ed25519Sign(privateKey, message) };
  return {
    name,
    keyId,
    sign: (message) => {
      parseCheckpoint(utf8.decode(message));
      const timestamp = BigInt(Math.floor(clock.now().getTime() / 1000));
      if (timestamp < 0n || timestamp > maxCosignatureTimestamp) {
        throw new RangeError('the clock is outside the cosignature timestamp range');
      }
      const signature = ed25519Sign(privateKey, cosignatureV1Message(timestamp, message));
      const out = new Uint8Array(8 + signature.length);
      new DataView(out.buffer).setBigUint64(0, timestamp, false);
      out.set(signature, 8);
      return out;
    },
  };
};

/** A note verifier from a verifier key string (type 0x01 or 0x04). */
export const noteVerifierFromKey = (vkey: string): NoteVerifier => {
  const { name, keyId, type, publicKey } = decodeNoteVerifierKey(vkey);
  const key = publicKeyObject(publicKey);
  if (type === 'ed25519') {
    return { name, keyId, verify: (message, signature) => ed25519Verify(key, message, signature) };
  }
  return {
    name,
    keyId,
    verify: (message, signature) => {
      const split = splitTimestampedSignature(signature);
      return (
        split !== undefined &&
        ed25519Verify(key, cosignatureV1Message(split.timestamp, message), split.signature)
      );
    },
  };
};
