import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { type PublicJwk, parsePublicJwk, type SigningAlgorithm } from '../../domain/registry/client-key.ts';

/** A private signing key as a client keeps it: a JWK with its `kid` and `alg`. */
export type PrivateJwk = JWK & { kid: string; alg: SigningAlgorithm; d: string };

/**
 * Generates a signing key pair. The `kid` is the key's RFC 7638 JWK thumbprint, so it is derived from the key
 * itself and two clients can never register the same `kid` for different keys by accident.
 */
export const generateSigningKey = async (alg: SigningAlgorithm = 'ES256'): Promise<PrivateJwk> => {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { ...jwk, kid, alg, use: 'sig' } as PrivateJwk;
};

/** The public half of a private JWK: the members the curve needs, plus `kid`, `alg` and `use`. */
export const publicJwkOf = (jwk: PrivateJwk): PublicJwk => {
  const { kty, crv, x, y, kid, alg } = jwk;
  return parsePublicJwk({ kty, crv, x, ...(y === undefined ? {} : { y }), kid, alg, use: 'sig' });
};
