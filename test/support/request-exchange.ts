import { createHash, randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import type { RunningExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName } from '#local/provision.ts';
import { agreementSeed, seedAgreements } from '#local/seed/agreement-seed.ts';
import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { DynamoRequestStore } from '#shared/adapters/dynamodb/request-store.ts';
import { S3PayloadStore } from '#shared/adapters/s3/payload-store.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';
import type { DataRequestBody } from '#shared/domain/requests/data-request.ts';
import type { RequestDeps } from '#shared/domain/requests/request-deps.ts';
import { type Clock, systemClock } from '#shared/ports/clock.ts';
import { localDynamoClient } from './local-exchange-clients.ts';

// What the request tests share against a running local exchange: signed callers that remember what they signed,
// the use cases' dependencies on the exchange's DynamoDB Local and S3 emulator, and its event feeds.

/** A client acting for `user`, that remembers the request hash (SHA-256 of the compact JWS) of its last call. */
export type Caller = PbxClient & { lastHash(): string };

export const recordingCaller = async (
  exchange: Pick<RunningExchange, 'url' | 'keysDir' | 'exchangeId'>,
  user: string,
): Promise<Caller> => {
  const clientId = `${user.split('.')[0]}-system`;
  let last = '';
  const client = new PbxClient({
    url: exchange.url,
    clientId,
    key: await readPrivateKey(localKeyFile(exchange.keysDir, clientId)),
    audience: exchange.exchangeId,
    subject: user,
    fetch: (input, init) => {
      const authorization = new Headers(init?.headers).get('authorization');
      if (authorization !== null) {
        last = createHash('sha256').update(authorization.slice('PBX-JWS '.length)).digest('base64url');
      }
      return fetch(input, init);
    },
  });
  return Object.assign(client, { lastHash: () => last });
};

/** The stores of the exchange, and the request use cases' dependencies on them with a clock of the test's own. */
export const requestStoresOf = (
  exchange: Pick<RunningExchange, 'dynamoEndpoint' | 's3Endpoint' | 'tableName'>,
) => {
  const doc = createDocumentClient(localDynamoClient(exchange));
  const audit = new DynamoAuditLog(doc, exchange.tableName('audit'));
  const s3 = new S3Client({
    region: localRegion,
    credentials: localCredentials,
    endpoint: exchange.s3Endpoint,
    forcePathStyle: true,
  });
  const agreements = new DynamoAgreementStore(doc, {
    agreements: exchange.tableName('agreements'),
    audit: exchange.tableName('audit'),
  });
  const registry = new DynamoRegistryReader(doc, exchange.tableName('registry'));
  const deps = (clock: Clock): RequestDeps => ({
    requests: new DynamoRequestStore(doc, {
      requests: exchange.tableName('requests'),
      audit: exchange.tableName('audit'),
      events: exchange.tableName('events'),
    }),
    payloads: new S3PayloadStore(s3, localBucketName('payloads')),
    agreements,
    registry,
    audit,
    clock,
  });
  return { doc, audit, s3, agreements, registry, deps };
};

/** The events of one request in an organisation's feed. */
export const eventsAbout = async (
  exchange: Pick<RunningExchange, 'dynamoEndpoint' | 'tableName'>,
  organisationId: string,
  requestId: string,
) => {
  const doc = createDocumentClient(localDynamoClient(exchange));
  const items = await doc.send(
    new QueryCommand({
      TableName: exchange.tableName('events'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ORG#${organisationId}` },
      ConsistentRead: true,
    }),
  );
  return (items.Items ?? [])
    .map((i) => i.event as { type: string; detail: { requestId?: string; [field: string]: unknown } })
    .filter((e) => e.detail.requestId === requestId);
};

/** A principal for calling the use cases directly, as `user` (`<org>.<name>`), with a fresh request hash. */
export const principalOf = (user: string, roles: UserRole[] = ['practitioner']): Principal => {
  const organisationId = user.split('.')[0] ?? user;
  return {
    clientId: `${organisationId}-system`,
    organisationId,
    kid: 'direct',
    alg: 'ES256',
    user: { id: user, roles },
    jti: ulid(),
    requestHash: randomBytes(32).toString('base64url'),
  };
};

/**
 * A MASH referral from Brent to Harrow under the North West BCU agreement, permitted as it stands, with a subject
 * reference of its own (to find it among the others).
 */
export const mashReferral = (
  justification: string,
  overrides: Partial<DataRequestBody> = {},
): DataRequestBody => ({
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-nw-bcu-mash',
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
  consent: {
    state: 'not-sought',
    exemption: 'would-prejudice-protection',
    rationale: 'seeking consent would put the child at risk of significant harm',
  },
  subjectRef: `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`,
  urgency: 'urgent',
  justification,
  ...overrides,
});

/**
 * The North West BCU MASH agreement again as `isa-review-due`, signed by every party, in force for 60 days and past
 * its review date since yesterday: a request under it is accepted and flagged, not refused.
 */
export const seedReviewDueMashAgreement = async (
  exchange: Pick<RunningExchange, 'dynamoEndpoint' | 'tableName'>,
): Promise<void> => {
  const mash = agreementSeed.find((a) => a.id === 'isa-nw-bcu-mash');
  if (mash === undefined) throw new Error('the seed has the North West BCU MASH agreement');
  const doc = createDocumentClient(localDynamoClient(exchange));
  const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
  await seedAgreements(
    {
      agreements: new DynamoAgreementStore(doc, {
        agreements: exchange.tableName('agreements'),
        audit: exchange.tableName('audit'),
      }),
      registry: new DynamoRegistryReader(doc, exchange.tableName('registry')),
      audit: new DynamoAuditLog(doc, exchange.tableName('audit')),
      clock: systemClock,
    },
    [{ id: 'isa-review-due', content: { ...mash.content, validFrom: day(60), reviewDate: day(1) } }],
  );
};
