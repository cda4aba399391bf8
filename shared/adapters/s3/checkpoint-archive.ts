import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type { CheckpointArchive } from '../../ports/checkpoint-store.ts';
import type { CheckpointVerifierKeyStore } from '../../ports/checkpoint-verifier-key.ts';

const isStatus = (error: unknown, ...statuses: number[]): boolean =>
  statuses.includes((error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0);

const unavailable = (operation: string, error: unknown) => {
  logger.error('s3 call failed', { operation, errorName: (error as Error)?.name });
  return new DependencyError('DEPENDENCY_UNAVAILABLE', 'the checkpoint archive did not answer');
};

/**
 * Signed checkpoints in the audit checkpoints bucket, write-once. In AWS the bucket's default Object Lock retention
 * (compliance mode) keeps every version, and `IfNoneMatch: '*'` makes S3 refuse a second object under one key
 * (412). The local S3 emulator ignores both, so a HeadObject first refuses overwrites there too; the race it leaves
 * open locally is closed by the conditional put in AWS.
 */
export class S3CheckpointArchive implements CheckpointArchive, CheckpointVerifierKeyStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  putOnce(size: number, note: string): Promise<{ created: true } | { created: false; existing: string }> {
    return this.#putOnce(checkpointObjectKey(size), note);
  }

  /** The checkpoint verifier key, beside the checkpoints it verifies and write-once like them. */
  putVerifierKeyOnce(verifierKey: string): Promise<{ created: true } | { created: false; existing: string }> {
    return this.#putOnce(verifierKeyObjectKey, verifierKey);
  }

  readVerifierKey(): Promise<string | undefined> {
    return this.#read(verifierKeyObjectKey);
  }

  async #putOnce(
    key: string,
    text: string,
  ): Promise<{ created: true } | { created: false; existing: string }> {
    const existing = await this.#read(key);
    if (existing !== undefined) return { created: false, existing };
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucketName,
          Key: key,
          Body: text,
          ContentType: 'text/plain; charset=utf-8',
          IfNoneMatch: '*',
        }),
      );
      return { created: true };
    } catch (error) {
      // 412: another writer got there first; 409: a conflicting conditional write in flight.
      if (!isStatus(error, 409, 412)) throw unavailable('PutObject', error);
    }
    return { created: false, existing: (await this.#read(key)) ?? '' };
  }

  read(size: number): Promise<string | undefined> {
    return this.#read(checkpointObjectKey(size));
  }

  async #read(key: string): Promise<string | undefined> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: key }));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw unavailable('HeadObject', error);
    }
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      return (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw unavailable('GetObject', error);
    }
  }
}

/** The object key of the checkpoint verifier key. */
export const verifierKeyObjectKey = 'keys/checkpoint-verifier-key';

/** The object key of the checkpoint of `size`: zero-padded so keys list in size order. */
export const checkpointObjectKey = (size: number): string => `checkpoints/${String(size).padStart(16, '0')}`;
