import type { BucketName, TableName } from '#shared/resources.ts';

/**
 * What a function may do with a resource. `probe` only asks whether it answers (DescribeTable, HeadBucket): the
 * health check needs no data. `append` adds items and never changes or removes one (PutItem, with the
 * `attribute_not_exists` condition appendAudit puts on each, and ConditionCheckItem): the audit table is append-only
 * to every function but the sequencer, the one that may update entries and delete pending markers (docs/AUDIT.md).
 * `readappend` is read and append together.
 */
export type Access = 'probe' | 'read' | 'append' | 'readappend' | 'write' | 'readwrite';

/**
 * Every HTTP route of the exchange, with the function that serves it and the resources that function may touch.
 * The CDK API stack builds one function per route from this list and grants exactly these accesses; the local
 * exchange routes to the same handler files. One list, so the two cannot drift apart.
 */
export type RouteDefinition = {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template, e.g. `/v1/clients/{clientId}/keys`. */
  readonly path: string;
  /** Stable PascalCase construct id of the function. */
  readonly id: string;
  /** Handler file, relative to functions/. */
  readonly entry: string;
  /** Whether the route is public information (no signature) or requires a signed request. */
  readonly auth: 'public' | 'signed';
  readonly tables: Partial<Record<TableName, Access>>;
  readonly buckets: Partial<Record<BucketName, Access>>;
  readonly exchangeId?: true;
  /** Reads the checkpoint signing key's secret (infra: `bindSecret`; locally: the secret in the environment). */
  readonly checkpointKey?: true;
};

/** What each access allows, as parts: an access is the set of its parts, and two combine to the union. */
const parts: Record<Access, readonly ('read' | 'append' | 'write')[]> = {
  probe: [],
  read: ['read'],
  append: ['append'],
  readappend: ['read', 'append'],
  write: ['append', 'write'],
  readwrite: ['read', 'append', 'write'],
};

/** The weaker of two accesses is implied by the stronger; read and append or write together are readappend or readwrite. */
const combine = (a: Access | undefined, b: Access): Access => {
  if (a === undefined || a === 'probe') return b;
  if (b === 'probe') return a;
  const union = new Set([...parts[a], ...parts[b]]);
  if (union.has('write')) return union.has('read') ? 'readwrite' : 'write';
  if (union.has('append')) return union.has('read') ? 'readappend' : 'append';
  return 'read';
};

/**
 * A route that verifies signed requests: it also reads the registry (keys, clients, users), writes the nonce
 * table (single-use `jti`), appends to the audit table (refusals, and every answer), and knows the exchange id (`aud`).
 */
const signed = (route: Omit<RouteDefinition, 'auth' | 'exchangeId'>): RouteDefinition => {
  const tables: Partial<Record<TableName, Access>> = { ...route.tables };
  for (const [name, access] of [
    ['registry', 'read'],
    ['nonces', 'write'],
    ['audit', 'append'],
  ] as const) {
    tables[name] = combine(tables[name], access);
  }
  return { ...route, auth: 'signed', tables, exchangeId: true };
};

type StepRoute = readonly [RouteDefinition['method'], string, string, string, Access];

/**
 * Routes of one capability whose functions all touch the same tables, each using the payloads bucket only as far
 * as its step needs: `[method, path, id, handler file in the folder, payloads access]`.
 */
const capabilityRoutes =
  (folder: string, tables: RouteDefinition['tables']) =>
  (definitions: readonly StepRoute[]): RouteDefinition[] =>
    definitions.map(([method, path, id, file, payloads]) =>
      signed({ method, path, id, entry: `${folder}/${file}`, tables, buckets: { payloads } }),
    );

/** The data request routes: each reads and writes the requests table, reads agreements and writes events. */
const requestRoutes = capabilityRoutes('requests', {
  requests: 'readwrite',
  agreements: 'read',
  events: 'write',
});

/**
 * The CDOP case workspace routes (shared/domain/cdop/manage-cases.ts): each reads and writes the cases table, reads
 * the requests it links and the agreements, and writes events.
 */
const cdopRoutes = capabilityRoutes('cdop', {
  cdopCases: 'readwrite',
  requests: 'read',
  agreements: 'read',
  events: 'write',
});

export const routes: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/health',
    id: 'GetHealth',
    entry: 'system/get-health.ts',
    auth: 'public',
    // Every answer is audited (shared/http/route.ts, answerAudit): public routes write the audit table too.
    tables: { registry: 'probe', audit: 'append' },
    buckets: { payloads: 'probe' },
  },
  {
    method: 'GET',
    path: '/.well-known/pbx-exchange',
    id: 'GetDiscovery',
    entry: 'system/get-discovery.ts',
    auth: 'public',
    tables: { audit: 'append' },
    // Publishes the checkpoint verifier key as the checkpoint publisher wrote it beside the checkpoints; this
    // public route never holds the signing secret.
    buckets: { auditCheckpoints: 'read' },
    exchangeId: true,
  },
  {
    method: 'GET',
    path: '/v1/registry',
    id: 'GetRegistry',
    entry: 'registry/get-registry.ts',
    auth: 'public',
    tables: { registry: 'read', audit: 'append' },
    buckets: {},
    exchangeId: true,
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    id: 'GetOpenApi',
    entry: 'system/get-openapi.ts',
    auth: 'public',
    tables: { audit: 'append' },
    buckets: {},
  },
  signed({
    method: 'GET',
    path: '/v1/whoami',
    id: 'GetWhoami',
    entry: 'auth/get-whoami.ts',
    tables: {},
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/clients/{clientId}/keys',
    id: 'ListClientKeys',
    entry: 'keys/list-client-keys.ts',
    tables: {},
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/clients/{clientId}/keys',
    id: 'AddClientKey',
    entry: 'keys/add-client-key.ts',
    tables: { registry: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'DELETE',
    path: '/v1/clients/{clientId}/keys/{kid}',
    id: 'RevokeClientKey',
    entry: 'keys/revoke-client-key.ts',
    tables: { registry: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/agreements',
    id: 'CreateAgreement',
    entry: 'agreements/create-agreement.ts',
    // A conditional put: creating needs no read of the table.
    tables: { agreements: 'write' },
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/agreements',
    id: 'ListAgreements',
    entry: 'agreements/list-agreements.ts',
    tables: { agreements: 'read' },
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/agreements/{agreementId}',
    id: 'GetAgreement',
    entry: 'agreements/get-agreement.ts',
    tables: { agreements: 'read' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/versions',
    id: 'ProposeAgreementVersion',
    entry: 'agreements/propose-version.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/versions/{version}/signatures',
    id: 'SignAgreementVersion',
    entry: 'agreements/sign-version.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/suspend',
    id: 'SuspendAgreement',
    entry: 'agreements/suspend-agreement.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/resume',
    id: 'ResumeAgreement',
    entry: 'agreements/resume-agreement.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/agreements/{agreementId}/revoke',
    id: 'RevokeAgreement',
    entry: 'agreements/revoke-agreement.ts',
    tables: { agreements: 'readwrite' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    // A custom method on the decisions collection (AIP-136 style): a dry run that creates nothing.
    path: '/v1/decisions:evaluate',
    id: 'EvaluateDecision',
    entry: 'decisions/evaluate-request.ts',
    tables: { agreements: 'read' },
    buckets: {},
  }),
  // The audit log's checkpoints, proofs and leaves (shared/domain/audit/audit-proofs.ts): IG leads, Caldicott
  // guardians, DPOs (entries concerning their organisation in full, others as leaf hashes) and the operator (all);
  // 403 NOT_PERMITTED otherwise (docs/AUDIT.md "Who may see an audit entry").
  signed({
    method: 'GET',
    path: '/v1/audit/checkpoint',
    id: 'GetAuditCheckpoint',
    entry: 'audit/get-checkpoint.ts',
    tables: { audit: 'read' },
    // A checkpoint of an earlier size comes from the write-once archive.
    buckets: { auditCheckpoints: 'read' },
  }),
  signed({
    method: 'GET',
    path: '/v1/audit/proofs/inclusion',
    id: 'GetInclusionProof',
    entry: 'audit/get-inclusion-proof.ts',
    tables: { audit: 'read' },
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/audit/proofs/consistency',
    id: 'GetConsistencyProof',
    entry: 'audit/get-consistency-proof.ts',
    tables: { audit: 'read' },
    buckets: {},
  }),
  signed({
    method: 'POST',
    path: '/v1/audit/checkpoints/{size}/cosignatures',
    id: 'CosignAuditCheckpoint',
    entry: 'audit/cosign-checkpoint.ts',
    // Reads the checkpoint of that size, and writes the witness's line with its audit entry in one transaction.
    // Only a registered witness (registry table, read by every signed route) cosigns; the exchange's own signature
    // on the note is checked with the published verifier key (checkpoints bucket), never the signing secret.
    tables: { audit: 'readappend' },
    buckets: { auditCheckpoints: 'read' },
  }),
  signed({
    method: 'POST',
    path: '/v1/audit/witnesses',
    id: 'RegisterAuditWitness',
    entry: 'audit/register-witness.ts',
    // An IG lead registers their organisation's witness: a registry item, with its audit entry.
    tables: { registry: 'write' },
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/audit/witnesses',
    id: 'ListAuditWitnesses',
    entry: 'audit/list-witnesses.ts',
    tables: {},
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/audit/leaves',
    id: 'ListAuditLeaves',
    entry: 'audit/list-leaves.ts',
    // Reading pages of the log, and recording each read as an `audit.export` entry.
    tables: { audit: 'readappend' },
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/audit/evidence',
    id: 'GetAuditEvidence',
    entry: 'audit/get-evidence.ts',
    // Pages of evidence against an archived checkpoint, each page recorded as one `audit.export` entry.
    tables: { audit: 'readappend' },
    buckets: { auditCheckpoints: 'read' },
  }),
  signed({
    method: 'GET',
    path: '/v1/audit/search',
    id: 'SearchAudit',
    entry: 'audit/search.ts',
    // Scoped search of the sequenced log (shared/domain/audit/search.ts), each search recorded as `audit.search`.
    tables: { audit: 'readappend' },
    buckets: {},
  }),
  signed({
    method: 'GET',
    path: '/v1/events',
    id: 'ListEvents',
    entry: 'events/list-events.ts',
    // The caller's organisation's feed, written by appendEvents with each state change (events/README.md).
    tables: { events: 'read' },
    buckets: {},
  }),
  // Data requests and shares (shared/domain/requests/manage-requests.ts). Every step commits the request, its
  // audit entry and its events in one transaction; steps that touch bytes also use the payloads bucket.
  ...requestRoutes([
    ['POST', '/v1/requests', 'SubmitRequest', 'submit-request.ts', 'probe'],
    ['GET', '/v1/requests', 'ListRequests', 'list-requests.ts', 'probe'],
    ['GET', '/v1/requests/{requestId}', 'GetRequest', 'get-request.ts', 'probe'],
    ['POST', '/v1/requests/{requestId}/decision', 'DecideRequest', 'decide-request.ts', 'probe'],
    // Presigns a PUT to a key the exchange chose.
    ['POST', '/v1/requests/{requestId}/uploads', 'StartShareUpload', 'start-upload.ts', 'write'],
    // Writes inline payloads, hashes uploads (read) and deletes an upload that does not match (write).
    ['POST', '/v1/requests/{requestId}/release', 'ReleaseShare', 'release-share.ts', 'readwrite'],
    // Presigns a GET: the grant carries the function's right to read.
    ['POST', '/v1/requests/{requestId}/fetch', 'FetchShare', 'fetch-share.ts', 'read'],
    // Deletes a released share's bytes.
    ['POST', '/v1/requests/{requestId}/withdraw', 'WithdrawRequest', 'withdraw-request.ts', 'write'],
  ]),
  // The CDOP case workspace (docs/CDOP.md). Agencies answer through the data requests a case sends them.
  ...cdopRoutes([
    ['POST', '/v1/cdop/cases', 'OpenCdopCase', 'open-case.ts', 'probe'],
    ['GET', '/v1/cdop/cases', 'ListCdopCases', 'list-cases.ts', 'probe'],
    ['GET', '/v1/cdop/cases/{caseId}', 'GetCdopCase', 'get-case.ts', 'probe'],
    ['POST', '/v1/cdop/cases/{caseId}/requests', 'RequestCdopReports', 'request-reports.ts', 'probe'],
    // Reads the reports released on the case and writes the pack.
    ['POST', '/v1/cdop/cases/{caseId}/pack', 'AssemblePanelPack', 'assemble-pack.ts', 'readwrite'],
    ['GET', '/v1/cdop/cases/{caseId}/pack', 'GetPanelPack', 'get-pack.ts', 'read'],
    ['POST', '/v1/cdop/cases/{caseId}/close', 'CloseCdopCase', 'close-case.ts', 'probe'],
    // Reads the reports, whole, for the national child mortality database.
    ['GET', '/v1/cdop/cases/{caseId}/ncmd-export', 'ExportCdopCase', 'export-case.ts', 'read'],
    ['GET', '/v1/cdop/figures', 'GetCdopFigures', 'get-figures.ts', 'probe'],
  ]),
];

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
