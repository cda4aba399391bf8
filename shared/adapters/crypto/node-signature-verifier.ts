import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { PublicJwk, SigningAlgorithm } from '../../domain/registry/client-key.ts';
import type { SignatureVerifier } from '../../ports/signature-verifier.ts';

/** Both ES256 (R || S, RFC 7518 section 3.4) and Ed25519 (RFC 8032 section 5.1.6) signatures are 64 bytes. */
const signatureBytes = 64;

/**
 * Verifies request signatures with node:crypto. The domain has already parsed the token, refused every header
 * but alg/kid/typ and pinned the algorithm to the registered key; what is left is one signature check, and
 * node:crypto does it with less overhead than jose's WebCrypto path on Node 20 (measured by `npm run bench:auth`),
 * which sets the ceiling of signed-request throughput. It verifies on libuv's threadpool, so that checks in flight
 * run in parallel, or on the calling thread while `verifyInline()` says so (one call at a time: the hand-off to the
 * threadpool then only adds latency, about 50 µs of 135 here). jose still signs (cli/, tests) and
 * cross-checks the protocol's worked example (scripts/protocol-example.ts).
 */
export class NodeSignatureVerifier implements SignatureVerifier {
  /** Public keys by client and kid. Registered key material never changes; the key's status is read per request. */
  readonly #keys = new Map<string, { material: string; key: KeyObject }>();
  readonly #verifyInline: () => boolean;

  constructor(options: { readonly verifyInline?: () => boolean } = {}) {
    this.#verifyInline = options.verifyInline ?? (() => false);
  }

  verify(
    signingInput: string,
    signature: Uint8Array,
    key: { readonly jwk: PublicJwk; readonly alg: SigningAlgorithm; readonly cacheKey: string },
  ): Promise<boolean> {
    if (signature.byteLength !== signatureBytes) return Promise.resolve(false);
    const publicKey = this.#publicKey(key.jwk, key.cacheKey);
    const data = Buffer.from(signingInput, 'ascii');
    const ecdsa = { key: publicKey, dsaEncoding: 'ieee-p1363' } as const;
    if (this.#verifyInline()) {
      try {
        return Promise.resolve(
          key.alg === 'ES256'
            ? verify('sha256', data, ecdsa, signature)
            : verify(null, data, publicKey, signature),
        );
      } catch {
        return Promise.resolve(false);
      }
    }
    // With a callback, node:crypto verifies on libuv's threadpool, so requests in flight verify in parallel.
    return new Promise((resolve) => {
      const done = (error: Error | null, valid: boolean) => resolve(error === null && valid);
      try {
        if (key.alg === 'ES256') {
          verify('sha256', data, ecdsa, signature, done);
        } else {
          verify(null, data, publicKey, signature, done);
        }
      } catch {
        resolve(false);
      }
    });
  }

  #publicKey(jwk: PublicJwk, cacheKey: string): KeyObject {
    // The cache entry serves only the very same key material, whatever happens to the record behind it.
    const material = `${jwk.kty}.${jwk.crv}.${jwk.x}.${'y' in jwk ? jwk.y : ''}`;
    const cached = this.#keys.get(cacheKey);
    if (cached?.material === material) return cached.key;
    const { kty, crv, x } = jwk;
    const key = createPublicKey({ key: { kty, crv, x, ...('y' in jwk ? { y: jwk.y } : {}) }, format: 'jwk' });
    this.#keys.set(cacheKey, { material, key });
    return key;
  }
}
