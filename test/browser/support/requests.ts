import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName } from '#local/provision.ts';
import type { ConsoleStack } from './console-stack.ts';

/** Overwrites a share's stored bytes (a fault: storage that no longer holds what was released). */
export const overwriteShare = (stack: ConsoleStack, objectKey: string, bytes: Uint8Array) =>
  new S3Client({
    region: localRegion,
    credentials: localCredentials,
    endpoint: stack.exchange.s3Endpoint,
    forcePathStyle: true,
  }).send(new PutObjectCommand({ Bucket: localBucketName('payloads'), Key: objectKey, Body: bytes }));
