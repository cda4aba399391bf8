import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DependencyError } from '../../domain/errors.ts';
import { mergeAggregates } from '../../domain/ig/project.ts';
import {
  type Aggregate,
  type AggregateKind,
  aggregateKeyFields,
  aggregateKinds,
  aggregateSchema,
  type ChildEntryItem,
  childEntrySchema,
  emptyMonth,
  type FoldedKind,
  foldedKinds,
  type IgCursor,
  igCursorSchema,
  isRollupKind,
  type MonthState,
  noValue,
  type OpenRequest,
  openRequestSchema,
  type RequestState,
  requestStateSchema,
} from '../../domain/ig/projection-items.ts';
import { rollupOf, rollupsOf } from '../../domain/ig/rollups.ts';
import type { IgBatch, IgProjectionStore, OpenQuery } from '../../ports/ig-store.ts';
import {
  batchGetAll,
  callDynamo,
  getItem,
  moveFollowerCursor,
  queryAll,
  queryFirst,
  Transaction,
} from './transaction.ts';

/**
 * Item layout of the `ig` table (docs/IG.md), written only by the projector (ProjectIgAnswers):
 *   pk CURSOR                        sk CURSOR        the next leaf index to fold, when a run last ran, and each
 *                                                     month's sheet generation and rows written since
 *   pk SHEET#<yyyy-mm>#<generation>  sk <kind>#<piece, 3 digits>
 *                                                     every row of one kind of the month when its sheet was made,
 *                                                     gzipped JSON split into pieces under the item size limit
 *   pk MONTH#<yyyy-mm>#<generation>      sk <requester>#<responder>#<purpose>#<footprint>
 *   pk REFUSALS#<yyyy-mm>#<generation>   sk <requester>#<responder>#<action>#<footprint>
 *   pk REVIEW#<yyyy-mm>#<generation>     sk <agreement>#<version>#<requester>#<responder>#<footprint>
 *   pk PLACEMENT#<yyyy-mm>#<generation>  sk <placing>#<host>#<purpose>#<requester>#<responder>#<footprint>
 *   pk CHALLENGE#<yyyy-mm>#<generation>  sk <requester>#<responder>#<footprint>
 *   pk DUE#<yyyy-mm>#<generation>        sk <responder>#<requester>#<footprint>#<month submitted>#<day due>
 *                                                     what was added to a row since the month's sheet
 *   pk REQ#<request id>     sk REQ                        the small state of one request the fold needs
 *   pk OPEN#<responder>     sk <dueAt>#<request id>       a request the responder still owes, earliest due first
 *   pk INDEX                sk RESPONDERS                 every responder that has an OPEN partition
 *   pk CHILD#<subject ref>  sk <leaf index, 12 digits>    an entry that carried the subject reference
 * A question over months reads, for each month, its sheet (a few items) and the rows written since (at most a few
 * hundred, as the projector makes a new sheet when there are more), so its cost follows the number of rows it
 * answers with, not the size of the log.
 */
const cursorKey = { pk: 'CURSOR', sk: 'CURSOR' };
const respondersKey = { pk: 'INDEX', sk: 'RESPONDERS' };
const aggregatePrefix: Record<FoldedKind, string> = {
  month: 'MONTH',
  refusals: 'REFUSALS',
  review: 'REVIEW',
  placement: 'PLACEMENT',
  challenges: 'CHALLENGE',
  due: 'DUE',
};
const rowsPartition = (kind: FoldedKind, month: string, generation: number) =>
  `${aggregatePrefix[kind]}#${month}#${generation}`;
const rowKey = (a: Pick<Aggregate, 'kind' | 'fields'>) =>
  aggregateKeyFields[a.kind].map((f) => a.fields[f] ?? noValue).join('#');
const aggregateKey = (a: Pick<Aggregate, 'kind' | 'month' | 'fields'>, generation: number) => ({
  pk: rowsPartition(foldedKindOf(a.kind), a.month, generation),
  sk: rowKey(a),
});
/** The kind of a row the fold writes; a rollup is never written as a row. */
const foldedKindOf = (kind: AggregateKind): FoldedKind => {
  if (isRollupKind(kind)) throw new TypeError(`a ${kind} rollup is kept in sheets only`);
  return kind;
};
const sheetPartition = (month: string, generation: number) => `SHEET#${month}#${generation}`;
const generationOf = (months: Readonly<Record<string, MonthState>> | undefined, month: string) =>
  (months?.[month] ?? emptyMonth).sheet;
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

/** A sheet's rows of one kind and month, as stored (the kind and month are the item's). */
const sheetRowsSchema = z.array(aggregateSchema.pick({ fields: true, counts: true, histograms: true }));
type SheetRow = z.infer<typeof sheetRowsSchema>[number];

const isRecordOf = (value: unknown, isMember: (member: unknown) => boolean): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every(isMember);
const isCount = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0;
const isHistogram = (h: unknown): boolean => Array.isArray(h) && h.every(isCount);
const isSheetRow = (row: unknown): boolean =>
  typeof row === 'object' &&
  row !== null &&
  isRecordOf((row as SheetRow).fields, (f) => typeof f === 'string') &&
  isRecordOf((row as SheetRow).counts, isCount) &&
  isRecordOf((row as SheetRow).histograms, isHistogram);

/**
 * A sheet's rows as read back, checked against `sheetRowsSchema` (which every sheet is written through) by hand: a
 * year of sheets holds tens of thousands of rows, and zod takes several microseconds a row, a large part of a
 * question's time; this check takes a fraction of one.
 */
const sheetRowsOf = (json: unknown): SheetRow[] => {
  if (!Array.isArray(json) || !json.every(isSheetRow)) {
    throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'an IG sheet does not hold aggregate rows');
  }
  return json;
};
/** One piece of a sheet: `pieces` says how many make it whole. */
const sheetPieceSchema = z.object({
  sk: z.string(),
  kind: z.enum(aggregateKinds),
  pieces: z.number().int().positive(),
  data: z.instanceof(Uint8Array),
});
/** Bytes of gzipped JSON per sheet piece: under DynamoDB's 400 KB item, with room for the key and attributes. */
const sheetPieceBytes = 350_000;

/** BatchWriteItem's limit on items per call. */
const batchWriteLimit = 25;
/** The most unprocessed-key retries one batch call makes before reporting the store unavailable. */
const maxBatchRetries = 8;

export class DynamoIgStore implements IgProjectionStore {
  /**
   * DynamoDB's 100 items per transaction, less the cursor and room for one month's new sheet (a piece or two for
   * each of its thirteen kinds).
   */
  readonly maxItemsPerBatch = 72;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  readCursor(): Promise<IgCursor | undefined> {
    return getItem(this.doc, this.tableName, cursorKey, igCursorSchema);
  }

  async readAggregates(kind: AggregateKind, months: readonly string[]): Promise<Aggregate[]> {
    const cursor = await this.readCursor();
    const perMonth = await Promise.all(
      months.map(async (month) => {
        const generation = generationOf(cursor?.months, month);
        const [sheet, since] = await Promise.all([
          this.#readSheet(month, generation, kind),
          this.#readRows(isRollupKind(kind) ? 'month' : kind, month, generation),
        ]);
        const rows = isRollupKind(kind) ? rollupOf(kind, since) : since;
        // A sheet is written in key order, one row a key: only rows written since need adding to it.
        return rows.length === 0 ? sheet : mergeAggregates([...sheet, ...rows]);
      }),
    );
    return perMonth.flat();
  }

  async readMonth(month: string, state: MonthState): Promise<Aggregate[]> {
    const [sheets, ...rows] = await Promise.all([
      Promise.all(foldedKinds.map((kind) => this.#readSheet(month, state.sheet, kind))),
      ...foldedKinds.map((kind) => this.#readRows(kind, month, state.sheet)),
    ]);
    return mergeAggregates([...sheets.flat(), ...rows.flat()]);
  }

  async dropGeneration(month: string, generation: number): Promise<void> {
    const partitions = [
      sheetPartition(month, generation),
      ...foldedKinds.map((kind) => rowsPartition(kind, month, generation)),
    ];
    const keys = (
      await Promise.all(
        partitions.map((pk) =>
          queryAll(this.doc, {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ProjectionExpression: 'pk, sk',
          }),
        ),
      )
    ).flat();
    await this.#batchWrite(keys.map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } })));
  }

  /** The rows of one kind of a month's sheet of a generation; none for generation 0. */
  async #readSheet(month: string, generation: number, kind: AggregateKind): Promise<Aggregate[]> {
    if (generation === 0) return [];
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
      ExpressionAttributeValues: { ':pk': sheetPartition(month, generation), ':kind': `${kind}#` },
    });
    const pieces = items.map((item) => sheetPieceSchema.parse(item));
    if (pieces.length === 0) return [];
    if (pieces.some((p) => p.kind !== kind || p.pieces !== pieces.length)) {
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', "an IG sheet's stored pieces are incomplete");
    }
    const json = gunzipSync(Buffer.concat(pieces.map((p) => p.data))).toString('utf8');
    return sheetRowsOf(JSON.parse(json)).map(({ fields, counts, histograms }) => ({
      kind,
      month,
      fields,
      counts,
      histograms,
    }));
  }

  async #readRows(kind: FoldedKind, month: string, generation: number): Promise<Aggregate[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': rowsPartition(kind, month, generation) },
    });
    return items.map((item) => aggregateSchema.parse(item));
  }

  async readResponders(): Promise<string[]> {
    return (await getItem(this.doc, this.tableName, respondersKey, respondersSchema))?.organisations ?? [];
  }

  async readOpen(responder: string, query: OpenQuery): Promise<OpenRequest[]> {
    // Matched here rather than by a filter expression: DynamoDB Local evaluates a filter item by item much more
    // slowly than this does (`npm run bench:ig`).
    const matches = (item: Record<string, unknown>) =>
      (query.requester === undefined || item.requester === query.requester) &&
      (query.footprint === undefined || item.footprint === query.footprint) &&
      (query.from === undefined || (item.month as string) >= query.from) &&
      (query.to === undefined || (item.month as string) <= query.to);
    const { dueFrom, dueBefore } = query;
    const input = {
      TableName: this.tableName,
      ...(dueFrom === undefined
        ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `OPEN#${responder}` } }
        : dueBefore === undefined
          ? {
              KeyConditionExpression: 'pk = :pk AND sk >= :from',
              ExpressionAttributeValues: { ':pk': `OPEN#${responder}`, ':from': dueFrom },
            }
          : {
              // A key is `<dueAt>#<id>`: every one due before `dueBefore` sorts before it.
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :before',
              ExpressionAttributeValues: {
                ':pk': `OPEN#${responder}`,
                ':from': dueFrom,
                ':before': dueBefore,
              },
            }),
    };
    const items =
      query.limit === undefined
        ? (await queryAll(this.doc, input)).filter(matches)
        : await queryFirst(this.doc, input, query.limit, matches);
    return items.map((item) => openRequestSchema.parse(item));
  }

  async readChildEntries(subjectRef: string, limit: number): Promise<ChildEntryItem[]> {
    const items = await queryFirst(
      this.doc,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CHILD#${subjectRef}` },
      },
      limit,
    );
    return items.map((item) => childEntrySchema.parse(item));
  }

  async readRequestStates(ids: readonly string[]): Promise<RequestState[]> {
    const items = await batchGetAll(this.doc, this.tableName, [...new Set(ids)].map(requestKey));
    return items.map((item) => requestStateSchema.parse(item));
  }

  async readAggregateRows(
    keys: readonly Pick<Aggregate, 'kind' | 'month' | 'fields'>[],
    months: Readonly<Record<string, MonthState>>,
  ): Promise<Aggregate[]> {
    const unique = new Map(
      keys.map((k) => {
        const key = aggregateKey(k, generationOf(months, k.month));
        return [`${key.pk}|${key.sk}`, key];
      }),
    );
    const items = await batchGetAll(this.doc, this.tableName, [...unique.values()]);
    return items.map((item) => aggregateSchema.parse(item));
  }

  async putChildEntries(entries: readonly ChildEntryItem[]): Promise<void> {
    await this.#batchWrite(
      entries.map((entry) => ({
        PutRequest: { Item: { ...childKey(entry), ...childEntrySchema.parse(entry) } },
      })),
    );
  }

  /** Unconditional puts and deletes, 25 to a call, retrying what DynamoDB leaves unprocessed. */
  async #batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < requests.length; start += batchWriteLimit) {
      let pending: Record<string, Record<string, unknown>[]> | undefined = {
        [this.tableName]: requests.slice(start, start + batchWriteLimit),
      };
      for (let attempt = 0; pending !== undefined && Object.keys(pending).length > 0; attempt += 1) {
        if (attempt > maxBatchRetries) {
          throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the IG table left writes unprocessed');
        }
        const current: Record<string, Record<string, unknown>[]> = pending;
        const page = await callDynamo('BatchWriteItem', () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: current as never })),
        );
        pending = page.UnprocessedItems as typeof pending;
      }
    }
  }

  async commitBatch(batch: IgBatch): Promise<boolean> {
    const tx = new Transaction();
    const cursor = { ...cursorKey, ...igCursorSchema.parse(batch.cursor) };
    // The cursor moves only from where this batch was folded: a concurrent or repeated run's batch fails here.
    moveFollowerCursor(tx, this.tableName, cursor, batch.expectedNext);
    for (const aggregate of batch.aggregates) {
      tx.put(this.tableName, {
        ...aggregateKey(aggregate, generationOf(batch.cursor.months, aggregate.month)),
        ...aggregateSchema.parse(aggregate),
      });
    }
    for (const sheet of batch.sheets) {
      const generation = generationOf(batch.cursor.months, sheet.month);
      for (const piece of sheetPieces(sheet.rows)) {
        tx.put(this.tableName, { pk: sheetPartition(sheet.month, generation), ...piece });
      }
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
    // Only the time changes: the months' sheets and rows stand as the last batch left them.
    if (cursor.next === 0)
      moveFollowerCursor(tx, this.tableName, { ...cursorKey, ...igCursorSchema.parse(cursor) }, 0);
    else
      tx.set(
        this.tableName,
        cursorKey,
        { updatedAt: cursor.updatedAt },
        { attribute: 'next', equals: cursor.next },
      );
    return (await tx.commit(this.doc)) === 'committed';
  }
}

/**
 * A month's sheet as stored items: the rows given (of the folded kinds) and their rollups, per kind gzipped JSON of
 * their fields, counts and histograms, in pieces.
 */
const sheetPieces = (folded: readonly Aggregate[]): Record<string, unknown>[] => {
  const rows = [...folded.filter((row) => !isRollupKind(row.kind)), ...rollupsOf(folded)];
  return aggregateKinds.flatMap((kind) => {
    const ofKind = rows
      .filter((row) => row.kind === kind)
      .map(({ fields, counts, histograms }) => ({ fields, counts, histograms }));
    if (ofKind.length === 0) return [];
    const data = gzipSync(JSON.stringify(sheetRowsSchema.parse(ofKind)));
    const pieces = Math.ceil(data.length / sheetPieceBytes);
    return Array.from({ length: pieces }, (_, i) => ({
      sk: `${kind}#${String(i).padStart(3, '0')}`,
      kind,
      pieces,
      data: data.subarray(i * sheetPieceBytes, (i + 1) * sheetPieceBytes),
    }));
  });
};
