import { type DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type AuditEntry, auditEntrySchema } from '../../domain/audit/audit-entry.ts';
import { HASH_SIZE, type NodeId, type NodeSource } from '../../domain/audit/merkle.ts';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type {
  MerkleLogStore,
  PendingAnomaly,
  PendingSetCheck,
  SequencedEntry,
  TreeHead,
} from '../../ports/merkle-log-store.ts';
import { entryKey, pendingKey } from './audit-log.ts';
import { batchGetAll, callDynamo, getItem, Transaction } from './transaction.ts';

/**
 * The Merkle log in the audit table, beside the entries (shared/adapters/dynamodb/audit-log.ts):
 *   pk ENTRY#<id>          sk ENTRY        an entry; `index` once it has a place in the log
 *   pk PENDING             sk <id>         marks an entry waiting for its place (audit-log.ts)
 *   pk LEAF#<index/4096>   sk <index, 15 digits>   the sequenced entry with its leaf hash, range-readable
 *   pk NODE#<level>#<i>    sk NODE         the hash of a perfect subtree (merkle.ts), written once
 *   pk TREE                sk HEAD         the tree head: size and root
 *   pk SEQUENCER           sk SWEEP        where the pending-set check's sweep over the table resumes
 * Leaves are grouped 4096 to a partition so an export reads them by range without one hot partition.
 */
const leavesPerPartition = 4096;
const leafKey = (index: number) => ({
  pk: `LEAF#${Math.floor(index / leavesPerPartition)}`,
  sk: String(index).padStart(15, '0'),
});
const nodeKey = (level: number, index: number) => ({ pk: `NODE#${level}#${index}`, sk: 'NODE' });
const headKey = { pk: 'TREE', sk: 'HEAD' } as const;
const sweepKey = { pk: 'SEQUENCER', sk: 'SWEEP' } as const;
const tableKeySchema = z.object({ pk: z.string(), sk: z.string() });
const sweepSchema = z.object({ resumeAt: tableKeySchema.optional() });
/** How many of the oldest pending markers each check compares with their entries. */
const markersChecked = 1000;

const hashSchema = z
  .string()
  .transform((b64) => new Uint8Array(Buffer.from(b64, 'base64')))
  .refine((bytes) => bytes.length === HASH_SIZE, 'a SHA-256 hash');
const headSchema = z.object({
  size: z.number().int().nonnegative(),
  rootHash: z.string(),
  updatedAt: z.string(),
});
const leafSchema = z.object({
  index: z.number().int().nonnegative(),
  leafHash: hashSchema,
  entry: auditEntrySchema,
});
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export class DynamoMerkleLogStore implements MerkleLogStore, PendingSetCheck {
  /**
   * A transaction holds at most 100 items. Per leaf: its pending marker deleted, its entry given the index, the
   * leaf and its level-0 node written (4); plus every interior node the append completes (at most one per leaf,
   * and at most 40 more along the right border for trees below 2^40 leaves), plus the head: 5k + 41 <= 100.
   */
  readonly maxLeavesPerAppend = 11;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readTreeHead(): Promise<TreeHead | undefined> {
    return getItem(this.doc, this.tableName, headKey, headSchema);
  }

  /** Entries behind the oldest pending markers; a marker whose entry is gone is skipped (checkPendingSet reports it). */
  async listUnsequenced(limit: number): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#pendingMarkers(limit - found.length, startKey);
      const entries = await this.#entriesById(page.ids);
      found.push(...page.ids.flatMap((id) => entries.get(id) ?? []));
      startKey = page.next;
    } while (found.length < limit && startKey !== undefined);
    return found;
  }

  /**
   * Sound without locks: an entry and its marker are written together, the entry is never deleted, and the
   * sequencer removes a marker only in the transaction that gives its entry an index. So a marker read before its
   * entry always finds it, and an entry without index whose marker is then read and found absent was sequenced
   * meanwhile only if a consistent re-read shows its index.
   */
  async checkPendingSet(input: { readonly sweepItems: number }): Promise<PendingAnomaly[]> {
    const anomalies: PendingAnomaly[] = [];
    const markers = await this.#pendingMarkers(markersChecked, undefined);
    const entries = await this.#entriesById(markers.ids);
    for (const id of markers.ids)
      if (!entries.has(id)) anomalies.push({ kind: 'ENTRY_MISSING', entryId: id });

    const sweep = (await getItem(this.doc, this.tableName, sweepKey, sweepSchema)) ?? {};
    const page = await callDynamo('Scan', () =>
      this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          Limit: input.sweepItems,
          FilterExpression: 'begins_with(pk, :entry) AND attribute_not_exists(#index)',
          ProjectionExpression: 'pk',
          ExpressionAttributeNames: { '#index': 'index' },
          ExpressionAttributeValues: { ':entry': 'ENTRY#' },
          ...(sweep.resumeAt === undefined ? {} : { ExclusiveStartKey: sweep.resumeAt }),
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const entryId = z.string().parse(item.pk).slice('ENTRY#'.length);
      if (await getItem(this.doc, this.tableName, pendingKey(entryId), z.object({}).loose())) continue;
      const entry = await getItem(
        this.doc,
        this.tableName,
        entryKey(entryId),
        z.object({ index: z.number().optional() }).loose(),
      );
      if (entry !== undefined && entry.index === undefined)
        anomalies.push({ kind: 'MARKER_MISSING', entryId });
    }
    const resumeAt =
      page.LastEvaluatedKey === undefined ? undefined : tableKeySchema.parse(page.LastEvaluatedKey);
    await callDynamo('PutItem', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sweepKey, ...(resumeAt === undefined ? {} : { resumeAt }) },
        }),
      ),
    );
    return anomalies;
  }

  /** One page of pending markers' entry ids, oldest first. */
  async #pendingMarkers(
    limit: number,
    startKey: Record<string, unknown> | undefined,
  ): Promise<{ ids: string[]; next: Record<string, unknown> | undefined }> {
    const page = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pending',
          ExpressionAttributeValues: { ':pending': pendingKey('').pk },
          Limit: limit,
          ConsistentRead: true,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      ),
    );
    return {
      ids: (page.Items ?? []).map((marker) => z.string().parse(marker.sk)),
      next: page.LastEvaluatedKey,
    };
  }

  async #entriesById(ids: readonly string[]): Promise<Map<string, AuditEntry>> {
    const entries = new Map<string, AuditEntry>();
    for (const item of await batchGetAll(this.doc, this.tableName, ids.map(entryKey))) {
      const entry = auditEntrySchema.parse(item);
      entries.set(entry.id, entry);
    }
    return entries;
  }

  async readNodes(ids: readonly NodeId[]): Promise<NodeSource> {
    const keys = [
      ...new Map(ids.map((id) => [`${id.level}#${id.index}`, nodeKey(id.level, id.index)])).values(),
    ];
    const hashes = new Map<string, Uint8Array>();
    for (const item of await batchGetAll(this.doc, this.tableName, keys)) {
      hashes.set(String(item.pk).slice('NODE#'.length), hashSchema.parse(item.hash));
    }
    return {
      node: (level, index) => {
        const hash = hashes.get(`${level}#${index}`);
        // A node the tree's size says exists but the table lacks: the store is damaged, so fail closed (503).
        if (hash === undefined) {
          logger.error('merkle log node missing', { level, index });
          throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the audit log is missing a stored node');
        }
        return hash;
      },
    };
  }

  async appendLeaves(input: {
    readonly expectedSize: number;
    readonly leaves: readonly SequencedEntry[];
    readonly nodes: readonly { level: number; index: number; hash: Uint8Array }[];
    readonly head: TreeHead;
  }): Promise<boolean> {
    const tx = new Transaction();
    const head = { ...headKey, ...headSchema.parse(input.head) };
    if (input.expectedSize === 0) tx.put(this.tableName, head, { ifAbsent: true });
    else tx.replace(this.tableName, head, { attribute: 'size', equals: input.expectedSize });
    for (const leaf of input.leaves) {
      tx.deleteExisting(this.tableName, pendingKey(leaf.entry.id));
      tx.set(this.tableName, entryKey(leaf.entry.id), { index: leaf.index });
      tx.put(
        this.tableName,
        {
          ...leafKey(leaf.index),
          index: leaf.index,
          leafHash: b64(leaf.leafHash),
          entry: auditEntrySchema.parse(leaf.entry),
        },
        { ifAbsent: true },
      );
    }
    for (const node of input.nodes) {
      tx.put(
        this.tableName,
        { ...nodeKey(node.level, node.index), hash: b64(node.hash) },
        { ifAbsent: true },
      );
    }
    return (await tx.commit(this.doc)) === 'committed';
  }

  async readLeaves(fromIndex: number, limit: number): Promise<SequencedEntry[]> {
    const leaves: SequencedEntry[] = [];
    let index = fromIndex;
    while (leaves.length < limit) {
      const key = leafKey(index);
      const page = await callDynamo('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk >= :from',
            ExpressionAttributeValues: { ':pk': key.pk, ':from': key.sk },
            Limit: limit - leaves.length,
            ConsistentRead: true,
          }),
        ),
      );
      const parsed = (page.Items ?? []).map((item) => leafSchema.parse(item));
      leaves.push(...parsed);
      const next = (parsed.at(-1)?.index ?? index - 1) + 1;
      const partitionEnd = (Math.floor(index / leavesPerPartition) + 1) * leavesPerPartition;
      // A partition that stops short of its end, with no page left, is the end of the log.
      if (page.LastEvaluatedKey === undefined && next < partitionEnd) break;
      index = page.LastEvaluatedKey === undefined ? partitionEnd : next;
    }
    return leaves;
  }
}
