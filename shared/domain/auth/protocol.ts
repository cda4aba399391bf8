import * as z from 'zod';
import { keyId, signingAlgorithms } from '../registry/client-key.ts';
import { registryId, userId } from '../registry/registry.ts';

/**
 * The signed-request protocol (docs/PROTOCOL.md is its public description; keep the two in step).
 * Every call except health and discovery carries `Authorization: PBX-JWS <compact JWS>`.
 */
export const authorizationScheme = 'PBX-JWS';
export const requestTokenType = 'pbx-req+jwt';
export const allowedAlgorithms = signingAlgorithms;
/** A request token may live at most this long (`exp - iat`). */
export const maxLifetimeSeconds = 300;
/** Clocks may disagree by this much, either way. */
export const maxClockSkewSeconds = 60;
/** Limits checked before any decoding or crypto. An ES256 token is about 700 bytes. */
export const maxAuthorizationBytes = 8 * 1024;
export const maxSignedBodyBytes = 1024 * 1024;

/** Header parameters that would let a token choose its own key or change how it is read (RFC 8725 section 3). */
export const forbiddenHeaderParameters = [
  'jku',
  'jwk',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'crit',
  'b64',
  'zip',
] as const;
/** The only header parameters a request token carries. */
export const allowedHeaderParameters = ['alg', 'kid', 'typ'] as const;

const base64urlSha256 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'unpadded base64url SHA-256');
const numericDate = z.number().int().nonnegative().max(253_402_300_799);

export const requestHeaderSchema = z.object({
  alg: z.string(),
  kid: z.unknown(),
  typ: z.unknown(),
});

export const requestClaimsSchema = z.object({
  iss: registryId,
  sub: userId.optional(),
  aud: z.string().min(1),
  iat: numericDate,
  exp: numericDate,
  jti: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, '16 to 128 URL-safe characters'),
  htm: z.string().regex(/^[A-Z]+$/, 'an upper-case HTTP method'),
  htu: z.string().startsWith('/').max(4096),
  bdh: base64urlSha256,
});
export type RequestClaims = z.infer<typeof requestClaimsSchema>;
export const requiredClaims = ['iss', 'aud', 'iat', 'exp', 'jti', 'htm', 'htu', 'bdh'] as const;

export const kidSchema = keyId;

/** What a client needs to know to call the exchange: served at /.well-known/pbx-exchange. */
export const discoveryDocument = (
  exchangeId: string,
  /** The audit log's checkpoint origin and the note verifier key its checkpoints are signed with (offline checks). */
  audit: { readonly origin: string; readonly checkpointKey: string },
) => ({
  exchangeId,
  authorizationScheme,
  tokenType: requestTokenType,
  algorithms: allowedAlgorithms,
  maxLifetimeSeconds,
  maxClockSkewSeconds,
  maxAuthorizationBytes,
  maxSignedBodyBytes,
  registry: '/v1/registry',
  protocol: 'docs/PROTOCOL.md',
  audit: { origin: audit.origin, checkpointKey: audit.checkpointKey },
});
