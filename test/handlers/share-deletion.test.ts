import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandInput,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agreementSeed } from '#local/seed/agreement-seed.ts';
import { contentHashOf } from '#shared/domain/agreements/agreement.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { lambdaContext } from '../support/api-event.ts';

// The sweeper deletes a withdrawn share's bytes in a versioned bucket (issue 12, finding 9). The DynamoDB and S3
// boundaries are mocked: DynamoDB to hand the sweeper one request on its purge list, S3 to answer as a versioned
// bucket does, so the test sees which versions the handler deletes. The domain and both adapters run for real.
const documents = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);

const objectKey = 'shares/01JD0000000000000000000000/01JD0000000000000000000001';

const withdrawn: DataRequest = {
  id: '01JD0000000000000000000000',
  status: 'withdrawn',
  requester: { organisationId: 'lb-brent', clientId: 'lb-brent-system', userId: 'lb-brent.practitioner' },
  responderOrganisationId: 'lb-harrow',
  agreement: { id: 'isa-nw-bcu-mash', version: 1 },
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence'],
  lawfulBasis: ['UKGDPR-6-1-e'],
  consent: { state: 'not-applicable' },
  subjectRef: `sr1.north-west-bcu.${'A'.repeat(43)}`,
  urgency: 'urgent',
  justification: 'MASH referral',
  requestHash: 'h',
  submittedAt: '2026-11-23T09:00:00.000Z',
  dueAt: '2026-11-24T09:00:00.000Z',
  decision: {
    outcome: 'approve',
    reasons: 'ok',
    decidedBy: 'lb-harrow.practitioner',
    decidedAt: '2026-11-23T10:00:00.000Z',
  },
  share: {
    objectKey,
    sha256: '0'.repeat(64),
    size: 3,
    contentType: 'application/json',
    dataCategories: ['identity-residence'],
    releasedBy: 'lb-harrow.practitioner',
    releasedAt: '2026-11-23T11:00:00.000Z',
    expiresAt: '2026-12-23T11:00:00.000Z',
    fetchCount: 0,
    maxFetches: 5,
  },
  withdrawnAt: '2026-11-23T12:00:00.000Z',
  withdrawnBy: 'lb-brent.practitioner',
  revision: 4,
};

type Sweep = () => Promise<{ purged: number; failed: number }>;
let sweep: Sweep;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    REQUESTS_TABLE_NAME: 'requests',
    AGREEMENTS_TABLE_NAME: 'agreements',
    AUDIT_TABLE_NAME: 'audit',
    EVENTS_TABLE_NAME: 'events',
    PAYLOADS_BUCKET_NAME: 'payloads',
  });
  const { handler } = await import('#functions/requests/sweep-requests.ts');
  sweep = () => (handler as unknown as (e: unknown, c: unknown) => ReturnType<Sweep>)({}, lambdaContext);
});

const version = (Key: string, VersionId: string) => ({ Key, VersionId });

// The request's agreement, in force: each sweep step's entry records the agreement's standing.
const seeded = agreementSeed.find((a) => a.id === 'isa-nw-bcu-mash');
if (seeded === undefined) throw new Error('the seed has the North West BCU MASH agreement');
const agreementItems = [
  { pk: `ISA#${seeded.id}`, sk: 'AGREEMENT', id: seeded.id, latestVersion: 1 },
  {
    pk: `ISA#${seeded.id}`,
    sk: 'V#000001',
    agreementId: seeded.id,
    version: 1,
    content: seeded.content,
    contentHash: contentHashOf(seeded.content),
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'lb-brent.ig-lead',
    signatures: [],
    activatedAt: '2026-01-01T00:00:00.000Z',
  },
];

beforeEach(() => {
  documents.reset();
  s3.reset();
  // Only the purge list holds the request; the other work lists are empty.
  documents.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const pk = input.ExpressionAttributeValues?.[':pk'];
    if (pk === `ISA#${seeded.id}`) return { Items: agreementItems };
    return pk === 'WORK#purge'
      ? {
          Items: [
            { pk: 'WORK#purge', sk: `2026-11-23T12:00:00.000Z#${withdrawn.id}`, requestId: withdrawn.id },
          ],
        }
      : { Items: [] };
  });
  documents.on(GetCommand).resolves({ Item: { pk: `REQUEST#${withdrawn.id}`, sk: 'REQUEST', ...withdrawn } });
  documents.on(TransactWriteCommand).resolves({});
  s3.on(DeleteObjectsCommand).resolves({});
});

const deletedVersions = () =>
  s3
    .commandCalls(DeleteObjectsCommand)
    .flatMap((call) => (call.args[0].input as DeleteObjectsCommandInput).Delete?.Objects ?? []);

describe('deleting a share in a versioned payloads bucket', () => {
  it('deletes every version and delete marker of exactly its key, by version id, then records the deletion', async () => {
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        version(objectKey, 'v-current'),
        version(objectKey, 'v-older'),
        // Listed by prefix: a longer key is another object, left alone.
        version(`${objectKey}0`, 'v-of-another-object'),
      ],
      DeleteMarkers: [version(objectKey, 'marker-1')],
      IsTruncated: false,
    });
    expect(await sweep()).toMatchObject({ purged: 1, failed: 0 });
    const listed = s3.commandCalls(ListObjectVersionsCommand)[0]?.args[0]
      .input as ListObjectVersionsCommandInput;
    expect(listed).toMatchObject({ Bucket: 'payloads', Prefix: objectKey });
    expect(deletedVersions()).toEqual([
      { Key: objectKey, VersionId: 'v-current' },
      { Key: objectKey, VersionId: 'v-older' },
      { Key: objectKey, VersionId: 'marker-1' },
    ]);
    // No versionless DeleteObject, which would only add a delete marker over the bytes.
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('follows the version listing page by page', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({
        Versions: [version(objectKey, 'v-1')],
        IsTruncated: true,
        NextKeyMarker: objectKey,
        NextVersionIdMarker: 'v-1',
      })
      .resolvesOnce({ Versions: [version(objectKey, 'v-2')], IsTruncated: false });
    expect(await sweep()).toMatchObject({ purged: 1, failed: 0 });
    const second = s3.commandCalls(ListObjectVersionsCommand)[1]?.args[0].input;
    expect(second).toMatchObject({ KeyMarker: objectKey, VersionIdMarker: 'v-1' });
    expect(deletedVersions().map((v) => v.VersionId)).toEqual(['v-1', 'v-2']);
  });

  it('leaves the share on the purge list, unrecorded, when S3 does not delete a version', async () => {
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [version(objectKey, 'v-1'), version(objectKey, 'v-2')],
    });
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: objectKey, VersionId: 'v-2', Code: 'AccessDenied' }],
    });
    expect(await sweep()).toMatchObject({ purged: 0, failed: 1 });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('leaves it unrecorded when the versions cannot be listed', async () => {
    s3.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
    );
    expect(await sweep()).toMatchObject({ purged: 0, failed: 1 });
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('deletes the one current object of a store without versions (the local emulator answers 405)', async () => {
    s3.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({
        name: 'MethodNotAllowed',
        $fault: 'client',
        $metadata: { httpStatusCode: 405 },
      }),
    );
    s3.on(DeleteObjectCommand).resolves({});
    expect(await sweep()).toMatchObject({ purged: 1, failed: 0 });
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'payloads',
      Key: objectKey,
    });
  });

  it('treats a key with no version left as deleted, so a purge can be repeated', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [version(`${objectKey}0`, 'v-other')] });
    expect(await sweep()).toMatchObject({ purged: 1, failed: 0 });
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });
});
