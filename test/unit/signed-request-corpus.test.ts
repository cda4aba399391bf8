import { createHash, randomBytes } from 'node:crypto';
import { CompactSign, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { authenticateRequest } from '#shared/domain/auth/authenticate-request.ts';
import { maxSignedBodyBytes, requestTokenType } from '#shared/domain/auth/protocol.ts';
import {
  type SignedRequestInput,
  SignedRequestRefusal,
  sha256Base64url,
  verifySignedRequest,
} from '#shared/domain/auth/verify-signed-request.ts';
import { AuthenticationError, authenticationErrorCodes, TooLargeError } from '#shared/domain/errors.ts';
import {
  type AuthHarness,
  addSeconds,
  authorizationFor,
  base64url,
  type ClaimsOptions,
  claimsFor,
  createAuthHarness,
  encodeSegment,
  type FixtureKeys,
  type ForgeInput,
  fixtureNow,
  fixtureRoute,
  forgeToken,
  freshJti,
  generateFixtureKeys,
  getWithQuery,
  headerFor,
  ids,
  malleateEcdsa,
  malleateEd25519,
  postWithJson,
  type RefusalCode,
  type RequestShape,
  respellBase64url,
  type SegmentContent,
  segmentsOf,
  signBytes,
  signedRequest,
  snapshotRegistry,
  utf8,
  withAuthorization,
} from '../support/signed-request-fixtures.ts';

/**
 * One row per attack class: a request that is correct in every way but one, refused with the code of the check
 * that catches that one fault, and leaving no trace but its audit entry. Every token is either built by the
 * production signer or forged byte by byte (test/support/signed-request-fixtures.ts), and the controls below show
 * that an unaltered forgery is accepted, so each refusal is owed to the attack and not to the forger.
 */

type Attempt = {
  readonly request: SignedRequestInput;
  /** Requests accepted before the attack, e.g. the first use of a token that is then replayed. */
  readonly firstUse?: readonly SignedRequestInput[];
};

type Attack = {
  readonly code: RefusalCode;
  readonly name: string;
  readonly build: (h: AuthHarness) => Attempt | Promise<Attempt>;
};

const refused = (
  code: RefusalCode,
  name: string,
  build: (h: AuthHarness) => SignedRequestInput | Promise<SignedRequestInput>,
): Attack => ({ code, name, build: async (h) => ({ request: await build(h) }) });

const replayed = (name: string, build: (h: AuthHarness) => Promise<Attempt>): Attack => ({
  code: 'REPLAYED',
  name,
  build,
});

type ForgeSpec = {
  /** The request the token is made for (default: a POST with a JSON body). */
  readonly shape?: RequestShape;
  /** The key named in the header (default: the client's active ES256 key); it also signs unless `signWith` says. */
  readonly key?: PrivateJwk;
  readonly claimsOptions?: ClaimsOptions;
  readonly header?: (header: Record<string, unknown>) => SegmentContent;
  readonly claims?: (claims: Record<string, unknown>) => SegmentContent;
  readonly signWith?: PrivateJwk;
  readonly ecdsaEncoding?: ForgeInput['ecdsaEncoding'];
  readonly signature?: ForgeInput['signature'];
  /** What is actually sent, where it differs from `shape`. */
  readonly sent?: Partial<RequestShape>;
  readonly authorization?: (token: string) => string | undefined;
};

/** A hand-made token for `shape`, correct except for what the spec changes. */
const forged = (h: AuthHarness, spec: ForgeSpec = {}): SignedRequestInput => {
  const shape = spec.shape ?? postWithJson;
  const key = spec.key ?? h.keys.es256;
  const header = headerFor(key);
  const claims = claimsFor(shape, { subject: ids.user, ...spec.claimsOptions });
  const token = forgeToken({
    header: spec.header === undefined ? header : spec.header(header),
    claims: spec.claims === undefined ? claims : spec.claims(claims),
    signWith: spec.signWith ?? key,
    ...(spec.ecdsaEncoding === undefined ? {} : { ecdsaEncoding: spec.ecdsaEncoding }),
    ...(spec.signature === undefined ? {} : { signature: spec.signature }),
  });
  const authorization =
    spec.authorization === undefined ? authorizationFor(token) : spec.authorization(token);
  return withAuthorization(shape, authorization, spec.sent);
};

const omit = (record: Record<string, unknown>, ...names: string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([name]) => !names.includes(name)));

/** Replaces segment `index` of the compact token in an Authorization value. */
const replaceSegment = (token: string, index: 0 | 1 | 2, segment: string): string => {
  const segments = segmentsOf(token);
  segments[index] = segment;
  return authorizationFor(segments.join('.'));
};

/** JSON bytes whose base64 form needs '==' padding (length 1 mod 3), so that padding is really there to send. */
const jsonNeedingPadding = (value: unknown): Uint8Array => {
  const json = JSON.stringify(value);
  return utf8(json + ' '.repeat((4 - (json.length % 3)) % 3));
};
const padded = (segment: string): string => {
  if (segment.length % 4 === 0) throw new Error('this segment needs no padding');
  return segment.padEnd(segment.length + 4 - (segment.length % 4), '=');
};

/** Signs with jose itself, for algorithms the hand forger does not speak (HS256, RS256). */
const joseToken = async (
  header: { alg: string; kid: string; typ: string },
  claims: Record<string, unknown>,
  key: Parameters<CompactSign['sign']>[0],
): Promise<string> => new CompactSign(utf8(JSON.stringify(claims))).setProtectedHeader(header).sign(key);

const otherPost: RequestShape = {
  ...postWithJson,
  pathAndQuery: '/v1/requests?agreement=cdop-nwl&version=3',
};
const typ = requestTokenType;

const corpus: readonly Attack[] = [
  // No credential, or not ours.
  refused('MISSING_AUTHORIZATION', 'no Authorization header', () =>
    withAuthorization(getWithQuery, undefined),
  ),
  refused('MISSING_AUTHORIZATION', 'an empty Authorization header', () =>
    withAuthorization(getWithQuery, ''),
  ),
  refused('UNSUPPORTED_AUTH_SCHEME', 'two spaces after the scheme', (h) =>
    forged(h, { authorization: (t) => `PBX-JWS  ${t}` }),
  ),
  refused('UNSUPPORTED_AUTH_SCHEME', 'a tab after the scheme and its space', (h) =>
    forged(h, { authorization: (t) => `PBX-JWS \t${t}` }),
  ),
  refused('UNSUPPORTED_AUTH_SCHEME', 'a valid token under the Bearer scheme', (h) =>
    forged(h, { authorization: (t) => `Bearer ${t}` }),
  ),
  refused('UNSUPPORTED_AUTH_SCHEME', 'a valid token with no scheme', (h) =>
    forged(h, { authorization: (t) => t }),
  ),
  refused('UNSUPPORTED_AUTH_SCHEME', 'the scheme name in lower case', (h) =>
    forged(h, { authorization: (t) => `pbx-jws ${t}` }),
  ),

  // Size limits, checked before anything is decoded.
  refused('TOKEN_TOO_LARGE', 'a correctly signed token over 8 KiB', (h) =>
    forged(h, { claims: (c) => ({ ...c, pad: 'x'.repeat(9000) }) }),
  ),
  refused('TOKEN_TOO_LARGE', 'an Authorization header under 8 Ki characters but over 8 KiB of UTF-8', (h) =>
    forged(h, { authorization: () => `PBX-JWS ${'€'.repeat(3000)}` }),
  ),
  refused('BODY_TOO_LARGE', 'a correctly signed body over 1 MiB', (h) =>
    forged(h, {
      shape: { method: 'POST', pathAndQuery: '/v1/requests', body: new Uint8Array(maxSignedBodyBytes + 1) },
    }),
  ),

  // Not a compact JWS.
  refused('MALFORMED_TOKEN', 'a token of two segments', (h) =>
    forged(h, { authorization: (t) => authorizationFor(segmentsOf(t).slice(0, 2).join('.')) }),
  ),
  refused('MALFORMED_TOKEN', 'a token of four segments', (h) =>
    forged(h, { authorization: (t) => authorizationFor(`${t}.${segmentsOf(t)[2]}`) }),
  ),
  refused('MALFORMED_TOKEN', 'a JWE-shaped token of five segments', (h) =>
    forged(h, {
      authorization: () =>
        authorizationFor(
          [
            encodeSegment({ alg: 'dir', enc: 'A256GCM', kid: h.keys.es256.kid, typ }),
            '',
            base64url(randomBytes(12)),
            base64url(randomBytes(64)),
            base64url(randomBytes(16)),
          ].join('.'),
        ),
    }),
  ),
  refused('MALFORMED_TOKEN', 'an empty header segment', (h) =>
    forged(h, { authorization: (t) => replaceSegment(t, 0, '') }),
  ),
  refused('MALFORMED_TOKEN', "'=' padding on the header segment", (h) =>
    forged(h, {
      header: jsonNeedingPadding,
      authorization: (t) => replaceSegment(t, 0, padded(segmentsOf(t)[0])),
    }),
  ),
  refused('MALFORMED_TOKEN', "'=' padding on the claims segment", (h) =>
    forged(h, {
      claims: jsonNeedingPadding,
      authorization: (t) => replaceSegment(t, 1, padded(segmentsOf(t)[1])),
    }),
  ),
  refused('MALFORMED_TOKEN', "standard base64 ('+' and '/') in the claims segment", (h) =>
    forged(h, {
      // Six '?' hold an aligned '???', which base64 spells 'Pz8/', so the segment surely has a '/' in it.
      claims: (c) => ({ ...c, note: '??????' }),
      authorization: (t) => replaceSegment(t, 1, segmentsOf(t)[1].replaceAll('-', '+').replaceAll('_', '/')),
    }),
  ),
  refused('MALFORMED_TOKEN', 'a token folded over two lines', (h) =>
    forged(h, { authorization: (t) => authorizationFor(`${t.slice(0, 40)}\r\n ${t.slice(40)}`) }),
  ),

  refused('MALFORMED_TOKEN', 'the flattened JWS JSON serialization instead of the compact one', (h) =>
    forged(h, {
      authorization: (t) => {
        const [protectedHeader, payload, signature] = segmentsOf(t);
        return authorizationFor(JSON.stringify({ protected: protectedHeader, payload, signature }));
      },
    }),
  ),

  // The protected header.
  refused('MALFORMED_HEADER', 'a JSON array as header', (h) => forged(h, { header: (hd) => [hd] })),
  refused('MALFORMED_HEADER', 'JSON null as header', (h) => forged(h, { header: () => null })),
  refused('MALFORMED_HEADER', 'a JSON string as header', (h) => forged(h, { header: () => 'ES256' })),
  refused('MALFORMED_HEADER', 'a header that is not JSON', (h) =>
    forged(h, { header: () => utf8(`alg=ES256;kid=${h.keys.es256.kid};typ=${typ}`) }),
  ),
  refused('MALFORMED_HEADER', 'a header naming alg twice, the last one allowed', (h) =>
    forged(h, { header: (hd) => utf8(JSON.stringify(hd).replace(/^\{/, '{"alg":"none",')) }),
  ),
  refused('MALFORMED_HEADER', 'a header naming kid twice, once spelt with an escape', (h) =>
    forged(h, { header: (hd) => utf8(JSON.stringify(hd).replace(/^\{/, '{"\\u006bid":"other-key-id",')) }),
  ),
  refused('FORBIDDEN_HEADER', 'a jku naming the attacker key set', (h) =>
    forged(h, { header: (hd) => ({ ...hd, jku: 'https://attacker.example/.well-known/jwks.json' }) }),
  ),
  refused('FORBIDDEN_HEADER', 'an embedded jwk of the attacker key that signed it', (h) =>
    forged(h, {
      key: h.keys.unregistered,
      header: (hd) => ({ ...hd, jwk: publicJwkOf(h.keys.unregistered) }),
    }),
  ),
  refused('FORBIDDEN_HEADER', 'an x5u certificate URL', (h) =>
    forged(h, { header: (hd) => ({ ...hd, x5u: 'https://attacker.example/cert.pem' }) }),
  ),
  refused('FORBIDDEN_HEADER', 'an x5c certificate chain', (h) =>
    forged(h, { header: (hd) => ({ ...hd, x5c: [randomBytes(300).toString('base64')] }) }),
  ),
  refused('FORBIDDEN_HEADER', 'an x5t#S256 certificate thumbprint', (h) =>
    forged(h, { header: (hd) => ({ ...hd, 'x5t#S256': base64url(randomBytes(32)) }) }),
  ),
  refused('FORBIDDEN_HEADER', 'crit naming a claim as a critical extension', (h) =>
    forged(h, { header: (hd) => ({ ...hd, crit: ['exp'] }) }),
  ),
  refused('FORBIDDEN_HEADER', 'b64 false (an unencoded payload, RFC 7797)', (h) =>
    forged(h, { header: (hd) => ({ ...hd, b64: false }) }),
  ),
  refused('FORBIDDEN_HEADER', 'zip asking for a deflated payload', (h) =>
    forged(h, { header: (hd) => ({ ...hd, zip: 'DEF' }) }),
  ),
  refused('UNEXPECTED_HEADER', 'a cty header announcing a nested token', (h) =>
    forged(h, { header: (hd) => ({ ...hd, cty: 'JWT' }) }),
  ),
  refused('UNEXPECTED_HEADER', 'a JWE enc member in a JWS header', (h) =>
    forged(h, { header: (hd) => ({ ...hd, enc: 'A256GCM' }) }),
  ),
  refused('UNEXPECTED_HEADER', 'a __proto__ member smuggling a jku', (h) =>
    forged(h, {
      header: (hd) =>
        utf8(`${JSON.stringify(hd).slice(0, -1)},"__proto__":{"jku":"https://attacker.example/jwks"}}`),
    }),
  ),
  refused('ALGORITHM_NOT_ALLOWED', 'alg none with an empty signature', (h) =>
    forged(h, { header: (hd) => ({ ...hd, alg: 'none' }), signature: '' }),
  ),
  refused('ALGORITHM_NOT_ALLOWED', 'alg nOnE, in mixed case', (h) =>
    forged(h, { header: (hd) => ({ ...hd, alg: 'nOnE' }), signature: '' }),
  ),
  refused('ALGORITHM_NOT_ALLOWED', 'HS256 with the registered public key as the HMAC secret', async (h) => {
    const secret = utf8(JSON.stringify(publicJwkOf(h.keys.es256)));
    const claims = claimsFor(postWithJson, { subject: ids.user });
    const token = await joseToken({ alg: 'HS256', kid: h.keys.es256.kid, typ }, claims, secret);
    return withAuthorization(postWithJson, authorizationFor(token));
  }),
  refused('ALGORITHM_NOT_ALLOWED', 'RS256 with an attacker RSA key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = claimsFor(postWithJson, { subject: ids.user });
    const token = await joseToken({ alg: 'RS256', kid: 'attacker-rsa-key-1', typ }, claims, privateKey);
    return withAuthorization(postWithJson, authorizationFor(token));
  }),
  refused('ALGORITHM_NOT_ALLOWED', 'the fully-specified alg Ed25519 for a registered EdDSA key', (h) =>
    forged(h, { key: h.keys.eddsa, header: (hd) => ({ ...hd, alg: 'Ed25519' }) }),
  ),
  refused('ALGORITHM_NOT_ALLOWED', 'alg es256 in lower case', (h) =>
    forged(h, { header: (hd) => ({ ...hd, alg: 'es256' }) }),
  ),
  refused('ALGORITHM_NOT_ALLOWED', 'no alg member', (h) => forged(h, { header: (hd) => omit(hd, 'alg') })),
  refused('WRONG_TYPE', 'typ JWT', (h) => forged(h, { header: (hd) => ({ ...hd, typ: 'JWT' }) })),
  refused('WRONG_TYPE', 'an OAuth access token type (at+jwt)', (h) =>
    forged(h, { header: (hd) => ({ ...hd, typ: 'at+jwt' }) }),
  ),
  refused('WRONG_TYPE', 'the typ with its application/ media type prefix', (h) =>
    forged(h, { header: (hd) => ({ ...hd, typ: `application/${typ}` }) }),
  ),
  refused('WRONG_TYPE', 'no typ member', (h) => forged(h, { header: (hd) => omit(hd, 'typ') })),
  refused('INVALID_KID', 'no kid member', (h) => forged(h, { header: (hd) => omit(hd, 'kid') })),
  refused('INVALID_KID', 'a numeric kid', (h) => forged(h, { header: (hd) => ({ ...hd, kid: 12345678 }) })),
  refused('INVALID_KID', 'a kid with a path traversal', (h) =>
    forged(h, { header: (hd) => ({ ...hd, kid: `../../clients/${ids.otherClient}/keys/current` }) }),
  ),
  refused('INVALID_KID', 'a kid shorter than 8 characters', (h) =>
    forged(h, { header: (hd) => ({ ...hd, kid: 'key-001' }) }),
  ),
  refused('MISSING_SIGNATURE', 'an empty signature segment', (h) => forged(h, { signature: '' })),
  refused('MALFORMED_TOKEN', "a signature segment with '=' padding", (h) =>
    forged(h, { signature: (signature) => `${base64url(signature)}==` }),
  ),

  // The claims, before any key is looked up.
  refused('MALFORMED_CLAIMS', 'a JSON array as claims', (h) => forged(h, { claims: (c) => [c] })),
  refused('MALFORMED_CLAIMS', 'JSON null as claims', (h) => forged(h, { claims: () => null })),
  refused('MALFORMED_CLAIMS', 'claims that are not JSON', (h) =>
    forged(h, { claims: () => utf8(`iss=${ids.client}&aud=${ids.exchange}`) }),
  ),
  refused('MALFORMED_CLAIMS', 'claims naming sub twice, the last one another user', (h) =>
    forged(h, {
      claims: (c) => utf8(JSON.stringify(c).replace(/^\{/, `{"sub":"${ids.organisation}.other-user",`)),
    }),
  ),
  refused('MALFORMED_CLAIMS', 'claims naming sub twice, once spelt with an escape', (h) =>
    forged(h, { claims: (c) => utf8(JSON.stringify(c).replace(/^\{/, '{"\\u0073ub":"x",')) }),
  ),
  refused('MISSING_CLAIM', 'no jti', (h) => forged(h, { claims: (c) => omit(c, 'jti') })),
  refused('MISSING_CLAIM', 'no bdh on a request without a body', (h) =>
    forged(h, { shape: getWithQuery, claims: (c) => omit(c, 'bdh') }),
  ),
  refused('MISSING_CLAIM', 'no aud', (h) => forged(h, { claims: (c) => omit(c, 'aud') })),
  refused('MISSING_CLAIM', 'no exp', (h) => forged(h, { claims: (c) => omit(c, 'exp') })),
  refused('MISSING_CLAIM', 'no htu', (h) => forged(h, { claims: (c) => omit(c, 'htu') })),
  refused('INVALID_CLAIM', 'iat as a string', (h) =>
    forged(h, { claims: (c) => ({ ...c, iat: String(c.iat) }) }),
  ),
  refused('INVALID_CLAIM', 'exp as a numeric string', (h) =>
    forged(h, { claims: (c) => ({ ...c, exp: String(c.exp) }) }),
  ),
  refused('INVALID_CLAIM', 'iat null', (h) => forged(h, { claims: (c) => ({ ...c, iat: null }) })),
  refused('INVALID_CLAIM', 'iat with a fraction of a second', (h) =>
    forged(h, { claims: (c) => ({ ...c, iat: Number(c.iat) + 0.5 }) }),
  ),
  refused('INVALID_CLAIM', 'iat and exp in milliseconds', (h) =>
    forged(h, { claims: (c) => ({ ...c, iat: Number(c.iat) * 1000, exp: Number(c.iat) * 1000 + 60_000 }) }),
  ),
  refused('INVALID_CLAIM', 'a jti of 15 characters', (h) =>
    forged(h, { claims: (c) => ({ ...c, jti: 'abcdefghijklmno' }) }),
  ),
  refused('INVALID_CLAIM', 'a jti with characters outside base64url', (h) =>
    forged(h, { claims: (c) => ({ ...c, jti: 'not/url safe+jti value' }) }),
  ),
  refused('INVALID_CLAIM', 'aud as an array holding this exchange', (h) =>
    forged(h, { claims: (c) => ({ ...c, aud: [ids.exchange] }) }),
  ),
  refused('INVALID_CLAIM', 'htu as a full URL', (h) =>
    forged(h, { claims: (c) => ({ ...c, htu: `https://pbx.example${postWithJson.pathAndQuery}` }) }),
  ),
  refused('INVALID_CLAIM', 'htu over 4096 characters', (h) =>
    forged(h, {
      shape: { ...getWithQuery, pathAndQuery: `/v1/whoami?q=${'a'.repeat(4100)}` },
    }),
  ),
  refused('INVALID_CLAIM', 'htm in lower case', (h) => forged(h, { claims: (c) => ({ ...c, htm: 'post' }) })),
  refused('INVALID_CLAIM', "bdh with '=' padding", (h) =>
    forged(h, { claims: (c) => ({ ...c, bdh: `${sha256Base64url(postWithJson.body)}=` }) }),
  ),
  refused('INVALID_CLAIM', 'bdh as a hex digest', (h) =>
    forged(h, {
      claims: (c) => ({ ...c, bdh: createHash('sha256').update(postWithJson.body).digest('hex') }),
    }),
  ),
  refused('INVALID_CLAIM', 'iss in upper case', (h) =>
    forged(h, { claims: (c) => ({ ...c, iss: ids.client.toUpperCase() }) }),
  ),
  refused('INVALID_CLAIM', 'sub that is not an organisation-qualified user id', (h) =>
    forged(h, { claims: (c) => ({ ...c, sub: 'practitioner' }) }),
  ),

  // Issuer and key, before the signature.
  refused('UNKNOWN_ISSUER', 'iss of an unregistered client', (h) =>
    forged(h, { claimsOptions: { issuer: ids.unknownClient } }),
  ),
  refused('UNKNOWN_ISSUER', 'iss naming the organisation rather than its client', (h) =>
    forged(h, { claimsOptions: { issuer: ids.organisation } }),
  ),
  refused('CLIENT_SUSPENDED', 'a suspended client signing with its own key', (h) =>
    forged(h, { key: h.keys.suspendedClient, claimsOptions: { issuer: ids.suspendedClient } }),
  ),
  refused('UNKNOWN_KEY', 'an attacker key never registered', (h) => forged(h, { key: h.keys.unregistered })),
  refused('UNKNOWN_KEY', 'a registered kid in another letter case', (h) =>
    forged(h, { header: (hd) => ({ ...hd, kid: h.keys.es256.kid.toUpperCase() }) }),
  ),
  refused('KEY_NOT_OWNED_BY_ISSUER', "another client's kid and key under this client's iss", (h) =>
    forged(h, { key: h.keys.otherClient }),
  ),
  refused('KEY_NOT_OWNED_BY_ISSUER', "a suspended client's key passed off as its active sibling's", (h) =>
    forged(h, { key: h.keys.suspendedClient }),
  ),
  refused('ALGORITHM_KEY_MISMATCH', 'alg EdDSA naming the ES256 key', (h) =>
    forged(h, { header: (hd) => ({ ...hd, alg: 'EdDSA' }), signWith: h.keys.eddsa }),
  ),
  refused('ALGORITHM_KEY_MISMATCH', 'alg ES256 naming the EdDSA key', (h) =>
    forged(h, { key: h.keys.eddsa, header: (hd) => ({ ...hd, alg: 'ES256' }), signWith: h.keys.es256 }),
  ),
  refused('KEY_REVOKED', 'a revoked key', (h) => forged(h, { key: h.keys.revoked })),
  refused('KEY_RETIRED', 'a retired key', (h) => forged(h, { key: h.keys.retired })),
  refused('KEY_NOT_YET_VALID', 'a key before its not-before time', (h) =>
    forged(h, { key: h.keys.notYetValid }),
  ),
  refused('KEY_EXPIRED', 'a key past its not-after time', (h) => forged(h, { key: h.keys.expired })),

  // The signature.
  refused('BAD_SIGNATURE', "another client's signature under this client's kid", (h) =>
    forged(h, { signWith: h.keys.otherClient }),
  ),
  refused('BAD_SIGNATURE', "the client's revoked key signing under its active kid", (h) =>
    forged(h, { signWith: h.keys.revoked }),
  ),
  refused('BAD_SIGNATURE', 'an ECDSA signature in DER form instead of R || S', (h) =>
    forged(h, { ecdsaEncoding: 'der' }),
  ),
  refused('BAD_SIGNATURE', 'an all-zero ECDSA signature (CVE-2022-21449)', (h) =>
    forged(h, { signature: base64url(new Uint8Array(64)) }),
  ),
  refused('BAD_SIGNATURE', 'an Ed25519 signature with S + L (non-canonical S)', (h) =>
    forged(h, { key: h.keys.eddsa, signature: malleateEd25519 }),
  ),
  refused('BAD_SIGNATURE', 'an ECDSA signature one byte short', (h) =>
    forged(h, { signature: (signature) => base64url(signature.subarray(0, 63)) }),
  ),
  refused('BAD_SIGNATURE', 'the signature of another request', (h) =>
    forged(h, {
      signature: () =>
        segmentsOf(
          forgeToken({
            header: headerFor(h.keys.es256),
            claims: claimsFor(otherPost),
            signWith: h.keys.es256,
          }),
        )[2],
    }),
  ),
  refused('BAD_SIGNATURE', 'claims rewritten after signing to fit another request', (h) =>
    forged(h, {
      sent: otherPost,
      authorization: (t) => replaceSegment(t, 1, encodeSegment(claimsFor(otherPost, { subject: ids.user }))),
    }),
  ),
  refused('BAD_SIGNATURE', 'the header re-serialised with its members reordered', (h) =>
    forged(h, {
      authorization: (t) =>
        replaceSegment(t, 0, encodeSegment({ typ, kid: h.keys.es256.kid, alg: h.keys.es256.alg })),
    }),
  ),
  refused('BAD_SIGNATURE', 'a signature over the claims segment alone', (h) => {
    const claims = claimsFor(postWithJson, { subject: ids.user });
    return forged(h, {
      claims: () => claims,
      signature: () => base64url(signBytes(h.keys.es256, encodeSegment(claims))),
    });
  }),

  // The claims, now that they are the client's own words.
  refused('WRONG_AUDIENCE', 'aud of another exchange', (h) =>
    forged(h, { claimsOptions: { audience: ids.otherExchange } }),
  ),
  refused('WRONG_AUDIENCE', 'aud of this exchange in upper case', (h) =>
    forged(h, { claimsOptions: { audience: ids.exchange.toUpperCase() } }),
  ),
  refused('ISSUED_IN_FUTURE', 'a token issued an hour ahead, for later use', (h) =>
    forged(h, { claimsOptions: { now: addSeconds(fixtureNow, 3600) } }),
  ),
  refused('EXPIRY_NOT_AFTER_ISSUE', 'exp equal to iat', (h) =>
    forged(h, { claimsOptions: { lifetimeSeconds: 0 } }),
  ),
  refused('EXPIRY_NOT_AFTER_ISSUE', 'exp before iat', (h) =>
    forged(h, { claimsOptions: { lifetimeSeconds: -60 } }),
  ),
  refused('LIFETIME_TOO_LONG', 'a token valid for a day', (h) =>
    forged(h, { claimsOptions: { lifetimeSeconds: 24 * 60 * 60 } }),
  ),
  refused('TOKEN_EXPIRED', 'a token signed an hour ago', (h) =>
    forged(h, { claimsOptions: { now: addSeconds(fixtureNow, -3600) } }),
  ),
  refused('METHOD_MISMATCH', 'a GET token sent as DELETE', (h) =>
    forged(h, { shape: getWithQuery, sent: { method: 'DELETE' } }),
  ),
  refused('METHOD_MISMATCH', 'a POST token sent as PUT with the same body', (h) =>
    forged(h, { sent: { method: 'PUT' } }),
  ),
  refused('URI_MISMATCH', 'a token for another path', (h) =>
    forged(h, { shape: getWithQuery, sent: { pathAndQuery: '/v1/registry?include=roles&format=full' } }),
  ),
  refused('URI_MISMATCH', 'the query parameters reordered', (h) =>
    forged(h, { sent: { pathAndQuery: '/v1/requests?version=2&agreement=cdop-nwl' } }),
  ),
  refused('URI_MISMATCH', 'a percent-encoding in lower-case hex', (h) =>
    forged(h, {
      shape: { ...getWithQuery, pathAndQuery: '/v1/search?q=case%2Fref' },
      sent: { pathAndQuery: '/v1/search?q=case%2fref' },
    }),
  ),
  refused('URI_MISMATCH', "a space sent as '+' where '%20' was signed", (h) =>
    forged(h, {
      shape: { ...getWithQuery, pathAndQuery: '/v1/search?q=case%20ref' },
      sent: { pathAndQuery: '/v1/search?q=case+ref' },
    }),
  ),
  refused('URI_MISMATCH', 'the query dropped', (h) => forged(h, { sent: { pathAndQuery: '/v1/requests' } })),
  refused('URI_MISMATCH', 'a duplicate query parameter appended', (h) =>
    forged(h, { sent: { pathAndQuery: `${postWithJson.pathAndQuery}&version=3` } }),
  ),
  refused('URI_MISMATCH', 'a trailing slash added to the path', (h) =>
    forged(h, { shape: getWithQuery, sent: { pathAndQuery: '/v1/whoami/?include=roles&format=full' } }),
  ),
  refused('URI_MISMATCH', 'a dot segment that resolves to the signed path', (h) =>
    forged(h, {
      shape: getWithQuery,
      sent: { pathAndQuery: '/v1/registry/../whoami?include=roles&format=full' },
    }),
  ),
  refused('BODY_DIGEST_MISMATCH', 'bdh of the empty body when a body is sent', (h) =>
    forged(h, { claims: (c) => ({ ...c, bdh: sha256Base64url('') }) }),
  ),
  refused('BODY_DIGEST_MISMATCH', 'the body altered after signing', (h) =>
    forged(h, {
      sent: { body: utf8('{"purpose":"cdop-review","subjectRef":"ref-0000","categories":["all"]}') },
    }),
  ),
  refused('BODY_DIGEST_MISMATCH', 'the same JSON re-serialised with whitespace', (h) =>
    forged(h, {
      sent: {
        body: utf8(JSON.stringify(JSON.parse(Buffer.from(postWithJson.body).toString('utf8')), null, 2)),
      },
    }),
  ),
  refused('BODY_DIGEST_MISMATCH', 'the body cut short by one byte', (h) =>
    forged(h, { sent: { body: postWithJson.body.subarray(0, -1) } }),
  ),
  refused('BODY_DIGEST_MISMATCH', 'a body smuggled onto a GET signed without one', (h) =>
    forged(h, { shape: getWithQuery, sent: { body: utf8('{"purpose":"bulk-export"}') } }),
  ),
  refused('UNKNOWN_USER', 'sub of no registered user', (h) =>
    forged(h, { claimsOptions: { subject: ids.unknownUser } }),
  ),
  refused('USER_NOT_OF_ORGANISATION', 'sub of a user of another organisation', (h) =>
    forged(h, { claimsOptions: { subject: ids.otherOrganisationUser } }),
  ),
  refused(
    'USER_NOT_OF_ORGANISATION',
    "another organisation's client vouching for this organisation's user",
    (h) =>
      forged(h, { key: h.keys.otherClient, claimsOptions: { issuer: ids.otherClient, subject: ids.user } }),
  ),
  refused('USER_SUSPENDED', 'sub of a suspended user', (h) =>
    forged(h, { claimsOptions: { subject: ids.suspendedUser } }),
  ),

  // Single use.
  replayed('the same token sent again', async (h) => {
    const first = await signedRequest(postWithJson, { key: h.keys.es256, subject: ids.user });
    return { firstUse: [first], request: first };
  }),
  replayed('a high-S twin of a used ECDSA signature', async (h) => {
    const first = await signedRequest(postWithJson, { key: h.keys.es256, subject: ids.user });
    const [header, claims, signature] = segmentsOf(first.token);
    const twin = `${header}.${claims}.${malleateEcdsa(signature)}`;
    return { firstUse: [first], request: withAuthorization(postWithJson, authorizationFor(twin)) };
  }),
  refused(
    'MALFORMED_TOKEN',
    'a signature respelt in non-canonical base64url (same bytes, other text)',
    async (h) => {
      const signed = await signedRequest(postWithJson, { key: h.keys.eddsa, subject: ids.user });
      const [header, claims, signature] = segmentsOf(signed.token);
      return withAuthorization(
        postWithJson,
        authorizationFor(`${header}.${claims}.${respellBase64url(signature)}`),
      );
    },
  ),
  replayed('a used jti re-signed for another request', async (h) => {
    const jti = freshJti();
    const first = await signedRequest(postWithJson, { key: h.keys.es256, subject: ids.user, jti });
    const second = await signedRequest(otherPost, { key: h.keys.eddsa, subject: ids.user, jti });
    return { firstUse: [first], request: second };
  }),
];

let keys: FixtureKeys;
beforeAll(async () => {
  keys = await generateFixtureKeys();
});

/** The code a request was refused with, 'accepted', or the unexpected error itself rethrown. */
const outcomeOf = async (attempt: Promise<unknown>): Promise<string> => {
  try {
    await attempt;
    return 'accepted';
  } catch (error) {
    if (error instanceof AuthenticationError || error instanceof TooLargeError) return error.code;
    throw error;
  }
};

const authenticate = (h: AuthHarness, request: SignedRequestInput) =>
  authenticateRequest(h.deps, { ...request, route: fixtureRoute });

describe('the signed-request attack corpus', () => {
  it('holds at least 40 distinct classes and refuses with every code at least once', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((a) => a.name)).size).toBe(corpus.length);
    const codes = new Set<string>(corpus.map((a) => a.code));
    const everyCode: readonly RefusalCode[] = [
      ...authenticationErrorCodes,
      'TOKEN_TOO_LARGE',
      'BODY_TOO_LARGE',
    ];
    expect(everyCode.filter((code) => !codes.has(code))).toEqual([]);
  });

  it.each(corpus)('$code: $name', async ({ code, build }) => {
    const h = await createAuthHarness(keys);
    const { request, firstUse = [] } = await build(h);
    for (const earlier of firstUse) {
      expect(await outcomeOf(authenticate(h, earlier))).toBe('accepted');
    }
    const noncesBefore = [...h.nonces.seen];
    const registryBefore = snapshotRegistry(h.registry);

    expect(await outcomeOf(authenticate(h, request))).toBe(code);

    expect([...h.nonces.seen]).toEqual(noncesBefore);
    expect(snapshotRegistry(h.registry)).toEqual(registryBefore);
    expect(h.audit.entries).toEqual([
      expect.objectContaining({
        action: 'request.authenticate',
        outcome: 'refused',
        reasonCodes: [code],
        actor: expect.objectContaining({ kind: 'anonymous' }),
        target: { type: 'route', id: fixtureRoute },
      }),
    ]);
  });
});

describe('controls: the forger and signer make requests the exchange accepts', () => {
  const forgedWith = (key: PrivateJwk, shape: RequestShape, subject?: string) =>
    withAuthorization(
      shape,
      authorizationFor(
        forgeToken({
          header: headerFor(key),
          claims: claimsFor(shape, subject === undefined ? {} : { subject }),
          signWith: key,
        }),
      ),
    );

  it.each([
    ['ES256', 'POST with a body, for a user', 'es256', postWithJson, ids.user],
    ['EdDSA', 'POST with a body, for a user', 'eddsa', postWithJson, ids.user],
    ['ES256', 'GET with a query, as the client', 'es256', getWithQuery, undefined],
    ['EdDSA', 'GET with a query, as the client', 'eddsa', getWithQuery, undefined],
  ] as const)(
    'a hand-forged %s %s is accepted, claims one jti and records nothing',
    async (alg, _, name, shape, subject) => {
      const h = await createAuthHarness(keys);
      const principal = await authenticate(h, forgedWith(h.keys[name], shape, subject));
      expect(principal).toMatchObject({
        clientId: ids.client,
        organisationId: ids.organisation,
        alg,
        kid: h.keys[name].kid,
      });
      expect(principal.user?.id).toBe(subject);
      expect(h.nonces.seen.size).toBe(1);
      expect(h.audit.entries).toEqual([]);
    },
  );

  it('accepts the production signer for both algorithms', async () => {
    const h = await createAuthHarness(keys);
    for (const key of [h.keys.es256, h.keys.eddsa]) {
      const request = await signedRequest(postWithJson, { key, subject: ids.user });
      expect(await outcomeOf(authenticate(h, request))).toBe('accepted');
    }
  });

  it('keeps jti single-use per issuer: two clients may use the same jti', async () => {
    const h = await createAuthHarness(keys);
    const jti = freshJti();
    const ours = await signedRequest(postWithJson, { key: h.keys.es256, jti });
    const theirs = await signedRequest(postWithJson, {
      key: h.keys.otherClient,
      issuer: ids.otherClient,
      jti,
    });
    expect(await outcomeOf(authenticate(h, ours))).toBe('accepted');
    expect(await outcomeOf(authenticate(h, theirs))).toBe('accepted');
  });

  it('lets a high-S twin of an unused ECDSA token verify: only the single-use jti stops its replay', async () => {
    // Documented so that nobody relies on the token text (or requestHash) being unique per signed request. A
    // re-spelt (non-canonical) base64url signature is refused as malformed; ECDSA's (r, n - s) twin is not.
    const h = await createAuthHarness(keys);
    const original = await signedRequest(postWithJson, { key: h.keys.es256 });
    const [header, claims, signature] = segmentsOf(original.token);
    const twin = withAuthorization(
      postWithJson,
      authorizationFor(`${header}.${claims}.${malleateEcdsa(signature)}`),
    );
    expect(await outcomeOf(authenticate(h, twin))).toBe('accepted');
  });

  it('hands verifySignedRequest callers the refusal with what the token claimed', async () => {
    const h = await createAuthHarness(keys);
    const request = forged(h, { signWith: h.keys.otherClient });
    const refusal = await verifySignedRequest(h.deps, request, {
      exchangeId: ids.exchange,
      now: fixtureNow,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(SignedRequestRefusal);
    if (!(refusal instanceof SignedRequestRefusal)) return;
    expect(refusal.error.code).toBe('BAD_SIGNATURE');
    expect(refusal.context.claimedIssuer).toBe(ids.client);
    expect(refusal.context.requestHash).toBe(
      sha256Base64url(request.authorization?.slice('PBX-JWS '.length) ?? ''),
    );
  });
});
