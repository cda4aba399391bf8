import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import { failedCall } from '../aws-client-settings.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const storeUnavailable = () =>
  new DependencyError('DEPENDENCY_UNAVAILABLE', 'a data store did not answer; nothing was changed');

/** DynamoDB's limit on the items of one TransactWriteItems call. */
const maxTransactionItems = 100;

/**
 * Calls DynamoDB and turns an unavailable store into DEPENDENCY_UNAVAILABLE, so a store that cannot answer makes
 * the exchange refuse (503) rather than guess; a request DynamoDB refuses as invalid is a bug (500). The SDK error is logged by name only.
 */
export const callDynamo = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    logger.error('dynamodb call failed', { operation, errorName: (error as Error)?.name });
    throw failedCall(error, storeUnavailable);
  }
};

/**
 * The writes of one action, committed all together or not at all. A put may be conditional on the item being
 * absent; if any condition fails the whole transaction is cancelled and `commit` says so instead of throwing.
 */
export class Transaction {
  readonly #items: TransactItem[] = [];

  put(tableName: string, item: Record<string, unknown>, options: { ifAbsent?: boolean } = {}): this {
    this.#items.push({
      Put: {
        TableName: tableName,
        Item: item,
        ...(options.ifAbsent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
      },
    });
    return this;
  }

  /** Overwrites an existing item, provided one attribute still has the value the caller read. */
  replace(
    tableName: string,
    item: Record<string, unknown>,
    expected: { attribute: string; equals: string | number },
  ): this {
    return this.#putIf(tableName, item, 'attribute_exists(pk) AND #expected = :expected', expected);
  }

  /** Puts an item, provided it is absent or one attribute still has the value the caller read. */
  putIfAbsentOr(
    tableName: string,
    item: Record<string, unknown>,
    expected: { attribute: string; equals: string | number },
  ): this {
    return this.#putIf(tableName, item, 'attribute_not_exists(pk) OR #expected = :expected', expected);
  }

  #putIf(
    tableName: string,
    item: Record<string, unknown>,
    condition: string,
    expected: { attribute: string; equals: string | number },
  ): this {
    this.#items.push({
      Put: {
        TableName: tableName,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#expected': expected.attribute },
        ExpressionAttributeValues: { ':expected': expected.equals },
      },
    });
    return this;
  }

  /** Sets attributes of an existing item, provided it exists (and, if given, one attribute has the value read). */
  set(
    tableName: string,
    key: Record<string, unknown>,
    attributes: Record<string, unknown>,
    expected?: { attribute: string; equals: string | number },
  ): this {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(attributes).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    this.#items.push({
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression:
          expected === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND #expected = :expected',
        ExpressionAttributeNames:
          expected === undefined ? names : { ...names, '#expected': expected.attribute },
        ExpressionAttributeValues:
          expected === undefined ? values : { ...values, ':expected': expected.equals },
      },
    });
    return this;
  }

  /** Deletes an item if it is there (a marker that only follows another item's state). */
  delete(tableName: string, key: Record<string, unknown>): this {
    this.#items.push({ Delete: { TableName: tableName, Key: key } });
    return this;
  }

  /** Deletes an item, provided it exists (so two transactions cannot both consume it). */
  deleteExisting(tableName: string, key: Record<string, unknown>): this {
    this.#items.push({
      Delete: { TableName: tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' },
    });
    return this;
  }

  /** Makes the transaction depend on another item still having an attribute's value, without writing it. */
  conditionCheck(
    tableName: string,
    key: Record<string, unknown>,
    expected: { attribute: string; equals: string | number },
  ): this {
    this.#items.push({
      ConditionCheck: {
        TableName: tableName,
        Key: key,
        ConditionExpression: '#expected = :expected',
        ExpressionAttributeNames: { '#expected': expected.attribute },
        ExpressionAttributeValues: { ':expected': expected.equals },
      },
    });
    return this;
  }

  async commit(doc: DynamoDBDocumentClient): Promise<'committed' | 'condition-failed'> {
    if (this.#items.length === 0 || this.#items.length > maxTransactionItems) {
      throw new RangeError(
        `a transaction holds 1 to ${maxTransactionItems} items, not ${this.#items.length}`,
      );
    }
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: this.#items }));
    } catch (error) {
      if (isConditionCancellation(error)) return 'condition-failed';
      logger.error('dynamodb transaction failed', { errorName: (error as Error)?.name });
      throw failedCall(error, storeUnavailable);
    }
    return 'committed';
  }
}

const isConditionCancellation = (error: unknown): boolean => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'ConditionalCheckFailed');
};

/** Every item of a query, following pagination. */
export const queryAll = async (
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> =>
  callDynamo('Query', async () => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  });

/**
 * Moves a log follower's cursor item (follow-log.ts) in a transaction, provided it is still at `from`: an absent
 * cursor (never written) counts as at 0. A batch folded from a cursor another run has moved fails the transaction.
 */
export const moveFollowerCursor = (
  tx: Transaction,
  tableName: string,
  cursor: Record<string, unknown>,
  from: number,
): void => {
  const expected = { attribute: 'next', equals: from };
  if (from === 0) tx.putIfAbsentOr(tableName, cursor, expected);
  else tx.replace(tableName, cursor, expected);
};

/**
 * The first `limit` items a query matches (after its filter, and `keep` if given), in key order, reading pages
 * only as needed: as many items as are still wanted, or at least `keptPage` a page when `keep` may pass few.
 */
export const queryFirst = async (
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit: number,
  keep?: (item: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>[]> =>
  callDynamo('Query', async () => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    while (items.length < limit) {
      const wanted = limit - items.length;
      const page = await doc.send(
        new QueryCommand({
          ...input,
          Limit: keep === undefined ? wanted : Math.max(wanted, keptPage),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(keep === undefined ? (page.Items ?? []) : (page.Items ?? []).filter(keep)));
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    return items.slice(0, limit);
  });
const keptPage = 100;

/** Every item of a table scan, following pagination: for small tables read whole (agreements, audit in tests). */
export const scanAll = async (
  doc: DynamoDBDocumentClient,
  input: ScanCommandInput,
): Promise<Record<string, unknown>[]> =>
  callDynamo('Scan', async () => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  });

/** One item, strongly consistent, parsed at the trust boundary; undefined when there is none. */
export const getItem = async <S extends z.ZodType>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, unknown>,
  schema: S,
): Promise<z.infer<S> | undefined> => {
  const { Item } = await callDynamo('GetItem', () =>
    doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
  );
  return Item === undefined ? undefined : schema.parse(Item);
};

/** BatchGetItem's limit on keys per call. */
const batchGetLimit = 100;

/** Strongly consistent BatchGetItem over any number of keys of one table, retrying what DynamoDB leaves unprocessed. */
export const batchGetAll = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += batchGetLimit) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [tableName]: { Keys: keys.slice(start, start + batchGetLimit), ConsistentRead: true },
    };
    while (request !== undefined && Object.keys(request).length > 0) {
      const current: typeof request = request;
      const page = await callDynamo('BatchGetItem', () =>
        doc.send(new BatchGetCommand({ RequestItems: current })),
      );
      items.push(...(page.Responses?.[tableName] ?? []));
      request = page.UnprocessedKeys as typeof request;
    }
  }
  return items;
};
