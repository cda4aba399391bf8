import { randomBytes } from 'node:crypto';
import { CompactSign, type CryptoKey, importJWK } from 'jose';
import { authorizationScheme, type RequestClaims, requestTokenType } from '../../domain/auth/protocol.ts';
import { sha256Base64url } from '../../domain/auth/verify-signed-request.ts';
import type { PrivateJwk } from './signing-keys.ts';

/**
 * Signing requests with jose: the client side of the protocol (the `pbx` command, tests, the worked example).
 * The exchange verifies with shared/adapters/crypto/node-signature-verifier.ts.
 */
const privateKeys = new Map<string, Promise<CryptoKey>>();
const importPrivate = (jwk: PrivateJwk): Promise<CryptoKey> => {
  const id = `${jwk.kid}:${jwk.x}`;
  let key = privateKeys.get(id);
  if (key === undefined) {
    key = importJWK(jwk, jwk.alg) as Promise<CryptoKey>;
    privateKeys.set(id, key);
  }
  return key;
};

export type SignRequestInput = {
  readonly method: string;
  /** Path and query exactly as they will be sent, e.g. `/v1/whoami?x=1`. */
  readonly pathAndQuery: string;
  readonly body?: Uint8Array | string;
  readonly key: PrivateJwk;
  /** The calling client's id (`iss`). */
  readonly issuer: string;
  /** The exchange id (`aud`), from /.well-known/pbx-exchange or /v1/registry. */
  readonly audience: string;
  /** The user the client acts for (`sub`). */
  readonly subject?: string;
  readonly now?: Date;
  readonly lifetimeSeconds?: number;
  readonly jti?: string;
};

export type SignedRequest = {
  readonly authorization: string;
  readonly token: string;
  readonly body: Uint8Array;
  readonly claims: RequestClaims;
};

/** Signs one request: a fresh `jti`, a short life, and the method, path, query and body digest bound in. */
export const signRequest = async (input: SignRequestInput): Promise<SignedRequest> => {
  const body =
    typeof input.body === 'string' ? new TextEncoder().encode(input.body) : (input.body ?? new Uint8Array());
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const claims: RequestClaims = {
    iss: input.issuer,
    ...(input.subject === undefined ? {} : { sub: input.subject }),
    aud: input.audience,
    iat,
    exp: iat + (input.lifetimeSeconds ?? 60),
    jti: input.jti ?? randomBytes(16).toString('base64url'),
    htm: input.method.toUpperCase(),
    htu: input.pathAndQuery,
    bdh: sha256Base64url(body),
  };
  const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: input.key.alg, kid: input.key.kid, typ: requestTokenType })
    .sign(await importPrivate(input.key));
  return { authorization: `${authorizationScheme} ${token}`, token, body, claims };
};
