import { createHash } from 'node:crypto';
import type { NonceStore } from '../../ports/nonce-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import type { SignatureVerifier } from '../../ports/signature-verifier.ts';
import { AuthenticationError, type AuthenticationErrorCode, TooLargeError } from '../errors.ts';
import type { SigningAlgorithm } from '../registry/client-key.ts';
import type { UserRole } from '../registry/registry.ts';
import { parseStrictJson } from '../strict-json.ts';
import {
  allowedAlgorithms,
  allowedHeaderParameters,
  authorizationScheme,
  forbiddenHeaderParameters,
  kidSchema,
  maxAuthorizationBytes,
  maxClockSkewSeconds,
  maxLifetimeSeconds,
  maxSignedBodyBytes,
  type RequestClaims,
  requestClaimsSchema,
  requestTokenType,
  requiredClaims,
} from './protocol.ts';

/** The request as it arrived: the raw bytes the signature must bind, nothing parsed yet. */
export type SignedRequestInput = {
  readonly authorization: string | undefined;
  readonly method: string;
  /** Path and query exactly as received, e.g. `/v1/whoami?x=1`. */
  readonly pathAndQuery: string;
  readonly body: Uint8Array;
};

export type VerificationDeps = {
  readonly registry: Pick<RegistryReader, 'getClient' | 'getClientKey' | 'findKeyOwner' | 'getUser'>;
  readonly signatures: SignatureVerifier;
  readonly nonces: NonceStore;
};

export type Trust = { readonly exchangeId: string; readonly now: Date };

/** Who made a verified request, and with which key. */
export type Principal = {
  readonly clientId: string;
  readonly organisationId: string;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly user?: { readonly id: string; readonly roles: readonly UserRole[] };
  readonly jti: string;
  /** Unpadded base64url SHA-256 of the compact JWS: the request's identity in the audit log. */
  readonly requestHash: string;
  /** The id of the call being answered (API Gateway's request id), carried into its audit entries. */
  readonly callId?: string;
};

/** What is known of a request when it is refused, for the audit entry (nothing the caller could not prove). */
export type RefusalContext = { claimedIssuer?: string; claimedKeyId?: string; requestHash?: string };

export class SignedRequestRefusal extends Error {
  constructor(
    readonly error: AuthenticationError | TooLargeError,
    readonly context: RefusalContext,
  ) {
    super(error.message);
  }
}

const base64urlSegment = /^[A-Za-z0-9_-]+$/;
const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/**
 * Whether a segment of the base64url alphabet (base64urlSegment) is the one encoding of its bytes (RFC 4648
 * section 3.5): unpadded, no length that leaves a lone character, and no bits set past the last byte in its last
 * character (of 2 or 3 characters left over, the low 4 or 2 bits). The same as decoding and encoding it again and
 * comparing, without the copies (`npm run bench:auth`).
 */
export const isCanonicalBase64url = (segment: string): boolean => {
  const leftOver = segment.length % 4;
  if (leftOver === 0) return true;
  if (leftOver === 1) return false;
  const last = base64urlAlphabet.indexOf(segment.charAt(segment.length - 1));
  return last % (leftOver === 2 ? 16 : 4) === 0;
};

export const sha256Base64url = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('base64url');

const refuse = (code: AuthenticationErrorCode, message: string, details?: string[]): never => {
  throw new AuthenticationError(code, message, details);
};

/** A header or claims segment as a JSON object; undefined for anything else, a repeated member name included. */
const decodeJsonObject = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = parseStrictJson(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Verifies a signed request and returns who made it, or throws a SignedRequestRefusal carrying the coded reason.
 * Order matters: sizes before decoding, structure before any store is asked, the key's status before crypto, the
 * signature before any claim is trusted, and the single-use `jti` last, so that a refused request never consumes it.
 * A store that cannot answer throws DependencyError (503) out of here: the request is refused, never let through.
 */
export const verifySignedRequest = async (
  deps: VerificationDeps,
  input: SignedRequestInput,
  trust: Trust,
): Promise<Principal> => {
  const context: RefusalContext = {};
  try {
    return await verify(deps, input, trust, context);
  } catch (error) {
    if (error instanceof AuthenticationError || error instanceof TooLargeError) {
      throw new SignedRequestRefusal(error, context);
    }
    throw error;
  }
};

/** What the protected header allows: its algorithm and key, or the refusal it earns. */
type HeaderVerdict =
  | { readonly ok: true; readonly alg: SigningAlgorithm; readonly kid: string }
  | {
      readonly ok: false;
      readonly code: AuthenticationErrorCode;
      readonly message: string;
      readonly details?: string[];
    };

const judgeHeader = (encodedHeader: string): HeaderVerdict => {
  const refused = (code: AuthenticationErrorCode, message: string, details?: string[]): HeaderVerdict =>
    details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };
  const header = decodeJsonObject(encodedHeader);
  if (header === undefined) return refused('MALFORMED_HEADER', 'the protected header is not a JSON object');
  const forbidden = forbiddenHeaderParameters.filter((p) => p in header);
  if (forbidden.length > 0) {
    return refused('FORBIDDEN_HEADER', 'the header names a parameter the exchange refuses', forbidden);
  }
  const unexpected = Object.keys(header).filter(
    (p) => !(allowedHeaderParameters as readonly string[]).includes(p),
  );
  if (unexpected.length > 0) {
    return refused('UNEXPECTED_HEADER', 'the header may hold alg, kid and typ only', unexpected);
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(allowedAlgorithms as readonly string[]).includes(alg)) {
    return refused('ALGORITHM_NOT_ALLOWED', `alg must be one of ${allowedAlgorithms.join(', ')}`);
  }
  if (header.typ !== requestTokenType) return refused('WRONG_TYPE', `typ must be ${requestTokenType}`);
  const kid = kidSchema.safeParse(header.kid);
  if (!kid.success) return refused('INVALID_KID', 'kid must name a registered key');
  return { ok: true, alg: alg as SigningAlgorithm, kid: kid.data };
};

/**
 * Headers already judged allowed, by their encoded text: a client sends the same header (its alg, kid and typ) with
 * every request, and the verdict is a function of the text alone. Bounded: emptied when full.
 */
const allowedHeaders = new Map<string, HeaderVerdict>();
const maxAllowedHeaders = 256;
const judgedHeader = (encodedHeader: string): HeaderVerdict => {
  const known = allowedHeaders.get(encodedHeader);
  if (known !== undefined) return known;
  const verdict = judgeHeader(encodedHeader);
  if (verdict.ok) {
    if (allowedHeaders.size >= maxAllowedHeaders) allowedHeaders.clear();
    allowedHeaders.set(encodedHeader, verdict);
  }
  return verdict;
};

const verify = async (
  deps: VerificationDeps,
  input: SignedRequestInput,
  trust: Trust,
  context: RefusalContext,
): Promise<Principal> => {
  const { authorization } = input;
  if (authorization === undefined || authorization === '') {
    return refuse('MISSING_AUTHORIZATION', `send Authorization: ${authorizationScheme} <compact JWS>`);
  }
  // At most 3 UTF-8 bytes a UTF-16 code unit: a header short enough is not counted byte by byte.
  if (
    authorization.length * 3 > maxAuthorizationBytes &&
    Buffer.byteLength(authorization) > maxAuthorizationBytes
  ) {
    throw new TooLargeError(
      'TOKEN_TOO_LARGE',
      `the Authorization header exceeds ${maxAuthorizationBytes} bytes`,
    );
  }
  if (input.body.byteLength > maxSignedBodyBytes) {
    throw new TooLargeError(
      'BODY_TOO_LARGE',
      `a signed request body may be at most ${maxSignedBodyBytes} bytes`,
    );
  }
  const prefix = `${authorizationScheme} `;
  // Exactly one space: what follows it is the token, and a token never starts with whitespace.
  if (!authorization.startsWith(prefix) || /^\s/.test(authorization.slice(prefix.length))) {
    return refuse('UNSUPPORTED_AUTH_SCHEME', `the Authorization scheme must be ${authorizationScheme}`);
  }
  const token = authorization.slice(prefix.length);
  context.requestHash = sha256Base64url(token);
  const segments = token.split('.');
  // Canonical base64url only: a decoder that ignores the spare low bits of the last character would let one
  // signature be spelt several ways, each with its own token hash.
  const wellFormed =
    segments.length === 3 &&
    segments.every((s, i) => (i === 2 && s === '') || (base64urlSegment.test(s) && isCanonicalBase64url(s)));
  if (!wellFormed) {
    return refuse(
      'MALFORMED_TOKEN',
      'the token must be a compact JWS: three canonical unpadded base64url segments',
    );
  }
  const [encodedHeader = '', encodedClaims = '', signature = ''] = segments;

  const header = judgedHeader(encodedHeader);
  if (!header.ok) return refuse(header.code, header.message, header.details);
  context.claimedKeyId = header.kid;
  const { alg } = header;
  if (signature === '') return refuse('MISSING_SIGNATURE', 'the token carries no signature');

  const rawClaims = decodeJsonObject(encodedClaims);
  if (rawClaims === undefined) return refuse('MALFORMED_CLAIMS', 'the claims are not a JSON object');
  if (typeof rawClaims.iss === 'string') context.claimedIssuer = rawClaims.iss.slice(0, 64);
  const missing = requiredClaims.filter((c) => rawClaims[c] === undefined);
  if (missing.length > 0) return refuse('MISSING_CLAIM', 'required claims are missing', missing);
  const parsed = requestClaimsSchema.safeParse(rawClaims);
  if (!parsed.success) {
    return refuse(
      'INVALID_CLAIM',
      'claims are not of the required form',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  }
  const claims: RequestClaims = parsed.data;

  const [client, key] = await Promise.all([
    deps.registry.getClient(claims.iss),
    deps.registry.getClientKey(claims.iss, header.kid),
  ]);
  if (client === undefined) return refuse('UNKNOWN_ISSUER', 'iss is not a registered client');
  if (client.status !== 'active') return refuse('CLIENT_SUSPENDED', 'the client is suspended');
  if (key === undefined) {
    const owner = await deps.registry.findKeyOwner(header.kid);
    return owner === undefined
      ? refuse('UNKNOWN_KEY', 'kid is not a registered key')
      : refuse('KEY_NOT_OWNED_BY_ISSUER', 'kid is registered to another client');
  }
  if (key.alg !== alg) return refuse('ALGORITHM_KEY_MISMATCH', `the key is registered for ${key.alg}`);
  const nowMs = trust.now.getTime();
  if (key.status === 'revoked') return refuse('KEY_REVOKED', 'the key has been revoked');
  if (key.status === 'retired') return refuse('KEY_RETIRED', 'the key has been retired');
  if (nowMs < Date.parse(key.notBefore)) return refuse('KEY_NOT_YET_VALID', 'the key is not valid yet');
  if (key.notAfter !== undefined && nowMs >= Date.parse(key.notAfter)) {
    return refuse('KEY_EXPIRED', 'the key is past its not-after time');
  }

  const signed = await deps.signatures.verify(
    `${encodedHeader}.${encodedClaims}`,
    Buffer.from(signature, 'base64url'),
    {
      jwk: key.jwk,
      alg: key.alg,
      cacheKey: `${key.clientId}#${key.kid}`,
    },
  );
  if (!signed) return refuse('BAD_SIGNATURE', 'the signature does not verify with the registered key');

  // From here on the claims are the client's own words.
  if (claims.aud !== trust.exchangeId) return refuse('WRONG_AUDIENCE', `aud must be ${trust.exchangeId}`);
  const now = Math.floor(nowMs / 1000);
  if (claims.iat > now + maxClockSkewSeconds)
    return refuse('ISSUED_IN_FUTURE', 'iat is ahead of the exchange clock');
  if (claims.exp <= claims.iat) return refuse('EXPIRY_NOT_AFTER_ISSUE', 'exp must be later than iat');
  if (claims.exp - claims.iat > maxLifetimeSeconds) {
    return refuse('LIFETIME_TOO_LONG', `exp may be at most ${maxLifetimeSeconds} s after iat`);
  }
  if (now > claims.exp + maxClockSkewSeconds) return refuse('TOKEN_EXPIRED', 'the token has expired');
  if (claims.htm !== input.method) return refuse('METHOD_MISMATCH', 'htm does not match the request method');
  if (claims.htu !== input.pathAndQuery) {
    return refuse('URI_MISMATCH', 'htu does not match the path and query as sent');
  }
  if (claims.bdh !== sha256Base64url(input.body)) {
    return refuse('BODY_DIGEST_MISMATCH', 'bdh does not match the SHA-256 of the body bytes');
  }

  let user: Principal['user'];
  if (claims.sub !== undefined) {
    const found = await deps.registry.getUser(claims.sub);
    if (found === undefined) return refuse('UNKNOWN_USER', 'sub is not a registered user');
    if (found.organisationId !== client.organisationId) {
      return refuse('USER_NOT_OF_ORGANISATION', "sub is not a user of the client's organisation");
    }
    if (found.status !== 'active') return refuse('USER_SUSPENDED', 'the user is suspended');
    user = { id: found.id, roles: found.roles };
  }

  // Kept until the token could no longer pass the expiry check, plus a margin for clock disagreement.
  const keepUntil = claims.exp + maxClockSkewSeconds + maxLifetimeSeconds;
  if ((await deps.nonces.claim(claims.iss, claims.jti, keepUntil)) === 'replayed') {
    return refuse('REPLAYED', 'this jti has been used before');
  }

  // Built without object spread, here and on the rest of every request's path: V8 copies a fresh object into a
  // literal slowly, about a microsecond each (`npm run bench:auth`).
  const principal: Principal = {
    clientId: client.id,
    organisationId: client.organisationId,
    kid: key.kid,
    alg: key.alg,
    jti: claims.jti,
    requestHash: context.requestHash,
  };
  return user === undefined ? principal : Object.assign(principal, { user });
};
