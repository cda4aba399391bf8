import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { type SignRequestInput, signRequest } from '#shared/adapters/jose/request-signing.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import type { AgreementContent } from '#shared/domain/agreements/agreement.ts';
import type { ShareRequest } from '#shared/domain/agreements/decide.ts';
import { type PublicJwk, signingAlgorithms } from '#shared/domain/registry/client-key.ts';
import type { KeyRevocationReason } from '#shared/domain/registry/manage-client-keys.ts';
import type { DataRequestBody } from '#shared/domain/requests/data-request.ts';
import type { AgreementView } from '#shared/http/api-contract.ts';
import {
  type ClientAnswerOf,
  type Operation,
  type OperationId,
  type Operations,
  operations,
} from '#shared/http/operations.ts';

/** A response from the exchange: its status and parsed JSON body (error bodies are `{ error, message, details? }`). */
export type PbxResponse<T = unknown> = { readonly status: number; readonly body: T };

/** What a call of an operation sends: its path parameters, query, body and idempotency key. */
export type OperationInput<O extends Operation> = {
  readonly path?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: (O['body'] extends z.ZodType ? z.input<O['body']> : never) | undefined;
  readonly idempotencyKey?: string | undefined;
};

/** A success answer that does not have its operation's schema: nothing this client should act on. */
export class AnswerOutsideContract extends Error {
  constructor(
    readonly operationId: string,
    readonly problems: z.ZodError,
  ) {
    super(
      `the exchange's answer to ${operationId} is not in its contract: ${problems.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`)
        .join('; ')}`,
    );
    this.name = 'AnswerOutsideContract';
  }
}

export type PbxClientOptions = {
  /** Base URL of the exchange, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  /** The calling client's id (`iss`). */
  readonly clientId: string;
  readonly key: PrivateJwk;
  /** The user the client acts for (`sub`), if any. */
  readonly subject?: string;
  /** The exchange id (`aud`); read from /.well-known/pbx-exchange when not given. */
  readonly audience?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** The longest a call may take before it is abandoned (default 30 s): no call waits for ever. */
  readonly timeoutMs?: number;
};

const privateJwkSchema = z.looseObject({
  kty: z.enum(['EC', 'OKP']),
  crv: z.enum(['P-256', 'Ed25519']),
  x: z.string(),
  y: z.string().optional(),
  d: z.string(),
  kid: z.string().min(1),
  alg: z.enum(signingAlgorithms),
});

/** Reads a private JWK as `npm start` writes it (`.local/keys/<client-id>.jwk.json`). */
export const readPrivateKey = async (file: string): Promise<PrivateJwk> => {
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  const parsed = privateJwkSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file} is not a private signing JWK with kid and alg (ES256 or EdDSA)`);
  return parsed.data as PrivateJwk;
};

const discoverySchema = z.looseObject({ exchangeId: z.string().min(1), algorithms: z.array(z.string()) });

export type { AgreementView };

export type AgreementStandingChange = 'suspend' | 'resume' | 'revoke';

export const localKeyFile = (keysDir: string, clientId: string): string =>
  join(keysDir, `${clientId}.jwk.json`);

/**
 * A typed client of the exchange: every call is signed with the client's key, bound to its method, path, query and
 * body, and used once. Unsigned discovery calls are available too.
 */
export class PbxClient {
  readonly #options: PbxClientOptions;
  readonly #fetch: typeof fetch;
  #audience: Promise<string> | undefined;

  constructor(options: PbxClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    if (options.audience !== undefined) this.#audience = Promise.resolve(options.audience);
  }

  /** The exchange id, from discovery (once). */
  audience(): Promise<string> {
    this.#audience ??= this.discovery().then((r) => {
      const document = discoverySchema.safeParse(r.body);
      if (r.status !== 200 || !document.success) {
        throw new Error(`${this.#options.url} did not answer discovery as a pbx exchange (HTTP ${r.status})`);
      }
      return document.data.exchangeId;
    });
    return this.#audience;
  }

  discovery(): Promise<PbxResponse<{ exchangeId: string; algorithms: string[] }>> {
    return this.#send('GET', '/.well-known/pbx-exchange');
  }

  /** Signs the request as it will be sent; `extra` may alter what is signed (for tests of the protocol). */
  async sign(
    method: string,
    pathAndQuery: string,
    body?: Uint8Array | string,
    extra: Partial<SignRequestInput> = {},
  ) {
    return signRequest({
      method,
      pathAndQuery,
      ...(body === undefined ? {} : { body }),
      key: this.#options.key,
      issuer: this.#options.clientId,
      audience: await this.audience(),
      ...(this.#options.subject === undefined ? {} : { subject: this.#options.subject }),
      ...(this.#options.now === undefined ? {} : { now: this.#options.now() }),
      ...extra,
    });
  }

  /** A signed call. `body` is sent as given (a string or bytes), or as JSON when it is an object. */
  async call<T = unknown>(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<PbxResponse<T>> {
    const bytes =
      body === undefined
        ? undefined
        : typeof body === 'string' || body instanceof Uint8Array
          ? body
          : JSON.stringify(body);
    const signed = await this.sign(method, pathAndQuery, bytes);
    return this.#send(
      method,
      pathAndQuery,
      bytes === undefined ? undefined : signed.body,
      signed.authorization,
      options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey },
    );
  }

  /**
   * Calls an operation of the contract (shared/http/operations.ts) by its id: the path filled from `path`, the
   * query from `query`, the body as JSON, signed when the operation is. A success answer is checked against the
   * operation's answer schema and typed by it: an exchange that answers outside its contract is not trusted
   * (AnswerOutsideContract). Error answers come back as they are (`{ error, message, details? }`).
   */
  async invoke<K extends OperationId>(
    id: K,
    input: OperationInput<Operations[K]> = {},
  ): Promise<PbxResponse<ClientAnswerOf<Operations[K]>>> {
    const operation: Operation = operations[id];
    const path = operation.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
      const value = input.path?.[name];
      if (value === undefined) throw new TypeError(`${id} needs the path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams(
      Object.entries(input.query ?? {}).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, String(value)] as [string, string]],
      ),
    ).toString();
    const pathAndQuery = query === '' ? path : `${path}?${query}`;
    const response =
      operation.auth === 'signed'
        ? await this.call(operation.method, pathAndQuery, input.body, keyed(input.idempotencyKey))
        : await this.#send(operation.method, pathAndQuery);
    if (response.status !== operation.status && response.status !== operation.alternativeStatus) {
      return response as PbxResponse<never>;
    }
    // Checked, not transformed: the body is the JSON the exchange sent (what --json prints), now known to be in shape.
    const answer = operation.answer.safeParse(response.body);
    if (!answer.success) throw new AnswerOutsideContract(id, answer.error);
    return { status: response.status, body: response.body as ClientAnswerOf<Operations[K]> };
  }

  /** Sends a request exactly as given (already signed, or deliberately not). */
  async send<T = unknown>(
    method: string,
    pathAndQuery: string,
    body?: Uint8Array,
    authorization?: string,
  ): Promise<PbxResponse<T>> {
    return this.#send(method, pathAndQuery, body, authorization);
  }

  whoami() {
    return this.invoke('GetWhoami');
  }

  listKeys(clientId = this.#options.clientId) {
    return this.invoke('ListClientKeys', { path: { clientId } });
  }

  addKey(jwk: PublicJwk, options: { clientId?: string; notBefore?: string; notAfter?: string } = {}) {
    const { clientId = this.#options.clientId, ...window } = options;
    return this.invoke('AddClientKey', { path: { clientId }, body: { jwk, ...window } });
  }

  revokeKey(kid: string, clientId = this.#options.clientId, reason?: KeyRevocationReason) {
    return this.invoke('RevokeClientKey', {
      path: { clientId, kid },
      ...(reason === undefined ? {} : { query: { reason } }),
    });
  }

  /** Drafts an agreement (version 1); each party's IG lead or Caldicott guardian then signs it. */
  createAgreement(content: AgreementContent, id?: string) {
    return this.invoke('CreateAgreement', { body: { ...(id === undefined ? {} : { id }), content } });
  }

  listAgreements() {
    return this.invoke('ListAgreements');
  }

  getAgreement(agreementId: string) {
    return this.invoke('GetAgreement', { path: { agreementId } });
  }

  /** Proposes changed content as a new version; the version in force stays so until every party signs this one. */
  proposeAgreementVersion(agreementId: string, content: AgreementContent) {
    return this.invoke('ProposeAgreementVersion', { path: { agreementId }, body: { content } });
  }

  /**
   * Signs a version: `contentHash` is the hash the signer computed from the content they read, so the exchange
   * refuses the signature if the version it holds is not that content.
   */
  signAgreementVersion(agreementId: string, version: number, contentHash: string) {
    return this.invoke('SignAgreementVersion', {
      path: { agreementId, version: String(version) },
      body: { contentHash },
    });
  }

  /** Suspends, resumes or revokes an agreement (revocation is final). */
  changeAgreementStanding(agreementId: string, change: AgreementStandingChange, reason: string) {
    return this.invoke(standingChangeOperations[change], { path: { agreementId }, body: { reason } });
  }

  /** A dry run: whether the exchange would allow this request from the caller, and every reason if not. */
  evaluateRequest(request: ShareRequest) {
    return this.invoke('EvaluateDecision', { body: request });
  }

  /** The latest signed checkpoint of the audit log: the C2SP signed-note text, and its size and root as stated. */
  auditCheckpoint() {
    return this.invoke('GetAuditCheckpoint');
  }

  /** The inclusion proof of audit leaf `index` in the tree of `size` leaves. */
  auditInclusionProof(index: number, size: number) {
    return this.invoke('GetInclusionProof', { query: { index, size } });
  }

  /** The consistency proof between the audit trees of `from` and `to` leaves. */
  auditConsistencyProof(from: number, to: number) {
    return this.invoke('GetConsistencyProof', { query: { from, to } });
  }

  /** Registers the caller's organisation's witness: its key name and note verifier key. */
  registerWitness(body: { name: string; verifierKey: string }) {
    return this.invoke('RegisterAuditWitness', { body });
  }

  listWitnesses() {
    return this.invoke('ListAuditWitnesses');
  }

  /** Sends a witness's cosignature of the checkpoint of `size`: the note with its line added, and its key. */
  auditCosign(size: number, body: { note: string; witnessKey: string }) {
    return this.invoke('CosignAuditCheckpoint', { path: { size: String(size) }, body });
  }

  /** Up to `limit` (at most 1,000) sequenced audit leaves from index `from`, with the index to ask for next. */
  auditLeaves(from: number, limit: number) {
    return this.invoke('ListAuditLeaves', { query: { from, limit } });
  }

  /** One page of a scoped audit search; `query` holds the filters, `cursor` and `limit` as query parameters. */
  auditSearch(query: URLSearchParams) {
    return this.invoke('SearchAudit', { query: Object.fromEntries(query) });
  }

  // Data requests and shares (docs/REQUESTS.md). Steps that change a request take an optional idempotency key.

  submitRequest(request: DataRequestSubmission, idempotencyKey?: string) {
    return this.invoke('SubmitRequest', { body: request, idempotencyKey });
  }

  listRequests(query: URLSearchParams) {
    return this.invoke('ListRequests', { query: Object.fromEntries(query) });
  }

  getRequest(requestId: string) {
    return this.invoke('GetRequest', { path: { requestId } });
  }

  decideRequest(requestId: string, decision: RequestDecisionInput, idempotencyKey?: string) {
    return this.invoke('DecideRequest', { path: { requestId }, body: unchecked(decision), idempotencyKey });
  }

  startShareUpload(requestId: string, declared: { size: number; sha256: string; contentType: string }) {
    return this.invoke('StartShareUpload', { path: { requestId }, body: declared });
  }

  releaseShare(
    requestId: string,
    release:
      | { content: string; sha256: string; contentType: string; dataCategories: readonly string[] }
      | { uploadId: string; dataCategories: readonly string[] },
    idempotencyKey?: string,
  ) {
    return this.invoke('ReleaseShare', { path: { requestId }, body: unchecked(release), idempotencyKey });
  }

  fetchShare(requestId: string, idempotencyKey?: string) {
    return this.invoke('FetchShare', { path: { requestId }, idempotencyKey });
  }

  withdrawRequest(requestId: string, idempotencyKey?: string) {
    return this.invoke('WithdrawRequest', { path: { requestId }, idempotencyKey });
  }

  // Child death overview panel cases (docs/CDOP.md). Steps that change a case take an optional idempotency key.

  /** The public registry (organisations, footprints, clients and their keys): unsigned, like discovery. */
  registry() {
    return this.invoke('GetRegistry');
  }

  /** Opens a case on notification of a death (201), or names the CDOP to notify instead (200). */
  openCdopCase(notification: CdopNotificationInput, idempotencyKey?: string) {
    return this.invoke('OpenCdopCase', { body: { notification }, idempotencyKey });
  }

  /** The caller's CDOP's cases, and who is outstanding across its open cases. */
  listCdopCases(status?: 'open' | 'closed') {
    return this.invoke('ListCdopCases', { query: { status } });
  }

  /** One case: its agencies with their report status, its timeline and the agencies to ask. */
  getCdopCase(caseId: string) {
    return this.invoke('GetCdopCase', { path: { caseId } });
  }

  /** Asks agencies for their reports: one data request each, or a refusal with the agreement needed. */
  requestCdopReports(caseId: string, agencies: readonly string[], idempotencyKey?: string) {
    return this.invoke('RequestCdopReports', {
      path: { caseId },
      body: { agencies: [...agencies] },
      idempotencyKey,
    });
  }

  /** Assembles the panel pack from the reports received so far. */
  assembleCdopPanelPack(caseId: string, idempotencyKey?: string) {
    return this.invoke('AssemblePanelPack', { path: { caseId }, idempotencyKey });
  }

  /** The latest panel pack (the CDOP's case runners only). */
  getCdopPanelPack(caseId: string) {
    return this.invoke('GetPanelPack', { path: { caseId } });
  }

  /** Closes a case with the panel's analysis form. */
  closeCdopCase(caseId: string, analysis: unknown, idempotencyKey?: string) {
    return this.invoke('CloseCdopCase', { path: { caseId }, body: unchecked({ analysis }), idempotencyKey });
  }

  /** A closed case in the shape of the national child mortality database's forms (the newest version if none). */
  exportCdopCase(caseId: string, version?: string) {
    return this.invoke('ExportCdopCase', { path: { caseId }, query: { version } });
  }

  /** The CDOP's figures for the financial year starting in April of `year`. */
  getCdopFigures(year: string, audience: 'publication' | 'internal' = 'publication') {
    return this.invoke('GetCdopFigures', { query: { year, for: audience } });
  }

  /** The anomaly alerts the caller may see (an IG lead: their organisation's), newest first. */
  listAlerts(status?: 'open' | 'acknowledged' | 'closed') {
    return this.invoke('ListAlerts', { query: status === undefined ? {} : { status } });
  }

  /** Acknowledges or closes an alert with a note (the exchange keeps only its SHA-256). */
  actOnAlert(alertId: string, action: 'acknowledge' | 'close', note: string) {
    return this.invoke(action === 'acknowledge' ? 'AcknowledgeAlert' : 'CloseAlert', {
      path: { alertId },
      body: { note },
    });
  }

  async #send<T>(
    method: string,
    pathAndQuery: string,
    body?: Uint8Array,
    authorization?: string,
    headers: Record<string, string> = {},
  ) {
    const response = await this.#fetch(new URL(pathAndQuery, this.#options.url), {
      method,
      headers: {
        ...headers,
        ...(authorization === undefined ? {} : { authorization }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page, say): hand back the text as it came.
    }
    return { status: response.status, body: parsed as T };
  }
}

/**
 * A body as the caller built it, for the exchange to judge against the contract: codes and categories a caller holds
 * as strings (from flags, from a file) are the exchange's to check, and a test of refusals sends what it refuses.
 */
const unchecked = <T>(body: unknown): T => body as T;

const standingChangeOperations = {
  suspend: 'SuspendAgreement',
  resume: 'ResumeAgreement',
  revoke: 'RevokeAgreement',
} as const;

const keyed = (idempotencyKey: string | undefined) =>
  idempotencyKey === undefined ? {} : { idempotencyKey };

/** A request as the exchange shows it (the contract's `DataRequest`). */
export type DataRequestView = ClientAnswerOf<Operations['GetRequest']>['request'];
export type DataRequestSubmission = DataRequestBody;
export type RequestDecisionInput = {
  outcome: 'approve' | 'partial' | 'decline';
  reasons: string;
  reasonCodes?: string[];
  withheld?: { dataCategories?: string[]; description?: string };
};
/** What `POST /v1/requests/{id}/fetch` answers: a short-lived download URL and what the bytes must be. */
export type ShareGrant = ClientAnswerOf<Operations['FetchShare']>;
/** The notification form `POST /v1/cdop/cases` takes (shared/domain/cdop/notification.ts, version 2026). */
export type CdopNotificationInput = {
  schemaVersion: '2026';
  subjectRef: string;
  boroughOfResidence: string;
  dateOfDeath: string;
  expected: boolean;
  place: { kind: 'in-footprint' } | { kind: 'out-of-footprint'; area: string };
  placeCategory?: 'hospital' | 'home' | 'public-place' | 'other-residence' | 'other' | 'unknown';
  notifyingOrganisationId: string;
};
