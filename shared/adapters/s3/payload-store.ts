import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type ObjectIdentifier,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DependencyError, TooLargeError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type { PayloadStore } from '../../ports/payload-store.ts';
import { failedCall } from '../aws-client-settings.ts';

const statusOf = (error: unknown): number =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;

const storeUnavailable = () =>
  new DependencyError('DEPENDENCY_UNAVAILABLE', 'the payload store did not answer');

/** DeleteObjects takes at most 1,000 keys (S3 API reference, DeleteObjects). */
const maxKeysPerDelete = 1000;

/**
 * How a store without object versions answers ListObjectVersions: 405 (s3rver, the local emulator) or 501. S3
 * itself lists versions of every bucket, versioned or not (an unversioned object has the version id "null").
 */
const versionsUnsupported = new Set([405, 501]);

/** Calls S3 and turns any failure into DEPENDENCY_UNAVAILABLE (fail closed); the error is logged by name only. */
const callS3 = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    logger.error('s3 call failed', { operation, errorName: (error as Error)?.name });
    throw failedCall(error, storeUnavailable);
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

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: key }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      logger.error('s3 call failed', { operation: 'HeadObject', errorName: (error as Error)?.name });
      throw failedCall(error, storeUnavailable);
    }
  }

  /** The object's body as a stream; undefined when there is none. */
  async #open(key: string): Promise<Readable | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      return object.Body as Readable;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      logger.error('s3 call failed', { operation: 'GetObject', errorName: (error as Error)?.name });
      throw failedCall(error, storeUnavailable);
    }
  }

  /**
   * Deletes every version of the object, delete markers included: the payloads bucket is versioned, and a plain
   * DeleteObject there only hides the bytes behind a marker, keeping them as a noncurrent version. Each version is
   * deleted by its id, which removes it for good. Deleting an absent object succeeds, so a purge can be repeated;
   * any version S3 did not delete fails the call, so the purge is retried and never recorded as done.
   */
  async delete(key: string): Promise<void> {
    const versions = await this.#versionsOf(key);
    if (versions === undefined) {
      // A store without versioning (the local S3 emulator): the current object is all there is.
      await callS3('DeleteObject', () =>
        this.s3.send(new DeleteObjectCommand({ Bucket: this.bucketName, Key: key })),
      );
      return;
    }
    for (let i = 0; i < versions.length; i += maxKeysPerDelete) {
      const batch = versions.slice(i, i + maxKeysPerDelete);
      const result = await callS3('DeleteObjects', () =>
        this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucketName, Delete: { Objects: batch, Quiet: true } }),
        ),
      );
      if ((result.Errors ?? []).length > 0) {
        logger.error('s3 call failed', { operation: 'DeleteObjects', failed: result.Errors?.length });
        throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the payload store did not delete every version');
      }
    }
  }

  /**
   * Every version and delete marker of exactly `key` (the listing is by prefix, so `key` also matches longer
   * keys, which are left alone); undefined when the store does not list versions at all.
   */
  async #versionsOf(key: string): Promise<ObjectIdentifier[] | undefined> {
    const found: ObjectIdentifier[] = [];
    let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      let page: ListObjectVersionsCommandOutput;
      try {
        page = await this.s3.send(
          new ListObjectVersionsCommand({ Bucket: this.bucketName, Prefix: key, ...marker }),
        );
      } catch (error) {
        if (versionsUnsupported.has(statusOf(error))) return undefined;
        logger.error('s3 call failed', {
          operation: 'ListObjectVersions',
          errorName: (error as Error)?.name,
        });
        throw failedCall(error, storeUnavailable);
      }
      for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (entry.Key === key && entry.VersionId !== undefined)
          found.push({ Key: key, VersionId: entry.VersionId });
      }
      if (page.IsTruncated !== true) return found;
      marker = {
        ...(page.NextKeyMarker === undefined ? {} : { KeyMarker: page.NextKeyMarker }),
        ...(page.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: page.NextVersionIdMarker }),
      };
    }
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
