import { createHash, randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequestSubmission, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { listLocalTables } from '#local/provision.ts';
import { exampleAnalysis, exampleNotification } from '#local/seed/example-cdop.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { type AuditEntry, textSha256 } from '#shared/domain/audit/audit-entry.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { auditSearchAnswerSchema } from '#shared/http/api-contract.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';
import { type Caller, recordingCaller } from '../support/request-exchange.ts';

// What a refusal's audit entry may carry (issue 12, findings 4 and 7), over HTTP against DynamoDB Local and the S3
// emulator. A refused access to someone else's object concerns only the caller and carries only what the caller
// sent: the object's agreement, purpose, lawful basis, consent, subject, categories and parties stay out of it, so a
// third organisation's IG lead finds none of them in a search. And an id the caller typed that is not well formed
// (a name and an NHS number, say) is recorded only as its SHA-256, never verbatim, in an entry or a leaf.

let exchange: RunningExchange;
let audit: DynamoAuditLog;

const callers = new Map<string, Caller>();
const as = async (user: string): Promise<Caller> => {
  const known = callers.get(user) ?? (await recordingCaller(exchange, user));
  callers.set(user, known);
  return known;
};

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  audit = new DynamoAuditLog(createDocumentClient(localDynamoClient(exchange)), exchange.tableName('audit'));
});

afterAll(async () => {
  await exchange?.stop();
});

const ok = <T>(response: PbxResponse<T>, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

/** The one audit entry of the caller's last call, which was refused with `status`. */
const refusalOf = async (
  who: Caller,
  response: PbxResponse<unknown>,
  status: number,
): Promise<AuditEntry> => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  const entries = (await audit.readAll()).filter((e) => e.requestHash === who.lastHash());
  expect(entries, 'one audit entry per answer').toHaveLength(1);
  const [entry] = entries as [AuditEntry];
  expect(entry.outcome).toBe('refused');
  return entry;
};

/** The facts of an object that a refusal of someone else's access must not carry. */
const objectFacts = [
  'agreement',
  'agreementStanding',
  'reviewOverdue',
  'purpose',
  'lawfulBasis',
  'consentState',
  'consentExemption',
  'decision',
  'textSha256',
  'subjectRef',
  'dataCategories',
  'parties',
] as const;

/** The entry holds only what the caller sent: who, the action, the target id as sent; nothing of the object. */
const expectCallerFactsOnly = (
  entry: AuditEntry,
  organisationId: string,
  target: { type: string; id: string },
) => {
  expect(entry.actor.organisationId).toBe(organisationId);
  expect(entry.target).toEqual(target);
  for (const fact of objectFacts)
    expect(entry, `${entry.action} carries no ${fact}`).not.toHaveProperty(fact);
};

/** Every entry an IG lead's search finds, following `next`, once the log is sequenced. */
const searchAll = async (user: string): Promise<AuditEntry[]> => {
  await exchange.runSchedule('SequenceAuditLog');
  const ig = await as(user);
  const found: AuditEntry[] = [];
  for (let cursor: number | undefined = 0; cursor !== undefined; ) {
    const page = auditSearchAnswerSchema.parse(
      ok(await ig.auditSearch(new URLSearchParams({ limit: '500', cursor: String(cursor) }))),
    );
    if (!('entries' in page)) throw new Error('an IG lead gets entries');
    found.push(...page.entries.map((e) => e.entry));
    cursor = page.next;
  }
  return found;
};

/** A search finds nothing of the object: no entry holds its subject, and none on it carries its facts. */
const expectNothingOf = (found: readonly AuditEntry[], object: { id: string; subjectRef: string }) => {
  expect(found.length, 'the IG lead finds their own refusals').toBeGreaterThan(0);
  expect(JSON.stringify(found)).not.toContain(object.subjectRef);
  for (const entry of found.filter((e) => e.target?.id === object.id)) {
    for (const fact of objectFacts)
      expect(entry, `${entry.action} carries no ${fact}`).not.toHaveProperty(fact);
  }
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const inline = () => {
  const bytes = Buffer.from(JSON.stringify({ protectionPlan: 'none' }));
  return {
    content: bytes.toString('base64'),
    sha256: sha256(bytes),
    contentType: 'application/json',
    dataCategories: ['identity-residence', 'protection-status'],
  };
};

const mashRequest = (): DataRequestSubmission => ({
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-nw-bcu-mash',
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
  consent: {
    state: 'not-sought',
    exemption: 'would-prejudice-protection',
    rationale: 'seeking consent would put the child at risk of significant harm',
  },
  subjectRef: `sr1.north-west-bcu.${randomBytes(32).toString('base64url')}`,
  urgency: 'urgent',
  justification: 'MASH referral: concerns raised by the school',
});

describe("a third organisation refused a Brent→Harrow request's routes", () => {
  it('gets entries that carry only what it sent, and its IG lead finds nothing of the request', async () => {
    const brent = await as('lb-brent.practitioner');
    const harrow = await as('lb-harrow.practitioner');
    const barnet = await as('lb-barnet.practitioner');
    const submission = mashRequest();
    const request = ok(await brent.submitRequest(submission), 201).request;
    const target = { type: 'request', id: request.id };

    const refusals = [
      await refusalOf(barnet, await barnet.getRequest(request.id), 403),
      await refusalOf(
        barnet,
        await barnet.decideRequest(request.id, { outcome: 'approve', reasons: 'not ours' }),
        403,
      ),
    ];
    ok(await harrow.decideRequest(request.id, { outcome: 'approve', reasons: 'held and relevant' }));
    refusals.push(
      await refusalOf(
        barnet,
        await barnet.startShareUpload(request.id, {
          size: 10,
          sha256: sha256(Buffer.alloc(10)),
          contentType: 'application/json',
        }),
        403,
      ),
      await refusalOf(barnet, await barnet.releaseShare(request.id, inline()), 403),
    );
    ok(await harrow.releaseShare(request.id, inline()));
    refusals.push(
      await refusalOf(barnet, await barnet.fetchShare(request.id), 403),
      await refusalOf(barnet, await barnet.withdrawRequest(request.id), 403),
    );
    expect(refusals.map((e) => e.action)).toEqual([
      'request.view',
      'request.decide',
      'share.upload',
      'share.release',
      'share.fetch',
      'request.withdraw',
    ]);
    for (const entry of refusals) expectCallerFactsOnly(entry, 'lb-barnet', target);

    expectNothingOf(await searchAll('lb-barnet.ig-lead'), {
      id: request.id,
      subjectRef: submission.subjectRef,
    });
    // The parties still find their own request's entries in full.
    const harrowSees = await searchAll('lb-harrow.ig-lead');
    expect(
      harrowSees.some((e) => e.target?.id === request.id && e.subjectRef === submission.subjectRef),
    ).toBe(true);
  });
});

describe("another CDOP and an agency with no part in it refused a BHR CDOP case's routes", () => {
  it('get entries that carry only what they sent, and their IG leads find nothing of the case', async () => {
    const subjectRef = deriveSubjectReference(
      { footprintId: 'bhr-cdop-area', key: new Uint8Array(32).fill(9) },
      { kind: 'nhs-number', nhsNumber: '9434765919' },
    );
    const coordinator = await as('bhr-cdop.coordinator');
    const opened = ok(
      await coordinator.call<{ case: { id: string } }>('POST', '/v1/cdop/cases', {
        notification: exampleNotification(subjectRef),
      }),
      201,
    );
    const caseId = opened.case.id;
    const target = { type: 'cdop-case', id: caseId };

    for (const [outsider, organisationId] of [
      ['brent-harrow-cdop.manager', 'brent-harrow-cdop'],
      ['lb-barnet.practitioner', 'lb-barnet'],
    ] as const) {
      const who = await as(outsider);
      const refusals = [
        await refusalOf(who, await who.getCdopCase(caseId), 403),
        await refusalOf(who, await who.requestCdopReports(caseId, ['lb-havering']), 403),
        await refusalOf(who, await who.assembleCdopPanelPack(caseId), 403),
        await refusalOf(who, await who.getCdopPanelPack(caseId), 403),
        await refusalOf(who, await who.closeCdopCase(caseId, exampleAnalysis(caseId, '2026-01-15')), 403),
        await refusalOf(who, await who.exportCdopCase(caseId), 403),
      ];
      expect(
        refusals.map((e) => e.action),
        outsider,
      ).toEqual([
        'cdop.case.view',
        'cdop.report.request',
        'cdop.pack.assemble',
        'cdop.pack.fetch',
        'cdop.case.close',
        'cdop.case.export',
      ]);
      for (const entry of refusals) expectCallerFactsOnly(entry, organisationId, target);
    }

    for (const ig of ['brent-harrow-cdop.ig-lead', 'lb-barnet.ig-lead']) {
      expectNothingOf(await searchAll(ig), { id: caseId, subjectRef });
    }
  });
});

describe('an id typed as a name and an NHS number', () => {
  const typed = 'Jane Smith 943 476 5919';
  const traces = ['Jane Smith', 'jane smith', 'Jane%20Smith', '943 476 5919', '943%20476%205919'];

  it('is answered as not found on every route and recorded only as its SHA-256', async () => {
    const barnet = await as('lb-barnet.practitioner');
    const coordinator = await as('bhr-cdop.coordinator');
    const igLead = await as('lb-barnet.ig-lead');
    const probes: [Caller, () => Promise<PbxResponse<unknown>>, string][] = [
      [barnet, () => barnet.getRequest(typed), 'request'],
      [
        barnet,
        () => barnet.decideRequest(typed, { outcome: 'decline', reasons: 'no such request' }),
        'request',
      ],
      [barnet, () => barnet.fetchShare(typed), 'request'],
      [barnet, () => barnet.withdrawRequest(typed), 'request'],
      [coordinator, () => coordinator.getCdopCase(typed), 'cdop-case'],
      [coordinator, () => coordinator.getCdopPanelPack(typed), 'cdop-case'],
      [igLead, () => igLead.getAgreement(typed), 'agreement'],
      [igLead, () => igLead.listKeys(typed), 'client'],
      [igLead, () => igLead.revokeKey(typed, 'lb-barnet-system'), 'client-key'],
    ];
    for (const [who, call, type] of probes) {
      const response = await call();
      expect(response.status, `${type}: ${JSON.stringify(response.body)}`).toBe(404);
      expect(response.body).toMatchObject({ error: 'NOT_FOUND' });
      const entries = (await audit.readAll()).filter((e) => e.requestHash === who.lastHash());
      expect(entries, type).toHaveLength(1);
      expect(entries[0]?.target, type).toEqual({ type, malformedIdSha256: textSha256(typed) });
    }
  });

  it('is refused as a search parameter (400 INVALID_INPUT) rather than echoed into a search entry', async () => {
    const barnet = await as('lb-barnet.practitioner');
    const igLead = await as('lb-barnet.ig-lead');
    const after = `${typed} xx`;
    expect(after).toHaveLength(26);
    const probes: [Caller, () => Promise<PbxResponse<unknown>>][] = [
      [barnet, () => barnet.listRequests(new URLSearchParams({ box: 'inbox', after }))],
      ...['organisation', 'action', 'agreementId', 'purpose'].map(
        (name) =>
          [igLead, () => igLead.auditSearch(new URLSearchParams({ [name]: typed }))] as [
            Caller,
            () => Promise<PbxResponse<unknown>>,
          ],
      ),
    ];
    for (const [who, call] of probes) {
      const response = await call();
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body).toMatchObject({ error: 'INVALID_INPUT' });
      const entries = (await audit.readAll()).filter((e) => e.requestHash === who.lastHash());
      expect(entries).toHaveLength(1);
      expect(JSON.stringify(entries)).not.toContain('Jane');
    }
  });

  it('leaves no trace of that text in any table, the sequenced leaves included', async () => {
    await exchange.runSchedule('SequenceAuditLog');
    const dynamo = localDynamoClient(exchange);
    // Every table of this exchange: the shared DynamoDB Local also holds other files' tables, under other prefixes.
    const exchangeTables = (await listLocalTables(dynamo)).filter((name) =>
      name.startsWith(exchange.tablePrefix),
    );
    expect(exchangeTables.length).toBeGreaterThan(0);
    for (const table of exchangeTables) {
      let text = '';
      let start: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(
          new ScanCommand({
            TableName: table,
            ...(start === undefined ? {} : { ExclusiveStartKey: start as never }),
          }),
        );
        text += JSON.stringify(page.Items ?? []);
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      for (const trace of traces) expect(text, `${table} holds no "${trace}"`).not.toContain(trace);
    }
    const leaves = ok(await (await as('pbx-operations.operator')).auditLeaves(0, 1000));
    expect(JSON.stringify(leaves)).not.toContain('Jane');
  });
});
