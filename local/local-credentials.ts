/**
 * The local servers accept fixed credentials: s3rver only accepts S3RVER/S3RVER, and DynamoDB Local accepts any.
 * Using one pair for both keeps the handlers' environment simple. These are not secrets.
 */
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const localRegion = 'eu-west-2';
