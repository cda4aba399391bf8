/**
 * PUBLISHED TEST KEYS: the keys of the worked example in docs/PROTOCOL.md (`npm run protocol:example`, which
 * signs with them). Their private halves are printed in that document for anyone to reproduce the example, so they
 * prove nothing about whoever uses them: the exchange refuses to register them (`PUBLISHED_TEST_KEY`). The private
 * members live in scripts/protocol-example.ts only; this is the one definition of their public halves.
 */
export const publishedTestKeys = {
  es256: {
    kty: 'EC',
    crv: 'P-256',
    x: 'RSofCpsXlkAg064K1GJ1t1QX6ASc2UYB6WT0SfjqE5U',
    y: 'Qz0HAJhVm7h6Pb-9yXb28d1fKzHgmtOpTiZoTDwtrKk',
    kid: 'Ur67eVO0Dh9e85TqTh9wvBVZZ3bHiH8L5o9YWFqhaEQ',
    alg: 'ES256',
    use: 'sig',
  },
  ed25519: {
    kty: 'OKP',
    crv: 'Ed25519',
    x: 'Rj9_8rio2VOViHa1_cuRIxP1aW_fKWvyC9rmSBeFnKc',
    kid: 'pXbDomxA6h_mlyWeT37Gg0RejEu9tAeUm3APA9OXB0c',
    alg: 'EdDSA',
    use: 'sig',
  },
} as const;

type PublishedKey = (typeof publishedTestKeys)[keyof typeof publishedTestKeys];

/** A key's public point as bytes: another base64url spelling of the same bytes (spare low bits) is the same key. */
const pointOf = (jwk: { readonly x: string; readonly y?: string }): string =>
  Buffer.concat([Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]).toString('hex');

const published: readonly PublishedKey[] = Object.values(publishedTestKeys);

/**
 * Whether a public key is one of the published test keys: by its key id (their RFC 7638 thumbprints, which a
 * client may not claim for another key either), or by the key itself, its curve and point (which is what a
 * thumbprint hashes), under whatever kid it is offered.
 */
export const isPublishedTestKey = (jwk: {
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
}): boolean =>
  published.some((key) => key.kid === jwk.kid || (key.crv === jwk.crv && pointOf(key) === pointOf(jwk)));
