import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { agreementSeed, seedAgreements } from '#local/seed/agreement-seed.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoRegistryReader } from '#shared/adapters/dynamodb/registry-store.ts';
import { type AgreementContent, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import type { ShareRequest } from '#shared/domain/agreements/decide.ts';
import { type AuditEntry, newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import { sha256Base64url } from '#shared/domain/auth/verify-signed-request.ts';
import { agreementViewSchema, decisionSchema, errorBodySchema } from '#shared/http/api-contract.ts';
import { operationList as routes } from '#shared/http/operations.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { brentHarrowReviewAgreement } from '../support/agreement-fixtures.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

// One ephemeral exchange for the file. The seeded agreements are only read; the lifecycle test drafts its own.
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

type Answer = { readonly status: number; readonly body: unknown; readonly requestHash: string };

/** A signed call by `<org>-system` acting for `user` (`<org>.<name>`), with the hash the audit log will carry. */
const call = async (user: string, method: string, path: string, body?: unknown): Promise<Answer> => {
  const organisationId = user.split('.')[0] ?? user;
  const clientId = `${organisationId}-system`;
  const caller = new PbxClient({
    url: exchange.url,
    clientId,
    key: await readPrivateKey(localKeyFile(exchange.keysDir, clientId)),
    audience: exchange.exchangeId,
    subject: user,
  });
  const bytes = body === undefined ? undefined : JSON.stringify(body);
  const signed = await caller.sign(method, path, bytes);
  const response = await caller.send(
    method,
    path,
    bytes === undefined ? undefined : signed.body,
    signed.authorization,
  );
  return { ...response, requestHash: sha256Base64url(signed.token) };
};

const entriesFor = async (requestHash: string): Promise<AuditEntry[]> =>
  (await audit.readAll()).filter((e) => e.requestHash === requestHash);

const expectError = (answer: Answer, status: number, code: string) =>
  expect({ status: answer.status, error: errorBodySchema.parse(answer.body).error }).toEqual({
    status,
    error: code,
  });

/**
 * Asks `POST /v1/decisions:evaluate` as `user` and checks the decision left exactly one audit entry saying the
 * same: outcome, every reason code, agreement version, purpose, lawful basis, consent state and data categories.
 */
const evaluate = async (user: string, request: ShareRequest) => {
  const answer = await call(user, 'POST', '/v1/decisions:evaluate', request);
  expect(answer.status).toBe(200);
  const decision = decisionSchema.parse(answer.body);
  const codes = decision.reasons.map((r) => r.code);
  const entries = await entriesFor(answer.requestHash);
  expect(entries).toEqual([
    expect.objectContaining({
      action: 'decision.evaluate',
      outcome: decision.decision === 'permit' ? 'allowed' : 'refused',
      reasonCodes: codes,
      actor: expect.objectContaining({ clientId: `${user.split('.')[0]}-system`, userId: user }),
      target: { type: 'organisation', id: request.responderOrganisationId },
      purpose: request.purpose,
      lawfulBasis: request.lawfulBasis,
      consentState: request.consent.state,
      dataCategories: request.dataCategories,
      ...(decision.agreement === undefined ? {} : { agreement: decision.agreement }),
    }),
  ]);
  return { ...decision, codes };
};

/** A child death review request under the Brent and Harrow CDOP agreement. */
const cdrRequest = (overrides: Partial<ShareRequest> = {}): ShareRequest => ({
  responderOrganisationId: 'lb-harrow',
  agreementId: 'isa-brent-harrow-cdop',
  purpose: 'CDR_CASE_REVIEW',
  dataCategories: ['identity-residence', 'child-death-details', 'health'],
  lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
  consent: { state: 'not-applicable' },
  ...overrides,
});

const membersOf = (footprintId: string) =>
  registrySeed.footprints.find((f) => f.id === footprintId)?.memberships.map((m) => m.organisationId);

describe('the seeded agreements', () => {
  it('are created on first start and signed by every party, so each is in force', async () => {
    const parties = agreementSeed.reduce((n, a) => n + a.content.parties.length, 0);
    expect(exchange.seeded.agreements).toEqual({ created: agreementSeed.length, signatures: parties });

    const answer = await call('lb-brent.practitioner', 'GET', '/v1/agreements');
    expect(answer.status).toBe(200);
    const { agreements } = z.object({ agreements: z.array(agreementViewSchema) }).parse(answer.body);
    for (const seed of agreementSeed) {
      const agreement = agreements.find((a) => a.id === seed.id);
      expect(agreement?.standing).toMatchObject({ state: 'in-force', version: 1 });
      const [version] = agreement?.versions ?? [];
      expect(version?.contentHash).toBe(contentHashOf(seed.content));
      expect(version?.signatures.map((s) => s.organisationId).sort()).toEqual(
        [...seed.content.parties].sort(),
      );
      expect(version?.signatures.every((s) => s.userId === `${s.organisationId}.ig-lead`)).toBe(true);
    }
  });

  it('are seeded once: seeding again over the same data creates and signs nothing, and audits nothing', async () => {
    const doc = createDocumentClient(dynamo);
    const before = (await audit.readAll()).length;
    const again = await seedAgreements({
      agreements: new DynamoAgreementStore(doc, {
        agreements: exchange.tableName('agreements'),
        audit: exchange.tableName('audit'),
      }),
      registry: new DynamoRegistryReader(doc, exchange.tableName('registry')),
      audit,
      clock: systemClock,
    });
    expect(again).toEqual({ created: 0, signatures: 0 });
    expect(await audit.readAll()).toHaveLength(before);
  });

  it('show one agreement with its versions and standing on GET /v1/agreements/{agreementId}', async () => {
    const answer = await call('lb-harrow.ig-lead', 'GET', '/v1/agreements/isa-bhr-cdop');
    expect(answer.status).toBe(200);
    const { agreement } = z.object({ agreement: agreementViewSchema }).parse(answer.body);
    expect(agreement).toMatchObject({
      id: 'isa-bhr-cdop',
      latestVersion: 1,
      standing: { state: 'in-force' },
    });
    expect(agreement.versions[0]?.content.footprintId).toBe('bhr-cdop-area');

    expectError(await call('lb-harrow.ig-lead', 'GET', '/v1/agreements/isa-none-such'), 404, 'NOT_FOUND');
  });
});

describe('POST /v1/decisions:evaluate', () => {
  it('permits a Brent request to Harrow under the Brent and Harrow CDOP agreement for child death review', async () => {
    const decision = await evaluate('lb-brent.practitioner', cdrRequest());
    expect(decision).toMatchObject({
      decision: 'permit',
      reasons: [],
      agreement: { id: 'isa-brent-harrow-cdop', version: 1 },
    });
    // The CDOP's own manager may ask a member borough too.
    const manager = await evaluate(
      'brent-harrow-cdop.manager',
      cdrRequest({ responderOrganisationId: 'lb-brent' }),
    );
    expect(manager.decision).toBe('permit');
  });

  it('refuses the same request from Brent to Barnet with footprint and party reasons, though both are in the North West BCU', async () => {
    expect(membersOf('north-west-bcu')).toEqual(expect.arrayContaining(['lb-brent', 'lb-barnet']));
    const decision = await evaluate(
      'lb-brent.practitioner',
      cdrRequest({ responderOrganisationId: 'lb-barnet' }),
    );
    expect(decision.decision).toBe('deny');
    expect(decision.codes.sort()).toEqual(['RESPONDER_NOT_A_PARTY', 'RESPONDER_NOT_IN_FOOTPRINT']);

    // Nor does the BCU's own agreement carry a child death review: no "same BCU" shortcut.
    const underMash = await evaluate(
      'lb-brent.practitioner',
      cdrRequest({ responderOrganisationId: 'lb-barnet', agreementId: 'isa-nw-bcu-mash' }),
    );
    expect(underMash.decision).toBe('deny');
    expect(underMash.codes).toContain('PURPOSE_NOT_IN_AGREEMENT');
  });

  it('refuses refused consent without a Schedule 1 para 18(2) reason with CONSENT_RULE_UNMET', async () => {
    // Child death review does not rest on consent, but sharing against a refusal needs the exemption recorded.
    const refused = await evaluate('lb-brent.practitioner', cdrRequest({ consent: { state: 'refused' } }));
    expect(refused).toMatchObject({ decision: 'deny' });
    expect(refused.codes).toEqual(['CONSENT_RULE_UNMET']);
    const exempted = await evaluate(
      'lb-brent.practitioner',
      cdrRequest({
        consent: {
          state: 'refused',
          exemption: 'would-prejudice-protection',
          rationale: 'asking again would alert the household',
        },
      }),
    );
    expect(exempted.decision).toBe('permit');

    // A MASH enquiry needs consent unless an exemption applies.
    const mash: ShareRequest = {
      responderOrganisationId: 'lb-barnet',
      agreementId: 'isa-nw-bcu-mash',
      purpose: 'SAFEGUARDING_REFERRAL_MASH',
      dataCategories: ['identity-residence', 'protection-status'],
      lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47'],
      consent: { state: 'refused' },
    };
    expect((await evaluate('lb-brent.practitioner', mash)).codes).toEqual(['CONSENT_RULE_UNMET']);
    const notSought = await evaluate('lb-brent.practitioner', {
      ...mash,
      consent: { state: 'not-sought', exemption: 'cannot-be-given', rationale: 'the child is an infant' },
    });
    expect(notSought.decision).toBe('permit');
  });

  it('refuses a role the purpose does not allow, and data, bases and agreements it does not hold', async () => {
    expect((await evaluate('lb-brent.ig-lead', cdrRequest())).codes).toEqual(['ROLE_NOT_ALLOWED']);
    const wide = await evaluate(
      'lb-brent.practitioner',
      cdrRequest({ dataCategories: ['criminal-offence'], lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47'] }),
    );
    expect(wide.codes.sort()).toEqual([
      'DATA_CATEGORY_NOT_ALLOWED',
      'LAWFUL_BASIS_NOT_IN_AGREEMENT',
      'LAWFUL_BASIS_NOT_PAIRED',
    ]);
    const none = await evaluate('lb-brent.practitioner', cdrRequest({ agreementId: 'isa-none-such' }));
    expect(none.codes).toEqual(['AGREEMENT_NOT_FOUND']);
  });

  it('answers a malformed request with 400 and no decision', async () => {
    const answer = await call('lb-brent.practitioner', 'POST', '/v1/decisions:evaluate', {
      ...cdrRequest(),
      purpose: 'GOSSIP',
    });
    expectError(answer, 400, 'INVALID_INPUT');
    // No decision entry: only the answer itself is audited (shared/http/operation-handler.ts).
    expect(await entriesFor(answer.requestHash)).toEqual([
      expect.objectContaining({ action: 'api.answer', outcome: 'refused', reasonCodes: ['INVALID_INPUT'] }),
    ]);
  });
});

describe('an agreement over the API, from draft to revocation', () => {
  const id = 'isa-it-lifecycle';
  const content: AgreementContent = brentHarrowReviewAgreement('Lifecycle test', 'IT');
  const request = cdrRequest({ agreementId: id });
  const agreementOf = (answer: Answer) =>
    z.object({ agreement: agreementViewSchema }).parse(answer.body).agreement;
  const versionOf = (answer: Answer) =>
    z.object({ version: agreementViewSchema.shape.versions.element }).parse(answer.body).version;
  const sign = (user: string, version: number, contentHash: string) =>
    call(user, 'POST', `/v1/agreements/${id}/versions/${version}/signatures`, { contentHash });
  const standingChange = (user: string, change: string, reason: string) =>
    call(user, 'POST', `/v1/agreements/${id}/${change}`, { reason });
  const expectAudited = async (answer: Answer, action: string) =>
    expect(await entriesFor(answer.requestHash)).toEqual([
      expect.objectContaining({ action, outcome: 'allowed', requestHash: answer.requestHash }),
    ]);

  it('is drafted by an IG lead, active once every party signs its content hash, suspended, resumed, amended and revoked', async () => {
    const unpaired = structuredClone(content);
    for (const purpose of unpaired.purposes) purpose.lawfulBasis = ['UKGDPR-6-1-e', 'CA2004-s16M'];
    expectError(
      await call('lb-brent.ig-lead', 'POST', '/v1/agreements', { id, content: unpaired }),
      400,
      'INVALID_AGREEMENT',
    );
    expectError(
      await call('lb-brent.practitioner', 'POST', '/v1/agreements', { id, content }),
      403,
      'NOT_PERMITTED',
    );

    const created = await call('lb-brent.ig-lead', 'POST', '/v1/agreements', { id, content });
    expect(created.status).toBe(201);
    const draft = agreementOf(created);
    expect(draft).toMatchObject({ id, latestVersion: 1, standing: { state: 'not-active' } });
    const contentHash = contentHashOf(content);
    expect(draft.versions[0]?.contentHash).toBe(contentHash);
    await expectAudited(created, 'agreement.create');
    expectError(
      await call('lb-harrow.ig-lead', 'POST', '/v1/agreements', { id, content }),
      409,
      'ALREADY_EXISTS',
    );

    // Signing: the exact content hash, by a governance role of a party, once per party.
    expectError(
      await sign('lb-brent.ig-lead', 1, contentHashOf({ ...content, title: 'other' })),
      409,
      'CONTENT_HASH_MISMATCH',
    );
    expectError(await sign('lb-brent.practitioner', 1, contentHash), 403, 'NOT_PERMITTED');
    expectError(await sign('lb-barnet.ig-lead', 1, contentHash), 403, 'NOT_PERMITTED');
    const first = await sign('lb-brent.ig-lead', 1, contentHash);
    expect(first.status).toBe(201);
    expect(versionOf(first).activatedAt).toBeUndefined();
    await expectAudited(first, 'agreement.version.sign');
    expectError(await sign('lb-brent.ig-lead', 1, contentHash), 409, 'ALREADY_SIGNED');
    expect((await evaluate('lb-brent.practitioner', request)).codes).toContain('AGREEMENT_NOT_ACTIVE');

    expect((await sign('lb-harrow.caldicott-guardian', 1, contentHash)).status).toBe(201);
    const last = await sign('brent-harrow-cdop.ig-lead', 1, contentHash);
    expect(versionOf(last).activatedAt).toEqual(expect.any(String));
    expect(versionOf(last).signatures.map((s) => s.role)).toEqual([
      'ig-lead',
      'caldicott-guardian',
      'ig-lead',
    ]);
    await expectAudited(last, 'agreement.version.activate');
    const active = agreementOf(await call('lb-harrow.practitioner', 'GET', `/v1/agreements/${id}`));
    expect(active.standing).toEqual({ state: 'in-force', version: 1, reviewOverdue: false });
    expect(await evaluate('lb-brent.practitioner', request)).toMatchObject({
      decision: 'permit',
      agreement: { id, version: 1 },
    });

    // Suspended: refused until resumed.
    const suspended = await standingChange('lb-harrow.ig-lead', 'suspend', 'data breach under investigation');
    expect(suspended.status).toBe(200);
    expect(agreementOf(suspended)).toMatchObject({
      suspended: { by: 'lb-harrow.ig-lead', reason: 'data breach under investigation' },
      standing: { state: 'suspended' },
    });
    await expectAudited(suspended, 'agreement.suspend');
    expect(await evaluate('lb-brent.practitioner', request)).toMatchObject({
      decision: 'deny',
      codes: ['AGREEMENT_SUSPENDED'],
    });
    const resumed = await standingChange('lb-harrow.ig-lead', 'resume', 'investigation closed');
    expect(agreementOf(resumed).standing.state).toBe('in-force');
    expect(agreementOf(resumed).suspended).toBeUndefined();
    await expectAudited(resumed, 'agreement.resume');
    expect((await evaluate('lb-brent.practitioner', request)).decision).toBe('permit');

    // A new version waits for signatures while version 1 stays in force.
    const amended = structuredClone(content);
    for (const purpose of amended.purposes) purpose.retentionDays = 365;
    const proposed = await call('brent-harrow-cdop.ig-lead', 'POST', `/v1/agreements/${id}/versions`, {
      content: amended,
    });
    expect(proposed.status).toBe(201);
    expect(versionOf(proposed)).toMatchObject({
      version: 2,
      contentHash: contentHashOf(amended),
      signatures: [],
    });
    await expectAudited(proposed, 'agreement.version.propose');
    const pending = agreementOf(await call('lb-brent.ig-lead', 'GET', `/v1/agreements/${id}`));
    expect(pending).toMatchObject({ latestVersion: 2, standing: { state: 'in-force', version: 1 } });
    expect(pending.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(await evaluate('lb-brent.practitioner', request)).toMatchObject({ agreement: { id, version: 1 } });

    // Revoked: final.
    const revoked = await standingChange(
      'lb-brent.caldicott-guardian',
      'revoke',
      'superseded by the pan-London ISA',
    );
    expect(agreementOf(revoked).standing).toEqual({ state: 'revoked' });
    await expectAudited(revoked, 'agreement.revoke');
    expect((await evaluate('lb-brent.practitioner', request)).codes).toEqual(['AGREEMENT_REVOKED']);
    expectError(await sign('lb-brent.ig-lead', 2, contentHashOf(amended)), 409, 'AGREEMENT_CLOSED');
    expectError(await standingChange('lb-brent.ig-lead', 'resume', 'undo'), 409, 'AGREEMENT_CLOSED');
  });
});

describe('the DynamoDB agreement store', () => {
  const store = () =>
    new DynamoAgreementStore(createDocumentClient(dynamo), {
      agreements: exchange.tableName('agreements'),
      audit: exchange.tableName('audit'),
    });
  const entry = () =>
    newAuditEntry(
      {
        actor: systemActor,
        action: 'agreement.test',
        target: { type: 'agreement', id: 'x' },
        outcome: 'allowed',
      },
      new Date(),
    );

  it('refuses writes made on a stale read, and writes no audit entry for them', async () => {
    const agreements = store();
    const read = await agreements.getAgreement('isa-east-area-missing');
    if (read === undefined) throw new Error('expected the seeded agreement');
    const { versions, ...current } = read;
    const [first] = versions;
    if (first === undefined) throw new Error('expected version 1');
    const before = (await audit.readAll()).length;

    // Someone else suspended it meanwhile: a change based on the unsuspended record must not overwrite that.
    const suspended = {
      ...current,
      suspended: { at: new Date().toISOString(), by: 'x.ig-lead', reason: 'test' },
    };
    expect(await agreements.updateAgreement(current, suspended, entry())).toBe(true);
    expect(
      await agreements.updateAgreement(current, { ...current, revoked: suspended.suspended }, entry()),
    ).toBe(false);
    expect(
      await agreements.addVersion({ ...current, latestVersion: 2 }, { ...first, version: 2 }, entry()),
    ).toBe(false);
    // A signature counted on a stale read of the version, and an id that is taken.
    const extra = { ...first, signatures: [...first.signatures, ...first.signatures] };
    expect(await agreements.updateVersion(extra, first.signatures.length - 1, entry())).toBe(false);
    expect(await agreements.createAgreement(current, first, entry())).toBe(false);
    expect(await audit.readAll()).toHaveLength(before + 1);

    const { suspended: _suspended, ...resumed } = suspended;
    expect(await agreements.updateAgreement(suspended, resumed, entry())).toBe(true);
    expect(await agreements.getAgreement('isa-east-area-missing')).toEqual(read);
  });
});

describe('GET /v1/openapi.json', () => {
  it('documents every operation of shared/http/operations.ts, unsigned, with the schemas that validate requests', async () => {
    const response = await fetch(`${exchange.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = z
      .object({
        openapi: z.string(),
        paths: z.record(z.string(), z.record(z.string(), z.looseObject({ operationId: z.string() }))),
        components: z.object({
          schemas: z.record(z.string(), z.looseObject({})),
          securitySchemes: z.record(z.string(), z.looseObject({})),
        }),
      })
      .parse(await response.json());
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path} ${r.id}`).sort());
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.security).toEqual(route.auth === 'signed' ? [{ 'PBX-JWS': [] }] : []);
    }
    expect(document.components.securitySchemes['PBX-JWS']).toMatchObject({ type: 'http', scheme: 'PBX-JWS' });
    expect(document.components.schemas.Error).toMatchObject({ required: ['error', 'message'] });

    const schemas = document.components.schemas;
    expect(schemas.AgreementContent).toMatchObject({
      type: 'object',
      properties: { parties: { type: 'array' }, purposes: { type: 'array' } },
    });
    expect(schemas.CreateAgreementRequest).toMatchObject({
      properties: { content: { $ref: '#/components/schemas/AgreementContent' } },
      required: ['content'],
    });
    const evaluateOperation = document.paths['/v1/decisions:evaluate']?.post;
    expect(evaluateOperation).toMatchObject({
      requestBody: {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ShareRequest' } } },
      },
      responses: {
        '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Decision' } } } },
      },
    });
    // Every reference resolves to a published component.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, name] of refs) expect(Object.keys(schemas)).toContain(name);
  });
});
