import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CheckpointStore, PublishedCheckpoint } from '../../ports/checkpoint-store.ts';
import { callDynamo, Transaction } from './transaction.ts';

/**
 * Published checkpoints in the audit table, beside the Merkle log (merkle-log-store.ts):
 *   pk CHECKPOINT   sk LATEST               the latest signed checkpoint
 *   pk CHECKPOINT   sk <size, 16 digits>    every signed checkpoint, by size, written once
 */
const partition = 'CHECKPOINT';
const latestKey = { pk: partition, sk: 'LATEST' } as const;
const sizeKey = (size: number) => ({ pk: partition, sk: String(size).padStart(16, '0') });

const checkpointSchema = z.object({
  size: z.number().int().nonnegative(),
  rootHash: z.string().min(1),
  note: z.string().min(1),
  publishedAt: z.iso.datetime(),
});

export class DynamoCheckpointStore implements CheckpointStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readLatest(): Promise<PublishedCheckpoint | undefined> {
    const { Item } = await callDynamo('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: latestKey, ConsistentRead: true })),
    );
    return Item === undefined ? undefined : checkpointSchema.parse(Item);
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
}
