import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName } from '#local/provision.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import type { ConsoleStack } from './console-stack.ts';

/** The subject reference the footprint's members derive from an NHS number: what the console must have sent. */
export const referenceOf = async (stack: ConsoleStack, footprintId: string, nhsNumber: string) =>
  deriveSubjectReference(
    await readFootprintKeyFile(footprintKeyFileOf(stack.exchange.keysDir, footprintId), footprintId),
    { kind: 'nhs-number', nhsNumber },
  );

/** Overwrites a share's stored bytes (a fault: storage that no longer holds what was released). */
export const overwriteShare = (stack: ConsoleStack, objectKey: string, bytes: Uint8Array) =>
  new S3Client({
    region: localRegion,
    credentials: localCredentials,
    endpoint: stack.exchange.s3Endpoint,
    forcePathStyle: true,
  }).send(new PutObjectCommand({ Bucket: localBucketName('payloads'), Key: objectKey, Body: bytes }));

/** The texts of the error summary's links, in order. */
export const errorSummary = async (page: Page): Promise<string[]> =>
  (await page.locator('.govuk-error-summary__list a').allInnerTexts()).map((t) => t.trim());
