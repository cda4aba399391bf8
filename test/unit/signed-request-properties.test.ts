import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import { authenticateRequest } from '#shared/domain/auth/authenticate-request.ts';
import {
  maxAuthorizationBytes,
  maxClockSkewSeconds,
  maxLifetimeSeconds,
  maxSignedBodyBytes,
} from '#shared/domain/auth/protocol.ts';
import {
  isCanonicalBase64url,
  type SignedRequestInput,
  SignedRequestRefusal,
  verifySignedRequest,
} from '#shared/domain/auth/verify-signed-request.ts';
import { AuthenticationError, authenticationErrorCodes, TooLargeError } from '#shared/domain/errors.ts';
import { InMemoryNonceStore } from '../support/in-memory-registry-store.ts';
import {
  type AuthHarness,
  addMilliseconds,
  addSeconds,
  authorizationFor,
  base64url,
  type ClaimsOptions,
  changeKeyRecord,
  claimsFor,
  createAuthHarness,
  type FixtureKeys,
  fixtureNow,
  fixtureRoute,
  forgeToken,
  freshJti,
  generateFixtureKeys,
  getWithQuery,
  headerFor,
  ids,
  postWithJson,
  type RequestShape,
  segmentsOf,
  signedRequest,
  utf8,
  withAuthorization,
} from '../support/signed-request-fixtures.ts';

/**
 * Corruption probes (house style 15): any single-byte change to a valid request's header, claims, signature, body,
 * method or path is refused, as is any truncation or extension of its token; and each time and size limit is
 * accepted at its value and refused one unit past it.
 */

let keys: FixtureKeys;
beforeAll(async () => {
  keys = await generateFixtureKeys();
});

/**
 * Each request kind (GET, POST) is signed with both algorithms, so 100 runs per base give each segment of each
 * kind 200 corruptions; the cheaper probes (method, path, truncation, extension) take 50.
 */
const runs = { numRuns: 100 };
const fewerRuns = { numRuns: 50 };
const trust = { exchangeId: ids.exchange, now: fixtureNow };

/** The refusal code of a verification, 'accepted', or the unexpected error itself rethrown. */
const outcomeOf = async (attempt: Promise<unknown>): Promise<string> => {
  try {
    await attempt;
    return 'accepted';
  } catch (error) {
    if (error instanceof SignedRequestRefusal) return error.error.code;
    if (error instanceof AuthenticationError || error instanceof TooLargeError) return error.code;
    throw error;
  }
};

const refusalCodes: readonly string[] = authenticationErrorCodes;

const flipByte = (bytes: Uint8Array, index: number, mask: number): Uint8Array => {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ mask;
  return copy;
};

const flipChar = (text: string, index: number, mask: number): string =>
  text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ mask) + text.slice(index + 1);

type Base = { readonly name: string; readonly shape: RequestShape; readonly key: keyof FixtureKeys };

const bases: readonly Base[] = [
  { name: 'ES256 GET with a query', shape: getWithQuery, key: 'es256' },
  { name: 'ES256 POST with a JSON body', shape: postWithJson, key: 'es256' },
  { name: 'EdDSA GET with a query', shape: getWithQuery, key: 'eddsa' },
  { name: 'EdDSA POST with a JSON body', shape: postWithJson, key: 'eddsa' },
];

describe.each(bases)('corrupting a valid $name', ({ shape, key }) => {
  let h: AuthHarness;
  let original: SignedRequestInput & { readonly token: string };
  beforeAll(async () => {
    h = await createAuthHarness(keys);
    original = await signedRequest(shape, { key: keys[key], subject: ids.user });
  });

  /**
   * Verifies `corrupted` with a fresh nonce store, so REPLAYED cannot hide what the corruption does, then the
   * original with the same store: it must still be accepted, so the property cannot hold vacuously and the
   * refusal consumed nothing.
   */
  const refusalOf = async (corrupted: SignedRequestInput): Promise<string> => {
    const nonces = new InMemoryNonceStore();
    const deps = { ...h.deps, nonces };
    const code = await outcomeOf(verifySignedRequest(deps, corrupted, trust));
    expect(nonces.seen.size).toBe(0);
    expect(await outcomeOf(verifySignedRequest(deps, original, trust))).toBe('accepted');
    return code;
  };

  const withToken = (token: string, sent: Partial<RequestShape> = {}) =>
    withAuthorization(shape, authorizationFor(token), sent);

  const segmentArbitrary = (segment: Uint8Array) =>
    fc.tuple(fc.nat({ max: segment.length - 1 }), fc.integer({ min: 1, max: 255 }));

  it.each([
    ['header', 0],
    ['claims', 1],
  ] as const)('a flipped byte of the decoded %s JSON is refused', async (_, index) => {
    const segments = segmentsOf(original.token);
    const decoded = Buffer.from(segments[index], 'base64url');
    await fc.assert(
      fc.asyncProperty(segmentArbitrary(decoded), async ([at, mask]) => {
        const changed = [...segments];
        changed[index] = base64url(flipByte(decoded, at, mask));
        const code = await refusalOf(withToken(changed.join('.')));
        // Any check may catch it (the JSON may no longer parse, or name another key); none may let it through.
        expect(refusalCodes).toContain(code);
        expect(code).not.toBe('REPLAYED');
      }),
      runs,
    );
  });

  it('a flipped byte of the decoded signature is refused as BAD_SIGNATURE', async () => {
    const [header, claims, signature] = segmentsOf(original.token);
    const decoded = Buffer.from(signature, 'base64url');
    await fc.assert(
      fc.asyncProperty(segmentArbitrary(decoded), async ([at, mask]) => {
        const corrupted = `${header}.${claims}.${base64url(flipByte(decoded, at, mask))}`;
        expect(await refusalOf(withToken(corrupted))).toBe('BAD_SIGNATURE');
      }),
      runs,
    );
  });

  it('a flipped byte of the body, or a body added to a GET, is refused as BODY_DIGEST_MISMATCH', async () => {
    const sentBodies =
      shape.body.byteLength > 0
        ? segmentArbitrary(shape.body).map(([at, mask]) => flipByte(shape.body, at, mask))
        : fc.uint8Array({ minLength: 1, maxLength: 64 });
    await fc.assert(
      fc.asyncProperty(sentBodies, async (body) => {
        expect(await refusalOf(withToken(original.token, { body }))).toBe('BODY_DIGEST_MISMATCH');
      }),
      runs,
    );
  });

  it('a flipped character of the method is refused as METHOD_MISMATCH', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: shape.method.length - 1 }),
        fc.integer({ min: 1, max: 127 }),
        async (at, mask) => {
          const method = flipChar(shape.method, at, mask);
          expect(await refusalOf(withToken(original.token, { method }))).toBe('METHOD_MISMATCH');
        },
      ),
      fewerRuns,
    );
  });

  it('a flipped character of the path and query is refused as URI_MISMATCH', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: shape.pathAndQuery.length - 1 }),
        fc.integer({ min: 1, max: 127 }),
        async (at, mask) => {
          const pathAndQuery = flipChar(shape.pathAndQuery, at, mask);
          expect(await refusalOf(withToken(original.token, { pathAndQuery }))).toBe('URI_MISMATCH');
        },
      ),
      fewerRuns,
    );
  });

  it('a token cut short anywhere is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.token.length - 1 }), async (length) => {
        expect(refusalCodes).toContain(await refusalOf(withToken(original.token.slice(0, length))));
      }),
      fewerRuns,
    );
  });

  it('a token extended by any characters is refused', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=';
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 8 }),
        async (suffix) => {
          expect(refusalCodes).toContain(await refusalOf(withToken(`${original.token}${suffix}`)));
        },
      ),
      fewerRuns,
    );
  });

  it('a token with its segments reordered or swapped with another request is refused', async () => {
    const [header, claims, signature] = segmentsOf(original.token);
    const other = await signedRequest(shape, { key: keys[key], subject: ids.user });
    const [otherHeader, otherClaims, otherSignature] = segmentsOf(other.token);
    const variants = [
      `${claims}.${header}.${signature}`,
      `${header}.${signature}.${claims}`,
      `${header}.${otherClaims}.${signature}`,
      `${header}.${claims}.${otherSignature}`,
      `${otherHeader}.${otherClaims}.${signature}`,
    ];
    for (const variant of variants) {
      expect(refusalCodes).toContain(await refusalOf(withToken(variant)));
    }
  });
});

/**
 * A correctly signed request whose Authorization header is exactly `size` bytes. Base64url lengths are never
 * 1 mod 4, so the size is reached by padding a claim and adding spaces inside the header JSON, both of which the
 * signature covers.
 */
const authorizationOfSize = (key: PrivateJwk, size: number): SignedRequestInput => {
  const claims = claimsFor(getWithQuery, { subject: ids.user });
  const build = (spaces: number, pad: number) =>
    authorizationFor(
      forgeToken({
        header: utf8(JSON.stringify(headerFor(key)).replace('{', `{${' '.repeat(spaces)}`)),
        claims: { ...claims, pad: 'p'.repeat(pad) },
        signWith: key,
      }),
    );
  for (let spaces = 0; spaces < 4; spaces++) {
    const shortest = build(spaces, 0).length;
    // Each 3 bytes of claims add 4 characters; search the few pad lengths around the estimate.
    const estimate = Math.max(0, Math.floor(((size - shortest) * 3) / 4) - 3);
    for (let pad = estimate; pad < estimate + 8; pad++) {
      const authorization = build(spaces, pad);
      if (authorization.length === size) return withAuthorization(getWithQuery, authorization);
    }
  }
  throw new Error(`no token of ${size} bytes`);
};

describe('limits, at their value and one unit past it', () => {
  const authenticate = (h: AuthHarness, request: SignedRequestInput) =>
    outcomeOf(authenticateRequest(h.deps, { ...request, route: fixtureRoute }));
  /** A POST for the user, signed at `now` (default: the harness clock's start) by the client's ES256 key. */
  const sign = (options: ClaimsOptions = {}) =>
    signedRequest(postWithJson, { key: keys.es256, subject: ids.user, ...options });

  it('are the ones the protocol states', () => {
    expect({ maxClockSkewSeconds, maxLifetimeSeconds, maxAuthorizationBytes, maxSignedBodyBytes }).toEqual({
      maxClockSkewSeconds: 60,
      maxLifetimeSeconds: 300,
      maxAuthorizationBytes: 8192,
      maxSignedBodyBytes: 1_048_576,
    });
  });

  it('accepts iat up to 60 s ahead of the clock and refuses 61 s as ISSUED_IN_FUTURE', async () => {
    const h = await createAuthHarness(keys);
    expect(await authenticate(h, await sign({ now: addSeconds(fixtureNow, 60) }))).toBe('accepted');
    expect(await authenticate(h, await sign({ now: addSeconds(fixtureNow, 61) }))).toBe('ISSUED_IN_FUTURE');
  });

  it('accepts a lifetime of 300 s and refuses 301 s as LIFETIME_TOO_LONG', async () => {
    const h = await createAuthHarness(keys);
    expect(await authenticate(h, await sign({ lifetimeSeconds: 300 }))).toBe('accepted');
    expect(await authenticate(h, await sign({ lifetimeSeconds: 301 }))).toBe('LIFETIME_TOO_LONG');
  });

  it('refuses exp equal to iat as EXPIRY_NOT_AFTER_ISSUE and accepts a lifetime of 1 s', async () => {
    const h = await createAuthHarness(keys);
    expect(await authenticate(h, await sign({ lifetimeSeconds: 0 }))).toBe('EXPIRY_NOT_AFTER_ISSUE');
    expect(await authenticate(h, await sign({ lifetimeSeconds: 1 }))).toBe('accepted');
  });

  it('accepts a token until exp + 60 s and refuses it from exp + 61 s as TOKEN_EXPIRED', async () => {
    const h = await createAuthHarness(keys);
    const exp = addSeconds(fixtureNow, 60);
    const at = async (now: Date) => {
      h.clock.set(now.toISOString());
      return authenticate(h, await sign({ lifetimeSeconds: 60 }));
    };
    expect(await at(addSeconds(exp, 60))).toBe('accepted');
    // The exchange compares whole seconds: the last millisecond before exp + 61 s still counts as exp + 60 s.
    expect(await at(addMilliseconds(addSeconds(exp, 61), -1))).toBe('accepted');
    expect(await at(addSeconds(exp, 61))).toBe('TOKEN_EXPIRED');
  });

  it('accepts a key from exactly its notBefore and refuses it 1 ms earlier as KEY_NOT_YET_VALID', async () => {
    const h = await createAuthHarness(keys);
    changeKeyRecord(h.registry, ids.client, keys.es256, { notBefore: fixtureNow.toISOString() });
    expect(await authenticate(h, await sign())).toBe('accepted');
    changeKeyRecord(h.registry, ids.client, keys.es256, {
      notBefore: addMilliseconds(fixtureNow, 1).toISOString(),
    });
    expect(await authenticate(h, await sign())).toBe('KEY_NOT_YET_VALID');
  });

  it('refuses a key from exactly its notAfter as KEY_EXPIRED and accepts it 1 ms before', async () => {
    const h = await createAuthHarness(keys);
    changeKeyRecord(h.registry, ids.client, keys.es256, { notAfter: fixtureNow.toISOString() });
    expect(await authenticate(h, await sign())).toBe('KEY_EXPIRED');
    changeKeyRecord(h.registry, ids.client, keys.es256, {
      notAfter: addMilliseconds(fixtureNow, 1).toISOString(),
    });
    expect(await authenticate(h, await sign())).toBe('accepted');
  });

  it('accepts a jti of 16 and of 128 characters and refuses 15 and 129 as INVALID_CLAIM', async () => {
    const h = await createAuthHarness(keys);
    const jti = (length: number) => freshJti().padStart(length, 'x').slice(-length);
    expect(await authenticate(h, await sign({ jti: jti(16) }))).toBe('accepted');
    expect(await authenticate(h, await sign({ jti: jti(128) }))).toBe('accepted');
    expect(await authenticate(h, await sign({ jti: jti(15) }))).toBe('INVALID_CLAIM');
    expect(await authenticate(h, await sign({ jti: jti(129) }))).toBe('INVALID_CLAIM');
  });

  it('accepts an htu of 4096 characters and refuses 4097 as INVALID_CLAIM', async () => {
    const h = await createAuthHarness(keys);
    const prefix = '/v1/whoami?q=';
    for (const [length, expected] of [
      [4096, 'accepted'],
      [4097, 'INVALID_CLAIM'],
    ] as const) {
      const shape = { ...getWithQuery, pathAndQuery: prefix + 'a'.repeat(length - prefix.length) };
      const request = await signedRequest(shape, { key: keys.es256 });
      expect(request.pathAndQuery).toHaveLength(length);
      expect(await authenticate(h, request)).toBe(expected);
    }
  });

  it('accepts an Authorization header of exactly 8 KiB and refuses one byte more as TOKEN_TOO_LARGE', async () => {
    const h = await createAuthHarness(keys);
    for (const [size, expected] of [
      [maxAuthorizationBytes, 'accepted'],
      [maxAuthorizationBytes + 1, 'TOKEN_TOO_LARGE'],
    ] as const) {
      const request = authorizationOfSize(keys.es256, size);
      expect(Buffer.byteLength(request.authorization ?? '')).toBe(size);
      expect(await authenticate(h, request)).toBe(expected);
    }
  });

  it('accepts a body of exactly 1 MiB and refuses one byte more as BODY_TOO_LARGE', async () => {
    const h = await createAuthHarness(keys);
    for (const [size, expected] of [
      [maxSignedBodyBytes, 'accepted'],
      [maxSignedBodyBytes + 1, 'BODY_TOO_LARGE'],
    ] as const) {
      const shape: RequestShape = {
        method: 'POST',
        pathAndQuery: '/v1/requests',
        body: new Uint8Array(size),
      };
      expect(await authenticate(h, await signedRequest(shape, { key: keys.es256 }))).toBe(expected);
    }
  });
});

describe('canonical base64url', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const segments = fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 90 });

  it('accepts exactly the segments that decode and encode back to themselves', () => {
    fc.assert(
      fc.property(segments, (segment) => {
        expect(isCanonicalBase64url(segment)).toBe(
          Buffer.from(segment, 'base64url').toString('base64url') === segment,
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts the encoding of any bytes, and no other spelling of its last character', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 70 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64url');
        expect(isCanonicalBase64url(encoded)).toBe(true);
        const respelt = [...alphabet]
          .map((c) => `${encoded.slice(0, -1)}${c}`)
          .filter((s) => s !== encoded && Buffer.from(s, 'base64url').equals(Buffer.from(bytes)));
        for (const s of respelt) expect(isCanonicalBase64url(s)).toBe(false);
      }),
    );
  });
});
