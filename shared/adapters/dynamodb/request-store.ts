import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type DataRequest, dataRequestSchema, isOpen } from '../../domain/requests/data-request.ts';
import type { IdempotencyRecord } from '../../domain/requests/idempotency.ts';
import { type WorkList, workLists, workListsOf } from '../../domain/requests/lifecycle.ts';
import type { RequestPage, RequestStore, SignedCopy } from '../../ports/request-store.ts';
import type { StepRecord } from '../../ports/step-record.ts';
import { commitStepRecord, getIdempotencyRecord } from './step-records.ts';
import { callDynamo, getItem, Transaction } from './transaction.ts';

/**
 * Item layout of the requests table:
 *   pk REQUEST#<id>                sk REQUEST        the request, with its `revision`
 *   pk REQUEST#<id>                sk SIGNED         the compact JWS and body bytes of the call that asked
 *   pk INBOX#<responder org>       sk <id>           a copy of the request, for the responder's inbox
 *   pk OUTBOX#<requester org>      sk <id>           a copy of the request, for the requester's outbox
 *   pk IDEMPOTENCY#<client>#<key>  sk IDEMPOTENCY    the first answer to a call made with that key
 *   pk WORK#<list>                 sk <due>#<id>     work lists of the sweeper (lifecycle.ts workListsOf)
 *   pk AGREEMENT#<agreement>       sk <id>           while the request is open (data-request.ts isOpen): what a
 *                                                    revocation of the agreement must close
 * Request ids are ULIDs, so an inbox or outbox read newest first is a query in reverse. Every write of a request
 * is conditional on the revision the writer read; the copies and work lists follow it in the same transaction.
 */
const requestKey = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' });
const signedKey = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'SIGNED' });
const boxKey = (box: 'inbox' | 'outbox', organisationId: string, id: string) => ({
  pk: `${box.toUpperCase()}#${organisationId}`,
  sk: id,
});
const workKey = (list: WorkList, dueAt: string, id: string) => ({ pk: `WORK#${list}`, sk: `${dueAt}#${id}` });

const openUnderKey = (agreementId: string, id: string) => ({ pk: `AGREEMENT#${agreementId}`, sk: id });

const workItemSchema = z.object({ requestId: z.string() });

export type RequestTables = { readonly requests: string; readonly audit: string; readonly events: string };

export class DynamoRequestStore implements RequestStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: RequestTables,
  ) {}

  async getRequest(requestId: string): Promise<DataRequest | undefined> {
    // The schema strips the item's keys (pk, sk) as it parses.
    return getItem(this.doc, this.tables.requests, requestKey(requestId), dataRequestSchema);
  }

  async listRequests(
    box: 'inbox' | 'outbox',
    organisationId: string,
    page: { after?: string; limit: number },
  ): Promise<RequestPage> {
    const { pk } = boxKey(box, organisationId, '');
    const result = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.requests,
          KeyConditionExpression: page.after === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :after',
          ExpressionAttributeValues: {
            ':pk': pk,
            ...(page.after === undefined ? {} : { ':after': page.after }),
          },
          ScanIndexForward: false,
          Limit: page.limit,
          ConsistentRead: true,
        }),
      ),
    );
    const requests = (result.Items ?? []).map((item) => dataRequestSchema.parse(item));
    const last = requests.at(-1);
    return { requests, ...(result.LastEvaluatedKey !== undefined && last ? { next: last.id } : {}) };
  }

  async getIdempotency(clientId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return getIdempotencyRecord(this.doc, this.tables.requests, clientId, key);
  }

  async create(request: DataRequest, signed: SignedCopy, step: StepRecord): Promise<boolean> {
    const record = dataRequestSchema.parse(request);
    const tx = new Transaction()
      .put(this.tables.requests, { ...requestKey(record.id), ...record }, { ifAbsent: true })
      .put(this.tables.requests, { ...signedKey(record.id), ...signed }, { ifAbsent: true });
    this.#putCopies(tx, record);
    this.#followWorkLists(tx, undefined, record);
    return this.#commit(tx, step);
  }

  async refuse(step: StepRecord): Promise<boolean> {
    return this.#commit(new Transaction(), step);
  }

  async update(previous: DataRequest, next: DataRequest, step: StepRecord): Promise<boolean> {
    const record = dataRequestSchema.parse(next);
    if (record.id !== previous.id || record.revision !== previous.revision + 1) {
      throw new TypeError('an update is the next revision of the same request');
    }
    const tx = new Transaction().replace(
      this.tables.requests,
      { ...requestKey(record.id), ...record },
      { attribute: 'revision', equals: previous.revision },
    );
    this.#putCopies(tx, record);
    this.#followWorkLists(tx, previous, record);
    return this.#commit(tx, step);
  }

  async listOpenUnder(agreementId: string, limit: number): Promise<string[]> {
    const result = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.requests,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': openUnderKey(agreementId, '').pk },
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => workItemSchema.parse(item).requestId);
  }

  async listWork(list: WorkList, now: Date, limit: number): Promise<string[]> {
    const result = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.requests,
          // `<due>#<id>` sorts by due instant; every key of an instant before now sorts below `now`.
          KeyConditionExpression: 'pk = :pk AND sk < :now',
          ExpressionAttributeValues: { ':pk': workKey(list, '', '').pk, ':now': now.toISOString() },
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => workItemSchema.parse(item).requestId);
  }

  #putCopies(tx: Transaction, record: DataRequest): void {
    tx.put(this.tables.requests, {
      ...boxKey('outbox', record.requester.organisationId, record.id),
      ...record,
    });
    tx.put(this.tables.requests, {
      ...boxKey('inbox', record.responderOrganisationId, record.id),
      ...record,
    });
  }

  /**
   * Takes the request off the work lists its previous state was on and puts it on those its next state needs; the
   * same for the index of its agreement's open requests.
   */
  #followWorkLists(tx: Transaction, previous: DataRequest | undefined, next: DataRequest): void {
    const wasOpen = previous !== undefined && isOpen(previous);
    if (wasOpen && !isOpen(next)) tx.delete(this.tables.requests, openUnderKey(next.agreement.id, next.id));
    if (!wasOpen && isOpen(next)) {
      tx.put(this.tables.requests, { ...openUnderKey(next.agreement.id, next.id), requestId: next.id });
    }
    const before = previous === undefined ? {} : workListsOf(previous);
    const after = workListsOf(next);
    for (const list of workLists) {
      const was = before[list];
      const is = after[list];
      if (was === is) continue;
      if (was !== undefined) tx.delete(this.tables.requests, workKey(list, was, next.id));
      if (is !== undefined)
        tx.put(this.tables.requests, { ...workKey(list, is, next.id), requestId: next.id });
    }
  }

  #commit(tx: Transaction, step: StepRecord): Promise<boolean> {
    const { requests: home, audit, events } = this.tables;
    return commitStepRecord(this.doc, { home, audit, events }, tx, step);
  }
}
