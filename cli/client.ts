import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type SignRequestInput, signRequest } from '#shared/adapters/jose/request-signing.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import type { AgreementContent, AgreementVersion } from '#shared/domain/agreements/agreement.ts';
import type { ShareRequest } from '#shared/domain/agreements/decide.ts';
import { type PublicJwk, signingAlgorithms } from '#shared/domain/registry/client-key.ts';
import type { DataRequest, DataRequestBody } from '#shared/domain/requests/data-request.ts';
import type { AgreementView, decisionSchema } from '#shared/http/api-contract.ts';

/** A response from the exchange: its status and parsed JSON body (error bodies are `{ error, message, details? }`). */
export type PbxResponse<T = unknown> = { readonly status: number; readonly body: T };

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
export type DecisionView = z.infer<typeof decisionSchema>;

export type AgreementStandingChange = 'suspend' | 'resume' | 'revoke';

export const localKeyFile = (keysDir: string, clientId: string): string =>
  join(keysDir, `${clientId}.jwk.json`);

const agreementPath = (agreementId: string) => `/v1/agreements/${encodeURIComponent(agreementId)}`;

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
    return this.call<{
      client: { id: string; name: string };
      organisation: { id: string; name: string; kind: string };
      user: { id: string; displayName: string; roles: string[] } | null;
      key: { kid: string; alg: string };
    }>('GET', '/v1/whoami');
  }

  listKeys(clientId = this.#options.clientId) {
    return this.call<{ keys: unknown[] }>('GET', `/v1/clients/${encodeURIComponent(clientId)}/keys`);
  }

  addKey(jwk: PublicJwk, options: { clientId?: string; notBefore?: string; notAfter?: string } = {}) {
    const { clientId = this.#options.clientId, ...window } = options;
    return this.call<{ key: unknown }>('POST', `/v1/clients/${encodeURIComponent(clientId)}/keys`, {
      jwk,
      ...window,
    });
  }

  revokeKey(kid: string, clientId = this.#options.clientId) {
    return this.call<{ key: unknown }>(
      'DELETE',
      `/v1/clients/${encodeURIComponent(clientId)}/keys/${encodeURIComponent(kid)}`,
    );
  }

  /** Drafts an agreement (version 1); each party's IG lead or Caldicott guardian then signs it. */
  createAgreement(content: AgreementContent, id?: string) {
    return this.call<{ agreement: AgreementView }>('POST', '/v1/agreements', {
      ...(id === undefined ? {} : { id }),
      content,
    });
  }

  listAgreements() {
    return this.call<{ agreements: AgreementView[] }>('GET', '/v1/agreements');
  }

  getAgreement(agreementId: string) {
    return this.call<{ agreement: AgreementView }>('GET', agreementPath(agreementId));
  }

  /** Proposes changed content as a new version; the version in force stays so until every party signs this one. */
  proposeAgreementVersion(agreementId: string, content: AgreementContent) {
    return this.call<{ version: AgreementVersion }>('POST', `${agreementPath(agreementId)}/versions`, {
      content,
    });
  }

  /**
   * Signs a version: `contentHash` is the hash the signer computed from the content they read, so the exchange
   * refuses the signature if the version it holds is not that content.
   */
  signAgreementVersion(agreementId: string, version: number, contentHash: string) {
    return this.call<{ version: AgreementVersion }>(
      'POST',
      `${agreementPath(agreementId)}/versions/${version}/signatures`,
      { contentHash },
    );
  }

  /** Suspends, resumes or revokes an agreement (revocation is final). */
  changeAgreementStanding(agreementId: string, change: AgreementStandingChange, reason: string) {
    return this.call<{ agreement: AgreementView }>('POST', `${agreementPath(agreementId)}/${change}`, {
      reason,
    });
  }

  /** A dry run: whether the exchange would allow this request from the caller, and every reason if not. */
  evaluateRequest(request: ShareRequest) {
    return this.call<DecisionView>('POST', '/v1/decisions:evaluate', request);
  }

  /** The latest signed checkpoint of the audit log: the C2SP signed-note text, and its size and root as stated. */
  auditCheckpoint() {
    return this.call<{ note: string; size: number; rootHash: string; origin: string }>(
      'GET',
      '/v1/audit/checkpoint',
    );
  }

  /** The inclusion proof of audit leaf `index` in the tree of `size` leaves. */
  auditInclusionProof(index: number, size: number) {
    return this.call<{ index: number; size: number; leafHash: string; proof: string[] }>(
      'GET',
      `/v1/audit/proofs/inclusion?index=${index}&size=${size}`,
    );
  }

  /** The consistency proof between the audit trees of `from` and `to` leaves. */
  auditConsistencyProof(from: number, to: number) {
    return this.call<{ from: number; to: number; proof: string[] }>(
      'GET',
      `/v1/audit/proofs/consistency?from=${from}&to=${to}`,
    );
  }

  /** Registers the caller's organisation's witness: its key name and note verifier key. */
  registerWitness(body: { name: string; verifierKey: string }) {
    return this.call<{ witness: { name: string; verifierKey: string; organisationId: string } }>(
      'POST',
      '/v1/audit/witnesses',
      body,
    );
  }

  listWitnesses() {
    return this.call<{ witnesses: { name: string; verifierKey: string; organisationId: string }[] }>(
      'GET',
      '/v1/audit/witnesses',
    );
  }

  /** Sends a witness's cosignature of the checkpoint of `size`: the note with its line added, and its key. */
  auditCosign(size: number, body: { note: string; witnessKey: string }) {
    return this.call<{ size: number; rootHash: string; witness: string; witnessKey: string }>(
      'POST',
      `/v1/audit/checkpoints/${size}/cosignatures`,
      body,
    );
  }

  /** Up to `limit` (at most 1,000) sequenced audit leaves from index `from`, with the index to ask for next. */
  auditLeaves(from: number, limit: number) {
    return this.call<{ leaves: { index: number; leafHash: string; entry: unknown }[]; next?: number }>(
      'GET',
      `/v1/audit/leaves?from=${from}&limit=${limit}`,
    );
  }

  /** One page of a scoped audit search; `query` holds the filters, `cursor` and `limit` as query parameters. */
  auditSearch(query: URLSearchParams) {
    const search = query.toString();
    return this.call<unknown>('GET', `/v1/audit/search${search === '' ? '' : `?${search}`}`);
  }

  // Data requests and shares (docs/REQUESTS.md). Steps that change a request take an optional idempotency key.

  submitRequest(request: DataRequestSubmission, idempotencyKey?: string) {
    return this.call<{ request: DataRequestView }>('POST', '/v1/requests', request, keyed(idempotencyKey));
  }

  listRequests(query: URLSearchParams) {
    return this.call<{ requests: DataRequestView[]; next?: string }>(
      'GET',
      `/v1/requests?${query.toString()}`,
    );
  }

  getRequest(requestId: string) {
    return this.call<{ request: DataRequestView }>('GET', `/v1/requests/${encodeURIComponent(requestId)}`);
  }

  decideRequest(requestId: string, decision: RequestDecisionInput, idempotencyKey?: string) {
    return this.call<{ request: DataRequestView }>(
      'POST',
      `/v1/requests/${encodeURIComponent(requestId)}/decision`,
      decision,
      keyed(idempotencyKey),
    );
  }

  startShareUpload(requestId: string, declared: { size: number; sha256: string; contentType: string }) {
    return this.call<{
      upload: {
        uploadId: string;
        url: string;
        method: 'PUT';
        headers: Record<string, string>;
        expiresAt: string;
      };
    }>('POST', `/v1/requests/${encodeURIComponent(requestId)}/uploads`, declared);
  }

  releaseShare(
    requestId: string,
    release:
      | { content: string; sha256: string; contentType: string; dataCategories: string[] }
      | { uploadId: string; dataCategories: string[] },
    idempotencyKey?: string,
  ) {
    return this.call<{ request: DataRequestView }>(
      'POST',
      `/v1/requests/${encodeURIComponent(requestId)}/release`,
      release,
      keyed(idempotencyKey),
    );
  }

  fetchShare(requestId: string, idempotencyKey?: string) {
    return this.call<ShareGrant>(
      'POST',
      `/v1/requests/${encodeURIComponent(requestId)}/fetch`,
      undefined,
      keyed(idempotencyKey),
    );
  }

  withdrawRequest(requestId: string, idempotencyKey?: string) {
    return this.call<{ request: DataRequestView }>(
      'POST',
      `/v1/requests/${encodeURIComponent(requestId)}/withdraw`,
      undefined,
      keyed(idempotencyKey),
    );
  }

  // Child death overview panel cases (docs/CDOP.md). The answers are the exchange's; parse them before use.
  // Steps that change a case take an optional idempotency key.

  /** The public registry (organisations, footprints, clients and their keys): unsigned, like discovery. */
  registry() {
    return this.#send<unknown>('GET', '/v1/registry');
  }

  /** Opens a case on notification of a death (201), or names the CDOP to notify instead (200). */
  openCdopCase(notification: CdopNotificationInput, idempotencyKey?: string) {
    return this.call<unknown>('POST', '/v1/cdop/cases', { notification }, keyed(idempotencyKey));
  }

  /** The caller's CDOP's cases, and who is outstanding across its open cases. */
  listCdopCases(status?: 'open' | 'closed') {
    return this.call<unknown>('GET', `/v1/cdop/cases${status === undefined ? '' : `?status=${status}`}`);
  }

  /** One case: its agencies with their report status, its timeline and the agencies to ask. */
  getCdopCase(caseId: string) {
    return this.call<unknown>('GET', cdopCasePath(caseId));
  }

  /** Asks agencies for their reports: one data request each, or a refusal with the agreement needed. */
  requestCdopReports(caseId: string, agencies: readonly string[], idempotencyKey?: string) {
    return this.call<unknown>(
      'POST',
      `${cdopCasePath(caseId)}/requests`,
      { agencies },
      keyed(idempotencyKey),
    );
  }

  /** Assembles the panel pack from the reports received so far. */
  assembleCdopPanelPack(caseId: string, idempotencyKey?: string) {
    return this.call<unknown>('POST', `${cdopCasePath(caseId)}/pack`, undefined, keyed(idempotencyKey));
  }

  /** The latest panel pack (the CDOP's case runners only). */
  getCdopPanelPack(caseId: string) {
    return this.call<unknown>('GET', `${cdopCasePath(caseId)}/pack`);
  }

  /** Closes a case with the panel's analysis form. */
  closeCdopCase(caseId: string, analysis: unknown, idempotencyKey?: string) {
    return this.call<unknown>('POST', `${cdopCasePath(caseId)}/close`, { analysis }, keyed(idempotencyKey));
  }

  /** A closed case in the shape of the national child mortality database's forms (the newest version if none). */
  exportCdopCase(caseId: string, version?: string) {
    const query = version === undefined ? '' : `?${new URLSearchParams({ version }).toString()}`;
    return this.call<unknown>('GET', `${cdopCasePath(caseId)}/ncmd-export${query}`);
  }

  /** The CDOP's figures for the financial year starting in April of `year`. */
  getCdopFigures(year: string, audience: 'publication' | 'internal' = 'publication') {
    return this.call<unknown>(
      'GET',
      `/v1/cdop/figures?${new URLSearchParams({ year, for: audience }).toString()}`,
    );
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

const cdopCasePath = (caseId: string) => `/v1/cdop/cases/${encodeURIComponent(caseId)}`;

const keyed = (idempotencyKey: string | undefined) =>
  idempotencyKey === undefined ? {} : { idempotencyKey };

/** A request as the exchange shows it (shared/http/api-contract.ts `DataRequest`). */
export type DataRequestView = DataRequest & { overdue: boolean };
export type DataRequestSubmission = DataRequestBody;
export type RequestDecisionInput = {
  outcome: 'approve' | 'partial' | 'decline';
  reasons: string;
  reasonCodes?: string[];
  withheld?: { dataCategories?: string[]; description?: string };
};
/** What `POST /v1/requests/{id}/fetch` answers: a short-lived download URL and what the bytes must be. */
export type ShareGrant = {
  grant: { url: string; expiresAt: string };
  share: {
    sha256: string;
    size: number;
    contentType: string;
    dataCategories: string[];
    expiresAt: string;
    fetchCount: number;
    maxFetches: number;
  };
};
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
