import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type { PayloadStore } from '../../ports/payload-store.ts';

const statusOf = (error: unknown): number =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;

/** Calls S3 and turns any failure into DEPENDENCY_UNAVAILABLE (fail closed); the error is logged by name only. */
const callS3 = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    logger.error('s3 call failed', { operation, errorName: (error as Error)?.name });
    throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the payload store did not answer');
  }
};

/**
 * Share payloads in the payloads bucket. Encryption at rest is the bucket's default (SSE-KMS with the exchange's
 * key in AWS), so no call names a key and no caller can choose another.
 */
export class S3PayloadStore implements PayloadStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await callS3('PutObject', () =>
      this.s3.send(
        new PutObjectCommand({ Bucket: this.bucketName, Key: key, Body: bytes, ContentType: contentType }),
      ),
    );
  }

  /** Streams the object through SHA-256, so a large payload is never held in memory whole. */
  async digest(key: string): Promise<{ sha256: string; size: number } | undefined> {
    let body: Readable;
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      body = object.Body as Readable;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      logger.error('s3 call failed', { operation: 'GetObject', errorName: (error as Error)?.name });
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the payload store did not answer');
    }
    return callS3('GetObject', async () => {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of body) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).byteLength;
      }
      return { sha256: hash.digest('hex'), size };
    });
  }

  /** Deleting an absent object succeeds, so a purge can be repeated. */
  async delete(key: string): Promise<void> {
    await callS3('DeleteObject', () =>
      this.s3.send(new DeleteObjectCommand({ Bucket: this.bucketName, Key: key })),
    );
  }

  presignUpload(key: string, declared: { contentType: string }, expiresInSeconds: number): Promise<string> {
    return callS3('PresignPutObject', () =>
      getSignedUrl(
        this.s3,
        new PutObjectCommand({ Bucket: this.bucketName, Key: key, ContentType: declared.contentType }),
        { expiresIn: expiresInSeconds },
      ),
    );
  }

  presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    return callS3('PresignGetObject', () =>
      getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucketName, Key: key }), {
        expiresIn: expiresInSeconds,
      }),
    );
  }
}
