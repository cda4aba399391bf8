import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import type { DecisionReasonCode } from '#shared/domain/agreements/decide.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import { decisionSchema, errorBodySchema } from '#shared/http/api-contract.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor, localDynamoClient } from '../support/local-exchange-clients.ts';

// The decision rules of issue 12 finding 11, met as a borough system meets them: a Brent practitioner asks under
// the seeded North West BCU MASH agreement, over HTTP against DynamoDB Local, through the dry run and through a
// real submission. Each is refused with its own reason code, and the refusal is in the audit log.

let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let audit: DynamoAuditLog;

beforeAll(async () => {
  exchange = await startExchange({ dynamoDb: sharedDynamoDb() });
  dynamo = localDynamoClient(exchange);
  audit = new DynamoAuditLog(createDocumentClient(dynamo), exchange.tableName('audit'));
});

afterAll(async () => {
  dynamo?.destroy();
  await exchange?.stop();
});

/** A signed call as Brent's practitioner, with the hash of the signed request its audit entry carries. */
const asBrent = async (method: string, path: string, body: unknown) => {
  const client = await clientActingFor(exchange, 'lb-brent.practitioner');
  const bytes = JSON.stringify(body);
  const signed = await client.sign(method, path, bytes);
  const answer = await client.send(method, path, signed.body, signed.authorization);
  return { ...answer, requestHash: sha256Base64url(signed.token) };
};

const entriesFor = async (requestHash: string): Promise<AuditEntry[]> =>
  (await audit.readAll()).filter((e) => e.requestHash === requestHash);

/** What the dry run takes of a submission: the share request, without what only the responder needs. */
const dryRunOf = ({ urgency: _u, justification: _j, ...share }: DataRequestSubmission) => share;

const subjectOf = (footprintId: string) => `sr1.${footprintId}.${randomBytes(32).toString('base64url')}`;

const cases: [string, Partial<DataRequestSubmission>, DecisionReasonCode][] = [
  ['Brent asks itself', { responderOrganisationId: 'lb-brent' }, 'REQUESTER_IS_RESPONDER'],
  [
    'the exemption rationale is only whitespace',
    { consent: { state: 'not-sought', exemption: 'would-prejudice-protection', rationale: ' \t ' } },
    'CONSENT_RATIONALE_BLANK',
  ],
  [
    'consent is recorded as obtained an hour from now',
    {
      consent: {
        state: 'obtained',
        obtainedBy: 'lb-brent.practitioner',
        obtainedFrom: 'parent',
        obtainedAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    },
    'CONSENT_OBTAINED_IN_FUTURE',
  ],
  [
    "the child's reference was made with the Brent and Harrow CDOP key",
    { subjectRef: subjectOf('brent-harrow-cdop-area') },
    'SUBJECT_REF_NOT_OF_FOOTPRINT',
  ],
];

describe('decision rules over HTTP', () => {
  it('permits the everyday request, so each refusal below is its one change', async () => {
    const answer = await asBrent(
      'POST',
      '/v1/decisions:evaluate',
      dryRunOf(brentAsksHarrow(subjectOf('north-west-bcu'))),
    );
    expect(answer.status).toBe(200);
    expect(decisionSchema.parse(answer.body)).toMatchObject({ decision: 'permit', reasons: [] });
  });

  it.each(cases)('POST /v1/decisions:evaluate denies when %s, with %s alone', async (_, change, code) => {
    const answer = await asBrent(
      'POST',
      '/v1/decisions:evaluate',
      dryRunOf(brentAsksHarrow(subjectOf('north-west-bcu'), change)),
    );
    expect(answer.status).toBe(200);
    const decision = decisionSchema.parse(answer.body);
    expect({ decision: decision.decision, codes: decision.reasons.map((r) => r.code) }).toEqual({
      decision: 'deny',
      codes: [code],
    });
    expect(await entriesFor(answer.requestHash)).toEqual([
      expect.objectContaining({ action: 'decision.evaluate', outcome: 'refused', reasonCodes: [code] }),
    ]);
  });

  it.each(cases)('POST /v1/requests refuses when %s, with %s, and records it', async (_, change, code) => {
    const answer = await asBrent(
      'POST',
      '/v1/requests',
      brentAsksHarrow(subjectOf('north-west-bcu'), change),
    );
    expect({ status: answer.status, error: errorBodySchema.parse(answer.body).error }).toEqual({
      status: 403,
      error: 'REQUEST_REFUSED',
    });
    expect(await entriesFor(answer.requestHash)).toEqual([
      expect.objectContaining({ action: 'request.submit', outcome: 'refused', reasonCodes: [code] }),
    ]);
  });
});
