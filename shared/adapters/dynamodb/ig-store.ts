import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DependencyError } from '../../domain/errors.ts';
import {
  type Aggregate,
  type AggregateKind,
  aggregateKeyFields,
  aggregateSchema,
  type ChildEntryItem,
  childEntrySchema,
  type IgCursor,
  igCursorSchema,
  noValue,
  type OpenRequest,
  openRequestSchema,
  type RequestState,
  requestStateSchema,
} from '../../domain/ig/projection-items.ts';
import type { IgBatch, IgProjectionStore } from '../../ports/ig-store.ts';
import { batchGetAll, callDynamo, getItem, queryAll, Transaction } from './transaction.ts';

/**
 * Item layout of the `ig` table (docs/IG.md), written only by the projector (ProjectIgAnswers):
 *   pk CURSOR               sk CURSOR                     the next leaf index to fold, and when a run last ran
 *   pk MONTH#<yyyy-mm>      sk <requester>#<responder>#<purpose>#<footprint>
 *   pk REFUSALS#<yyyy-mm>   sk <requester>#<responder>#<action>#<footprint>
 *   pk REVIEW#<yyyy-mm>     sk <agreement>#<version>#<requester>#<responder>#<footprint>
 *   pk PLACEMENT#<yyyy-mm>  sk <placing>#<host>#<purpose>#<requester>#<responder>#<footprint>
 *   pk CHALLENGE#<yyyy-mm>  sk <requester>#<responder>#<footprint>
 *   pk REQ#<request id>     sk REQ                        the small state of one request the fold needs
 *   pk OPEN#<responder>     sk <dueAt>#<request id>       a request the responder still owes, earliest due first
 *   pk INDEX                sk RESPONDERS                 every responder that has an OPEN partition
 *   pk CHILD#<subject ref>  sk <leaf index, 12 digits>    an entry that carried the subject reference
 * A question reads a bounded number of partitions (one per month, responder or reference), so its cost follows the
 * number of rows it answers with, not the size of the log.
 */
const cursorKey = { pk: 'CURSOR', sk: 'CURSOR' };
const respondersKey = { pk: 'INDEX', sk: 'RESPONDERS' };
const aggregatePrefix: Record<AggregateKind, string> = {
  month: 'MONTH',
  refusals: 'REFUSALS',
  review: 'REVIEW',
  placement: 'PLACEMENT',
  challenges: 'CHALLENGE',
};
const aggregateKey = (a: Pick<Aggregate, 'kind' | 'month' | 'fields'>) => ({
  pk: `${aggregatePrefix[a.kind]}#${a.month}`,
  sk: aggregateKeyFields[a.kind].map((f) => a.fields[f] ?? noValue).join('#'),
});
const requestKey = (id: string) => ({ pk: `REQ#${id}`, sk: 'REQ' });
const openKey = (open: Pick<OpenRequest, 'responder' | 'dueAt' | 'requestId'>) => ({
  pk: `OPEN#${open.responder}`,
  sk: `${open.dueAt}#${open.requestId}`,
});
const childKey = (entry: Pick<ChildEntryItem, 'subjectRef' | 'index'>) => ({
  pk: `CHILD#${entry.subjectRef}`,
  sk: String(entry.index).padStart(12, '0'),
});

const respondersSchema = z.object({ organisations: z.array(z.string()) });

/** BatchWriteItem's limit on items per call. */
const batchWriteLimit = 25;
/** The most unprocessed-key retries one batch call makes before reporting the store unavailable. */
const maxBatchRetries = 8;

export class DynamoIgStore implements IgProjectionStore {
  /** DynamoDB's 100 items per transaction, less the cursor and a margin. */
  readonly maxItemsPerBatch = 90;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  readCursor(): Promise<IgCursor | undefined> {
    return getItem(this.doc, this.tableName, cursorKey, igCursorSchema);
  }

  async readAggregates(kind: AggregateKind, months: readonly string[]): Promise<Aggregate[]> {
    const pages = await Promise.all(
      months.map((month) =>
        queryAll(this.doc, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${aggregatePrefix[kind]}#${month}` },
        }),
      ),
    );
    return pages.flat().map((item) => aggregateSchema.parse(item));
  }

  async readResponders(): Promise<string[]> {
    return (await getItem(this.doc, this.tableName, respondersKey, respondersSchema))?.organisations ?? [];
  }

  async readOpenRequests(responder: string): Promise<OpenRequest[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `OPEN#${responder}` },
    });
    return items.map((item) => openRequestSchema.parse(item));
  }

  async readChildEntries(subjectRef: string, limit: number): Promise<ChildEntryItem[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await callDynamo('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `CHILD#${subjectRef}` },
            Limit: limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    return items.map((item) => childEntrySchema.parse(item));
  }

  async readRequestStates(ids: readonly string[]): Promise<RequestState[]> {
    const items = await batchGetAll(this.doc, this.tableName, [...new Set(ids)].map(requestKey));
    return items.map((item) => requestStateSchema.parse(item));
  }

  async readAggregateRows(
    keys: readonly Pick<Aggregate, 'kind' | 'month' | 'fields'>[],
  ): Promise<Aggregate[]> {
    const unique = new Map(keys.map((k) => [JSON.stringify(aggregateKey(k)), aggregateKey(k)]));
    const items = await batchGetAll(this.doc, this.tableName, [...unique.values()]);
    return items.map((item) => aggregateSchema.parse(item));
  }

  async putChildEntries(entries: readonly ChildEntryItem[]): Promise<void> {
    const puts = entries.map((entry) => ({
      PutRequest: { Item: { ...childKey(entry), ...childEntrySchema.parse(entry) } },
    }));
    for (let start = 0; start < puts.length; start += batchWriteLimit) {
      let pending: Record<string, typeof puts> | undefined = {
        [this.tableName]: puts.slice(start, start + batchWriteLimit),
      };
      for (let attempt = 0; pending !== undefined && Object.keys(pending).length > 0; attempt += 1) {
        if (attempt > maxBatchRetries) {
          throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the IG table left writes unprocessed');
        }
        const current: Record<string, typeof puts> = pending;
        const page = await callDynamo('BatchWriteItem', () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: current })),
        );
        pending = page.UnprocessedItems as typeof pending;
      }
    }
  }

  async commitBatch(batch: IgBatch): Promise<boolean> {
    const tx = new Transaction();
    const cursor = { ...cursorKey, ...igCursorSchema.parse(batch.cursor) };
    // The cursor moves only from where this batch was folded: a concurrent or repeated run's batch fails here.
    this.#moveCursor(tx, cursor, batch.expectedNext);
    for (const aggregate of batch.aggregates) {
      tx.put(this.tableName, { ...aggregateKey(aggregate), ...aggregateSchema.parse(aggregate) });
    }
    for (const state of batch.requests) {
      tx.put(this.tableName, { ...requestKey(state.id), ...requestStateSchema.parse(state) });
    }
    const puts = new Set(batch.openPuts.map((o) => JSON.stringify(openKey(o))));
    for (const open of batch.openDeletes) {
      if (!puts.has(JSON.stringify(openKey(open)))) tx.delete(this.tableName, openKey(open));
    }
    for (const open of batch.openPuts) {
      tx.put(this.tableName, { ...openKey(open), ...openRequestSchema.parse(open) });
    }
    if (batch.responders !== undefined) {
      tx.put(this.tableName, { ...respondersKey, organisations: [...batch.responders] });
    }
    return (await tx.commit(this.doc)) === 'committed';
  }

  async touchCursor(cursor: IgCursor): Promise<boolean> {
    const tx = new Transaction();
    const item = { ...cursorKey, ...igCursorSchema.parse(cursor) };
    this.#moveCursor(tx, item, cursor.next);
    return (await tx.commit(this.doc)) === 'committed';
  }

  /** Writes the cursor if it is still at `from`: absent (never written) counts as at 0. */
  #moveCursor(tx: Transaction, cursor: Record<string, unknown>, from: number): void {
    const expected = { attribute: 'next', equals: from };
    if (from === 0) tx.putIfAbsentOr(this.tableName, cursor, expected);
    else tx.replace(this.tableName, cursor, expected);
  }
}
