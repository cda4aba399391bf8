import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { HealthProbe } from '../../ports/health-probe.ts';

/** S3 answers if it can head the bucket the function is bound to. */
export const s3HealthProbe = (client: S3Client, bucketName: string): HealthProbe => ({
  name: 's3',
  check: async (signal) => {
    await client.send(new HeadBucketCommand({ Bucket: bucketName }), { abortSignal: signal });
  },
});
