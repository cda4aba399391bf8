import type { PublicJwk, SigningAlgorithm } from '../domain/registry/client-key.ts';

/**
 * Checks one JWS signature (RFC 7515 section 5.2: over `BASE64URL(header) || '.' || BASE64URL(payload)`) with one
 * registered key and one algorithm, and nothing else: the caller has already decided which key and algorithm are
 * acceptable, from the registry, never from the token. Resolves true only for a valid signature.
 */
export type SignatureVerifier = {
  verify(
    signingInput: string,
    signature: Uint8Array,
    key: { readonly jwk: PublicJwk; readonly alg: SigningAlgorithm; readonly cacheKey: string },
  ): Promise<boolean>;
};
