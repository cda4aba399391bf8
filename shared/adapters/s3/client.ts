import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings } from '../aws-client-settings.ts';

/**
 * One S3 client per process, configured from the standard AWS environment (AWS_ENDPOINT_URL_S3 points it at the
 * local emulator). Path-style addressing works with both AWS and an emulator on 127.0.0.1.
 */
export const createS3Client = (): S3Client =>
  new S3Client({ ...awsClientSettings, forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined });
