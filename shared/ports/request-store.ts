import type { DataRequest } from '../domain/requests/data-request.ts';
import type { IdempotencyRecord } from '../domain/requests/idempotency.ts';
import type { WorkList } from '../domain/requests/lifecycle.ts';
import type { StepRecord } from './step-record.ts';

/** The signed request that asked, kept with the request: the compact JWS and the exact body bytes it binds. */
export type SignedCopy = { readonly token: string; readonly body: string };

export type RequestPage = { readonly requests: DataRequest[]; readonly next?: string };

export type RequestStore = {
  getRequest(requestId: string): Promise<DataRequest | undefined>;
  /** The requests an organisation received (`inbox`) or sent (`outbox`), newest first. */
  listRequests(
    box: 'inbox' | 'outbox',
    organisationId: string,
    page: { readonly after?: string; readonly limit: number },
  ): Promise<RequestPage>;
  getIdempotency(clientId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** A new request with the signed copy of what asked for it. */
  create(request: DataRequest, signed: SignedCopy, step: StepRecord): Promise<boolean>;
  /** A refusal: nothing but its audit entry and, with a key, the idempotency record of the refusal. */
  refuse(step: StepRecord): Promise<boolean>;
  /**
   * The next state of a request, if the stored one is still `previous` (same revision). The work lists follow
   * (shared/domain/requests/lifecycle.ts workListsOf).
   */
  update(previous: DataRequest, next: DataRequest, step: StepRecord): Promise<boolean>;
  /** Ids of requests on a work list that became due before `now`, soonest first. */
  listWork(list: WorkList, now: Date, limit: number): Promise<string[]>;
  /**
   * Ids of the open requests (lifecycle `isOpen`) made under an agreement: what its revocation must close. The
   * store keeps this index in step with every write, like the work lists.
   */
  listOpenUnder(agreementId: string, limit: number): Promise<string[]>;
};
