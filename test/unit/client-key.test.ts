import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { InputError } from '#shared/domain/errors.ts';
import {
  type ClientKey,
  isKeyUsable,
  newClientKey,
  parsePublicJwk,
} from '#shared/domain/registry/client-key.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof InputError ? error.code : `unexpected ${String(error)}`;
  }
  return 'accepted';
};

describe('parsePublicJwk', () => {
  it.each(['ES256', 'EdDSA'] as const)('accepts the public half of a generated %s key', async (alg) => {
    const privateJwk = await generateSigningKey(alg);
    const jwk = publicJwkOf(privateJwk);
    expect(jwk).not.toHaveProperty('d');
    expect(parsePublicJwk(jwk)).toEqual(jwk);
  });

  it('refuses private key material with its own code', async () => {
    const privateJwk = await generateSigningKey('ES256');
    expect(codeOf(() => parsePublicJwk(privateJwk))).toBe('PRIVATE_KEY_MATERIAL');
    expect(
      codeOf(() => parsePublicJwk({ kty: 'oct', k: 'c2VjcmV0', kid: 'symmetric-1', alg: 'HS256' })),
    ).toBe('PRIVATE_KEY_MATERIAL');
  });

  it('refuses keys whose curve and algorithm do not match the allow-list', async () => {
    const ec = publicJwkOf(await generateSigningKey('ES256'));
    const ed = publicJwkOf(await generateSigningKey('EdDSA'));
    expect(codeOf(() => parsePublicJwk({ ...ec, alg: 'EdDSA' }))).toBe('INVALID_JWK');
    expect(codeOf(() => parsePublicJwk({ ...ed, alg: 'ES256' }))).toBe('INVALID_JWK');
    expect(codeOf(() => parsePublicJwk({ ...ec, crv: 'P-384' }))).toBe('INVALID_JWK');
    expect(codeOf(() => parsePublicJwk({ ...ec, alg: 'none' }))).toBe('INVALID_JWK');
    expect(codeOf(() => parsePublicJwk({ ...ec, kid: undefined }))).toBe('INVALID_JWK');
    expect(codeOf(() => parsePublicJwk({ ...ec, x5u: 'https://attacker.example/cert' }))).toBe('INVALID_JWK');
    expect(
      codeOf(() => parsePublicJwk({ kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'rsa-key-1', alg: 'RS256' })),
    ).toBe('INVALID_JWK');
    expect(codeOf(() => parsePublicJwk('not a jwk'))).toBe('INVALID_JWK');
  });
});

describe('isKeyUsable', () => {
  const key = async (changes: Partial<ClientKey> = {}): Promise<ClientKey> => ({
    ...newClientKey(
      'lb-brent-system',
      publicJwkOf(await generateSigningKey()),
      new Date('2026-01-01T00:00:00Z'),
      {
        notAfter: new Date('2027-01-01T00:00:00Z'),
      },
    ),
    ...changes,
  });

  it('honours not-before (inclusive) and not-after (exclusive)', async () => {
    const k = await key();
    expect(isKeyUsable(k, new Date('2025-12-31T23:59:59.999Z'))).toBe(false);
    expect(isKeyUsable(k, new Date('2026-01-01T00:00:00Z'))).toBe(true);
    expect(isKeyUsable(k, new Date('2026-12-31T23:59:59.999Z'))).toBe(true);
    expect(isKeyUsable(k, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });

  it('never uses a retired or revoked key', async () => {
    const at = new Date('2026-06-01T00:00:00Z');
    expect(isKeyUsable(await key({ status: 'retired' }), at)).toBe(false);
    expect(isKeyUsable(await key({ status: 'revoked' }), at)).toBe(false);
  });
});
