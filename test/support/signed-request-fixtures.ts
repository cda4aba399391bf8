import { createPrivateKey, sign } from 'node:crypto';
import { NodeSignatureVerifier } from '#shared/adapters/crypto/node-signature-verifier.ts';
import { signRequest } from '#shared/adapters/jose/request-signing.ts';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import type { AuthenticationDeps } from '#shared/domain/auth/authenticate-request.ts';
import { authorizationScheme, requestTokenType } from '#shared/domain/auth/protocol.ts';
import { type SignedRequestInput, sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import type { AuthenticationErrorCode, TooLargeErrorCode } from '#shared/domain/errors.ts';
import { type ClientKey, newClientKey } from '#shared/domain/registry/client-key.ts';
import type { Client, Organisation, User } from '#shared/domain/registry/registry.ts';
import type { SignatureVerifier } from '#shared/ports/signature-verifier.ts';
import { fixedClock } from './fixed-clock.ts';
import { InMemoryAuditLog, InMemoryNonceStore, InMemoryRegistryStore } from './in-memory-registry-store.ts';

/**
 * A small registry and a set of keys for attacking signed-request verification: every way a key, client or user
 * can be unusable has one fixture, and every forged token is built by hand here so that a test controls each byte.
 */

export type RefusalCode = AuthenticationErrorCode | TooLargeErrorCode;

/** Whole seconds, so that `iat = now` is exact. */
export const fixtureNow = new Date('2026-03-02T10:00:00.000Z');
export const secondsOf = (at: Date): number => Math.floor(at.getTime() / 1000);
export const addSeconds = (at: Date, seconds: number): Date => new Date(at.getTime() + seconds * 1000);
export const addMilliseconds = (at: Date, ms: number): Date => new Date(at.getTime() + ms);

export const ids = {
  exchange: 'pbx-test-exchange',
  otherExchange: 'pbx-other-exchange',
  organisation: 'lb-brent',
  otherOrganisation: 'met-police',
  client: 'lb-brent-case-system',
  otherClient: 'met-police-niche',
  suspendedClient: 'lb-brent-legacy',
  unknownClient: 'lb-ghost-system',
  user: 'lb-brent.practitioner',
  suspendedUser: 'lb-brent.leaver',
  otherOrganisationUser: 'met-police.officer',
  unknownUser: 'lb-brent.nobody',
} as const;

/** The route the audit entries name. */
export const fixtureRoute = 'POST /v1/requests';

/**
 * Private keys, by what the registry says of them. All but `otherClient`, `suspendedClient` and `unregistered`
 * belong to `ids.client`.
 */
export type FixtureKeys = {
  readonly es256: PrivateJwk;
  readonly eddsa: PrivateJwk;
  readonly revoked: PrivateJwk;
  readonly retired: PrivateJwk;
  readonly notYetValid: PrivateJwk;
  readonly expired: PrivateJwk;
  readonly otherClient: PrivateJwk;
  readonly suspendedClient: PrivateJwk;
  /** Never registered: an attacker's own key. */
  readonly unregistered: PrivateJwk;
};

export const generateFixtureKeys = async (): Promise<FixtureKeys> => {
  const [es256, eddsa, revoked, retired, notYetValid, expired, otherClient, suspendedClient, unregistered] =
    await Promise.all([
      generateSigningKey('ES256'),
      generateSigningKey('EdDSA'),
      generateSigningKey('ES256'),
      generateSigningKey('EdDSA'),
      generateSigningKey('ES256'),
      generateSigningKey('EdDSA'),
      generateSigningKey('ES256'),
      generateSigningKey('ES256'),
      generateSigningKey('ES256'),
    ]);
  return { es256, eddsa, revoked, retired, notYetValid, expired, otherClient, suspendedClient, unregistered };
};

const day = 24 * 60 * 60;

/** Builds the registry as of `now`: two organisations, three clients, three users, eight registered keys. */
export const buildRegistry = async (
  keys: FixtureKeys,
  now: Date = fixtureNow,
): Promise<InMemoryRegistryStore> => {
  const store = new InMemoryRegistryStore();
  const seeded = (target: string) =>
    newAuditEntry(
      {
        actor: systemActor,
        action: 'registry.seed',
        target: { type: 'fixture', id: target },
        outcome: 'allowed',
      },
      now,
    );
  const organisations: Organisation[] = [
    { id: ids.organisation, name: 'London Borough of Brent', kind: 'local-authority' },
    { id: ids.otherOrganisation, name: 'Metropolitan Police Service', kind: 'police' },
  ];
  const clients: Client[] = [
    { id: ids.client, organisationId: ids.organisation, name: 'Brent case system', status: 'active' },
    { id: ids.otherClient, organisationId: ids.otherOrganisation, name: 'Met Niche RMS', status: 'active' },
    { id: ids.suspendedClient, organisationId: ids.organisation, name: 'Brent legacy', status: 'suspended' },
  ];
  const users: User[] = [
    {
      id: ids.user,
      organisationId: ids.organisation,
      displayName: 'Social worker',
      roles: ['practitioner'],
      status: 'active',
    },
    {
      id: ids.suspendedUser,
      organisationId: ids.organisation,
      displayName: 'Former social worker',
      roles: ['practitioner'],
      status: 'suspended',
    },
    {
      id: ids.otherOrganisationUser,
      organisationId: ids.otherOrganisation,
      displayName: 'Detective constable',
      roles: ['practitioner'],
      status: 'active',
    },
  ];
  const since = addSeconds(now, -30 * day);
  const record = (clientId: string, key: PrivateJwk, changes: Partial<ClientKey> = {}): ClientKey => ({
    ...newClientKey(clientId, publicJwkOf(key), since),
    ...changes,
  });
  const clientKeys: ClientKey[] = [
    record(ids.client, keys.es256),
    record(ids.client, keys.eddsa),
    record(ids.client, keys.revoked, { status: 'revoked', revokedAt: addSeconds(now, -day).toISOString() }),
    record(ids.client, keys.retired, { status: 'retired' }),
    record(ids.client, keys.notYetValid, { notBefore: addSeconds(now, day).toISOString() }),
    record(ids.client, keys.expired, { notAfter: addSeconds(now, -day).toISOString() }),
    record(ids.otherClient, keys.otherClient),
    record(ids.suspendedClient, keys.suspendedClient),
  ];
  for (const o of organisations) await store.createOrganisation(o, seeded(o.id));
  for (const c of clients) await store.createClient(c, seeded(c.id));
  for (const u of users) await store.createUser(u, seeded(u.id));
  for (const k of clientKeys) await store.addClientKey(k, seeded(k.kid));
  return store;
};

/** Changes one key record in place, e.g. to move its validity window to a boundary. */
export const changeKeyRecord = (
  store: InMemoryRegistryStore,
  clientId: string,
  key: PrivateJwk,
  changes: Partial<ClientKey>,
): void => {
  const id = `${clientId}#${key.kid}`;
  const current = store.keys.get(id);
  if (current === undefined) throw new Error(`no key record ${id}`);
  store.keys.set(id, { ...current, ...changes });
};

/** Everything a registry store holds, as plain data, to show that a refusal changed none of it. */
export const snapshotRegistry = (store: InMemoryRegistryStore) =>
  structuredClone({
    organisations: [...store.organisations.entries()],
    footprints: [...store.footprints.entries()],
    clients: [...store.clients.entries()],
    users: [...store.users.entries()],
    keys: [...store.keys.entries()],
    keyOwners: [...store.keyOwners.entries()],
    audit: store.audit,
  });

export type AuthHarness = {
  readonly keys: FixtureKeys;
  readonly registry: InMemoryRegistryStore;
  readonly nonces: InMemoryNonceStore;
  readonly audit: InMemoryAuditLog;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly deps: AuthenticationDeps;
};

/** Fresh stores and a clock held at `now`, with the real jose verifier. */
export const createAuthHarness = async (
  keys: FixtureKeys,
  options: { readonly now?: Date; readonly verifier?: SignatureVerifier } = {},
): Promise<AuthHarness> => {
  const now = options.now ?? fixtureNow;
  const registry = await buildRegistry(keys, now);
  const nonces = new InMemoryNonceStore();
  const audit = new InMemoryAuditLog();
  const clock = fixedClock(now.toISOString());
  const deps: AuthenticationDeps = {
    registry,
    signatures: options.verifier ?? new NodeSignatureVerifier(),
    nonces,
    audit,
    clock,
    exchangeId: ids.exchange,
  };
  return { keys, registry, nonces, audit, clock, deps };
};

// Requests.

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What is sent besides the Authorization header. */
export type RequestShape = {
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: Uint8Array;
};

export const getWithQuery: RequestShape = {
  method: 'GET',
  pathAndQuery: '/v1/whoami?include=roles&format=full',
  body: new Uint8Array(),
};

export const postWithJson: RequestShape = {
  method: 'POST',
  pathAndQuery: '/v1/requests?agreement=cdop-nwl&version=2',
  body: utf8('{"purpose":"cdop-review","subjectRef":"ref-7f3a","categories":["health","education"]}'),
};

export const withAuthorization = (
  shape: RequestShape,
  authorization: string | undefined,
  sent: Partial<RequestShape> = {},
): SignedRequestInput => ({ ...shape, ...sent, authorization });

let jtiCounter = 0;
/** A unique, valid `jti` (22 URL-safe characters). */
export const freshJti = (): string => `fixture-jti-${String(++jtiCounter).padStart(10, '0')}`;

export type ClaimsOptions = {
  readonly issuer?: string;
  readonly subject?: string;
  readonly audience?: string;
  readonly now?: Date;
  readonly lifetimeSeconds?: number;
  readonly jti?: string;
};

/** The claims a correct client puts in a token for this request, as a plain object to edit. */
export const claimsFor = (shape: RequestShape, options: ClaimsOptions = {}): Record<string, unknown> => {
  const iat = secondsOf(options.now ?? fixtureNow);
  return {
    iss: options.issuer ?? ids.client,
    ...(options.subject === undefined ? {} : { sub: options.subject }),
    aud: options.audience ?? ids.exchange,
    iat,
    exp: iat + (options.lifetimeSeconds ?? 60),
    jti: options.jti ?? freshJti(),
    htm: shape.method,
    htu: shape.pathAndQuery,
    bdh: sha256Base64url(shape.body),
  };
};

export const headerFor = (key: PrivateJwk, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  alg: key.alg,
  kid: key.kid,
  typ: requestTokenType,
  ...extra,
});

/** A request signed by the production signer, `signRequest`. */
export const signedRequest = async (
  shape: RequestShape,
  options: ClaimsOptions & { readonly key: PrivateJwk },
): Promise<SignedRequestInput & { readonly token: string }> => {
  const signed = await signRequest({
    method: shape.method,
    pathAndQuery: shape.pathAndQuery,
    body: shape.body,
    key: options.key,
    issuer: options.issuer ?? ids.client,
    audience: options.audience ?? ids.exchange,
    now: options.now ?? fixtureNow,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
    ...(options.jti === undefined ? {} : { jti: options.jti }),
  });
  return { ...shape, authorization: signed.authorization, token: signed.token };
};

// Forging tokens byte by byte.

export const base64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** An object is serialised with JSON.stringify; bytes are used as they are (not JSON, an array, whitespace…). */
export type SegmentContent = Uint8Array | Record<string, unknown> | readonly unknown[] | string | null;

export const encodeSegment = (content: SegmentContent): string =>
  base64url(content instanceof Uint8Array ? content : utf8(JSON.stringify(content)));

/**
 * The JWS signature of `signingInput` with a registered-type key (RFC 7518 section 3.4: ES256 is R || S, 64 bytes,
 * unless `der` asks for the ASN.1 form a JWS must not use).
 */
export const signBytes = (
  key: PrivateJwk,
  signingInput: string,
  ecdsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): Buffer => {
  const privateKey = createPrivateKey({ key, format: 'jwk' });
  return key.alg === 'ES256'
    ? sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: ecdsaEncoding })
    : sign(null, Buffer.from(signingInput), privateKey);
};

export type ForgeInput = {
  readonly header: SegmentContent;
  readonly claims: SegmentContent;
  /** Signs `header.claims` with this key. */
  readonly signWith?: PrivateJwk;
  readonly ecdsaEncoding?: 'ieee-p1363' | 'der';
  /** A signature segment to use verbatim (instead of signing), or a change to the real one. */
  readonly signature?: string | ((signature: Buffer) => string);
};

/** A compact JWS assembled by hand: whatever header and claims bytes, signed with whatever key, or not at all. */
export const forgeToken = (input: ForgeInput): string => {
  const signingInput = `${encodeSegment(input.header)}.${encodeSegment(input.claims)}`;
  if (typeof input.signature === 'string') return `${signingInput}.${input.signature}`;
  if (input.signWith === undefined) return `${signingInput}.`;
  const signature = signBytes(input.signWith, signingInput, input.ecdsaEncoding);
  const encoded = input.signature === undefined ? base64url(signature) : input.signature(signature);
  return `${signingInput}.${encoded}`;
};

export const authorizationFor = (token: string): string => `${authorizationScheme} ${token}`;

export const segmentsOf = (token: string): [string, string, string] => {
  const [header = '', claims = '', signature = ''] = token.split('.');
  return [header, claims, signature];
};

// Signature malleation.

/** The order of P-256 (SEC 2 section 2.4.2). */
const p256Order = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** The order of the Ed25519 base point (RFC 8032 section 5.1). */
const ed25519Order = 2n ** 252n + 27742317777372353535851937790883648493n;

const bigEndian = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const toBigEndian = (value: bigint, length: number): Buffer =>
  Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');

/**
 * (r, n - s): a second valid ECDSA signature of the same message. WebCrypto does not insist on low S, so the
 * malleated token verifies; only the single-use `jti` stops it.
 */
export const malleateEcdsa = (signature: string): string => {
  const bytes = Buffer.from(signature, 'base64url');
  const s = bigEndian(bytes.subarray(32));
  return base64url(Buffer.concat([bytes.subarray(0, 32), toBigEndian(p256Order - s, 32)]));
};

/** (R, S + L): the non-canonical Ed25519 signature that RFC 8032 section 5.1.7 requires a verifier to reject. */
export const malleateEd25519 = (signature: Buffer): string => {
  const s = bigEndian(Buffer.from(signature.subarray(32)).reverse());
  const sPlusL = toBigEndian(s + ed25519Order, 32).reverse();
  return base64url(Buffer.concat([signature.subarray(0, 32), sPlusL]));
};

const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The same bytes with different text: a 64-byte signature is 86 characters whose last one carries 4 unused bits,
 * and base64url decoders (jose's included) ignore them. Flipping the lowest yields another spelling of one signature.
 */
export const respellBase64url = (segment: string): string => {
  const last = segment.at(-1) ?? 'A';
  const next = base64urlAlphabet[base64urlAlphabet.indexOf(last) ^ 1] ?? 'A';
  return `${segment.slice(0, -1)}${next}`;
};
