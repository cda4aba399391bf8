import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { AuditEntry } from '../../domain/audit/audit-entry.ts';
import type {
  CheckpointStore,
  CosignatureStore,
  PublishedCheckpoint,
  StoredCosignature,
} from '../../ports/checkpoint-store.ts';
import { appendAudit } from './audit-log.ts';
import { getItem, queryAll, Transaction } from './transaction.ts';

/**
 * Published checkpoints in the audit table, beside the Merkle log (merkle-log-store.ts):
 *   pk CHECKPOINT   sk LATEST               the latest signed checkpoint
 *   pk CHECKPOINT   sk <size, 16 digits>    every signed checkpoint, by size, written once
 *   pk COSIGNATURE#<size, 16 digits>   sk <witness key name>   a witness's line for that checkpoint (replaceable)
 */
const partition = 'CHECKPOINT';
const latestKey = { pk: partition, sk: 'LATEST' } as const;
const padded = (size: number) => String(size).padStart(16, '0');
const sizeKey = (size: number) => ({ pk: partition, sk: padded(size) });
const cosignaturePartition = (size: number) => `COSIGNATURE#${padded(size)}`;

const checkpointSchema = z.object({
  size: z.number().int().nonnegative(),
  rootHash: z.string().min(1),
  note: z.string().min(1),
  publishedAt: z.iso.datetime(),
});

const cosignatureSchema = z.object({
  size: z.number().int().nonnegative(),
  rootHash: z.string().min(1),
  keyName: z.string().min(1),
  witnessKey: z.string().min(1),
  line: z.string().min(1),
  recordedAt: z.iso.datetime(),
});

export class DynamoCheckpointStore implements CheckpointStore, CosignatureStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readLatest(): Promise<PublishedCheckpoint | undefined> {
    return getItem(this.doc, this.tableName, latestKey, checkpointSchema);
  }

  async record(checkpoint: PublishedCheckpoint, previousSize: number | undefined): Promise<boolean> {
    const fields = checkpointSchema.parse(checkpoint);
    const tx = new Transaction().put(
      this.tableName,
      { ...sizeKey(fields.size), ...fields },
      { ifAbsent: true },
    );
    if (previousSize === undefined) tx.put(this.tableName, { ...latestKey, ...fields }, { ifAbsent: true });
    else tx.replace(this.tableName, { ...latestKey, ...fields }, { attribute: 'size', equals: previousSize });
    return (await tx.commit(this.doc)) === 'committed';
  }

  async readBySize(size: number): Promise<PublishedCheckpoint | undefined> {
    return getItem(this.doc, this.tableName, sizeKey(size), checkpointSchema);
  }

  async readCosignatures(size: number): Promise<StoredCosignature[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': cosignaturePartition(size) },
    });
    return items.map((item) => cosignatureSchema.parse(item));
  }

  async recordCosignature(cosignature: StoredCosignature, audit: AuditEntry): Promise<boolean> {
    const fields = cosignatureSchema.parse(cosignature);
    // The line stands only beside the checkpoint it cosigns: the write depends on that size's root, in the
    // same transaction as the audit entry.
    const tx = new Transaction()
      .conditionCheck(this.tableName, sizeKey(fields.size), {
        attribute: 'rootHash',
        equals: fields.rootHash,
      })
      .put(this.tableName, { pk: cosignaturePartition(fields.size), sk: fields.keyName, ...fields });
    appendAudit(tx, this.tableName, audit);
    return (await tx.commit(this.doc)) === 'committed';
  }
}
