import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localBucketName } from '#local/provision.ts';
import {
  exampleAnalysis,
  exampleChild,
  exampleNotification,
  exampleReport,
} from '#local/seed/example-cdop.ts';
import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { DynamoCaseStore } from '#shared/adapters/dynamodb/case-store.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRequestStore } from '#shared/adapters/dynamodb/request-store.ts';
import { trackCases } from '#shared/domain/cdop/track-cases.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import {
  assemblePanelPackAnswer,
  cdopCaseAnswer,
  cdopFiguresAnswer,
  getCdopCaseAnswer,
  listCdopCasesAnswer,
  ncmdExportAnswer,
  openCdopCaseAnswer,
  panelPackAnswer,
  requestCdopReportsAnswer,
} from '#shared/http/views/cdop.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor, localDynamoClient } from '../support/local-exchange-clients.ts';

// The CDOP case workspace end to end, against DynamoDB Local and the S3 emulator through the local HTTP adapter:
// open, ask agencies (one refused), agencies answer or decline, tracking and reminders, the panel pack, closure,
// figures and the NCMD export; and a child from another CDOP's area.
let exchange: RunningExchange;
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
});

afterAll(async () => {
  await exchange?.stop();
});

const bhrRef = (nhsNumber: string) =>
  deriveSubjectReference(
    { footprintId: 'bhr-cdop-area', key: new Uint8Array(32).fill(9) },
    { kind: 'nhs-number', nhsNumber },
  );

type CaseAnswer = {
  outcome?: string;
  case: {
    id: string;
    status: string;
    agencies: { organisationId: string; requestId?: string; lastSeenStatus?: string }[];
    refusals: unknown[];
  };
  agencies: { organisationId: string; status: string; requestId?: string; declinedReasons?: string }[];
  timeline: { kind: string; organisationId?: string }[];
};

/** The answer's status, and for a CDOP answer its shape: exactly its operation's answer schema (views/cdop.ts). */
const expectStatus = <T>(answer: PbxResponse<T>, status: number, schema?: z.ZodType) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  if (schema !== undefined) {
    const parsed = schema.safeParse(answer.body);
    expect(parsed.error?.issues ?? [], 'the answer is its schema exactly').toEqual([]);
  }
  return answer.body;
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An agency answers its request with a reporting form: approve, then release it inline. */
const answerWithReport = async (user: string, requestId: string, report: unknown) => {
  const agency = await as(user);
  expectStatus(
    await agency.decideRequest(requestId, { outcome: 'approve', reasons: 'our report is attached' }),
    200,
  );
  const bytes = Buffer.from(JSON.stringify(report));
  return agency.releaseShare(requestId, {
    content: bytes.toString('base64'),
    sha256: sha256(bytes),
    contentType: 'application/json',
    dataCategories: ['identity-residence', 'child-death-details'],
  });
};

const agenciesAsked = ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge', 'met-ea-bcu'] as const;

describe('a BHR CDOP case for a Havering child', () => {
  let caseId = '';
  const requestOf = new Map<string, string>();

  it('is opened by the coordinator, once per child; not by a practitioner', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    const notification = exampleNotification(bhrRef('9434765919'));
    const opened = expectStatus(
      await coordinator.call<CaseAnswer & { suggestions: { organisationId: string }[] }>(
        'POST',
        '/v1/cdop/cases',
        { notification },
        { idempotencyKey: 'cdop-open-0001' },
      ),
      201,
      openCdopCaseAnswer,
    );
    expect(opened.outcome).toBe('opened');
    expect(opened.case.status).toBe('open');
    expect(opened.suggestions.map((s) => s.organisationId)).toEqual([
      'lb-havering',
      'lb-barking-dagenham',
      'lb-redbridge',
      'met-ea-bcu',
    ]);
    caseId = opened.case.id;

    const replay = await coordinator.call(
      'POST',
      '/v1/cdop/cases',
      { notification },
      { idempotencyKey: 'cdop-open-0001' },
    );
    expect(replay.body).toEqual(opened);
    const second = await coordinator.call('POST', '/v1/cdop/cases', { notification });
    expect(second.status).toBe(409);

    // Two notifications of one child at the same moment: one case opens, the other is a 409.
    const twin = exampleNotification(bhrRef('9434765935'));
    const racing = await Promise.all([
      coordinator.call('POST', '/v1/cdop/cases', { notification: twin }),
      (await as('bhr-cdop.manager')).call('POST', '/v1/cdop/cases', { notification: twin }),
    ]);
    expect(racing.map((a) => a.status).sort()).toEqual([201, 409]);

    const practitioner = await as('lb-havering.practitioner');
    const refused = await practitioner.call('POST', '/v1/cdop/cases', {
      notification: exampleNotification(bhrRef('9434765927')),
    });
    expect(refused.status).toBe(403);
    const unknownVersion = await coordinator.call('POST', '/v1/cdop/cases', {
      notification: { ...notification, schemaVersion: '1999' },
    });
    expect(unknownVersion.status).toBe(400);
  });

  it('asks the agencies of the footprint and the East Area BCU; a Barnet agency is refused with the agreement needed', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    const asked = expectStatus(
      await coordinator.call<
        CaseAnswer & {
          items: {
            outcome: string;
            organisationId: string;
            requestId?: string;
            agreementNeeded?: { description: string };
          }[];
        }
      >(
        'POST',
        `/v1/cdop/cases/${caseId}/requests`,
        { agencies: [...agenciesAsked, 'lb-barnet'] },
        { idempotencyKey: 'cdop-ask-0001' },
      ),
      200,
      requestCdopReportsAnswer,
    );
    expect(asked.items.map((i) => [i.organisationId, i.outcome])).toEqual([
      ['lb-barking-dagenham', 'permitted'],
      ['lb-havering', 'permitted'],
      ['lb-redbridge', 'permitted'],
      ['met-ea-bcu', 'permitted'],
      ['lb-barnet', 'refused'],
    ]);
    const barnet = asked.items.find((i) => i.organisationId === 'lb-barnet');
    expect(barnet?.agreementNeeded?.description).toContain('bhr-cdop-area');
    expect(asked.case.refusals).toHaveLength(1);
    for (const i of asked.items) if (i.requestId !== undefined) requestOf.set(i.organisationId, i.requestId);

    // Only Barnet again: every ask refused is a 403, and the refusal is still kept on the case.
    const onlyBarnet = await coordinator.call('POST', `/v1/cdop/cases/${caseId}/requests`, {
      agencies: ['lb-barnet'],
    });
    expect(onlyBarnet.status).toBe(403);
    expect(onlyBarnet.body).toMatchObject({ error: 'REQUEST_REFUSED' });

    // The data requests are created by the case tracker from the signed call kept with the asks.
    const havering = await as('lb-havering.practitioner');
    const before = await havering.getRequest(requestOf.get('lb-havering') ?? '');
    expect(before.status).toBe(404);
    await exchange.runSchedule('TrackCdopCases');
    const after = expectStatus(await havering.getRequest(requestOf.get('lb-havering') ?? ''), 200);
    expect(after.request).toMatchObject({
      status: 'submitted',
      purpose: 'CDR_CASE_REVIEW',
      requester: { organisationId: 'bhr-cdop', userId: 'bhr-cdop.coordinator' },
      agreement: { id: 'isa-bhr-cdop' },
      // The request names the case that asked: a structured link, not words in its justification.
      cdopCase: { caseId },
    });
    // Running the tracker again creates nothing twice.
    const summary = (await exchange.runSchedule('TrackCdopCases')) as { created: number };
    expect(summary.created).toBe(0);
  });

  it('tracks each agency: answered, declined with reasons, still requested', async () => {
    const caseFor = (id: string) => `/v1/cdop/cases/${id}`;
    for (const agency of ['lb-havering', 'met-ea-bcu', 'lb-barking-dagenham']) {
      const released = await answerWithReport(
        `${agency}.practitioner`,
        requestOf.get(agency) ?? '',
        exampleReport(caseId, agency),
      );
      expect(released.status, JSON.stringify(released.body)).toBe(200);
    }
    const redbridge = await as('lb-redbridge.practitioner');
    expectStatus(
      await redbridge.decideRequest(requestOf.get('lb-redbridge') ?? '', {
        outcome: 'decline',
        reasons: 'no record of the child or the family',
      }),
      200,
    );
    await exchange.runSchedule('TrackCdopCases');
    const coordinator = await as('bhr-cdop.coordinator');
    const status = expectStatus(
      await coordinator.call<CaseAnswer>('GET', caseFor(caseId)),
      200,
      getCdopCaseAnswer,
    );
    expect(Object.fromEntries(status.agencies.map((a) => [a.organisationId, a.status]))).toEqual({
      'lb-barking-dagenham': 'answered',
      'lb-havering': 'answered',
      'lb-redbridge': 'declined',
      'met-ea-bcu': 'answered',
    });
    expect(status.agencies.find((a) => a.organisationId === 'lb-redbridge')?.declinedReasons).toBe(
      'no record of the child or the family',
    );
    const kinds = status.timeline.map((t) => t.kind);
    expect(kinds.filter((k) => k === 'report-received')).toHaveLength(3);
    expect(kinds).toContain('report-declined');
    expect(kinds).toContain('report-refused');

    // The case's events reached the CDOP's feed: opened, four asks, three reports received.
    const feed = expectStatus(
      await coordinator.call<{ events: { type: string; detail: { caseId?: string } }[] }>(
        'GET',
        '/v1/events?limit=100',
      ),
      200,
    );
    const types = feed.events.filter((e) => e.detail.caseId === caseId).map((e) => e.type);
    expect(types.filter((t) => t === 'CaseOpened')).toHaveLength(1);
    expect(types.filter((t) => t === 'ReportRequested')).toHaveLength(4);
    expect(types.filter((t) => t === 'ReportReceived')).toHaveLength(3);

    // Agencies see no case: the workspace is the CDOP's.
    const police = await as('met-ea-bcu.practitioner');
    expect((await police.call('GET', caseFor(caseId))).status).toBe(403);
  });

  it('assembles a panel pack with no identifying field, for the panel alone, every fetch audited', async () => {
    const manager = await as('bhr-cdop.manager');
    const assembled = expectStatus(
      await manager.call<{
        pack: {
          packHash: string;
          reports: number;
          agenciesOutstanding: string[];
          agenciesDeclined: string[];
        };
      }>('POST', `/v1/cdop/cases/${caseId}/pack`, undefined, { idempotencyKey: 'cdop-pack-0001' }),
      201,
      assemblePanelPackAnswer,
    );
    expect(assembled.pack.reports).toBe(3);
    // Redbridge declined: it is listed as declined, not as outstanding (issue 12, finding 10).
    expect(assembled.pack.agenciesOutstanding).toEqual([]);
    expect(assembled.pack.agenciesDeclined).toEqual(['lb-redbridge']);

    const fetched = expectStatus(
      await manager.call<{
        pack: { packHash: string; facts: Record<string, unknown>; reports: { agencyId: string }[] };
      }>('GET', `/v1/cdop/cases/${caseId}/pack`),
      200,
      panelPackAnswer,
    );
    expect(fetched.pack.packHash).toBe(assembled.pack.packHash);
    expect(fetched.pack.facts).toMatchObject({ ageBand: '1-4-years', placeCategory: 'home' });
    const text = JSON.stringify(fetched.pack).toLowerCase();
    for (const identifying of [
      exampleChild.givenNames,
      exampleChild.familyName,
      exampleChild.dateOfBirth,
      exampleChild.nhsNumber,
      exampleChild.address.postcode,
      ...exampleChild.address.lines,
      'grace okonkwo',
      'pat example',
      '-778812',
      'partA'.toLowerCase(),
    ]) {
      expect(text).not.toContain(identifying.toLowerCase());
    }

    // The pack's bytes are parsed at the boundary: a stored pack that is not one the exchange assembles (here, with
    // a part A put back into a report) is never served, not even to the panel.
    const s3 = new S3Client({
      region: localRegion,
      credentials: localCredentials,
      endpoint: exchange.s3Endpoint,
      forcePathStyle: true,
    });
    const stored = await s3.send(
      new GetObjectCommand({
        Bucket: localBucketName('payloads'),
        Key: `shares/cdop/${caseId}/pack-${assembled.pack.packHash}.json`,
      }),
    );
    const original = await stored.Body?.transformToByteArray();
    const storedPack = JSON.parse(Buffer.from(original ?? []).toString('utf8')) as {
      reports: { body: Record<string, unknown> }[];
    };
    const writePack = (bytes: Uint8Array) =>
      s3.send(
        new PutObjectCommand({
          Bucket: localBucketName('payloads'),
          Key: `shares/cdop/${caseId}/pack-${assembled.pack.packHash}.json`,
          Body: bytes,
          ContentType: 'application/json',
        }),
      );
    const [firstReport] = storedPack.reports;
    if (firstReport !== undefined)
      firstReport.body.partA = { child: { givenNames: exampleChild.givenNames } };
    await writePack(Buffer.from(JSON.stringify(storedPack)));
    const tampered = await manager.call('GET', `/v1/cdop/cases/${caseId}/pack`);
    expect(tampered.status).toBe(500);
    expect(JSON.stringify(tampered.body)).not.toContain(exampleChild.givenNames);
    await writePack(original ?? new Uint8Array());

    for (const outsider of ['lb-havering.practitioner', 'brent-harrow-cdop.manager', 'bhr-cdop.ig-lead']) {
      const refused = await (await as(outsider)).call('GET', `/v1/cdop/cases/${caseId}/pack`);
      expect(refused.status, outsider).toBe(403);
    }

    const ig = await as('bhr-cdop.ig-lead');
    await exchange.runSchedule('SequenceAuditLog');
    type Page = {
      entries: {
        entry: {
          action: string;
          outcome: string;
          target?: { id: string };
          actor?: { organisationId?: string };
        };
      }[];
      next?: number;
    };
    const found: Page['entries'] = [];
    for (let cursor: number | undefined = 0; cursor !== undefined; ) {
      const page: Page = expectStatus(
        await ig.call<Page>('GET', `/v1/audit/search?action=cdop.pack.fetch&limit=100&cursor=${cursor}`),
        200,
      );
      found.push(...page.entries);
      cursor = page.next;
    }
    const search = { entries: found.map((e) => e.entry) };
    const fetches = search.entries.filter((e) => e.action === 'cdop.pack.fetch');
    expect(fetches.filter((e) => e.outcome === 'allowed').map((e) => e.target?.id)).toEqual([
      `${caseId}/${assembled.pack.packHash}`,
    ]);
    // One refusal per outsider of this CDOP that the case concerns: its agency and its own IG lead. Another CDOP's
    // refused access concerns only that CDOP (issue 12 finding 4), so BHR's IG lead does not find it.
    expect(
      fetches
        .filter((e) => e.outcome === 'refused' && e.target?.id === caseId)
        .map((e) => e.actor?.organisationId)
        .sort(),
    ).toEqual(['bhr-cdop', 'lb-havering']);
  });

  it('closes with the analysis, counts in the figures with small numbers suppressed, and exports for the NCMD', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    const today = new Date().toISOString().slice(0, 10);
    const noAnalysis = await coordinator.call('POST', `/v1/cdop/cases/${caseId}/close`, {
      analysis: exampleAnalysis(caseId, today, { categoryOfDeath: 'misadventure' }),
    });
    expect(noAnalysis.status).toBe(400);
    const notClosed = await coordinator.call('GET', `/v1/cdop/cases/${caseId}/ncmd-export`);
    expect(notClosed.status).toBe(409);

    const closed = expectStatus(
      await coordinator.call<CaseAnswer>(
        'POST',
        `/v1/cdop/cases/${caseId}/close`,
        { analysis: exampleAnalysis(caseId, today) },
        { idempotencyKey: 'cdop-close-0001' },
      ),
      200,
      cdopCaseAnswer,
    );
    expect(closed.case.status).toBe('closed');
    const again = await coordinator.call('POST', `/v1/cdop/cases/${caseId}/close`, {
      analysis: exampleAnalysis(caseId, today),
    });
    expect(again.status).toBe(409);

    const year = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
    type Table = {
      rows: { borough: string; figures: { notified: unknown; closed: unknown } }[];
      total: { notified: unknown };
    };
    const published = expectStatus(
      await coordinator.call<{
        figures: { year: Table };
        learningThemes: { theme: string; cases: unknown }[];
      }>('GET', `/v1/cdop/figures?year=${year}`),
      200,
      cdopFiguresAnswer,
    );
    const havering = published.figures.year.rows.find((r) => r.borough === 'lb-havering');
    expect(havering?.figures.notified).toBe('<5');
    expect(published.figures.year.rows.map((r) => r.borough)).toEqual([
      'lb-barking-dagenham',
      'lb-havering',
      'lb-redbridge',
    ]);
    expect(published.learningThemes.map((t) => [t.theme, t.cases])).toContainEqual(['safer-sleeping', '<5']);
    const internal = expectStatus(
      await coordinator.call<{ figures: { year: Table } }>(
        'GET',
        `/v1/cdop/figures?year=${year}&for=internal`,
      ),
      200,
      cdopFiguresAnswer,
    );
    expect(internal.figures.year.rows.find((r) => r.borough === 'lb-havering')?.figures.closed).toBe(1);

    const exported = expectStatus(
      await coordinator.call<{ export: { exportSchemaVersion: string; reporting: { agencyId: string }[] } }>(
        'GET',
        `/v1/cdop/cases/${caseId}/ncmd-export?version=2026`,
      ),
      200,
      ncmdExportAnswer,
    );
    expect(exported.export.exportSchemaVersion).toBe('2026');
    expect(exported.export.reporting.map((r) => r.agencyId)).toEqual([
      'lb-barking-dagenham',
      'lb-havering',
      'met-ea-bcu',
    ]);
  });
});

describe('reports overdue, reminders, and a child of another CDOP area', () => {
  it('flags a report overdue past the CDOP due date and reminds the agency once', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    const opened = expectStatus(
      await coordinator.call<CaseAnswer>('POST', '/v1/cdop/cases', {
        notification: exampleNotification(bhrRef('9434765927'), { boroughOfResidence: 'lb-redbridge' }),
      }),
      201,
      openCdopCaseAnswer,
    );
    const caseId = opened.case.id;
    expectStatus(
      await coordinator.call('POST', `/v1/cdop/cases/${caseId}/requests`, { agencies: ['lb-redbridge'] }),
      200,
      requestCdopReportsAnswer,
    );
    await exchange.runSchedule('TrackCdopCases');
    // 29 days on, past the 28-day due date, the tracker (with a clock of the test's own) sees the report overdue
    // and reminds once, however often it runs.
    const doc = createDocumentClient(localDynamoClient(exchange));
    const later = fixedClock(new Date(Date.now() + 29 * 86_400_000).toISOString());
    const trackLater = () =>
      trackCases({
        cases: new DynamoCaseStore(doc, {
          cases: exchange.tableName('cdopCases'),
          audit: exchange.tableName('audit'),
          events: exchange.tableName('events'),
        }),
        requests: new DynamoRequestStore(doc, {
          requests: exchange.tableName('requests'),
          audit: exchange.tableName('audit'),
          events: exchange.tableName('events'),
        }),
        agreements: new DynamoAgreementStore(doc, {
          agreements: exchange.tableName('agreements'),
          audit: exchange.tableName('audit'),
        }),
        audit: new DynamoAuditLog(doc, exchange.tableName('audit')),
        clock: later,
      });
    await trackLater();
    await trackLater();
    {
      const status = expectStatus(
        await coordinator.call<CaseAnswer>('GET', `/v1/cdop/cases/${caseId}`),
        200,
        getCdopCaseAnswer,
      );
      // The tracker saw it overdue at its time; the API, at today's, still shows it requested and outstanding.
      expect(status.case.agencies).toMatchObject([
        { organisationId: 'lb-redbridge', lastSeenStatus: 'overdue' },
      ]);
      expect(status.agencies).toMatchObject([{ organisationId: 'lb-redbridge', status: 'requested' }]);
      expect(status.timeline.filter((t) => t.kind === 'reminder-sent')).toHaveLength(1);
      const list = expectStatus(
        await coordinator.call<{ outstanding: { organisationId: string; reports: { caseId: string }[] }[] }>(
          'GET',
          '/v1/cdop/cases?status=open',
        ),
        200,
        listCdopCasesAnswer,
      );
      const redbridge = list.outstanding.find((o) => o.organisationId === 'lb-redbridge');
      expect(redbridge?.reports.map((r) => r.caseId)).toContain(caseId);
      const feed = expectStatus(
        await (await as('lb-redbridge.practitioner')).call<{
          events: { type: string; detail: { caseId?: string; kind?: string } }[];
        }>('GET', '/v1/events?limit=100'),
        200,
      );
      expect(
        feed.events
          .filter((e) => e.type === 'ReportReminder' && e.detail.caseId === caseId)
          .map((e) => e.detail.kind),
      ).toEqual(['report-overdue']);
    }
  });

  it('passes a Brent child notified to BHR on to the Brent and Harrow CDOP, storing no case', async () => {
    const coordinator = await as('bhr-cdop.coordinator');
    const brentRef = deriveSubjectReference(
      { footprintId: 'brent-harrow-cdop-area', key: new Uint8Array(32).fill(3) },
      { kind: 'nhs-number', nhsNumber: '9434765919' },
    );
    const bhrCases = async () =>
      expectStatus(
        await coordinator.call<{ cases: unknown[] }>('GET', '/v1/cdop/cases'),
        200,
        listCdopCasesAnswer,
      ).cases;
    const bhrBefore = await bhrCases();
    const answer = expectStatus(
      await coordinator.call<{ outcome: string; notifyInstead: { cdopOrganisationId: string } }>(
        'POST',
        '/v1/cdop/cases',
        {
          notification: exampleNotification(brentRef, { boroughOfResidence: 'lb-brent' }),
        },
      ),
      200,
      openCdopCaseAnswer,
    );
    expect(answer).toMatchObject({
      outcome: 'notify-instead',
      notifyInstead: { cdopOrganisationId: 'brent-harrow-cdop' },
    });
    const brentHarrow = await as('brent-harrow-cdop.manager');
    const feed = expectStatus(
      await brentHarrow.call<{ events: { type: string; detail: Record<string, unknown> }[] }>(
        'GET',
        '/v1/events?limit=100',
      ),
      200,
    );
    const forwarded = feed.events.filter((e) => e.type === 'DeathNotificationForwarded');
    expect(forwarded).toHaveLength(1);
    expect(JSON.stringify(forwarded)).not.toContain('sr1.');
    // BHR stored no case for the Brent child: its list is as it was.
    expect(await bhrCases()).toEqual(bhrBefore);
  });
});
