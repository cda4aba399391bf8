import type * as z from 'zod';
import type { InputErrorCode } from '../domain/errors.ts';
import { type Access, combineAccess, type FunctionBindings, type TableName } from '../resources.ts';
import * as contract from './api-contract.ts';
import * as alerts from './views/alerts.ts';
import * as cdop from './views/cdop.ts';
import * as challenges from './views/challenges.ts';
import * as ig from './views/ig.ts';
import * as requests from './views/requests.ts';

/**
 * One declaration per operation of the API: how it is called (method, path, whether it is signed), the function
 * that serves it and the resources that function may touch, and what it takes and answers (body, query and answer
 * schemas, success status). Everything else is derived from it: the CDK grants and environment of each function
 * (infra/stacks/api-stack.ts), the configuration and dependencies a function builds (shared/http/runtime.ts), the
 * parsing and answering of each call (shared/http/operation-handler.ts), the local exchange's routing, the OpenAPI
 * document and the typed client (client/pbx-client.ts).
 */
export type Operation = FunctionBindings & {
  /** Stable PascalCase id: the OpenAPI operationId and the construct id of its function. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template, e.g. `/v1/clients/{clientId}/keys`. */
  readonly path: string;
  /** Handler file, relative to functions/. */
  readonly entry: string;
  /** Public information (no signature) or a signed request (docs/PROTOCOL.md). */
  readonly auth: 'public' | 'signed';
  readonly summary: string;
  readonly status: 200 | 201;
  /** A second success status some answers have (a case passed on to another CDOP is 200, not 201). */
  readonly alternativeStatus?: 200;
  /** The request body, parsed with this very schema before the operation runs. */
  readonly body?: z.ZodType;
  /** The code of a body that does not have the schema's form, when more telling than INVALID_INPUT. */
  readonly invalidBody?: InputErrorCode;
  /** The query parameters, parsed with this very schema (every value a string). */
  readonly query?: z.ZodObject;
  /** The success answer; the handler's answer is checked against it by the compiler, and by the local exchange. */
  readonly answer: z.ZodType;
};

type Declared = Omit<Operation, 'id'>;
type Described = Pick<
  Operation,
  'summary' | 'status' | 'alternativeStatus' | 'body' | 'invalidBody' | 'query' | 'answer'
>;

/**
 * Every answer is audited (shared/http/operation-handler.ts): public operations append to the audit table too.
 */
const publicOperation = <const D extends Omit<Declared, 'auth'>>(declared: D) => ({
  ...declared,
  auth: 'public' as const,
  tables: { ...declared.tables, audit: combineAccess(declared.tables.audit, 'append') },
});

/**
 * A signed operation also reads the registry (keys, clients, users), writes the nonce table (single-use `jti`),
 * appends to the audit table (refusals, and every answer) and knows the exchange id (`aud`).
 */
const signedOperation = <const D extends Omit<Declared, 'auth' | 'exchangeId'>>(declared: D) => {
  const tables: Partial<Record<TableName, Access>> = { ...declared.tables };
  for (const [name, access] of [
    ['registry', 'read'],
    ['nonces', 'write'],
    ['audit', 'append'],
  ] as const) {
    tables[name] = combineAccess(tables[name], access);
  }
  return { ...declared, auth: 'signed' as const, tables, exchangeId: true as const };
};

/**
 * Operations of one capability whose functions all touch the same tables, each using the payloads bucket only as
 * far as its step needs.
 */
const capabilityOperation =
  (folder: string, tables: FunctionBindings['tables']) =>
  <const D extends Described>(
    method: Operation['method'],
    path: string,
    file: string,
    payloads: Access,
    described: D,
  ) =>
    signedOperation({
      method,
      path,
      entry: `${folder}/${file}`,
      tables,
      buckets: { payloads },
      ...described,
    });

/** The data request operations: each reads and writes the requests table, reads agreements and writes events. */
const requestOperation = capabilityOperation('requests', {
  requests: 'readwrite',
  agreements: 'read',
  events: 'write',
});

/**
 * The CDOP case workspace operations (docs/CDOP.md): each reads and writes the cases table, reads the requests it
 * links and the agreements, and writes events.
 */
const cdopOperation = capabilityOperation('cdop', {
  cdopCases: 'readwrite',
  requests: 'read',
  agreements: 'read',
  events: 'write',
});

/**
 * The IG questions (docs/IG.md): each reads the IG projection of the audit log and nothing else; its answer is
 * audited like every answer (the `child` question records its own entry, the subject only as `given`).
 */
const igOperation = <const D extends Described>(path: string, file: string, described: D) =>
  signedOperation({
    method: 'GET',
    path: `/v1/ig/${path}`,
    entry: `ig/${file}`,
    tables: { ig: 'read' },
    buckets: {},
    ...described,
  });

/**
 * The questions about one child (docs/IG.md, "Who looked at this child, and subject access"): an IG question that
 * also reads the restrictions of the child's entries.
 */
const childOperation = <const D extends Described>(path: string, file: string, described: D) =>
  signedOperation({
    method: 'GET',
    path: `/v1/ig/${path}`,
    entry: `ig/${file}`,
    tables: { ig: 'read', igRestrictions: 'read' },
    buckets: {},
    ...described,
  });

/**
 * The restrictions of entries from subject access reports: each reads and writes the restrictions table, and reads
 * the sequenced audit log for the entry restricted (and appends its own entries, as every signed operation does).
 */
const restrictionOperation = <const D extends Described>(
  method: Operation['method'],
  path: string,
  file: string,
  described: D,
) =>
  signedOperation({
    method,
    path: `/v1/ig/restrictions${path}`,
    entry: `ig/${file}`,
    tables: { igRestrictions: 'readwrite', audit: 'readappend' },
    buckets: {},
    ...described,
  });

/**
 * The anomaly alert operations (docs/IG.md "Anomaly alerts"): each reads the alerts table; acknowledging and
 * closing write it, with their audit entries.
 */
const alertOperation = <const D extends Described>(
  method: Operation['method'],
  path: string,
  file: string,
  alertsAccess: Access,
  described: D,
) =>
  signedOperation({
    method,
    path: `/v1/alerts${path}`,
    entry: `alerts/${file}`,
    tables: { alerts: alertsAccess },
    buckets: {},
    ...described,
  });

/** Gives each declaration its key as its id, so the id is written once. */
const withIds = <const T extends Record<string, Declared>>(
  declared: T,
): { [K in keyof T]: T[K] & { id: K } } =>
  Object.fromEntries(Object.entries(declared).map(([id, op]) => [id, { id, ...op }])) as never;

export const operations = withIds({
  GetHealth: publicOperation({
    method: 'GET',
    path: '/v1/health',
    entry: 'system/get-health.ts',
    tables: { registry: 'probe' },
    buckets: { payloads: 'probe' },
    summary: 'Whether the exchange and its stores answer',
    status: 200,
    answer: contract.healthAnswer,
  }),
  GetDiscovery: publicOperation({
    method: 'GET',
    path: '/.well-known/pbx-exchange',
    entry: 'system/get-discovery.ts',
    tables: {},
    // Publishes the checkpoint verifier key as the checkpoint publisher wrote it beside the checkpoints; this
    // public operation never holds the signing secret.
    buckets: { auditCheckpoints: 'read' },
    exchangeId: true,
    summary: 'The exchange id and signing protocol parameters',
    status: 200,
    answer: contract.discoveryAnswer,
  }),
  GetRegistry: publicOperation({
    method: 'GET',
    path: '/v1/registry',
    entry: 'registry/get-registry.ts',
    tables: { registry: 'read' },
    buckets: {},
    exchangeId: true,
    summary: 'Organisations, footprints, clients and their public keys',
    status: 200,
    answer: contract.publishedRegistryAnswer,
  }),
  GetOpenApi: publicOperation({
    method: 'GET',
    path: '/v1/openapi.json',
    entry: 'system/get-openapi.ts',
    tables: {},
    buckets: {},
    summary: 'This document',
    status: 200,
    answer: contract.openApiAnswer,
  }),
  GetWhoami: signedOperation({
    method: 'GET',
    path: '/v1/whoami',
    entry: 'auth/get-whoami.ts',
    tables: {},
    buckets: {},
    summary: 'Who the exchange takes the caller to be',
    status: 200,
    answer: contract.whoamiAnswer,
  }),
  ListClientKeys: signedOperation({
    method: 'GET',
    path: '/v1/clients/{clientId}/keys',
    entry: 'keys/list-client-keys.ts',
    tables: {},
    buckets: {},
    summary: "A client's keys",
    status: 200,
    answer: contract.clientKeysAnswer,
  }),
  AddClientKey: signedOperation({
    method: 'POST',
    path: '/v1/clients/{clientId}/keys',
    entry: 'keys/add-client-key.ts',
    tables: { registry: 'readwrite' },
    buckets: {},
    summary: 'Registers a public key for a client (rotation)',
    status: 201,
    body: contract.addClientKeyBody,
    answer: contract.clientKeyAnswer,
  }),
  RevokeClientKey: signedOperation({
    method: 'DELETE',
    path: '/v1/clients/{clientId}/keys/{kid}',
    entry: 'keys/revoke-client-key.ts',
    tables: { registry: 'readwrite' },
    buckets: {},
    summary: "Revokes a client's key, with a coded reason (lost, compromised, superseded)",
    status: 200,
    query: contract.revokeClientKeyQuery,
    answer: contract.clientKeyAnswer,
  }),
  CreateAgreement: signedOperation({
    method: 'POST',
    path: '/v1/agreements',
    entry: 'agreements/create-agreement.ts',
    // A conditional put: creating needs no read of the table.
    tables: { agreements: 'write' },
    buckets: {},
    summary: 'Drafts an information-sharing agreement as version 1, awaiting every party’s signature',
    status: 201,
    body: contract.createAgreementBody,
    invalidBody: 'INVALID_AGREEMENT',
    answer: contract.agreementAnswer,
  }),
  ListAgreements: signedOperation({
    method: 'GET',
    path: '/v1/agreements',
    entry: 'agreements/list-agreements.ts',
    tables: { agreements: 'read' },
    buckets: {},
    summary: 'Every agreement with its versions and standing',
    status: 200,
    answer: contract.agreementListAnswer,
  }),
  GetAgreement: signedOperation({
    method: 'GET',
    path: '/v1/agreements/{agreementId}',
    entry: 'agreements/get-agreement.ts',
    tables: { agreements: 'read' },
    buckets: {},
    summary: 'One agreement with every version and its standing',
    status: 200,
    answer: contract.agreementAnswer,
  }),
  ProposeAgreementVersion: signedOperation({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/versions',
    entry: 'agreements/propose-version.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
    summary: 'Proposes a new version; the version in force stays in force until every party signs this one',
    status: 201,
    body: contract.proposeVersionBody,
    invalidBody: 'INVALID_AGREEMENT',
    answer: contract.versionAnswer,
  }),
  SignAgreementVersion: signedOperation({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/versions/{version}/signatures',
    entry: 'agreements/sign-version.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
    summary: "Signs a version's content hash for the caller's organisation (IG lead or Caldicott guardian)",
    status: 201,
    body: contract.signVersionBody,
    answer: contract.versionAnswer,
  }),
  SuspendAgreement: signedOperation({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/suspend',
    entry: 'agreements/suspend-agreement.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
    summary: 'Suspends an agreement: requests under it are refused until it is resumed',
    status: 200,
    body: contract.standingChangeBody,
    answer: contract.agreementAnswer,
  }),
  ResumeAgreement: signedOperation({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/resume',
    entry: 'agreements/resume-agreement.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
    summary: 'Lifts a suspension',
    status: 200,
    body: contract.standingChangeBody,
    answer: contract.agreementAnswer,
  }),
  RevokeAgreement: signedOperation({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/revoke',
    entry: 'agreements/revoke-agreement.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
    summary: 'Revokes an agreement, finally',
    status: 200,
    body: contract.standingChangeBody,
    answer: contract.agreementAnswer,
  }),
  EvaluateDecision: signedOperation({
    method: 'POST',
    // A custom method on the decisions collection (AIP-136 style): a dry run that creates nothing.
    path: '/v1/decisions:evaluate',
    entry: 'decisions/evaluate-request.ts',
    tables: { agreements: 'read' },
    buckets: {},
    summary: 'Dry run: whether a share request would be permitted, with every reason against (audited)',
    status: 200,
    body: contract.evaluateDecisionBody,
    answer: contract.decisionSchema,
  }),
  // The audit log's checkpoints, proofs and leaves (shared/domain/audit/audit-proofs.ts): IG leads, Caldicott
  // guardians, DPOs (entries concerning their organisation in full, others as leaf hashes) and the operator (all);
  // 403 NOT_PERMITTED otherwise (docs/AUDIT.md "Who may see an audit entry").
  GetAuditCheckpoint: signedOperation({
    method: 'GET',
    path: '/v1/audit/checkpoint',
    entry: 'audit/get-checkpoint.ts',
    tables: { audit: 'read' },
    // A checkpoint of an earlier size comes from the write-once archive.
    buckets: { auditCheckpoints: 'read' },
    summary:
      "The audit log's latest signed checkpoint, or an earlier one by size (IG lead, Caldicott guardian, DPO or " +
      'operator)',
    status: 200,
    query: contract.auditCheckpointQuery,
    answer: contract.auditCheckpointSchema,
  }),
  GetInclusionProof: signedOperation({
    method: 'GET',
    path: '/v1/audit/proofs/inclusion',
    entry: 'audit/get-inclusion-proof.ts',
    tables: { audit: 'read' },
    buckets: {},
    summary: 'An inclusion proof of one audit log leaf against a tree size',
    status: 200,
    query: contract.inclusionProofQuery,
    answer: contract.inclusionProofSchema,
  }),
  GetConsistencyProof: signedOperation({
    method: 'GET',
    path: '/v1/audit/proofs/consistency',
    entry: 'audit/get-consistency-proof.ts',
    tables: { audit: 'read' },
    buckets: {},
    summary: 'A consistency proof between two tree sizes of the audit log',
    status: 200,
    query: contract.consistencyProofQuery,
    answer: contract.consistencyProofSchema,
  }),
  CosignAuditCheckpoint: signedOperation({
    method: 'POST',
    path: '/v1/audit/checkpoints/{size}/cosignatures',
    entry: 'audit/cosign-checkpoint.ts',
    // Reads the checkpoint of that size, and writes the witness's line with its audit entry in one transaction.
    // Only a registered witness (registry table, read by every signed operation) cosigns; the exchange's own
    // signature on the note is checked with the published verifier key (checkpoints bucket), never the secret.
    tables: { audit: 'readappend' },
    buckets: { auditCheckpoints: 'read' },
    summary:
      "Stores a registered witness's cosignature of a published checkpoint (an IG lead of the witness's organisation)",
    status: 201,
    body: contract.cosignCheckpointBody,
    answer: contract.cosignCheckpointAnswer,
  }),
  RegisterAuditWitness: signedOperation({
    method: 'POST',
    path: '/v1/audit/witnesses',
    entry: 'audit/register-witness.ts',
    // An IG lead registers their organisation's witness: a registry item, with its audit entry.
    tables: { registry: 'write' },
    buckets: {},
    summary:
      "Registers the caller's organisation's witness of the audit log: its name and verifier key (IG lead)",
    status: 201,
    body: contract.registerWitnessBody,
    answer: contract.witnessAnswer,
  }),
  ListAuditWitnesses: signedOperation({
    method: 'GET',
    path: '/v1/audit/witnesses',
    entry: 'audit/list-witnesses.ts',
    tables: {},
    buckets: {},
    summary: 'The registered witnesses of the audit log, with their organisations and keys (audit readers)',
    status: 200,
    answer: contract.witnessListSchema,
  }),
  ListAuditLeaves: signedOperation({
    method: 'GET',
    path: '/v1/audit/leaves',
    entry: 'audit/list-leaves.ts',
    // Reading pages of the log, and recording each read as an `audit.export` entry.
    tables: { audit: 'readappend' },
    buckets: {},
    summary: 'Sequenced audit entries with their leaf hashes, paginated (audited as an export)',
    status: 200,
    query: contract.auditLeavesQuery,
    answer: contract.auditLeavesSchema,
  }),
  GetAuditEvidence: signedOperation({
    method: 'GET',
    path: '/v1/audit/evidence',
    entry: 'audit/get-evidence.ts',
    // Pages of evidence against an archived checkpoint, each page recorded as one `audit.export` entry.
    tables: { audit: 'readappend' },
    buckets: { auditCheckpoints: 'read' },
    summary:
      'One page of evidence against a published checkpoint: the caller’s entries in full, others as leaf hashes, ' +
      'and the subtree hashes around the range (audited as an export, once per page)',
    status: 200,
    query: contract.auditEvidenceQuery,
    answer: contract.auditEvidenceSchema,
  }),
  SearchAudit: signedOperation({
    method: 'GET',
    path: '/v1/audit/search',
    entry: 'audit/search.ts',
    // Scoped search of the sequenced log (shared/domain/audit/search.ts), each search recorded as `audit.search`.
    tables: { audit: 'readappend' },
    buckets: {},
    summary:
      'Searches the sequenced audit log: IG lead, Caldicott guardian or DPO (their organisation), operator (all), ' +
      'scrutineer (suppressed counts only); audited',
    status: 200,
    query: contract.auditSearchQuery,
    answer: contract.auditSearchAnswerSchema,
  }),
  ListEvents: signedOperation({
    method: 'GET',
    path: '/v1/events',
    entry: 'events/list-events.ts',
    // The caller's organisation's feed, written by appendEvents with each state change (events/README.md).
    tables: { events: 'read' },
    buckets: {},
    summary: "The caller's organisation's domain events, oldest first, after a cursor (events/README.md)",
    status: 200,
    query: contract.listEventsQuery,
    answer: contract.eventFeedSchema,
  }),
  // Data requests and shares (shared/domain/requests/). Every step commits the request, its audit entry and its
  // events in one transaction; steps that touch bytes also use the payloads bucket.
  SubmitRequest: requestOperation('POST', '/v1/requests', 'submit-request.ts', 'probe', {
    summary:
      'Asks another organisation for information about a child; judged by the decision engine (403 with every ' +
      'reason when refused). Idempotency-Key makes retries safe.',
    status: 201,
    body: requests.submitRequestBody,
    answer: requests.requestAnswer,
  }),
  ListRequests: requestOperation('GET', '/v1/requests', 'list-requests.ts', 'probe', {
    summary: "The caller's organisation's inbox or outbox, newest first, filtered (audited)",
    status: 200,
    query: requests.listRequestsQuery,
    answer: requests.requestListAnswer,
  }),
  GetRequest: requestOperation('GET', '/v1/requests/{requestId}', 'get-request.ts', 'probe', {
    summary: 'One request, for its requester and responder only (audited)',
    status: 200,
    answer: requests.requestAnswer,
  }),
  DecideRequest: requestOperation('POST', '/v1/requests/{requestId}/decision', 'decide-request.ts', 'probe', {
    summary: "The responder's decision: approve, partial (saying what is withheld) or decline, with reasons",
    status: 200,
    body: requests.decideRequestBody,
    answer: requests.requestAnswer,
  }),
  // Presigns a PUT to a key the exchange chose.
  StartShareUpload: requestOperation('POST', '/v1/requests/{requestId}/uploads', 'start-upload.ts', 'write', {
    summary: 'A presigned upload URL for a large payload, to a key the exchange chooses',
    status: 201,
    body: requests.startUploadBody,
    answer: requests.uploadAnswer,
  }),
  // Writes inline payloads, hashes uploads (read) and deletes an upload that does not match (write).
  ReleaseShare: requestOperation(
    'POST',
    '/v1/requests/{requestId}/release',
    'release-share.ts',
    'readwrite',
    {
      summary: 'Releases the payload of an approved request, inline or from an upload; SHA-256 checked',
      status: 200,
      body: requests.releaseShareBody,
      answer: requests.requestAnswer,
    },
  ),
  // Presigns a GET: the grant carries the function's right to read.
  FetchShare: requestOperation('POST', '/v1/requests/{requestId}/fetch', 'fetch-share.ts', 'read', {
    summary: 'A short-lived grant to download a released share (requester only; counted and audited)',
    status: 200,
    answer: requests.fetchAnswer,
  }),
  // Deletes a released share's bytes.
  WithdrawRequest: requestOperation(
    'POST',
    '/v1/requests/{requestId}/withdraw',
    'withdraw-request.ts',
    'write',
    {
      summary: 'The requester withdraws a request; a released share is deleted',
      status: 200,
      answer: requests.requestAnswer,
    },
  ),
  // Challenges of a request's answer (shared/domain/challenges/, docs/REQUESTS.md "Challenge and escalation"):
  // each step commits the request with its challenges, its audit entry and its events in one transaction.
  RaiseChallenge: requestOperation(
    'POST',
    '/v1/requests/{requestId}/challenges',
    'raise-challenge.ts',
    'probe',
    {
      summary:
        'The requester challenges a decline, a partial approval or an overdue answer, with reasons; it goes to ' +
        "the responder's escalation role for stage 1, with a due date",
      status: 201,
      body: challenges.challengeBody,
      answer: challenges.challengeAnswer,
    },
  ),
  ListChallenges: requestOperation(
    'GET',
    '/v1/requests/{requestId}/challenges',
    'list-challenges.ts',
    'probe',
    {
      summary: "A request's challenges and each stage's outcome, for its two parties (audited)",
      status: 200,
      answer: challenges.challengeListAnswer,
    },
  ),
  EscalateChallenge: requestOperation(
    'POST',
    '/v1/requests/{requestId}/challenges/{n}/escalate',
    'escalate-challenge.ts',
    'probe',
    {
      summary:
        "The requester escalates a challenge to the responder's next escalation role: after an outcome it " +
        "disputes, or none by the stage's due date",
      status: 200,
      body: challenges.challengeBody,
      answer: challenges.challengeAnswer,
    },
  ),
  RecordChallengeOutcome: requestOperation(
    'POST',
    '/v1/requests/{requestId}/challenges/{n}/outcome',
    'record-challenge-outcome.ts',
    'probe',
    {
      summary:
        "The responder's escalation role records the stage's outcome: upheld, overturned with a new decision, or " +
        'resolved otherwise, with reasons',
      status: 200,
      body: challenges.outcomeBody,
      answer: challenges.challengeAnswer,
    },
  ),
  // The CDOP case workspace (docs/CDOP.md). Agencies answer through the data requests a case sends them.
  OpenCdopCase: cdopOperation('POST', '/v1/cdop/cases', 'open-case.ts', 'probe', {
    summary:
      "A CDOP manager or coordinator opens a case on notification of a child's death (201); a child resident in " +
      "another CDOP's area is passed on to that CDOP instead (200, outcome notify-instead)",
    status: 201,
    alternativeStatus: 200,
    body: cdop.openCdopCaseBody,
    answer: cdop.openCdopCaseAnswer,
  }),
  ListCdopCases: cdopOperation('GET', '/v1/cdop/cases', 'list-cases.ts', 'probe', {
    summary: "The caller's CDOP's cases, and who is outstanding across its open cases (audited)",
    status: 200,
    query: cdop.listCdopCasesQuery,
    answer: cdop.listCdopCasesAnswer,
  }),
  GetCdopCase: cdopOperation('GET', '/v1/cdop/cases/{caseId}', 'get-case.ts', 'probe', {
    summary:
      'One case: each agency asked with its report status, the timeline and the agencies to ask (audited)',
    status: 200,
    answer: cdop.getCdopCaseAnswer,
  }),
  RequestCdopReports: cdopOperation(
    'POST',
    '/v1/cdop/cases/{caseId}/requests',
    'request-reports.ts',
    'probe',
    {
      summary:
        "Asks agencies for their reports: a data request to each under the CDOP's child death review agreement; " +
        'each refusal names its reasons and the agreement needed. Idempotency-Key makes retries safe.',
      status: 200,
      body: cdop.requestCdopReportsBody,
      answer: cdop.requestCdopReportsAnswer,
    },
  ),
  // Reads the reports released on the case and writes the pack.
  AssemblePanelPack: cdopOperation('POST', '/v1/cdop/cases/{caseId}/pack', 'assemble-pack.ts', 'readwrite', {
    summary: 'Assembles the panel pack from the reports received, identifying parts left out (case runners)',
    status: 201,
    answer: cdop.assemblePanelPackAnswer,
  }),
  GetPanelPack: cdopOperation('GET', '/v1/cdop/cases/{caseId}/pack', 'get-pack.ts', 'read', {
    summary: "The latest panel pack, for the CDOP's panel members only (every fetch audited)",
    status: 200,
    answer: cdop.panelPackAnswer,
  }),
  CloseCdopCase: cdopOperation('POST', '/v1/cdop/cases/{caseId}/close', 'close-case.ts', 'probe', {
    summary:
      "Closes a case with the panel's analysis (category of death, modifiable factors, learning themes)",
    status: 200,
    body: cdop.closeCdopCaseBody,
    answer: cdop.cdopCaseAnswer,
  }),
  // Reads the reports, whole, for the national child mortality database.
  ExportCdopCase: cdopOperation('GET', '/v1/cdop/cases/{caseId}/ncmd-export', 'export-case.ts', 'read', {
    summary: 'A closed case in the shape of the national child mortality database forms, versioned (audited)',
    status: 200,
    query: cdop.ncmdExportQuery,
    answer: cdop.ncmdExportAnswer,
  }),
  GetCdopFigures: cdopOperation('GET', '/v1/cdop/figures', 'get-figures.ts', 'probe', {
    summary:
      "The CDOP's figures for a financial year and its quarters by borough of residence, small numbers suppressed " +
      'for publication, and de-identified learning themes for a neighbouring CDOP (audited)',
    status: 200,
    query: cdop.cdopFiguresQuery,
    answer: cdop.cdopFiguresAnswer,
  }),
  // The IG questions (docs/IG.md), answered from the IG projection of the sequenced audit log. Scoped as audit
  // search is: operator all, IG lead, Caldicott guardian or DPO their organisation, scrutineer suppressed counts.
  GetIgChild: childOperation('child', 'get-child.ts', {
    summary:
      "Every audit entry that touched one child, from the child's subject reference in each footprint (audited, " +
      'the reference recorded only as given)',
    status: 200,
    query: ig.igChildQuery,
    answer: ig.igChildAnswer,
  }),
  GetIgRequests: igOperation('requests', 'get-requests.ts', {
    summary:
      'Requests by month or quarter, by purpose, footprint, organisation or pair: counts, approval rate, median ' +
      'and 90th-percentile response time',
    status: 200,
    query: ig.igRequestsQuery,
    answer: ig.igRequestsAnswer,
  }),
  GetIgRefusals: igOperation('refusals', 'get-refusals.ts', {
    summary: 'Refusals by the engine and declines by people, with reason codes, by organisation pair',
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igRefusalsAnswer,
  }),
  GetIgPastReview: igOperation('past-review', 'get-past-review.ts', {
    summary: 'Requests made under agreement versions past their review date, accepted or refused',
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igPastReviewAnswer,
  }),
  GetIgWithoutAgreement: igOperation('without-agreement', 'get-without-agreement.ts', {
    summary:
      'Access attempted without an agreement in force (none, not signed, suspended, revoked, expired, not yet valid)',
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igRefusalsAnswer,
  }),
  GetIgCrossFootprint: igOperation('cross-footprint', 'get-cross-footprint.ts', {
    summary:
      "Attempts across footprints: a party, the child or the purpose outside the agreement's footprint",
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igRefusalsAnswer,
  }),
  GetIgConsentNotSought: igOperation('consent-not-sought', 'get-consent-not-sought.ts', {
    summary: 'Accepted requests where consent was not sought, by the DPA 2018 Sch 1 para 18(2) reason',
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igConsentNotSoughtAnswer,
  }),
  GetIgPlacements: igOperation('placements', 'get-placements.ts', {
    summary: 'Requests about children placed out of borough, by placing and host authority',
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igPlacementsAnswer,
  }),
  GetIgOutcomes: igOperation('outcomes', 'get-outcomes.ts', {
    summary: 'Whether each requester got an outcome and how long it took, and what is still open, by pair',
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igOutcomesAnswer,
  }),
  GetIgChallenges: igOperation('challenges', 'get-challenges.ts', {
    summary: "Challenges of requests' answers by pair and month: raised, escalated, each outcome, overdue",
    status: 200,
    query: ig.igPeriodQuery,
    answer: ig.igChallengesAnswer,
  }),
  GetIgOutstanding: igOperation('outstanding', 'get-outstanding.ts', {
    summary: 'Open requests by responder now: owed, overdue and by how long',
    status: 200,
    query: ig.igOutstandingQuery,
    answer: ig.igOutstandingAnswer,
  }),
  // Who looked at this child, and subject access (docs/IG.md): the report fit to disclose, and the restrictions
  // an organisation's IG roles put on its entries.
  GetIgChildDisclosure: childOperation('child/disclosure', 'get-child-disclosure.ts', {
    summary:
      "The subject access report of one child: the child's entries, those restricted withheld and counted, never " +
      'named (audited, the reference recorded only as given)',
    status: 200,
    query: ig.igChildQuery,
    answer: ig.igDisclosureAnswer,
  }),
  CreateIgRestriction: restrictionOperation('POST', '', 'create-restriction.ts', {
    summary:
      "Restricts an entry concerning the caller's organisation from subject access reports until an end date, " +
      'with a DPA 2018 Sch 2 reason (IG lead, Caldicott guardian, DPO; audited)',
    status: 201,
    body: ig.igRestrictBody,
    answer: ig.igRestrictionAnswer,
  }),
  ListIgRestrictions: restrictionOperation('GET', '', 'list-restrictions.ts', {
    summary: "The caller's organisation's restrictions, newest first, in force or not (audited)",
    status: 200,
    answer: ig.igRestrictionListAnswer,
  }),
  LiftIgRestriction: restrictionOperation('POST', '/{restrictionId}/lift', 'lift-restriction.ts', {
    summary: 'Lifts a restriction of the caller’s organisation before its end date, with a reason (audited)',
    status: 200,
    body: ig.igLiftRestrictionBody,
    answer: ig.igRestrictionAnswer,
  }),
  GetIgReport: igOperation('report', 'get-report.ts', {
    summary:
      "The PQA quarterly report for a footprint: the IG questions' indicators for the whole footprint, every " +
      'count under 5 suppressed',
    status: 200,
    query: ig.igReportQuery,
    answer: ig.igReportAnswer,
  }),
  // Anomaly alerts for IG leads: operator all, IG lead, Caldicott guardian or DPO their organisation's.
  ListAlerts: alertOperation('GET', '', 'list-alerts.ts', 'read', {
    summary: "The anomaly alerts of the caller's organisation (the operator: all), newest first",
    status: 200,
    query: alerts.listAlertsQuery,
    answer: alerts.alertsAnswer,
  }),
  AcknowledgeAlert: alertOperation('POST', '/{alertId}/acknowledge', 'acknowledge-alert.ts', 'readwrite', {
    summary: 'Acknowledges an alert with a note (audited; the note kept out of the log, its SHA-256 only)',
    status: 200,
    body: alerts.alertNoteBody,
    answer: alerts.alertAnswer,
  }),
  CloseAlert: alertOperation('POST', '/{alertId}/close', 'close-alert.ts', 'readwrite', {
    summary: 'Closes an alert with a note (audited; the note kept out of the log, its SHA-256 only)',
    status: 200,
    body: alerts.alertNoteBody,
    answer: alerts.alertAnswer,
  }),
});

export type Operations = typeof operations;
export type OperationId = keyof Operations;

/** Every operation, in declaration order: what infra, the local exchange and OpenAPI iterate over. */
export const operationList: readonly Operation[] = Object.values(operations);

/** API Gateway's route key of an operation, e.g. `POST /v1/requests`. */
export const routeKey = (operation: Pick<Operation, 'method' | 'path'>): string =>
  `${operation.method} ${operation.path}`;

/** The parsed body of an operation (undefined when it takes none). */
export type BodyOf<O extends Operation> = O['body'] extends z.ZodType ? z.output<O['body']> : undefined;
/** The parsed query of an operation (an empty object when it takes none). */
export type QueryOf<O extends Operation> = O['query'] extends z.ZodObject
  ? z.output<O['query']>
  : Record<string, never>;
/** A value as a use case may hold it: arrays and objects read-only all the way down. */
type Answerable<T> = T extends readonly (infer U)[]
  ? readonly Answerable<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Answerable<T[K]> }
    : T;
/** What an operation's handler answers, as its schema reads it: checked by the compiler. */
export type AnswerOf<O extends Operation> = Answerable<z.input<O['answer']>>;
/** The answer as a client receives it. */
export type ClientAnswerOf<O extends Operation> = z.output<O['answer']>;
