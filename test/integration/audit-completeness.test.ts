import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localKeyFile, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { exampleAnalysis, exampleNotification, exampleReport } from '#local/seed/example-cdop.ts';
import {
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { signRequest } from '#shared/adapters/jose/request-signing.ts';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { type AgreementContent, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import type { ShareRequest } from '#shared/domain/agreements/decide.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { cosignCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { auditCheckpointSchema } from '#shared/http/api-contract.ts';
import { routeKey, operationList as routes } from '#shared/http/operations.ts';
import { brentHarrowReviewAgreement } from '../support/agreement-fixtures.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

/**
 * The audit log's completeness invariant: every request a handler answered (accepted, refused or failed) has exactly
 * one audit entry, bound to the answer by API Gateway's request id (`apigw-requestid`), with the outcome of the
 * answer's status. A corpus of requests covers every operation of shared/http/operations.ts, each with a success and, where
 * the route can refuse, a refusal; a route the corpus does not cover fails the test.
 */

let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let audit: DynamoAuditLog;

type Auth = 'signed' | 'unsigned' | 'bad-signature';
type Case = {
  /** The route the request is for (its id in shared/http/operations.ts), or undefined for a path no route serves. */
  readonly route: string | undefined;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** `<org>.<name>`: signed by `<org>-system` acting for that user; none for public and unsigned calls. */
  readonly user?: string;
  readonly auth?: Auth;
  /** Sent as JSON, or as these exact bytes when a string. */
  readonly body?: unknown;
  readonly status: number;
};
type Answer = Case & { readonly answered: number; readonly requestId: string; readonly json: unknown };

const answers: Answer[] = [];
const keys = new Map<string, Promise<PrivateJwk>>();
const keyOf = (clientId: string) => {
  let key = keys.get(clientId);
  if (key === undefined) {
    key = readPrivateKey(localKeyFile(exchange.keysDir, clientId));
    keys.set(clientId, key);
  }
  return key;
};

/** A token whose signature is not the registered key's: the request is intact, the signature is not. */
const corrupt = (token: string) => {
  const at = token.lastIndexOf('.') + 10;
  return `${token.slice(0, at)}${token.charAt(at) === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
};

/** Sends one request of the corpus, checks it got the status it is there for, and keeps the answer. */
const ask = async (request: Case): Promise<Answer> => {
  const bytes =
    request.body === undefined
      ? undefined
      : new TextEncoder().encode(
          typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
        );
  const headers: Record<string, string> = bytes === undefined ? {} : { 'content-type': 'application/json' };
  const auth = request.auth ?? (request.user === undefined ? 'unsigned' : 'signed');
  if (auth !== 'unsigned') {
    const user = request.user ?? 'lb-brent.practitioner';
    const clientId = `${user.split('.')[0]}-system`;
    const signed = await signRequest({
      method: request.method,
      pathAndQuery: request.path,
      ...(bytes === undefined ? {} : { body: bytes }),
      key: await keyOf(clientId),
      issuer: clientId,
      audience: exchange.exchangeId,
      subject: user,
    });
    headers.authorization = auth === 'signed' ? signed.authorization : `PBX-JWS ${corrupt(signed.token)}`;
  }
  const response = await fetch(`${exchange.url}${request.path}`, {
    method: request.method,
    headers,
    ...(bytes === undefined ? {} : { body: bytes }),
  });
  const text = await response.text();
  const answer: Answer = {
    ...request,
    answered: response.status,
    requestId: response.headers.get('apigw-requestid') ?? '',
    json: text === '' ? undefined : JSON.parse(text),
  };
  answers.push(answer);
  expect({ route: request.route, path: request.path, user: request.user, status: answer.answered }).toEqual({
    route: request.route,
    path: request.path,
    user: request.user,
    status: request.status,
  });
  return answer;
};

const agreementId = 'isa-audit-completeness';
const content: AgreementContent = brentHarrowReviewAgreement('Completeness test', 'COMPLETENESS');
const shareRequest: ShareRequest = {
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-brent-harrow-cdop',
  purpose: 'CDR_CASE_REVIEW',
  dataCategories: ['identity-residence', 'child-death-details', 'health'],
  lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
  consent: { state: 'not-applicable' },
};

const publicationSchema = z.object({ published: z.boolean() });

/** Sequences the log and publishes a checkpoint of it, waiting out the (1 s) checkpoint age. */
const publishCheckpoint = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  for (let attempt = 0; attempt < 20; attempt++) {
    if (publicationSchema.parse(await exchange.runSchedule('PublishAuditCheckpoint')).published) return;
    await new Promise((settle) => setTimeout(settle, 200));
  }
  throw new Error('no checkpoint was published');
};

/** The corpus: every route, with a success and the refusals and errors it can give. */
const runCorpus = async () => {
  const brent = 'lb-brent.ig-lead';
  const practitioner = 'lb-brent.practitioner';
  const operator = 'pbx-operations.operator';

  // Public routes: nothing a caller sends can make them refuse.
  await ask({ route: 'GetHealth', method: 'GET', path: '/v1/health', status: 200 });
  const discovery = await ask({
    route: 'GetDiscovery',
    method: 'GET',
    path: '/.well-known/pbx-exchange',
    status: 200,
  });
  await ask({ route: 'GetRegistry', method: 'GET', path: '/v1/registry', status: 200 });
  await ask({ route: 'GetOpenApi', method: 'GET', path: '/v1/openapi.json', status: 200 });
  // No route serves it: API Gateway answers, no handler runs, so no entry (and none is counted).
  await ask({ route: undefined, method: 'GET', path: '/v1/nowhere', status: 404 });

  // Authentication: the refusals authenticateRequest records itself, and the success the answer audit records.
  await ask({ route: 'GetWhoami', method: 'GET', path: '/v1/whoami', user: practitioner, status: 200 });
  await ask({ route: 'GetWhoami', method: 'GET', path: '/v1/whoami', status: 401 });
  await ask({
    route: 'GetWhoami',
    method: 'GET',
    path: '/v1/whoami',
    user: practitioner,
    auth: 'bad-signature',
    status: 401,
  });

  // Keys.
  const keysPath = '/v1/clients/lb-brent-system/keys';
  await ask({ route: 'ListClientKeys', method: 'GET', path: keysPath, user: brent, status: 200 });
  await ask({
    route: 'ListClientKeys',
    method: 'GET',
    path: '/v1/clients/no-such-system/keys',
    user: brent,
    status: 404,
  });
  const jwk = publicJwkOf(await generateSigningKey());
  await ask({
    route: 'AddClientKey',
    method: 'POST',
    path: keysPath,
    user: brent,
    body: { jwk },
    status: 201,
  });
  await ask({
    route: 'AddClientKey',
    method: 'POST',
    path: keysPath,
    user: brent,
    body: '{"jwk":',
    status: 400,
  });
  await ask({
    route: 'AddClientKey',
    method: 'POST',
    path: keysPath,
    user: brent,
    body: { jwk },
    status: 409,
  });
  await ask({
    route: 'AddClientKey',
    method: 'POST',
    path: '/v1/clients/lb-harrow-system/keys',
    user: brent,
    body: { jwk: publicJwkOf(await generateSigningKey()) },
    status: 403,
  });
  await ask({
    route: 'RevokeClientKey',
    method: 'DELETE',
    path: `${keysPath}/${jwk.kid}`,
    user: brent,
    status: 200,
  });
  await ask({
    route: 'RevokeClientKey',
    method: 'DELETE',
    path: `${keysPath}/no-such-kid`,
    user: brent,
    status: 404,
  });

  // Agreements, from draft to revocation, with a refusal at each step.
  const agreementPath = `/v1/agreements/${agreementId}`;
  const contentHash = contentHashOf(content);
  await ask({
    route: 'CreateAgreement',
    method: 'POST',
    path: '/v1/agreements',
    user: practitioner,
    body: { id: agreementId, content },
    status: 403,
  });
  await ask({
    route: 'CreateAgreement',
    method: 'POST',
    path: '/v1/agreements',
    user: brent,
    body: '{',
    status: 400,
  });
  await ask({
    route: 'CreateAgreement',
    method: 'POST',
    path: '/v1/agreements',
    user: brent,
    body: { id: agreementId, content },
    status: 201,
  });
  await ask({
    route: 'ListAgreements',
    method: 'GET',
    path: '/v1/agreements',
    user: practitioner,
    status: 200,
  });
  await ask({ route: 'ListAgreements', method: 'GET', path: '/v1/agreements', status: 401 });
  await ask({ route: 'GetAgreement', method: 'GET', path: agreementPath, user: practitioner, status: 200 });
  await ask({
    route: 'GetAgreement',
    method: 'GET',
    path: '/v1/agreements/isa-none-such',
    user: practitioner,
    status: 404,
  });
  const signatures = `${agreementPath}/versions/1/signatures`;
  await ask({
    route: 'SignAgreementVersion',
    method: 'POST',
    path: signatures,
    user: brent,
    body: { contentHash: contentHashOf({ ...content, title: 'other' }) },
    status: 409,
  });
  await ask({
    route: 'SignAgreementVersion',
    method: 'POST',
    path: signatures,
    user: brent,
    body: { contentHash },
    status: 201,
  });
  await ask({
    route: 'SignAgreementVersion',
    method: 'POST',
    path: signatures,
    user: 'lb-harrow.caldicott-guardian',
    body: { contentHash },
    status: 201,
  });
  // The last party's signature activates the version: one entry (agreement.version.activate), not two.
  await ask({
    route: 'SignAgreementVersion',
    method: 'POST',
    path: signatures,
    user: 'brent-harrow-cdop.ig-lead',
    body: { contentHash },
    status: 201,
  });
  await ask({
    route: 'SuspendAgreement',
    method: 'POST',
    path: `${agreementPath}/suspend`,
    user: practitioner,
    body: { reason: 'no' },
    status: 403,
  });
  await ask({
    route: 'SuspendAgreement',
    method: 'POST',
    path: `${agreementPath}/suspend`,
    user: 'lb-harrow.ig-lead',
    body: { reason: 'a breach under investigation' },
    status: 200,
  });
  await ask({
    route: 'ResumeAgreement',
    method: 'POST',
    path: '/v1/agreements/isa-none-such/resume',
    user: brent,
    body: { reason: 'closed' },
    status: 404,
  });
  await ask({
    route: 'ResumeAgreement',
    method: 'POST',
    path: `${agreementPath}/resume`,
    user: 'lb-harrow.ig-lead',
    body: { reason: 'investigation closed' },
    status: 200,
  });
  const amended = structuredClone(content);
  for (const purpose of amended.purposes) purpose.retentionDays = 365;
  await ask({
    route: 'ProposeAgreementVersion',
    method: 'POST',
    path: `${agreementPath}/versions`,
    user: brent,
    body: { content: { title: 'no' } },
    status: 400,
  });
  await ask({
    route: 'ProposeAgreementVersion',
    method: 'POST',
    path: `${agreementPath}/versions`,
    user: brent,
    body: { content: amended },
    status: 201,
  });
  await ask({
    route: 'RevokeAgreement',
    method: 'POST',
    path: `${agreementPath}/revoke`,
    user: 'lb-brent.caldicott-guardian',
    body: { reason: 'superseded' },
    status: 200,
  });
  await ask({
    route: 'RevokeAgreement',
    method: 'POST',
    path: `${agreementPath}/revoke`,
    user: brent,
    body: { reason: 'again' },
    status: 409,
  });

  // Decisions: a dry run records its decision; a malformed request is answered before any decision.
  await ask({
    route: 'EvaluateDecision',
    method: 'POST',
    path: '/v1/decisions:evaluate',
    user: practitioner,
    body: shareRequest,
    status: 200,
  });
  await ask({
    route: 'EvaluateDecision',
    method: 'POST',
    path: '/v1/decisions:evaluate',
    user: practitioner,
    body: { ...shareRequest, purpose: 'GOSSIP' },
    status: 400,
  });

  // The audit log: checkpoints, proofs, cosignatures, leaves and search.
  await publishCheckpoint();
  const checkpoint = await ask({
    route: 'GetAuditCheckpoint',
    method: 'GET',
    path: '/v1/audit/checkpoint',
    user: operator,
    status: 200,
  });
  await ask({
    route: 'GetAuditCheckpoint',
    method: 'GET',
    path: '/v1/audit/checkpoint',
    user: practitioner,
    status: 403,
  });
  await ask({
    route: 'GetInclusionProof',
    method: 'GET',
    path: '/v1/audit/proofs/inclusion?index=0',
    user: operator,
    status: 200,
  });
  await ask({
    route: 'GetInclusionProof',
    method: 'GET',
    path: '/v1/audit/proofs/inclusion?index=zero',
    user: operator,
    status: 400,
  });
  await ask({
    route: 'GetConsistencyProof',
    method: 'GET',
    path: '/v1/audit/proofs/consistency?from=1',
    user: brent,
    status: 200,
  });
  await ask({
    route: 'GetConsistencyProof',
    method: 'GET',
    path: '/v1/audit/proofs/consistency?from=1',
    user: practitioner,
    status: 403,
  });
  const { note, size } = auditCheckpointSchema.parse(checkpoint.json);
  const { audit: trust } = z
    .object({ audit: z.object({ origin: z.string(), checkpointKey: z.string() }) })
    .parse(discovery.json);
  const witness = generateNoteKey('witness.completeness.example', 'cosignatureV1');
  const cosigned = cosignCheckpoint(note, noteSignerFromPrivateKey(witness.signerKey), {
    origin: trust.origin,
    verifier: noteVerifierFromKey(trust.checkpointKey),
  });
  // Only a registered witness cosigns: Brent's IG lead registers it, a practitioner may not.
  const witnessBody = { name: 'witness.completeness.example', verifierKey: witness.verifierKey };
  await ask({
    route: 'RegisterAuditWitness',
    method: 'POST',
    path: '/v1/audit/witnesses',
    user: practitioner,
    body: witnessBody,
    status: 403,
  });
  await ask({
    route: 'RegisterAuditWitness',
    method: 'POST',
    path: '/v1/audit/witnesses',
    user: brent,
    body: witnessBody,
    status: 201,
  });
  await ask({
    route: 'RegisterAuditWitness',
    method: 'POST',
    path: '/v1/audit/witnesses',
    user: brent,
    body: witnessBody,
    status: 409,
  });
  await ask({
    route: 'ListAuditWitnesses',
    method: 'GET',
    path: '/v1/audit/witnesses',
    user: operator,
    status: 200,
  });
  await ask({
    route: 'ListAuditWitnesses',
    method: 'GET',
    path: '/v1/audit/witnesses',
    user: practitioner,
    status: 403,
  });
  const cosignPath = `/v1/audit/checkpoints/${size}/cosignatures`;
  const cosignBody = { note: cosigned, witnessKey: witness.verifierKey };
  await ask({
    route: 'CosignAuditCheckpoint',
    method: 'POST',
    path: cosignPath,
    user: brent,
    body: cosignBody,
    status: 201,
  });
  await ask({
    route: 'CosignAuditCheckpoint',
    method: 'POST',
    path: cosignPath,
    user: practitioner,
    body: cosignBody,
    status: 403,
  });
  await ask({
    route: 'CosignAuditCheckpoint',
    method: 'POST',
    path: '/v1/audit/checkpoints/x/cosignatures',
    user: brent,
    body: cosignBody,
    status: 400,
  });
  await ask({
    route: 'GetAuditEvidence',
    method: 'GET',
    path: '/v1/audit/evidence?from=0&to=5',
    user: operator,
    status: 200,
  });
  await ask({
    route: 'GetAuditEvidence',
    method: 'GET',
    path: '/v1/audit/evidence',
    user: practitioner,
    status: 403,
  });
  await ask({
    route: 'ListAuditLeaves',
    method: 'GET',
    path: '/v1/audit/leaves?limit=5',
    user: operator,
    status: 200,
  });
  await ask({
    route: 'ListAuditLeaves',
    method: 'GET',
    path: '/v1/audit/leaves?limit=5',
    user: practitioner,
    status: 403,
  });
  await ask({
    route: 'SearchAudit',
    method: 'GET',
    path: '/v1/audit/search?limit=5',
    user: brent,
    status: 200,
  });
  await ask({
    route: 'SearchAudit',
    method: 'GET',
    path: '/v1/audit/search?limit=5000',
    user: brent,
    status: 400,
  });
  await ask({
    route: 'ListEvents',
    method: 'GET',
    path: '/v1/events?limit=5',
    user: practitioner,
    status: 200,
  });
  await ask({
    route: 'ListEvents',
    method: 'GET',
    path: '/v1/events?limit=0',
    user: practitioner,
    status: 400,
  });

  // Data requests and shares: a whole life, each step with a refusal beside it.
  const harrow = 'lb-harrow.practitioner';
  const dataRequest = {
    responderOrganisationId: 'lb-harrow',
    agreementId: 'isa-nw-bcu-mash',
    purpose: 'SAFEGUARDING_REFERRAL_MASH',
    dataCategories: ['identity-residence', 'protection-status'],
    lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
    consent: {
      state: 'not-sought',
      exemption: 'would-prejudice-protection',
      rationale: 'asking would put the child at risk',
    },
    subjectRef: `sr1.north-west-bcu.${'Q'.repeat(42)}A`,
    urgency: 'routine',
    justification: 'completeness corpus',
  };
  const submitted = await ask({
    route: 'SubmitRequest',
    method: 'POST',
    path: '/v1/requests',
    user: practitioner,
    body: dataRequest,
    status: 201,
  });
  const requestPath = `/v1/requests/${(submitted.json as { request: { id: string } }).request.id}`;
  await ask({
    route: 'SubmitRequest',
    method: 'POST',
    path: '/v1/requests',
    user: practitioner,
    body: { ...dataRequest, responderOrganisationId: 'lb-barnet', agreementId: 'isa-brent-harrow-cdop' },
    status: 403,
  });
  await ask({
    route: 'ListRequests',
    method: 'GET',
    path: '/v1/requests?box=inbox',
    user: harrow,
    status: 200,
  });
  await ask({
    route: 'ListRequests',
    method: 'GET',
    path: '/v1/requests?box=sideways',
    user: harrow,
    status: 400,
  });
  await ask({ route: 'GetRequest', method: 'GET', path: requestPath, user: harrow, status: 200 });
  await ask({
    route: 'GetRequest',
    method: 'GET',
    path: requestPath,
    user: 'lb-barnet.practitioner',
    status: 403,
  });
  await ask({
    route: 'DecideRequest',
    method: 'POST',
    path: `${requestPath}/decision`,
    user: practitioner,
    body: { outcome: 'approve', reasons: 'not mine to decide' },
    status: 403,
  });
  await ask({
    route: 'DecideRequest',
    method: 'POST',
    path: `${requestPath}/decision`,
    user: harrow,
    body: { outcome: 'approve', reasons: 'held and relevant' },
    status: 200,
  });
  const payload = Buffer.from('{"protectionPlan":"none"}');
  const payloadSha256 = createHash('sha256').update(payload).digest('hex');
  await ask({
    route: 'StartShareUpload',
    method: 'POST',
    path: `${requestPath}/uploads`,
    user: harrow,
    body: { size: payload.byteLength, sha256: payloadSha256, contentType: 'application/json' },
    status: 201,
  });
  await ask({
    route: 'StartShareUpload',
    method: 'POST',
    path: `${requestPath}/uploads`,
    user: harrow,
    body: { size: 1e12, sha256: payloadSha256, contentType: 'application/json' },
    status: 413,
  });
  const release = {
    content: payload.toString('base64'),
    sha256: payloadSha256,
    contentType: 'application/json',
    dataCategories: ['identity-residence'],
  };
  await ask({
    route: 'ReleaseShare',
    method: 'POST',
    path: `${requestPath}/release`,
    user: harrow,
    body: { ...release, sha256: '0'.repeat(64) },
    status: 400,
  });
  await ask({
    route: 'ReleaseShare',
    method: 'POST',
    path: `${requestPath}/release`,
    user: harrow,
    body: release,
    status: 200,
  });
  await ask({ route: 'FetchShare', method: 'POST', path: `${requestPath}/fetch`, user: harrow, status: 403 });
  await ask({
    route: 'FetchShare',
    method: 'POST',
    path: `${requestPath}/fetch`,
    user: practitioner,
    status: 200,
  });
  await ask({
    route: 'WithdrawRequest',
    method: 'POST',
    path: `${requestPath}/withdraw`,
    user: harrow,
    status: 403,
  });
  await ask({
    route: 'WithdrawRequest',
    method: 'POST',
    path: `${requestPath}/withdraw`,
    user: practitioner,
    status: 200,
  });

  // Challenges of an answer: a declined request challenged, upheld, escalated and overturned, refusals beside.
  const declined = await ask({
    route: 'SubmitRequest',
    method: 'POST',
    path: '/v1/requests',
    user: practitioner,
    body: { ...dataRequest, justification: 'completeness corpus: challenged' },
    status: 201,
  });
  const challengedPath = `/v1/requests/${(declined.json as { request: { id: string } }).request.id}`;
  await ask({
    route: 'DecideRequest',
    method: 'POST',
    path: `${challengedPath}/decision`,
    user: harrow,
    body: { outcome: 'decline', reasons: 'not proportionate' },
    status: 200,
  });
  const challenge = { reasons: 'needed to safeguard', reasonCodes: ['NEEDED_TO_SAFEGUARD'] };
  await ask({
    route: 'RaiseChallenge',
    method: 'POST',
    path: `${challengedPath}/challenges`,
    user: harrow,
    body: challenge,
    status: 403,
  });
  await ask({
    route: 'RaiseChallenge',
    method: 'POST',
    path: `${challengedPath}/challenges`,
    user: practitioner,
    body: challenge,
    status: 201,
  });
  await ask({
    route: 'ListChallenges',
    method: 'GET',
    path: `${challengedPath}/challenges`,
    user: harrow,
    status: 200,
  });
  await ask({
    route: 'ListChallenges',
    method: 'GET',
    path: `${challengedPath}/challenges`,
    user: 'lb-barnet.practitioner',
    status: 403,
  });
  const upheld = { outcome: 'upheld', reasons: 'it stands', reasonCodes: ['DECISION_CORRECT'] };
  await ask({
    route: 'RecordChallengeOutcome',
    method: 'POST',
    path: `${challengedPath}/challenges/1/outcome`,
    user: harrow,
    body: upheld,
    status: 403,
  });
  await ask({
    route: 'RecordChallengeOutcome',
    method: 'POST',
    path: `${challengedPath}/challenges/1/outcome`,
    user: 'lb-harrow.ig-lead',
    body: upheld,
    status: 200,
  });
  await ask({
    route: 'EscalateChallenge',
    method: 'POST',
    path: `${challengedPath}/challenges/1/escalate`,
    user: harrow,
    body: challenge,
    status: 403,
  });
  await ask({
    route: 'EscalateChallenge',
    method: 'POST',
    path: `${challengedPath}/challenges/1/escalate`,
    user: practitioner,
    body: challenge,
    status: 200,
  });

  // The CDOP case workspace: a case from notification to the NCMD export, each step with a refusal beside it.
  const coordinator = 'bhr-cdop.coordinator';
  const manager = 'bhr-cdop.manager';
  const havering = 'lb-havering.practitioner';
  const notification = exampleNotification(
    deriveSubjectReference(
      { footprintId: 'bhr-cdop-area', key: new Uint8Array(32).fill(7) },
      { kind: 'nhs-number', nhsNumber: '9434765919' },
    ),
  );
  await ask({
    route: 'OpenCdopCase',
    method: 'POST',
    path: '/v1/cdop/cases',
    user: havering,
    body: { notification },
    status: 403,
  });
  const opened = await ask({
    route: 'OpenCdopCase',
    method: 'POST',
    path: '/v1/cdop/cases',
    user: coordinator,
    body: { notification },
    status: 201,
  });
  const caseId = (opened.json as { case: { id: string } }).case.id;
  const casePath = `/v1/cdop/cases/${caseId}`;
  await ask({
    route: 'ListCdopCases',
    method: 'GET',
    path: '/v1/cdop/cases?status=open',
    user: coordinator,
    status: 200,
  });
  await ask({
    route: 'ListCdopCases',
    method: 'GET',
    path: '/v1/cdop/cases?status=sideways',
    user: coordinator,
    status: 400,
  });
  await ask({ route: 'GetCdopCase', method: 'GET', path: casePath, user: coordinator, status: 200 });
  await ask({ route: 'GetCdopCase', method: 'GET', path: casePath, user: havering, status: 403 });
  await ask({
    route: 'GetCdopCase',
    method: 'GET',
    path: '/v1/cdop/cases/no-such-case',
    user: coordinator,
    status: 404,
  });
  await ask({
    route: 'RequestCdopReports',
    method: 'POST',
    path: `${casePath}/requests`,
    user: coordinator,
    body: { agencies: ['lb-barnet'] },
    status: 403,
  });
  const asked = await ask({
    route: 'RequestCdopReports',
    method: 'POST',
    path: `${casePath}/requests`,
    user: coordinator,
    body: { agencies: ['lb-havering'] },
    status: 200,
  });
  const [item] = (asked.json as { items: { requestId?: string }[] }).items;
  // The tracker creates the data request the case asked for; the agency answers it with its reporting form.
  await exchange.runSchedule('TrackCdopCases');
  const reportPath = `/v1/requests/${item?.requestId ?? ''}`;
  await ask({
    route: 'DecideRequest',
    method: 'POST',
    path: `${reportPath}/decision`,
    user: havering,
    body: { outcome: 'approve', reasons: 'our report is attached' },
    status: 200,
  });
  const report = Buffer.from(JSON.stringify(exampleReport(caseId, 'lb-havering')));
  await ask({
    route: 'ReleaseShare',
    method: 'POST',
    path: `${reportPath}/release`,
    user: havering,
    body: {
      content: report.toString('base64'),
      sha256: createHash('sha256').update(report).digest('hex'),
      contentType: 'application/json',
      dataCategories: ['identity-residence', 'child-death-details'],
    },
    status: 200,
  });
  await exchange.runSchedule('TrackCdopCases');
  await ask({
    route: 'AssemblePanelPack',
    method: 'POST',
    path: `${casePath}/pack`,
    user: havering,
    status: 403,
  });
  await ask({
    route: 'AssemblePanelPack',
    method: 'POST',
    path: '/v1/cdop/cases/no-such-case/pack',
    user: manager,
    status: 404,
  });
  await ask({
    route: 'AssemblePanelPack',
    method: 'POST',
    path: `${casePath}/pack`,
    user: manager,
    status: 201,
  });
  await ask({ route: 'GetPanelPack', method: 'GET', path: `${casePath}/pack`, user: manager, status: 200 });
  await ask({
    route: 'GetPanelPack',
    method: 'GET',
    path: `${casePath}/pack`,
    user: 'bhr-cdop.ig-lead',
    status: 403,
  });
  const today = new Date().toISOString().slice(0, 10);
  await ask({
    route: 'ExportCdopCase',
    method: 'GET',
    path: `${casePath}/ncmd-export`,
    user: coordinator,
    status: 409,
  });
  await ask({
    route: 'CloseCdopCase',
    method: 'POST',
    path: `${casePath}/close`,
    user: coordinator,
    body: { analysis: exampleAnalysis(caseId, today, { categoryOfDeath: 'misadventure' }) },
    status: 400,
  });
  await ask({
    route: 'CloseCdopCase',
    method: 'POST',
    path: `${casePath}/close`,
    user: coordinator,
    body: { analysis: exampleAnalysis(caseId, today) },
    status: 200,
  });
  await ask({
    route: 'CloseCdopCase',
    method: 'POST',
    path: `${casePath}/close`,
    user: coordinator,
    body: { analysis: exampleAnalysis(caseId, today) },
    status: 409,
  });
  await ask({
    route: 'ExportCdopCase',
    method: 'GET',
    path: `${casePath}/ncmd-export?version=2026`,
    user: coordinator,
    status: 200,
  });
  const year = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
  await ask({
    route: 'GetCdopFigures',
    method: 'GET',
    path: `/v1/cdop/figures?year=${year}`,
    user: coordinator,
    status: 200,
  });
  await ask({
    route: 'GetCdopFigures',
    method: 'GET',
    path: `/v1/cdop/figures?year=${year}`,
    user: havering,
    status: 403,
  });
  await ask({
    route: 'GetCdopFigures',
    method: 'GET',
    path: '/v1/cdop/figures?year=last',
    user: coordinator,
    status: 400,
  });
  // The IG questions (docs/IG.md): each answered for an IG lead, and refused to a practitioner.
  const child = `sr1.north-west-bcu.${'Q'.repeat(42)}A`;
  const quarter = `${today.slice(0, 4)}Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
  for (const [route, question] of [
    ['GetIgChild', `child?subjectRef=${child}`],
    ['GetIgRequests', 'requests?by=quarter&group=purpose'],
    ['GetIgRefusals', 'refusals'],
    ['GetIgPastReview', 'past-review'],
    ['GetIgWithoutAgreement', 'without-agreement'],
    ['GetIgCrossFootprint', 'cross-footprint'],
    ['GetIgConsentNotSought', 'consent-not-sought'],
    ['GetIgPlacements', 'placements'],
    ['GetIgOutcomes', 'outcomes'],
    ['GetIgChallenges', 'challenges'],
    ['GetIgOutstanding', 'outstanding'],
    ['GetIgReport', `report?quarter=${quarter}&footprint=north-west-bcu`],
  ] as const) {
    await ask({ route, method: 'GET', path: `/v1/ig/${question}`, user: 'lb-brent.ig-lead', status: 200 });
    await ask({
      route,
      method: 'GET',
      path: `/v1/ig/${question}`,
      user: 'lb-brent.practitioner',
      status: 403,
    });
  }
  // Who looked at a child, and subject access (docs/IG.md): the report, and a restriction of one of Brent's entries.
  for (const route of ['GetIgChildDisclosure', 'ListIgRestrictions'] as const) {
    const path =
      route === 'ListIgRestrictions' ? '/v1/ig/restrictions' : `/v1/ig/child/disclosure?subjectRef=${child}`;
    await ask({ route, method: 'GET', path, user: 'lb-brent.ig-lead', status: 200 });
    await ask({ route, method: 'GET', path, user: 'lb-brent.practitioner', status: 403 });
  }
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('ProjectIgAnswers');
  const brentSubmissions = await ask({
    route: 'SearchAudit',
    method: 'GET',
    path: '/v1/audit/search?action=request.submit&outcome=allowed&organisation=lb-brent&limit=1',
    user: 'lb-brent.ig-lead',
    status: 200,
  });
  const index = z
    .object({ entries: z.array(z.object({ index: z.number() })).min(1) })
    .parse(brentSubmissions.json).entries[0]?.index;
  const restriction = {
    index,
    reasonCode: 'crime-prevention',
    reason: 'a police enquiry',
    until: '2099-12-31',
  };
  await ask({
    route: 'CreateIgRestriction',
    method: 'POST',
    path: '/v1/ig/restrictions',
    user: 'lb-brent.practitioner',
    body: restriction,
    status: 403,
  });
  const restricted = await ask({
    route: 'CreateIgRestriction',
    method: 'POST',
    path: '/v1/ig/restrictions',
    user: 'lb-brent.ig-lead',
    body: restriction,
    status: 201,
  });
  const restrictionId = z.object({ restriction: z.object({ id: z.string() }) }).parse(restricted.json)
    .restriction.id;
  const lift = `/v1/ig/restrictions/${restrictionId}/lift`;
  const lifted = { reason: 'the enquiry closed' };
  await ask({
    route: 'LiftIgRestriction',
    method: 'POST',
    path: lift,
    user: 'lb-brent.practitioner',
    body: lifted,
    status: 403,
  });
  await ask({
    route: 'LiftIgRestriction',
    method: 'POST',
    path: lift,
    user: 'lb-brent.ig-lead',
    body: lifted,
    status: 200,
  });
  // Anomaly alerts (docs/IG.md): the refusals above raise some (repeated refusals, at least); the operator lists
  // them, a practitioner is refused, and one is acknowledged and closed, each twice refused first.
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('DetectAnomalies');
  const listed = await ask({
    route: 'ListAlerts',
    method: 'GET',
    path: '/v1/alerts?status=open',
    user: 'pbx-operations.operator',
    status: 200,
  });
  const alertId = z.object({ alerts: z.array(z.object({ id: z.string() })).min(1) }).parse(listed.json)
    .alerts[0]?.id;
  await ask({
    route: 'ListAlerts',
    method: 'GET',
    path: '/v1/alerts',
    user: 'lb-brent.practitioner',
    status: 403,
  });
  for (const route of ['AcknowledgeAlert', 'CloseAlert'] as const) {
    const path = `/v1/alerts/${alertId}/${route === 'AcknowledgeAlert' ? 'acknowledge' : 'close'}`;
    await ask({
      route,
      method: 'POST',
      path,
      user: 'lb-brent.practitioner',
      body: { note: 'seen' },
      status: 403,
    });
    await ask({ route, method: 'POST', path, user: 'pbx-operations.operator', body: {}, status: 400 });
    await ask({
      route,
      method: 'POST',
      path,
      user: 'pbx-operations.operator',
      body: { note: 'seen' },
      status: 200,
    });
  }
};

/** The routes nothing a caller sends can make refuse: public information, and the health check. */
const neverRefused = new Set(['GetHealth', 'GetDiscovery', 'GetRegistry', 'GetOpenApi']);

let entries: AuditEntry[];

beforeAll(async () => {
  exchange = await startExchange({
    schedules: false,
    checkpointMaxAgeSeconds: 1,
    dynamoDb: sharedDynamoDb(),
  });
  dynamo = localDynamoClient(exchange);
  audit = new DynamoAuditLog(createDocumentClient(dynamo), exchange.tableName('audit'));
  await runCorpus();
  entries = await audit.readAll();
});

afterAll(async () => {
  dynamo?.destroy();
  await exchange?.stop();
});

const outcomeOf = (status: number) => (status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'allowed');

describe('the audit log is complete: every answer a handler gave has exactly one entry', () => {
  it('gives every answer a request id of its own', () => {
    const ids = answers.map((a) => a.requestId);
    expect(ids.every((id) => id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('records exactly one entry per answer, with the outcome of its status', () => {
    const byRequest: Record<string, AuditEntry[]> = {};
    for (const entry of entries) {
      if (entry.requestId !== undefined)
        byRequest[entry.requestId] = [...(byRequest[entry.requestId] ?? []), entry];
    }
    const answered = answers.filter((a) => a.route !== undefined);
    expect(
      answered.map((a) => ({
        route: a.route,
        status: a.answered,
        entries: (byRequest[a.requestId] ?? []).map((e) => e.outcome),
      })),
    ).toEqual(
      answered.map((a) => ({ route: a.route, status: a.answered, entries: [outcomeOf(a.answered)] })),
    );
    // An api.answer entry names the route that answered; one that refused a path id that is not well formed
    // names only the id's kind and its SHA-256, never the text (issue 12 finding 7).
    for (const a of answered) {
      const [entry] = byRequest[a.requestId] ?? [];
      const route = routes.find((r) => r.id === a.route);
      if (entry?.action === 'api.answer' && route !== undefined) {
        expect(entry.target).toEqual(
          entry.target?.malformedIdSha256 === undefined
            ? { type: 'route', id: routeKey(route) }
            : { type: expect.any(String), malformedIdSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        );
      }
    }
  });

  it('records nothing for a path no route serves, and no entry for a request that was not answered', () => {
    const unrouted = answers.filter((a) => a.route === undefined);
    expect(unrouted.length).toBeGreaterThan(0);
    const answeredIds = new Set(answers.filter((a) => a.route !== undefined).map((a) => a.requestId));
    const stamped = entries.filter((e) => e.requestId !== undefined);
    expect(stamped.filter((e) => !answeredIds.has(e.requestId ?? ''))).toEqual([]);
  });

  it('covers every route with a success, and with a refusal where the route can refuse', () => {
    const covered = (accept: (status: number) => boolean) =>
      new Set(answers.filter((a) => accept(a.answered)).map((a) => a.route));
    const succeeded = covered((status) => status < 400);
    const refused = covered((status) => status >= 400);
    expect(routes.filter((r) => !succeeded.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(routes.filter((r) => !neverRefused.has(r.id) && !refused.has(r.id)).map((r) => r.id)).toEqual([]);
  });
});
