import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type AuditFacts,
  newAuditEntry,
  textSha256,
} from '#shared/domain/audit/audit-entry.ts';
import { auditEventOf, interactionOf } from '#shared/domain/audit/fhir-audit-event.ts';
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '#shared/domain/audit/fhir-r4.ts';
import { pbxCodeSystems, pbxIdentifierSystems } from '#shared/domain/audit/fhir-terminology.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { validateFhirR4 } from '../support/fhir-validator.ts';

/**
 * The mapping of audit log leaves to FHIR R4 AuditEvents (docs/AUDIT.md "FHIR AuditEvent export"): each kind of
 * entry gives a resource the FHIR validator accepts, with BALP's elements, the leaf it traces to, and nothing of
 * the child but the subject reference and nothing of free text but its hash.
 */

const origin = 'pbx.test/audit';
const nhsNumber = '943 476 5919';
const subjectRef = deriveSubjectReference(
  { footprintId: 'brent-harrow-cdop-area', key: new Uint8Array(32).fill(7) },
  { kind: 'nhs-number', nhsNumber },
);
const justification = 'Referral to MASH after a disclosure at school on Monday';
const practitioner = {
  kind: 'client',
  clientId: 'lb-brent-system',
  organisationId: 'lb-brent',
  userId: 'lb-brent.practitioner',
  role: 'practitioner',
} as const;
const onRequest = {
  actor: practitioner,
  target: { type: 'request', id: '01JREQUEST0000000000000000' },
  agreement: { id: 'nw-bcu-mash', version: 2 },
  agreementStanding: 'in-force',
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
  subjectRef,
  dataCategories: ['identity-residence', 'health'],
  parties: ['lb-brent', 'lb-harrow'],
  requestHash: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg',
  requestId: 'Xk3pQjYwLPEEMfA=',
} satisfies Partial<AuditFacts>;

const at = new Date('2026-11-02T09:30:00.000Z');
const entryOf = (facts: AuditFacts): AuditEntry => newAuditEntry(facts, at);

/** One entry of each kind the export meets, by name. */
const entries = {
  submitAllowed: entryOf({
    ...onRequest,
    action: 'request.submit',
    outcome: 'allowed',
    consentState: 'not-sought',
    consentExemption: 'would-prejudice-protection',
    textSha256: {
      justification: textSha256(justification),
      rationale: textSha256('the carer is the concern'),
    },
  }),
  submitRefused: entryOf({
    ...onRequest,
    action: 'request.submit',
    outcome: 'refused',
    reasonCodes: ['AGREEMENT_SUSPENDED'],
    agreementStanding: 'suspended',
  }),
  decision: entryOf({
    ...onRequest,
    actor: {
      ...practitioner,
      clientId: 'lb-harrow-system',
      organisationId: 'lb-harrow',
      userId: 'lb-harrow.p',
    },
    action: 'request.decide',
    outcome: 'allowed',
    decision: { outcome: 'partial', reasonCodes: ['NOT_NECESSARY'], withheldCategories: ['health'] },
    textSha256: { reasons: textSha256('health records are held by the GP') },
  }),
  fetch: entryOf({ ...onRequest, action: 'share.fetch', outcome: 'allowed' }),
  cdopStep: entryOf({
    actor: { ...practitioner, clientId: 'brent-harrow-cdop-system', organisationId: 'brent-harrow-cdop' },
    action: 'cdop.report.request',
    target: { type: 'cdop-case', id: '01JCASE0000000000000000000' },
    outcome: 'allowed',
    agreement: { id: 'bh-cdop', version: 1 },
    purpose: 'CDR_CASE_REVIEW',
    lawfulBasis: ['UKGDPR-6-1-e', 'CA2004-s16M'],
    subjectRef,
    parties: ['brent-harrow-cdop', 'lb-brent'],
    requestId: 'Xk3pRjYwLPEEMfB=',
  }),
  search: entryOf({
    actor: { ...practitioner, userId: 'lb-brent.ig-lead', role: 'ig-lead,caldicott-guardian' },
    action: 'audit.search',
    target: { type: 'audit-log', id: origin },
    outcome: 'allowed',
    search: { organisation: 'lb-brent', subject: 'given', action: 'request.submit' },
    requestId: 'Xk3pSjYwLPEEMfC=',
  }),
  sweep: entryOf({
    actor: { kind: 'system' },
    action: 'share.expire',
    target: { type: 'request', id: '01JREQUEST0000000000000000' },
    outcome: 'allowed',
    subjectRef,
    parties: ['lb-brent', 'lb-harrow'],
  }),
  refusedCaller: entryOf({
    actor: { kind: 'anonymous', claimedClientId: 'lb-brent-system' },
    action: 'request.authenticate',
    target: { type: 'request', malformedIdSha256: textSha256(nhsNumber) },
    outcome: 'refused',
    reasonCodes: ['BAD_SIGNATURE'],
  }),
  failed: entryOf({
    actor: practitioner,
    action: 'api.answer',
    target: { type: 'route', id: 'GET /v1/requests' },
    outcome: 'failed',
    reasonCodes: ['DEPENDENCY_UNAVAILABLE'],
  }),
} satisfies Record<string, AuditEntry>;

const eventOf = (entry: AuditEntry, index = 41): AuditEvent =>
  auditEventOf({ index, entry, leafHash: 'q83vEjRWeJA+ASNFZ4mrze8SNFZ4mrze8SNFZ4mrze8=' }, { origin });

const codesOf = (agent: AuditEventAgent) => agent.type?.coding.map((c) => c.code) ?? [];
const entityOfType = (event: AuditEvent, code: string): AuditEventEntity | undefined =>
  event.entity?.find((e) => e.type?.code === code);
const detailOf = (entity: AuditEventEntity | undefined, type: string) =>
  entity?.detail
    ?.filter((d) => d.type === type)
    .map((d) => ('valueString' in d ? d.valueString : d.valueBase64Binary));

describe('auditEventOf', () => {
  it.each(Object.entries(entries))('maps %s to an AuditEvent that validates as FHIR R4', (_, entry) => {
    const event = eventOf(entry);
    const { errors, warnings } = validateFhirR4(event);
    expect(errors).toEqual([]);
    // Only pbx's own codes (and BALP's request-id entity type) stand outside R4's extensible value sets.
    for (const warning of warnings) {
      expect(warning).toMatch(/not found in value set/);
      expect(warning).toMatch(/\((https:\/\/pbx\.example\/fhir\/|https:\/\/profiles\.ihe\.net\/ITI\/BALP\/)/);
    }
  });

  it.each(Object.entries(entries))(
    'keeps the NHS number and free text of %s out of the resource',
    (_, entry) => {
      const text = JSON.stringify(eventOf(entry));
      expect(text).not.toContain(nhsNumber);
      expect(text).not.toContain(nhsNumber.replaceAll(' ', ''));
      expect(text).not.toContain(justification);
      expect(text).not.toContain('GP');
    },
  );

  it('traces each resource to its leaf: the index and log, the leaf hash and the entry id', () => {
    const event = eventOf(entries.submitAllowed, 1234);
    expect(event.id).toBe(entries.submitAllowed.id);
    const leaf = entityOfType(event, 'audit-log-leaf');
    expect(leaf?.what?.identifier).toEqual({ system: pbxIdentifierSystems.auditLeaf, value: '1234' });
    expect(detailOf(leaf, 'log-origin')).toEqual([origin]);
    expect(detailOf(leaf, 'leafHash')).toEqual(['q83vEjRWeJA+ASNFZ4mrze8SNFZ4mrze8SNFZ4mrze8=']);
    expect(detailOf(leaf, 'entryId')).toEqual([entries.submitAllowed.id]);
    expect(event.source.observer.identifier).toEqual({
      system: pbxIdentifierSystems.auditLog,
      value: origin,
    });
    // Without a leaf hash (an entry mapped on its own) the rest still traces.
    const bare = auditEventOf({ index: 7, entry: entries.fetch }, { origin });
    expect(detailOf(entityOfType(bare, 'audit-log-leaf'), 'leafHash')).toEqual([]);
    expect(entityOfType(bare, 'audit-log-leaf')?.what?.identifier?.value).toBe('7');
  });

  it("records a submission as BALP's patient Create: user author, client source, the child as Patient", () => {
    const event = eventOf(entries.submitAllowed);
    expect(event).toMatchObject({
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      subtype: [
        { system: 'http://hl7.org/fhir/restful-interaction', code: 'create' },
        { system: pbxCodeSystems.action, code: 'request.submit' },
      ],
      action: 'C',
      recorded: entries.submitAllowed.time,
      outcome: '0',
      purposeOfEvent: [
        { coding: [{ system: pbxCodeSystems.purpose, code: 'SAFEGUARDING_REFERRAL_MASH' }] },
        { coding: [{ system: pbxCodeSystems.lawfulBasis, code: 'UKGDPR-6-1-e' }] },
        { coding: [{ system: pbxCodeSystems.lawfulBasis, code: 'UKGDPR-9-2-g' }] },
        { coding: [{ system: pbxCodeSystems.lawfulBasis, code: 'DPA2018-S1-P2-18' }] },
      ],
    });
    expect(event.outcomeDesc).toBeUndefined();
    const [user, client, server, ...others] = event.agent;
    expect(others).toEqual([]);
    expect(user).toMatchObject({
      who: {
        identifier: { system: pbxIdentifierSystems.user, value: 'lb-brent.practitioner' },
        display: 'lb-brent',
      },
      role: [{ coding: [{ system: pbxCodeSystems.role, code: 'practitioner' }] }],
      requestor: true,
    });
    expect(user && codesOf(user)).toEqual(['AUT']);
    expect(client).toMatchObject({
      who: { identifier: { system: pbxIdentifierSystems.client, value: 'lb-brent-system' } },
      requestor: false,
    });
    expect(client && codesOf(client)).toEqual(['110153', '110150']);
    expect(server && codesOf(server)).toEqual(['110152']);
    expect(server?.requestor).toBe(false);

    expect(entityOfType(event, '1')).toEqual({
      what: {
        type: 'Patient',
        identifier: { system: pbxIdentifierSystems.subjectReference, value: subjectRef },
      },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
    const request = entityOfType(event, '2');
    expect(request?.what?.identifier).toEqual({
      system: pbxIdentifierSystems.target('request'),
      value: '01JREQUEST0000000000000000',
    });
    expect(detailOf(request, 'dataCategory')).toEqual(['identity-residence', 'health']);
    expect(detailOf(request, 'consentState')).toEqual(['not-sought']);
    expect(detailOf(request, 'consentExemption')).toEqual(['would-prejudice-protection']);
    expect(detailOf(entityOfType(event, 'audit-log-leaf'), 'textSha256.justification')).toEqual([
      textSha256(justification),
    ]);
    const agreement = entityOfType(event, 'agreement');
    expect(agreement?.what?.identifier).toEqual({
      system: pbxIdentifierSystems.agreement,
      value: 'nw-bcu-mash',
    });
    expect(detailOf(agreement, 'version')).toEqual(['2']);
    expect(entityOfType(event, 'XrequestId')).toEqual({
      what: { identifier: { system: pbxIdentifierSystems.apiRequest, value: onRequest.requestId } },
      type: {
        system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
        code: 'XrequestId',
      },
      detail: [{ type: 'signedRequestSha256', valueString: onRequest.requestHash }],
    });
  });

  it('records a refusal as a minor failure with its reason codes, and a failure as a serious one', () => {
    const refused = eventOf(entries.submitRefused);
    expect(refused).toMatchObject({ outcome: '4', outcomeDesc: 'AGREEMENT_SUSPENDED', action: 'C' });
    expect(detailOf(entityOfType(refused, 'agreement'), 'standing')).toEqual(['suspended']);
    expect(eventOf(entries.failed)).toMatchObject({ outcome: '8', outcomeDesc: 'DEPENDENCY_UNAVAILABLE' });
  });

  it('records a decision as an update with its coded outcome, reasons and withheld categories', () => {
    const event = eventOf(entries.decision);
    expect(event.action).toBe('U');
    expect(event.subtype?.[0]?.code).toBe('update');
    const request = entityOfType(event, '2');
    expect(detailOf(request, 'decisionOutcome')).toEqual(['partial']);
    expect(detailOf(request, 'decisionReasonCode')).toEqual(['NOT_NECESSARY']);
    expect(detailOf(request, 'withheldCategory')).toEqual(['health']);
    expect(event.agent[0]?.who?.display).toBe('lb-harrow');
  });

  it("records a fetch as BALP's patient Read: the user a recipient, the client the destination", () => {
    const event = eventOf(entries.fetch);
    expect(event).toMatchObject({ action: 'R', subtype: [{ code: 'read' }, { code: 'share.fetch' }] });
    const [user, client, server] = event.agent;
    expect(user && codesOf(user)).toEqual(['IRCP']);
    expect(client && codesOf(client)).toEqual(['110152', '110150']);
    expect(server && codesOf(server)).toEqual(['110153']);
    expect(entityOfType(event, '1')?.what?.identifier?.value).toBe(subjectRef);
  });

  it('records a CDOP step on its case, with the child and the agreement', () => {
    const event = eventOf(entries.cdopStep);
    expect(event).toMatchObject({
      action: 'C',
      subtype: [{ code: 'create' }, { code: 'cdop.report.request' }],
    });
    expect(entityOfType(event, '2')?.what?.identifier).toEqual({
      system: pbxIdentifierSystems.target('cdop-case'),
      value: '01JCASE0000000000000000000',
    });
    expect(entityOfType(event, '1')?.what?.identifier?.value).toBe(subjectRef);
    expect(entityOfType(event, 'agreement')?.what?.identifier?.value).toBe('bh-cdop');
  });

  it("records a search as BALP's Query: execute, the filter base64 in a Query entity", () => {
    const event = eventOf(entries.search);
    expect(event).toMatchObject({ action: 'E', subtype: [{ code: 'search' }, { code: 'audit.search' }] });
    expect(event.agent[0]?.role).toEqual([
      { coding: [{ system: pbxCodeSystems.role, code: 'ig-lead' }] },
      { coding: [{ system: pbxCodeSystems.role, code: 'caldicott-guardian' }] },
    ]);
    const query = event.entity?.find((e) => e.role?.code === '24');
    expect(Buffer.from(query?.query ?? '', 'base64').toString('utf8')).toBe(
      'organisation=lb-brent&subject=given&action=request.submit',
    );
    expect(query?.what).toBeUndefined();
  });

  it("records the exchange's own step as a DICOM event it requested", () => {
    const event = eventOf(entries.sweep);
    expect(event.type).toMatchObject({
      system: 'http://dicom.nema.org/resources/ontology/DCM',
      code: '110110',
    });
    expect(event.subtype).toEqual([{ system: pbxCodeSystems.action, code: 'share.expire' }]);
    expect(event.action).toBe('D');
    expect(event.agent).toHaveLength(1);
    expect(event.agent[0]).toMatchObject({ requestor: true, who: { identifier: { value: origin } } });
    const other = eventOf(
      entryOf({ actor: { kind: 'system' }, action: 'registry.organisation.create', outcome: 'allowed' }),
    );
    expect(other.type.code).toBe('110100');
  });

  it('names a client a refused token only claimed apart from a confirmed one, and a malformed id by its hash', () => {
    const event = eventOf(entries.refusedCaller);
    expect(event.agent[0]).toMatchObject({
      who: { identifier: { system: pbxIdentifierSystems.claimedClient, value: 'lb-brent-system' } },
      requestor: true,
    });
    const target = entityOfType(event, '2');
    expect(target?.what).toBeUndefined();
    expect(detailOf(target, 'malformedIdSha256')).toEqual([textSha256(nhsNumber)]);
    expect(event).toMatchObject({ action: 'E', outcome: '4', outcomeDesc: 'BAD_SIGNATURE' });
  });

  it('maps an action it does not know as a RESTful operation rather than failing', () => {
    expect(interactionOf('request.frobnicate')).toBe('operation');
    expect(interactionOf('share.delete')).toBe('delete');
    const event = eventOf(entryOf({ actor: practitioner, action: 'request.frobnicate', outcome: 'allowed' }));
    expect(event).toMatchObject({
      action: 'E',
      subtype: [{ code: 'operation' }, { code: 'request.frobnicate' }],
    });
    expect(validateFhirR4(event).errors).toEqual([]);
  });
});

/** Audit entries of every shape the schema allows, with the values the exchange writes (codes, ids, hashes). */
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const code = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/);
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const arbitraryFacts: fc.Arbitrary<AuditFacts> = fc.record(
  {
    actor: fc.oneof(
      fc.record(
        {
          kind: fc.constant('client' as const),
          clientId: word,
          organisationId: word,
          userId: word,
          role: fc.array(word, { minLength: 1, maxLength: 3 }).map((roles) => roles.join(',')),
        },
        { requiredKeys: ['kind', 'clientId', 'organisationId'] },
      ),
      fc.constant({ kind: 'system' as const }),
      fc.record(
        { kind: fc.constant('anonymous' as const), claimedClientId: word },
        { requiredKeys: ['kind'] },
      ),
    ),
    action: fc.oneof(
      fc.constantFrom(
        'request.submit',
        'request.decide',
        'share.fetch',
        'audit.search',
        'cdop.case.open',
        'share.expire',
      ),
      fc.tuple(word, word).map(([a, b]) => `${a}.${b}`),
    ),
    target: fc.oneof(fc.record({ type: word, id: word }), fc.record({ type: word, malformedIdSha256: hex })),
    outcome: fc.constantFrom('allowed' as const, 'refused' as const, 'failed' as const),
    reasonCodes: fc.array(code, { maxLength: 3 }),
    agreement: fc.record({ id: word, version: fc.integer({ min: 1, max: 99 }) }),
    agreementStanding: word,
    reviewOverdue: fc.constant(true as const),
    purpose: code,
    lawfulBasis: fc.array(word, { minLength: 1, maxLength: 4 }),
    consentState: word,
    consentExemption: word,
    decision: fc.record(
      {
        outcome: word,
        reasonCodes: fc.array(code, { maxLength: 2 }),
        withheldCategories: fc.array(word, { maxLength: 2 }),
      },
      { requiredKeys: ['outcome'] },
    ),
    textSha256: fc.dictionary(word, hex, { maxKeys: 3 }),
    subjectRef: word.map((mac) => `sr1.north-west-bcu.${mac}`),
    dataCategories: fc.array(word, { maxLength: 3 }),
    requestHash: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    requestId: word,
    search: fc.dictionary(word, word, { minKeys: 1, maxKeys: 3 }),
    parties: fc.array(word, { maxLength: 3 }),
  },
  { requiredKeys: ['actor', 'action', 'outcome'] },
);

describe('auditEventOf over every shape of entry', () => {
  it('gives a valid R4 AuditEvent that names its leaf, its log and the entry', () => {
    fc.assert(
      fc.property(arbitraryFacts, fc.nat({ max: 10_000_000 }), (facts, index) => {
        const entry = entryOf(facts);
        const event = eventOf(entry, index);
        expect(validateFhirR4(event).errors).toEqual([]);
        const leaf = entityOfType(event, 'audit-log-leaf');
        expect(leaf?.what?.identifier?.value).toBe(String(index));
        expect(detailOf(leaf, 'log-origin')).toEqual([origin]);
        expect(event.id).toBe(entry.id);
        expect(event.agent.filter((agent) => agent.requestor).length).toBeLessThanOrEqual(1);
        expect(entityOfType(event, '1')?.what?.identifier?.value).toBe(entry.subjectRef);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the FHIR validator the tests rely on', () => {
  const good = eventOf(entries.submitAllowed);

  it.each([
    ['without the required source', { ...good, source: undefined }],
    ['with an outcome outside the required value set', { ...good, outcome: 'refused' }],
    ['with an action outside the required value set', { ...good, action: 'X' }],
    ['with an agent missing the required requestor', { ...good, agent: [{ who: { display: 'x' } }] }],
    ['with an element R4 does not define', { ...good, severity: 'informational' }],
    ['with no agent', { ...good, agent: [] }],
    ['with a string where a boolean belongs', { ...good, agent: [{ requestor: 'yes' }] }],
  ])('refuses a resource %s', (_, broken) => {
    expect(validateFhirR4(JSON.parse(JSON.stringify(broken)))).toMatchObject({
      errors: expect.arrayContaining([expect.any(String)]),
    });
  });
});
