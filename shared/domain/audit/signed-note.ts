import { Buffer } from 'node:buffer';

/**
 * Signed notes (c2sp.org/signed-note, as implemented by golang.org/x/mod/sumdb/note): a UTF-8 text ending in a
 * newline, a blank line, then one or more lines `— <key name> base64(key ID || signature)`. Checkpoints of the audit
 * log are signed notes, so that existing transparency-log tooling (Go's note package, transparency-dev witnesses,
 * sigsum) reads and cosigns them.
 *
 * This module only frames and checks signatures; the algorithms live behind NoteSigner/NoteVerifier (Ed25519 with
 * node:crypto in shared/adapters/crypto/note-keys.ts).
 */

export type NoteErrorCode =
  /** Not a signed note: bad UTF-8, a control character, no blank line before the signatures, a bad signature line. */
  | 'MALFORMED_NOTE'
  /** No trusted key signed the note. The spec says such a note MUST be rejected: no evidence is an error. */
  | 'NO_VERIFIED_SIGNATURE'
  /** A signature line names a trusted key (name and key ID) but does not verify: the whole note is rejected. */
  | 'BAD_SIGNATURE'
  /** Two trusted verifiers share a name and key ID, so a signature line cannot be attributed to one key. */
  | 'AMBIGUOUS_KEY'
  /** A signer whose name or key ID cannot appear on a signature line, or no signer at all. */
  | 'INVALID_SIGNER'
  /** A verifier or private key string that does not parse. */
  | 'MALFORMED_KEY'
  /** A key string whose key ID is not the one its name and key material compute. */
  | 'KEY_HASH_MISMATCH'
  /** A key of a signature type this exchange does not implement. */
  | 'UNSUPPORTED_KEY_TYPE';

export class NoteError extends Error {
  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Signs note texts with one key. `keyId` is the 4-byte key ID the spec recommends (see note-keys.ts). */
export type NoteSigner = {
  readonly name: string;
  readonly keyId: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
};

/** Verifies note signatures of one key; `signature` excludes the key ID. */
export type NoteVerifier = {
  readonly name: string;
  readonly keyId: Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
};

export type NoteSignature = {
  readonly name: string;
  readonly keyId: Uint8Array;
  /** The signature bytes after the key ID (for a cosignature/v1 line: timestamp || Ed25519 signature). */
  readonly signature: Uint8Array;
  /** True for a trusted key's signature, which verified; false for a line by a key the caller does not know. */
  readonly verified: boolean;
};

export type OpenedNote = { readonly text: string; readonly signatures: readonly NoteSignature[] };

/** golang.org/x/mod/sumdb/note refuses notes with more than 100 signatures; the spec asks for at least 16. */
export const maxNoteSignatures = 100;

const signaturePrefix = '\u2014 '; // em dash, space (signed-note "Format")
const keyIdBytes = 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * signed-note "Format": a note is valid UTF-8 with no ASCII control character other than newline. In a JS string
 * invalid UTF-8 can only show up as a lone surrogate, which iteration by code point yields on its own.
 */
export const isNoteString = (text: string): boolean => {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if ((code < 0x20 && code !== 0x0a) || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
};

/** signed-note: key names are non-empty and contain neither Unicode spaces nor plus (nor anything a note forbids). */
export const isValidKeyName = (name: string): boolean =>
  name !== '' && !/[\p{White_Space}+]/u.test(name) && isNoteString(name);

const canonicalBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 (RFC 4648 section 4) with padding, and canonical: Node's decoder skips characters it does not
 * know and ignores the unused bits of the last character, so without these checks two different lines could carry
 * the same signature, and a changed character could go unnoticed.
 */
export const decodeCanonicalBase64 = (text: string): Uint8Array | undefined => {
  if (!canonicalBase64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
};

export const encodeBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export const keyIdHex = (keyId: Uint8Array): string => Buffer.from(keyId).toString('hex');

const keyOf = (name: string, keyId: Uint8Array) => `${name}+${keyIdHex(keyId)}`;

type SignatureLine = {
  readonly line: string;
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
};

const malformed = (why: string) => new NoteError('MALFORMED_NOTE', `malformed note: ${why}`);

const noteString = (note: string | Uint8Array): string => {
  if (typeof note === 'string') return note;
  try {
    return decoder.decode(note);
  } catch {
    throw malformed('not valid UTF-8');
  }
};

/** Splits a note into its text and signature lines, checking syntax only. The text is not yet trustworthy. */
const parseNote = (note: string | Uint8Array): { text: string; lines: SignatureLine[] } => {
  const message = noteString(note);
  if (!isNoteString(message)) throw malformed('invalid UTF-8 or a control character');
  // signed-note "Format": the text is separated from the signatures by the last empty line; the text keeps its
  // final newline but not the blank line.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('the signature block does not end in a newline');
  const rawLines = block.slice(0, -1).split('\n');
  if (rawLines.length > maxNoteSignatures) throw malformed(`more than ${maxNoteSignatures} signatures`);
  const lines = rawLines.map((line): SignatureLine => {
    if (!line.startsWith(signaturePrefix)) throw malformed('a signature line does not start with an em dash');
    const rest = line.slice(signaturePrefix.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const blob = space < 0 ? undefined : decodeCanonicalBase64(rest.slice(space + 1));
    // 4 bytes of key ID and at least one byte of signature (as sumdb/note requires).
    if (!isValidKeyName(name) || blob === undefined || blob.length <= keyIdBytes) {
      throw malformed('a signature line has a bad key name or signature encoding');
    }
    return { line, name, keyId: blob.slice(0, keyIdBytes), signature: blob.slice(keyIdBytes) };
  });
  return { text, lines };
};

const checkText = (text: string) => {
  // The text must end with a newline and be a valid note text, so that the signed note parses back to it.
  if (!text.endsWith('\n') || !isNoteString(text)) {
    throw malformed('the text must end with a newline and contain no control character but newline');
  }
};

const signatureLinesOf = (text: string, signers: readonly NoteSigner[]): { key: string; line: string }[] => {
  const message = encoder.encode(text);
  return signers.map((signer) => {
    if (!isValidKeyName(signer.name) || signer.keyId.length !== keyIdBytes) {
      throw new NoteError('INVALID_SIGNER', 'a signer has an invalid key name or key ID');
    }
    const signature = signer.sign(message);
    if (signature.length === 0) throw new NoteError('INVALID_SIGNER', 'a signer returned an empty signature');
    const blob = new Uint8Array(keyIdBytes + signature.length);
    blob.set(signer.keyId, 0);
    blob.set(signature, keyIdBytes);
    return {
      key: keyOf(signer.name, signer.keyId),
      line: `${signaturePrefix}${signer.name} ${encodeBase64(blob)}`,
    };
  });
};

const assemble = (text: string, lines: readonly string[]): string => {
  if (lines.length === 0) throw new NoteError('INVALID_SIGNER', 'a signed note needs at least one signature');
  if (lines.length > maxNoteSignatures) throw malformed(`more than ${maxNoteSignatures} signatures`);
  return `${text}\n${lines.map((line) => `${line}\n`).join('')}`;
};

/** Signs `text` (which must end with a newline) with each signer, in order (sumdb/note `Sign`). */
export const signNote = (text: string, signers: readonly NoteSigner[]): string => {
  checkText(text);
  return assemble(
    text,
    signatureLinesOf(text, signers).map(({ line }) => line),
  );
};

/**
 * Appends signatures (a witness's cosignature, say) to a signed note, keeping the existing lines byte for byte
 * except one by the same key as a new signer, which the new one replaces (sumdb/note `Sign`). It checks syntax
 * only: a caller verifies the note before adding its own signature to it (see cosignCheckpoint).
 */
export const addSignatures = (note: string | Uint8Array, signers: readonly NoteSigner[]): string => {
  const { text, lines } = parseNote(note);
  const added = signatureLinesOf(text, signers);
  const replaced = new Set(added.map(({ key }) => key));
  const kept = lines.filter(({ name, keyId }) => !replaced.has(keyOf(name, keyId))).map(({ line }) => line);
  return assemble(text, [...kept, ...added.map(({ line }) => line)]);
};

/**
 * Opens a signed note against the keys the caller trusts (sumdb/note `Open`, c2sp.org/signed-note "Signatures").
 * A line whose name and key ID both match a trusted key must verify, or the whole note is refused (BAD_SIGNATURE);
 * lines by other keys are kept, unverified, so that cosignatures of witnesses the caller does not know pass
 * through; and if no trusted key signed, the note is refused (NO_VERIFIED_SIGNATURE). Every line of a trusted key
 * is verified, including repeats, which sumdb/note skips; repeated lines are reported once.
 */
export const openNote = (note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote => {
  const { text, lines } = parseNote(note);
  const known = new Map<string, NoteVerifier[]>();
  for (const verifier of verifiers) {
    const key = keyOf(verifier.name, verifier.keyId);
    known.set(key, [...(known.get(key) ?? []), verifier]);
  }
  const message = encoder.encode(text);
  const seenKeys = new Set<string>();
  const seenLines = new Set<string>();
  const signatures: NoteSignature[] = [];
  for (const { line, name, keyId, signature } of lines) {
    const key = keyOf(name, keyId);
    const candidates = known.get(key);
    if (candidates === undefined) {
      // sumdb/note drops repeated identical unverified lines.
      if (seenLines.has(line)) continue;
      seenLines.add(line);
      signatures.push({ name, keyId, signature, verified: false });
      continue;
    }
    const [verifier, ...others] = candidates;
    if (verifier === undefined || others.length > 0) {
      throw new NoteError('AMBIGUOUS_KEY', `ambiguous key ${key}`);
    }
    if (!verifier.verify(message, signature)) {
      throw new NoteError('BAD_SIGNATURE', `invalid signature for key ${key}`);
    }
    if (seenKeys.has(key)) continue;
    seenKeys.add(key);
    signatures.push({ name, keyId, signature, verified: true });
  }
  if (!signatures.some(({ verified }) => verified)) {
    throw new NoteError('NO_VERIFIED_SIGNATURE', 'note has no signature by a trusted key');
  }
  return { text, signatures };
};
