import type { PublicJwk, SigningAlgorithm } from '../domain/registry/client-key.ts';

/**
 * Checks a compact JWS signature with one registered key and one algorithm, and nothing else: the caller has
 * already decided which key and algorithm are acceptable. Resolves when the signature is valid, rejects otherwise.
 */
export type SignatureVerifier = {
  verify(compactJws: string, key: { jwk: PublicJwk; alg: SigningAlgorithm; cacheKey: string }): Promise<void>;
};
