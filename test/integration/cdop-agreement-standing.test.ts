import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { exampleAnalysis, exampleNotification, exampleReport } from '#local/seed/example-cdop.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor, localDynamoClient } from '../support/local-exchange-clients.ts';

// The CDOP's child death review agreement (isa-bhr-cdop) judged at every step of a case (issue 12, finding 1):
// suspended, the steps that move agency data pause and the tracker leaves asks pending; resumed, they work again;
// revoked, pending asks end on the case and only reading and closing remain. Its own exchange: it revokes a seeded
// agreement.
let exchange: RunningExchange;
let dynamo: DynamoDBClient;
let audit: DynamoAuditLog;
const clients = new Map<string, PbxClient>();
const as = async (user: string) => {
  let client = clients.get(user);
  if (client === undefined) {
    client = await clientActingFor(exchange, user);
    clients.set(user, client);
  }
  return client;
};

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  dynamo = localDynamoClient(exchange);
  audit = new DynamoAuditLog(createDocumentClient(dynamo), exchange.tableName('audit'));
});

afterAll(async () => {
  dynamo?.destroy();
  await exchange?.stop();
});

const bhrRef = (nhsNumber: string) =>
  deriveSubjectReference(
    { footprintId: 'bhr-cdop-area', key: new Uint8Array(32).fill(9) },
    { kind: 'nhs-number', nhsNumber },
  );

type CaseAnswer = {
  case: { id: string; agencies: { organisationId: string; requestId?: string; endedAt?: string }[] };
  agencies: { organisationId: string; status: string }[];
};

const expectStatus = <T>(answer: PbxResponse<T>, status: number) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
};

/** The last audit entry of an action on a case. */
const lastEntry = async (action: string, caseId: string): Promise<AuditEntry | undefined> =>
  (await audit.readAll())
    .filter((e) => e.action === action && (e.target?.id === caseId || e.target?.id?.startsWith(`${caseId}/`)))
    .sort((a, b) => a.id.localeCompare(b.id))
    .at(-1);

const standingChange = async (change: 'suspend' | 'resume' | 'revoke') =>
  expectStatus(
    await (await as('lb-havering.ig-lead')).call('POST', `/v1/agreements/isa-bhr-cdop/${change}`, {
      reason: `test: ${change}`,
    }),
    200,
  );

/** A refusal for the agreement's standing: 403, and its entry refused with the standing and its code. */
const expectRefusedFor = async (
  answer: PbxResponse,
  action: string,
  caseId: string,
  standing: string,
  code: string,
) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(403);
  expect(answer.body).toMatchObject({ error: code });
  expect(await lastEntry(action, caseId)).toMatchObject({
    outcome: 'refused',
    reasonCodes: [code],
    agreementStanding: standing,
  });
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const answerWithReport = async (user: string, requestId: string, report: unknown) => {
  const agency = await as(user);
  expectStatus(await agency.decideRequest(requestId, { outcome: 'approve', reasons: 'attached' }), 200);
  const bytes = Buffer.from(JSON.stringify(report));
  expectStatus(
    await agency.releaseShare(requestId, {
      content: bytes.toString('base64'),
      sha256: sha256(bytes),
      contentType: 'application/json',
      dataCategories: ['identity-residence', 'child-death-details'],
    }),
    200,
  );
};

/** The steps that move or read the agencies' data, each with the case its entry is about. */
const dataSteps = (caseId: string, closedCaseId: string, coordinator: PbxClient) =>
  [
    [
      'cdop.report.request',
      caseId,
      () =>
        coordinator.call('POST', `/v1/cdop/cases/${caseId}/requests`, { agencies: ['lb-barking-dagenham'] }),
    ],
    ['cdop.pack.assemble', caseId, () => coordinator.call('POST', `/v1/cdop/cases/${caseId}/pack`)],
    ['cdop.pack.fetch', caseId, () => coordinator.call('GET', `/v1/cdop/cases/${caseId}/pack`)],
    [
      'cdop.case.export',
      closedCaseId,
      () => coordinator.call('GET', `/v1/cdop/cases/${closedCaseId}/ncmd-export`),
    ],
  ] as const;

const today = () => new Date().toISOString().slice(0, 10);

describe('a BHR case while isa-bhr-cdop is suspended, resumed and revoked', () => {
  let caseId = '';
  let closedCaseId = '';
  const caseView = async () =>
    expectStatus(
      await (await as('bhr-cdop.coordinator')).call<CaseAnswer>('GET', `/v1/cdop/cases/${caseId}`),
      200,
    );
  const requestIdOf = async (agency: string) =>
    (await caseView()).case.agencies.find((a) => a.organisationId === agency)?.requestId ?? '';

  it('in force: every step goes ahead and its entry names the standing', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    const inForce = { outcome: 'allowed', agreementStanding: 'in-force' };
    const opened = expectStatus(
      await coordinator.call<CaseAnswer>('POST', '/v1/cdop/cases', {
        notification: exampleNotification(bhrRef('9434765919')),
      }),
      201,
    );
    caseId = opened.case.id;
    expect(await lastEntry('cdop.case.open', caseId)).toMatchObject(inForce);
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/requests`, { agencies: ['lb-havering'] }),
      200,
    );
    expect(await lastEntry('cdop.report.request', caseId)).toMatchObject(inForce);
    await exchange.runSchedule('TrackCdopCases');
    const requestId = await requestIdOf('lb-havering');
    // The request the tracker made: its entry has the standing, and the justification only as its hash.
    const submitted = (await audit.readAll()).find(
      (e) => e.action === 'request.submit' && e.target?.id === requestId,
    );
    expect(submitted).toMatchObject({
      ...inForce,
      consentState: 'not-applicable',
      textSha256: { justification: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(JSON.stringify(submitted)).not.toContain('Child death review case');
    await answerWithReport('lb-havering.practitioner', requestId, exampleReport(caseId, 'lb-havering'));
    await exchange.runSchedule('TrackCdopCases');
    expect(await lastEntry('cdop.case.track', caseId)).toMatchObject(inForce);
    expectStatus(await coordinator.call('POST', `/v1/cdop/cases/${caseId}/pack`), 201);
    expect(await lastEntry('cdop.pack.assemble', caseId)).toMatchObject(inForce);
    expectStatus(await coordinator.call('GET', `/v1/cdop/cases/${caseId}/pack`), 200);
    expect(await lastEntry('cdop.pack.fetch', caseId)).toMatchObject(inForce);

    const other = expectStatus(
      await coordinator.call<CaseAnswer>('POST', '/v1/cdop/cases', {
        notification: exampleNotification(bhrRef('9434765927'), { boroughOfResidence: 'lb-redbridge' }),
      }),
      201,
    );
    closedCaseId = other.case.id;
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${closedCaseId}/close`, {
        analysis: exampleAnalysis(closedCaseId, today()),
      }),
      200,
    );
    expect(await lastEntry('cdop.case.close', closedCaseId)).toMatchObject(inForce);
    expectStatus(await coordinator.call('GET', `/v1/cdop/cases/${closedCaseId}/ncmd-export`), 200);
    expect(await lastEntry('cdop.case.export', closedCaseId)).toMatchObject(inForce);
  });

  it('suspended: asking, the pack, the export and closing are refused; the tracker leaves asks pending', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    // Asked just before the suspension, but the tracker has not created its request yet.
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/requests`, { agencies: ['met-ea-bcu'] }),
      200,
    );
    await standingChange('suspend');

    const code = 'AGREEMENT_SUSPENDED';
    for (const [action, about, step] of dataSteps(caseId, closedCaseId, coordinator)) {
      await expectRefusedFor(await step(), action, about, 'suspended', code);
    }
    await expectRefusedFor(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/close`, {
        analysis: exampleAnalysis(caseId, today()),
      }),
      'cdop.case.close',
      caseId,
      'suspended',
      code,
    );

    // Under an idempotency key too; the refusal is not kept under it, so the same call works once resumed.
    await expectRefusedFor(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/pack`, undefined, {
        idempotencyKey: 'standing-pack-0001',
      }),
      'cdop.pack.assemble',
      caseId,
      'suspended',
      code,
    );

    // The tracker does not create the pending request while the agreement is suspended, however often it runs.
    await exchange.runSchedule('TrackCdopCases');
    await exchange.runSchedule('TrackCdopCases');
    const police = await as('met-ea-bcu.practitioner');
    expect((await police.getRequest(await requestIdOf('met-ea-bcu'))).status).toBe(404);

    // Reading the case still works, and its entry says the agreement is suspended.
    const view = await caseView();
    expect(view.agencies.find((a) => a.organisationId === 'met-ea-bcu')?.status).toBe('requested');
    expect(await lastEntry('cdop.case.view', caseId)).toMatchObject({
      outcome: 'allowed',
      agreementStanding: 'suspended',
    });
  });

  it('resumed: the pending request is created and the pack is assembled again', async () => {
    await standingChange('resume');
    await exchange.runSchedule('TrackCdopCases');
    const police = await as('met-ea-bcu.practitioner');
    expectStatus(await police.getRequest(await requestIdOf('met-ea-bcu')), 200);
    const coordinator = await as('bhr-cdop.coordinator');
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/pack`, undefined, {
        idempotencyKey: 'standing-pack-0001',
      }),
      201,
    );
    expectStatus(await coordinator.call('GET', `/v1/cdop/cases/${caseId}/pack`), 200);
    expectStatus(await coordinator.call('GET', `/v1/cdop/cases/${closedCaseId}/ncmd-export`), 200);
  });

  it('revoked: a pending ask ends on the case, once; the pack and the export are refused; the case can still be read and closed', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/requests`, { agencies: ['lb-redbridge'] }),
      200,
    );
    await standingChange('revoke');

    await exchange.runSchedule('TrackCdopCases');
    const redbridge = await as('lb-redbridge.practitioner');
    const requestId = await requestIdOf('lb-redbridge');
    expect((await redbridge.getRequest(requestId)).status).toBe(404);
    const view = await caseView();
    expect(view.agencies.find((a) => a.organisationId === 'lb-redbridge')?.status).toBe('ended');
    expect(view.case.agencies.find((a) => a.organisationId === 'lb-redbridge')?.endedAt).toEqual(
      expect.any(String),
    );
    const endedEntries = async () =>
      (await audit.readAll()).filter((e) => e.action === 'cdop.report.end' && e.target?.id === caseId);
    expect(await endedEntries()).toEqual([
      expect.objectContaining({
        outcome: 'allowed',
        reasonCodes: ['AGREEMENT_REVOKED'],
        agreementStanding: 'revoked',
        parties: expect.arrayContaining(['bhr-cdop', 'lb-redbridge']),
      }),
    ]);
    // Not retried: a second run ends nothing again.
    await exchange.runSchedule('TrackCdopCases');
    expect(await endedEntries()).toHaveLength(1);

    for (const [action, about, step] of dataSteps(caseId, closedCaseId, coordinator)) {
      await expectRefusedFor(await step(), action, about, 'revoked', 'AGREEMENT_REVOKED');
    }
    // Record-keeping goes on: the case is closed with the panel's analysis, its entry naming the standing.
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/close`, {
        analysis: exampleAnalysis(caseId, today()),
      }),
      200,
    );
    expect(await lastEntry('cdop.case.close', caseId)).toMatchObject({
      outcome: 'allowed',
      agreementStanding: 'revoked',
    });
  });

  it('an outsider is told NOT_PERMITTED, never the standing', async () => {
    const other = await as('brent-harrow-cdop.manager');
    const refused = await other.call('POST', `/v1/cdop/cases/${caseId}/pack`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'NOT_PERMITTED' });
  });
});
