import * as z from 'zod';
import { InputError } from '../errors.ts';
import { isPublishedTestKey } from './published-test-keys.ts';

/** The only signature algorithms the exchange accepts (DESIGN.md, signed request protocol). */
export const signingAlgorithms = ['ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'unpadded base64url');
export const keyId = z.string().regex(/^[A-Za-z0-9._~-]{8,128}$/, 'URL-safe, 8 to 128 characters');

/** JWK members that carry private or symmetric key material (RFC 7518 section 6). */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const ecPublicJwk = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: base64url.length(43),
  y: base64url.length(43),
  kid: keyId,
  alg: z.literal('ES256'),
  use: z.literal('sig').optional(),
});
const okpPublicJwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: base64url.length(43),
  kid: keyId,
  alg: z.literal('EdDSA'),
  use: z.literal('sig').optional(),
});

/** A public signing key as a client registers it: the curve fixes the algorithm, and `kid` is mandatory. */
export const publicJwkSchema = z.discriminatedUnion('kty', [ecPublicJwk, okpPublicJwk]);
export type PublicJwk = z.infer<typeof publicJwkSchema>;

/**
 * Parses a JWK offered for registration. Private material is refused with its own code before anything else:
 * a client that sends its private key has leaked it, and must be told so rather than told "invalid".
 */
export const parsePublicJwk = (input: unknown): PublicJwk => {
  if (typeof input === 'object' && input !== null && privateMembers.some((m) => m in input)) {
    throw new InputError(
      'PRIVATE_KEY_MATERIAL',
      'the JWK holds private key material; send only the public key',
    );
  }
  const parsed = publicJwkSchema.safeParse(input);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_JWK',
      'the JWK must be an EC P-256 key with alg ES256 or an OKP Ed25519 key with alg EdDSA, with a kid',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'jwk'}: ${i.message}`),
    );
  }
  return parsed.data;
};

/**
 * Parses a JWK offered for registration with a client (the API and the local seed): a public key, and none of the
 * published test keys of docs/PROTOCOL.md, whose private halves anyone can read.
 */
export const parseRegistrableJwk = (input: unknown): PublicJwk => {
  const jwk = parsePublicJwk(input);
  if (isPublishedTestKey(jwk)) {
    throw new InputError(
      'PUBLISHED_TEST_KEY',
      'this is a published test key (docs/PROTOCOL.md prints its private half); generate a key pair of your own',
    );
  }
  return jwk;
};

export const keyStatuses = ['active', 'retired', 'revoked'] as const;

export const clientKeySchema = z.object({
  clientId: z.string(),
  kid: keyId,
  alg: z.enum(signingAlgorithms),
  jwk: publicJwkSchema,
  status: z.enum(keyStatuses),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});
export type ClientKey = z.infer<typeof clientKeySchema>;

/**
 * Whether a key may verify a request made at `at`: active (a retired key only verifies what it signed before,
 * which the exchange never needs), and inside its validity window. Rotation is two active keys at once.
 */
export const isKeyUsable = (key: ClientKey, at: Date): boolean => {
  const t = at.getTime();
  return (
    key.status === 'active' &&
    Date.parse(key.notBefore) <= t &&
    (key.notAfter === undefined || t < Date.parse(key.notAfter))
  );
};

/** A new key record for a client, usable from `notBefore` (default: now). */
export const newClientKey = (
  clientId: string,
  jwk: PublicJwk,
  now: Date,
  window: { notBefore?: Date; notAfter?: Date } = {},
): ClientKey => ({
  clientId,
  kid: jwk.kid,
  alg: jwk.alg,
  jwk,
  status: 'active',
  notBefore: (window.notBefore ?? now).toISOString(),
  ...(window.notAfter === undefined ? {} : { notAfter: window.notAfter.toISOString() }),
  createdAt: now.toISOString(),
});
