import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DependencyError, TooLargeError } from '../../domain/errors.ts';
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

  async read(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const body = await this.#open(key);
    if (body === undefined) return undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    await callS3('GetObject', async () => {
      for await (const chunk of body) {
        size += (chunk as Buffer).byteLength;
        if (size > maxBytes) break;
        chunks.push(chunk as Buffer);
      }
    });
    if (size > maxBytes) {
      body.destroy();
      throw new TooLargeError('PAYLOAD_TOO_LARGE', `the stored object is larger than ${maxBytes} bytes`);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  /** Streams the object through SHA-256, so a large payload is never held in memory whole. */
  async digest(key: string): Promise<{ sha256: string; size: number } | undefined> {
    const body = await this.#open(key);
    if (body === undefined) return undefined;
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

  /** The object's body as a stream; undefined when there is none. */
  async #open(key: string): Promise<Readable | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      return object.Body as Readable;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      logger.error('s3 call failed', { operation: 'GetObject', errorName: (error as Error)?.name });
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the payload store did not answer');
    }
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
