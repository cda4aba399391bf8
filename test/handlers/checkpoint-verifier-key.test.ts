import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkpointKeyFromSecret } from '#shared/adapters/crypto/checkpoint-key.ts';
import { generateNoteKey } from '#shared/adapters/crypto/note-keys.ts';
import { verifierKeyObjectKey } from '#shared/adapters/s3/checkpoint-archive.ts';
import { checkpointKeySecretArnEnvVar, checkpointKeySecretEnvVar } from '#shared/resources.ts';
import { apiEvent, type Invoke, lambdaContext, parsed } from '../support/api-event.ts';

// Discovery publishes the checkpoint verifier key without access to the signing secret (issue 12, finding 8): its
// environment names no secret, and it reads the key the publisher wrote beside the checkpoints. S3 is mocked to
// hold (or not yet hold) that object; Secrets Manager is mocked only to show it is never asked.
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);
const documents = mockClient(DynamoDBDocumentClient);

const published = generateNoteKey('pbx-test').verifierKey;
const notFound = () =>
  new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } });

let getDiscovery: Invoke;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EXCHANGE_ID: 'pbx-test',
    AUDIT_TABLE_NAME: 'audit',
    AUDIT_BUCKET_NAME: 'checkpoints',
  });
  delete process.env[checkpointKeySecretEnvVar];
  delete process.env[checkpointKeySecretArnEnvVar];
  getDiscovery = (await import('#functions/system/get-discovery.ts')).handler as unknown as Invoke;
});

beforeEach(() => {
  s3.reset();
  secrets.reset();
  documents.reset();
  documents.on(TransactWriteCommand).resolves({});
});

const discovery = () =>
  getDiscovery(
    apiEvent('GET', '/.well-known/pbx-exchange', 'GET /.well-known/pbx-exchange'),
    lambdaContext,
  ).then(parsed);

describe('GET /.well-known/pbx-exchange without the signing secret', () => {
  it('answers 503 until the publisher has published the verifier key, then serves it', async () => {
    s3.on(HeadObjectCommand).rejects(notFound());
    const before = await discovery();
    expect({ status: before.status, error: (before.body as { error?: string }).error }).toEqual({
      status: 503,
      error: 'DEPENDENCY_UNAVAILABLE',
    });

    s3.reset();
    s3.on(HeadObjectCommand, { Key: verifierKeyObjectKey }).resolves({});
    s3.on(GetObjectCommand, { Key: verifierKeyObjectKey }).resolves({
      // The one method of an SDK body stream the archive reads.
      Body: { transformToString: async () => published },
    } as never);
    const after = await discovery();
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ audit: { origin: 'pbx-test/audit', checkpointKey: published } });
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('the checkpoint publisher, the one holder of the secret', () => {
  const secret = 'a'.repeat(64);
  const ownKey = checkpointKeyFromSecret('pbx-test', secret).verifierKey;
  let publish: () => Promise<unknown>;

  beforeAll(async () => {
    // Its own cold start, with the secret in its environment (in AWS: the secret's ARN, read from Secrets Manager).
    process.env[checkpointKeySecretEnvVar] = secret;
    const { handler } = await import('#functions/audit/publish-checkpoint.ts');
    publish = () => (handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)({}, lambdaContext);
    delete process.env[checkpointKeySecretEnvVar];
  });

  it('refuses to run over another verifier key already published, and writes nothing over it', async () => {
    s3.on(HeadObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => published } } as never);
    await expect(publish()).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('publishes its verifier key write-once on its first run, before the log has any entry', async () => {
    s3.on(HeadObjectCommand).rejects(notFound());
    s3.on(PutObjectCommand).resolves({});
    documents.on(GetCommand).resolves({});
    expect(await publish()).toEqual({ published: false, reason: 'empty-log' });
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ Key: verifierKeyObjectKey, Body: ownKey, IfNoneMatch: '*' }),
    ]);
  });
});
