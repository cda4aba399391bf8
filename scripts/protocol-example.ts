import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, compactVerify, importJWK, type JWK } from 'jose';
import { NodeSignatureVerifier } from '#shared/adapters/crypto/node-signature-verifier.ts';
import { signRequest } from '#shared/adapters/jose/request-signing.ts';
import { type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { authorizationScheme, type RequestClaims, requestTokenType } from '#shared/domain/auth/protocol.ts';
import { verifySignedRequest } from '#shared/domain/auth/verify-signed-request.ts';
import { newClientKey } from '#shared/domain/registry/client-key.ts';
import { publishedTestKeys } from '#shared/domain/registry/published-test-keys.ts';
import { InMemoryNonceStore, InMemoryRegistryStore } from '../test/support/in-memory-registry-store.ts';

/**
 * `npm run protocol:example`: the worked example of docs/PROTOCOL.md, in real bytes. Every value is computed here
 * by hand (node:crypto, no jose), then checked three ways: jose verifies the signature, the reference client
 * (signRequest) builds the same signing input, and the exchange's own verifySignedRequest accepts the request.
 * Prints the markdown section to stdout, then checks that docs/PROTOCOL.md holds exactly that section (`--write`
 * puts it there). ECDSA signatures are randomised, so the ES256 signature in the document is accepted if it
 * verifies; everything else must match byte for byte.
 */

// PUBLISHED TEST KEYS. Their private halves are printed in docs/PROTOCOL.md for anyone to reproduce the example:
// they prove nothing about whoever uses them. Their public halves are defined once, in publishedTestKeys, and the
// exchange refuses to register them (PUBLISHED_TEST_KEY).
/** A published key with its private member, in the member order the document prints (d after the point). */
const withPrivateHalf = (
  { kid, alg, use, ...point }: (typeof publishedTestKeys)[keyof typeof publishedTestKeys],
  d: string,
): PrivateJwk => ({ ...point, d, kid, alg, use });
const testKeyEs256 = withPrivateHalf(publishedTestKeys.es256, 'D9qrgYK40eu3wUjw5Pd1GvkkqZzc0sW9pCwwVbpJ1PU');
const testKeyEd25519 = withPrivateHalf(
  publishedTestKeys.ed25519,
  'ZkPdPvXQuUohqHhNjh5Fy7Fj9P6Auicrswn0uMC5nJk',
);

const exchangeId = 'pbx-local';
const host = '127.0.0.1:8787';
const clientId = 'lb-brent-system';
const organisationId = 'lb-brent';
const igLead = 'lb-brent.ig-lead';
const startsAt = new Date('2026-01-15T09:30:00Z');

type Example = {
  readonly title: string;
  readonly story: string;
  readonly key: PrivateJwk;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: string;
  readonly at: Date;
  readonly jti: string;
  readonly subject?: string;
};

const examples: readonly [Example, Example] = [
  {
    title: 'Example 1: ES256, adding a key (a POST with a body, acting for a user)',
    story: `\`${clientId}\`, acting for its IG lead \`${igLead}\`, registers the Ed25519 test key as its next key, signing with its current ES256 key.`,
    key: testKeyEs256,
    method: 'POST',
    pathAndQuery: `/v1/clients/${clientId}/keys`,
    body: JSON.stringify({ jwk: publicJwkOf(testKeyEd25519) }),
    at: startsAt,
    jti: 'cGJ4LWV4YW1wbGUtMDAwMQ',
    subject: igLead,
  },
  {
    title: 'Example 2: EdDSA, revoking the old key (a DELETE without a body; reproducible)',
    story: `Two minutes later, \`${clientId}\` completes the rotation: signing with its new Ed25519 key, it revokes the ES256 key. No \`sub\`: the client acts for itself.`,
    key: testKeyEd25519,
    method: 'DELETE',
    pathAndQuery: `/v1/clients/${clientId}/keys/${testKeyEs256.kid}`,
    body: '',
    at: new Date(startsAt.getTime() + 120_000),
    jti: 'cGJ4LWV4YW1wbGUtMDAwMg',
  },
];

const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Every intermediate value of one signed request, built step by step as a client in any language would. */
const build = (example: Example) => {
  const body = Buffer.from(example.body, 'utf8');
  const digest = createHash('sha256').update(body).digest();
  const iat = Math.floor(example.at.getTime() / 1000);
  const header = { alg: example.key.alg, kid: example.key.kid, typ: requestTokenType };
  const claims: RequestClaims = {
    iss: clientId,
    ...(example.subject === undefined ? {} : { sub: example.subject }),
    aud: exchangeId,
    iat,
    exp: iat + 60,
    jti: example.jti,
    htm: example.method,
    htu: example.pathAndQuery,
    bdh: b64u(digest),
  };
  const headerJson = JSON.stringify(header);
  const claimsJson = JSON.stringify(claims);
  const signingInput = `${b64u(headerJson)}.${b64u(claimsJson)}`;
  return { example, body, digest, iat, headerJson, claimsJson, signingInput, claims };
};
type Built = ReturnType<typeof build>;

/** Signs with node:crypto: ES256 as raw R || S (IEEE P1363, what JWS wants), Ed25519 as RFC 8032 defines. */
const signatureOf = (built: Built): Buffer => {
  const key = createPrivateKey({ key: built.example.key, format: 'jwk' });
  const data = Buffer.from(built.signingInput, 'ascii');
  return built.example.key.alg === 'ES256'
    ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
    : sign(null, data, key);
};

const fail = (message: string): never => {
  throw new Error(`protocol example: ${message}`);
};

/** The three independent checks of one example; a failure stops the script before anything is printed. */
const check = async (built: Built, signature: Buffer): Promise<void> => {
  const { example } = built;
  const token = `${built.signingInput}.${b64u(signature)}`;
  const publicKey = await importJWK(publicJwkOf(example.key) as JWK, example.key.alg);
  const verified = await compactVerify(token, publicKey, { algorithms: [example.key.alg] });
  if (Buffer.from(verified.payload).toString('utf8') !== built.claimsJson) fail('jose read other claims');

  const reference = await signRequest({
    method: example.method,
    pathAndQuery: example.pathAndQuery,
    body: built.body,
    key: example.key,
    issuer: clientId,
    audience: exchangeId,
    ...(example.subject === undefined ? {} : { subject: example.subject }),
    now: example.at,
    jti: example.jti,
  });
  const referenceInput = reference.token.split('.').slice(0, 2).join('.');
  if (referenceInput !== built.signingInput) fail(`${example.title}: the reference client signs other bytes`);
  if (example.key.alg === 'EdDSA' && reference.token !== token) {
    fail(`${example.title}: the reference client's Ed25519 signature differs`);
  }

  const registry = new InMemoryRegistryStore();
  registry.clients.set(clientId, { id: clientId, organisationId, name: 'Brent system', status: 'active' });
  registry.users.set(igLead, {
    id: igLead,
    organisationId,
    displayName: 'London Borough of Brent: IG lead',
    roles: ['ig-lead'],
    status: 'active',
  });
  for (const key of [testKeyEs256, testKeyEd25519]) {
    registry.keys.set(`${clientId}#${key.kid}`, newClientKey(clientId, publicJwkOf(key), startsAt));
    registry.keyOwners.set(key.kid, clientId);
  }
  const principal = await verifySignedRequest(
    { registry, signatures: new NodeSignatureVerifier(), nonces: new InMemoryNonceStore() },
    {
      authorization: `${authorizationScheme} ${token}`,
      method: example.method,
      pathAndQuery: example.pathAndQuery,
      body: built.body,
    },
    { exchangeId, now: new Date(example.at.getTime() + 2000) },
  );
  if (principal.clientId !== clientId || principal.user?.id !== example.subject) {
    fail(`${example.title}: the exchange took the caller for someone else`);
  }
};

const fence = (text: string, lang = '') => `\`\`\`${lang}\n${text}\n\`\`\``;

const renderExample = (built: Built, signature: Buffer): string => {
  const { example } = built;
  const token = `${built.signingInput}.${b64u(signature)}`;
  const es256 = example.key.alg === 'ES256';
  const request = [
    `${example.method} ${example.pathAndQuery} HTTP/1.1`,
    `Host: ${host}`,
    ...(built.body.byteLength > 0
      ? ['Content-Type: application/json', `Content-Length: ${built.body.byteLength}`]
      : []),
    `Authorization: ${authorizationScheme} ${token}`,
    ...(built.body.byteLength > 0 ? ['', example.body] : []),
  ].join('\n');
  return [
    `### ${example.title}`,
    '',
    `${example.story} Time: ${example.at.toISOString().replace('.000Z', 'Z')} (\`iat\` ${built.iat}); key: the ${es256 ? 'ES256' : 'Ed25519'} test key.`,
    '',
    built.body.byteLength > 0
      ? `**Body**, ${built.body.byteLength} bytes of UTF-8, exactly as sent:`
      : '**Body**: none (0 bytes).',
    '',
    ...(built.body.byteLength > 0 ? [fence(example.body), ''] : []),
    `**SHA-256 of the body bytes**${built.body.byteLength > 0 ? '' : ' (of the empty string)'}, hex: \`${hex(built.digest)}\`  `,
    `\`bdh\` (unpadded base64url of the 32 digest bytes): \`${b64u(built.digest)}\``,
    '',
    '**Protected header** (JSON, UTF-8) and its base64url:',
    '',
    fence(`${built.headerJson}\n${b64u(built.headerJson)}`),
    '',
    '**Claims** (JSON, UTF-8) and their base64url:',
    '',
    fence(`${built.claimsJson}\n${b64u(built.claimsJson)}`),
    '',
    '**Signing input** (ASCII): base64url(header) `.` base64url(claims):',
    '',
    fence(built.signingInput),
    '',
    es256
      ? '**Signature**: ECDSA P-256 with SHA-256 over the signing input, as R || S, 32 bytes each, big-endian (RFC 7518 section 3.4). ECDSA signing is randomised, so your signature will differ from this one (and so does each run of the script); the exchange accepts any valid one, and this one verifies with the test key.'
      : '**Signature**: Ed25519 (RFC 8032) over the signing input: 64 bytes. Ed25519 is deterministic: the same key, header and claims bytes give exactly this signature, so your implementation must reproduce it.',
    '',
    fence(
      [
        ...(es256
          ? [`R = ${hex(signature.subarray(0, 32))}`, `S = ${hex(signature.subarray(32))}`]
          : [`hex       = ${hex(signature)}`]),
        `base64url = ${b64u(signature)}`,
      ].join('\n'),
    ),
    '',
    '**Compact JWS**: signing input `.` base64url(signature):',
    '',
    fence(token),
    '',
    '**The request** as sent:',
    '',
    fence(request, 'http'),
  ].join('\n');
};

const beginMarker =
  '<!-- BEGIN protocol-example: generated by `npm run protocol:example`, which checks every value; do not edit by hand -->';
const endMarker = '<!-- END protocol-example -->';

const render = (built: readonly [Built, Built], signatures: readonly [Buffer, Buffer]): string =>
  [
    beginMarker,
    '',
    '### The test keys',
    '',
    '> **Published test keys.** Their private halves are printed here so that anyone can reproduce the example;',
    '> a signature made with them proves nothing. The exchange refuses to register them (`PUBLISHED_TEST_KEY`).',
    '',
    `ES256 (P-256) test key; its \`kid\` is its RFC 7638 thumbprint:`,
    '',
    fence(JSON.stringify(testKeyEs256), 'json'),
    '',
    'Ed25519 test key:',
    '',
    fence(JSON.stringify(testKeyEd25519), 'json'),
    '',
    `Both requests are made by the client \`${clientId}\` to the exchange \`${exchangeId}\` (the local exchange's id; a real exchange's id is the \`exchangeId\` of its discovery document), with a lifetime of 60 s (\`exp\` = \`iat\` + 60).`,
    '',
    renderExample(built[0], signatures[0]),
    '',
    renderExample(built[1], signatures[1]),
    '',
    endMarker,
  ].join('\n');

const { values: flags } = parseArgs({ options: { write: { type: 'boolean', default: false } } });

for (const key of [testKeyEs256, testKeyEd25519]) {
  if ((await calculateJwkThumbprint(publicJwkOf(key) as JWK, 'sha256')) !== key.kid) {
    fail(`the kid of the ${key.alg} test key is not its RFC 7638 thumbprint`);
  }
}
const built = [build(examples[0]), build(examples[1])] as const;
const fresh = [signatureOf(built[0]), signatureOf(built[1])] as const;
for (const [i, b] of built.entries()) await check(b, fresh[i] ?? fail('no signature'));

// The document's ES256 signature is kept if it verifies, so a re-run does not rewrite it needlessly.
const docUrl = new URL('../docs/PROTOCOL.md', import.meta.url);
const doc = await readFile(docUrl, 'utf8').catch(() => undefined);
const begin = doc?.indexOf(beginMarker) ?? -1;
const end = doc?.indexOf(endMarker) ?? -1;
const documented =
  doc !== undefined && begin !== -1 && end > begin ? doc.slice(begin, end + endMarker.length) : undefined;
let es256Signature = fresh[0];
const documentedSignature = documented
  ?.match(new RegExp(`${built[0].signingInput.replaceAll('.', '\\.')}\\.([A-Za-z0-9_-]{86})\\b`))
  ?.at(1);
if (documentedSignature !== undefined) {
  const candidate = Buffer.from(documentedSignature, 'base64url');
  const valid = await check(built[0], candidate).then(
    () => true,
    () => false,
  );
  if (valid) es256Signature = candidate;
}
const section = render(built, [es256Signature, fresh[1]]);
console.log(section);

if (flags.write) {
  if (doc === undefined || documented === undefined) fail(`docs/PROTOCOL.md has no ${endMarker} section`);
  await writeFile(docUrl, (doc ?? '').replace(documented ?? '', section));
  console.error('protocol example: every value verified; docs/PROTOCOL.md updated');
} else if (documented === section) {
  console.error('protocol example: every value verified; docs/PROTOCOL.md holds exactly this example');
} else {
  console.error(
    'protocol example: every value verified, but docs/PROTOCOL.md does not hold this example; run `npm run protocol:example -- --write`',
  );
  process.exitCode = 1;
}
