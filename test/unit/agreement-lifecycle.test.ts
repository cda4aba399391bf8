import { describe, expect, it } from 'vitest';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { type AgreementContent, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import type { ShareRequest } from '#shared/domain/agreements/decide.ts';
import { evaluateRequest } from '#shared/domain/agreements/evaluate-request.ts';
import {
  changeAgreementStanding,
  createAgreement,
  proposeVersion,
  signVersion,
} from '#shared/domain/agreements/manage-agreements.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { PbxError } from '#shared/domain/errors.ts';
import { importRegistry } from '#shared/domain/registry/import-registry.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { InMemoryAgreementStore } from '../support/in-memory-agreement-store.ts';
import { InMemoryAuditLog, InMemoryRegistryStore } from '../support/in-memory-registry-store.ts';

/**
 * The agreement lifecycle through its use cases, on in-memory stores seeded with the real registry: drafting,
 * multi-party signing of the exact content hash, activation on the last signature, a new version that leaves the
 * old one in force until it is signed, suspension, resumption and revocation. Every success is committed with its
 * audit entry (the agreement store's `audit`), every refusal is recorded in the audit log, and every decision,
 * permit or deny, is audited with its facts.
 */

const setup = async () => {
  const clock = fixedClock('2026-03-02T09:00:00Z');
  const registry = new InMemoryRegistryStore();
  await importRegistry({ registry, clock }, registrySeed);
  const agreements = new InMemoryAgreementStore();
  const audit = new InMemoryAuditLog();
  const deps = { agreements, registry, audit, clock };

  const brief = (e: AuditEntry) => [e.action, e.outcome, e.reasonCodes] as const;
  /** Runs one action and returns its outcome (`accepted` or the error code) and the audit entries it added. */
  const step = async (action: () => Promise<unknown>) => {
    const stored = agreements.audit.length;
    const logged = audit.entries.length;
    let outcome: string;
    try {
      await action();
      outcome = 'accepted';
    } catch (error) {
      outcome = error instanceof PbxError ? error.code : `unexpected ${String(error)}`;
    }
    const committed = agreements.audit.slice(stored).map(brief);
    const recorded = audit.entries.slice(logged).map(brief);
    return { outcome, committed, recorded };
  };
  return { clock, registry, agreements, audit, deps, step };
};

let requests = 0;
/** A principal acting for a seeded user, through its organisation's system client. */
const as = (userId: string): Principal => {
  const user = registrySeed.users.find((u) => u.id === userId);
  if (user === undefined) throw new Error(`no seeded user ${userId}`);
  requests += 1;
  return {
    clientId: `${user.organisationId}-system`,
    organisationId: user.organisationId,
    kid: `${user.organisationId}-key-1`,
    alg: 'ES256',
    user: { id: user.id, roles: user.roles },
    jti: `jti-${requests}`,
    requestHash: `hash-of-request-${requests}`,
  };
};

const agreementId = 'isa-brent-harrow-cdop-cdr';

const content: AgreementContent = {
  title: 'Brent and Harrow CDOP: child death review',
  parties: ['lb-brent', 'lb-harrow', 'brent-harrow-cdop'],
  footprintId: 'brent-harrow-cdop-area',
  purposes: [
    {
      code: 'CDR_CASE_REVIEW',
      description: 'Agency reports on a child death for the CDOP',
      dataCategories: ['identity-residence', 'protection-status', 'health', 'child-death-details'],
      lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
      consentRule: 'not-required',
      rolesAllowedToRequest: ['practitioner', 'cdop-manager'],
      rolesAllowedToAnswer: ['practitioner'],
      retentionDays: 730,
    },
  ],
  validFrom: '2026-01-01',
  reviewDate: '2027-01-01',
  blockWhenReviewOverdue: false,
  dpiaReference: 'DPIA-BH-CDOP-2026',
  appropriatePolicyDocument: 'APD-BH-CDOP-2026',
};

const firstPurpose = (c: AgreementContent) => {
  const [purpose] = c.purposes;
  if (purpose === undefined) throw new Error('the agreement has a purpose');
  return purpose;
};

/** Version 2 adds mental-health data to the child death review. */
const contentV2: AgreementContent = {
  ...content,
  purposes: [
    { ...firstPurpose(content), dataCategories: [...firstPurpose(content).dataCategories, 'mental-health'] },
  ],
};

const request: ShareRequest = {
  responderOrganisationId: 'lb-harrow',
  agreementId,
  purpose: 'CDR_CASE_REVIEW',
  dataCategories: ['identity-residence', 'child-death-details'],
  lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
  consent: { state: 'not-applicable' },
};
const mentalHealthRequest: ShareRequest = {
  ...request,
  dataCategories: ['identity-residence', 'mental-health'],
};

describe('creating an agreement', () => {
  const badFootprint: AgreementContent = { ...content, footprintId: 'north-west-bcu' };
  const unpaired: AgreementContent = {
    ...content,
    purposes: [{ ...firstPurpose(content), lawfulBasis: ['UKGDPR-6-1-e', 'CA2004-s16M'] }],
  };

  it.each([
    ['a non-party’s IG lead', 'lb-barnet.ig-lead', content, 'NOT_PERMITTED'],
    ['a party’s practitioner', 'lb-brent.practitioner', content, 'NOT_PERMITTED'],
    ['a party’s CDOP manager', 'brent-harrow-cdop.manager', content, 'NOT_PERMITTED'],
    ['a child death review across a police BCU', 'lb-brent.ig-lead', badFootprint, 'INVALID_AGREEMENT'],
    ['bases that do not cover the data', 'lb-brent.ig-lead', unpaired, 'INVALID_AGREEMENT'],
    [
      'an unknown party',
      'lb-brent.ig-lead',
      { ...content, parties: [...content.parties, 'lb-nowhere'] },
      'INVALID_AGREEMENT',
    ],
    [
      'an unknown footprint',
      'lb-brent.ig-lead',
      { ...content, footprintId: 'atlantis-cdop' },
      'INVALID_AGREEMENT',
    ],
  ])('refuses %s, and audits the refusal', async (_, who, draft, code) => {
    const { deps, agreements, step } = await setup();
    const result = await step(() =>
      createAgreement(deps, { principal: as(who), id: agreementId, content: draft }),
    );
    expect(result).toEqual({
      outcome: code,
      committed: [],
      recorded: [['agreement.create', 'refused', [code]]],
    });
    expect(await agreements.getAgreement(agreementId)).toBeUndefined();
  });

  it('lets a party’s IG lead, a party’s Caldicott guardian or the operator draft one, but only once per id', async () => {
    const { deps, step, agreements } = await setup();
    for (const [who, id] of [
      ['lb-brent.ig-lead', 'isa-by-ig-lead'],
      ['lb-harrow.caldicott-guardian', 'isa-by-caldicott-guardian'],
      ['pbx-operations.operator', 'isa-by-operator'],
    ] as const) {
      expect(await step(() => createAgreement(deps, { principal: as(who), id, content }))).toEqual({
        outcome: 'accepted',
        committed: [['agreement.create', 'allowed', []]],
        recorded: [],
      });
      const created = await agreements.getAgreement(id);
      expect(created?.latestVersion).toBe(1);
      expect(created?.versions.map((v) => [v.version, v.contentHash, v.signatures, v.activatedAt])).toEqual([
        [1, contentHashOf(content), [], undefined],
      ]);
    }
    expect(
      await step(() =>
        createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: 'isa-by-ig-lead', content }),
      ),
    ).toEqual({
      outcome: 'ALREADY_EXISTS',
      committed: [],
      recorded: [['agreement.create', 'refused', ['ALREADY_EXISTS']]],
    });
  });
});

describe('the lifecycle of an agreement, end to end', () => {
  it('drafts, signs, activates, versions, suspends, resumes and revokes, auditing every step', async () => {
    const { deps, step, clock, agreements, audit } = await setup();
    const evaluate = async (principal: Principal, r: ShareRequest = request) =>
      (await evaluateRequest(deps, { principal, request: r })).decision;
    /** Evaluates a request by Brent's practitioner; each evaluation records exactly one audit entry. */
    const codes = async (r: ShareRequest = request) => {
      const before = audit.entries.length;
      const storedBefore = agreements.audit.length;
      const decision = await evaluate(as('lb-brent.practitioner'), r);
      expect(audit.entries.slice(before).map((e) => [e.action, e.outcome, e.reasonCodes])).toEqual([
        [
          'decision.evaluate',
          decision.decision === 'permit' ? 'allowed' : 'refused',
          decision.reasons.map((x) => x.code),
        ],
      ]);
      // Deciding changes no agreement.
      expect(agreements.audit.length).toBe(storedBefore);
      return {
        decision: decision.decision,
        codes: decision.reasons.map((x) => x.code),
        version: decision.agreement?.version,
      };
    };
    const sign = (who: string, version: number, hash: string) =>
      step(() => signVersion(deps, { principal: as(who), agreementId, version, contentHash: hash }));

    // Drafted by Brent's IG lead: version 1, awaiting every party's signature, not yet in force.
    expect(
      await step(() =>
        createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content }),
      ),
    ).toEqual({
      outcome: 'accepted',
      committed: [['agreement.create', 'allowed', []]],
      recorded: [],
    });
    expect(await codes()).toEqual({ decision: 'deny', codes: ['AGREEMENT_NOT_ACTIVE'], version: undefined });

    // Each party signs the hash of the document it read: the canonical content, computed on its own side.
    const hash1 = contentHashOf(content);
    clock.set('2026-03-02T10:00:00Z');
    expect(await sign('lb-brent.ig-lead', 1, 'not-a-content-hash')).toEqual({
      outcome: 'CONTENT_HASH_MISMATCH',
      committed: [],
      recorded: [['agreement.version.sign', 'refused', ['CONTENT_HASH_MISMATCH']]],
    });
    expect(
      await sign('lb-brent.ig-lead', 1, contentHashOf({ ...content, title: 'Another agreement' })),
    ).toMatchObject({
      outcome: 'CONTENT_HASH_MISMATCH',
    });
    expect(await sign('lb-barnet.ig-lead', 1, hash1)).toEqual({
      outcome: 'NOT_PERMITTED',
      committed: [],
      recorded: [['agreement.version.sign', 'refused', ['NOT_PERMITTED']]],
    });
    expect(await sign('lb-brent.practitioner', 1, hash1)).toMatchObject({ outcome: 'NOT_PERMITTED' });
    expect(await sign('pbx-operations.operator', 1, hash1)).toMatchObject({ outcome: 'NOT_PERMITTED' });
    expect(await sign('lb-brent.ig-lead', 2, hash1)).toMatchObject({ outcome: 'NOT_FOUND' });

    expect(await sign('lb-brent.ig-lead', 1, hash1)).toEqual({
      outcome: 'accepted',
      committed: [['agreement.version.sign', 'allowed', []]],
      recorded: [],
    });
    expect(await sign('lb-brent.caldicott-guardian', 1, hash1)).toEqual({
      outcome: 'ALREADY_SIGNED',
      committed: [],
      recorded: [['agreement.version.sign', 'refused', ['ALREADY_SIGNED']]],
    });
    expect(await sign('lb-brent.ig-lead', 1, hash1)).toMatchObject({ outcome: 'ALREADY_SIGNED' });
    expect(await sign('lb-harrow.caldicott-guardian', 1, hash1)).toMatchObject({
      outcome: 'accepted',
      committed: [['agreement.version.sign', 'allowed', []]],
    });
    // Two of three parties have signed: still not in force.
    expect((await agreements.getAgreement(agreementId))?.versions[0]?.activatedAt).toBeUndefined();
    expect(await codes()).toEqual({ decision: 'deny', codes: ['AGREEMENT_NOT_ACTIVE'], version: undefined });

    clock.set('2026-03-03T09:00:00Z');
    expect(await sign('brent-harrow-cdop.ig-lead', 1, hash1)).toEqual({
      outcome: 'accepted',
      committed: [['agreement.version.activate', 'allowed', []]],
      recorded: [],
    });
    const v1 = (await agreements.getAgreement(agreementId))?.versions[0];
    expect(v1?.activatedAt).toBe('2026-03-03T09:00:00.000Z');
    expect(v1?.signatures.map((s) => [s.organisationId, s.userId, s.role, s.contentHash])).toEqual([
      ['lb-brent', 'lb-brent.ig-lead', 'ig-lead', hash1],
      ['lb-harrow', 'lb-harrow.caldicott-guardian', 'caldicott-guardian', hash1],
      ['brent-harrow-cdop', 'brent-harrow-cdop.ig-lead', 'ig-lead', hash1],
    ]);
    expect(await codes()).toEqual({ decision: 'permit', codes: [], version: 1 });
    expect(await codes(mentalHealthRequest)).toEqual({
      decision: 'deny',
      codes: ['DATA_CATEGORY_NOT_ALLOWED'],
      version: 1,
    });

    // Version 2 is proposed: version 1 stays in force until every party has signed version 2.
    clock.set('2026-04-01T09:00:00Z');
    expect(
      await step(() =>
        proposeVersion(deps, { principal: as('lb-brent.practitioner'), agreementId, content: contentV2 }),
      ),
    ).toMatchObject({
      outcome: 'NOT_PERMITTED',
      recorded: [['agreement.version.propose', 'refused', ['NOT_PERMITTED']]],
    });
    expect(
      await step(() =>
        proposeVersion(deps, { principal: as('lb-harrow.ig-lead'), agreementId, content: contentV2 }),
      ),
    ).toMatchObject({ outcome: 'accepted', committed: [['agreement.version.propose', 'allowed', []]] });
    const hash2 = contentHashOf(contentV2);
    expect(hash2).not.toBe(hash1);
    expect(await sign('lb-brent.ig-lead', 2, hash1)).toMatchObject({ outcome: 'CONTENT_HASH_MISMATCH' });
    expect(await sign('lb-brent.ig-lead', 2, hash2)).toMatchObject({ outcome: 'accepted' });
    expect(await sign('lb-harrow.ig-lead', 2, hash2)).toMatchObject({ outcome: 'accepted' });
    expect(await codes()).toEqual({ decision: 'permit', codes: [], version: 1 });
    expect(await codes(mentalHealthRequest)).toEqual({
      decision: 'deny',
      codes: ['DATA_CATEGORY_NOT_ALLOWED'],
      version: 1,
    });
    expect(await sign('brent-harrow-cdop.ig-lead', 2, hash2)).toMatchObject({
      outcome: 'accepted',
      committed: [['agreement.version.activate', 'allowed', []]],
    });
    expect(await codes(mentalHealthRequest)).toEqual({ decision: 'permit', codes: [], version: 2 });
    // Old versions stay readable.
    expect(
      (await agreements.getAgreement(agreementId))?.versions.map((v) => [v.version, v.contentHash]),
    ).toEqual([
      [1, hash1],
      [2, hash2],
    ]);

    // Suspended by a party: refused while suspended, permitted again once resumed.
    clock.set('2026-05-01T09:00:00Z');
    expect(
      await step(() =>
        changeAgreementStanding(deps, {
          principal: as('lb-barnet.ig-lead'),
          agreementId,
          change: 'suspend',
          reason: 'not a party',
        }),
      ),
    ).toEqual({
      outcome: 'NOT_PERMITTED',
      committed: [],
      recorded: [['agreement.suspend', 'refused', ['NOT_PERMITTED']]],
    });
    expect(
      await step(() =>
        changeAgreementStanding(deps, {
          principal: as('lb-harrow.ig-lead'),
          agreementId,
          change: 'suspend',
          reason: 'data breach under investigation',
        }),
      ),
    ).toEqual({ outcome: 'accepted', committed: [['agreement.suspend', 'allowed', []]], recorded: [] });
    expect(await codes()).toEqual({ decision: 'deny', codes: ['AGREEMENT_SUSPENDED'], version: undefined });

    clock.set('2026-05-08T09:00:00Z');
    expect(
      await step(() =>
        changeAgreementStanding(deps, {
          principal: as('lb-harrow.ig-lead'),
          agreementId,
          change: 'resume',
          reason: 'investigation closed',
        }),
      ),
    ).toMatchObject({ outcome: 'accepted', committed: [['agreement.resume', 'allowed', []]] });
    expect((await agreements.getAgreement(agreementId))?.suspended).toBeUndefined();
    expect(await codes()).toEqual({ decision: 'permit', codes: [], version: 2 });

    // A version 3 is proposed, then the agreement is revoked: nothing can be signed, proposed or changed after.
    const contentV3: AgreementContent = { ...contentV2, reviewDate: '2027-06-01' };
    const hash3 = contentHashOf(contentV3);
    expect(
      await step(() =>
        proposeVersion(deps, { principal: as('lb-brent.ig-lead'), agreementId, content: contentV3 }),
      ),
    ).toMatchObject({ outcome: 'accepted' });
    expect(await sign('lb-brent.ig-lead', 3, hash3)).toMatchObject({ outcome: 'accepted' });
    clock.set('2026-06-01T09:00:00Z');
    expect(
      await step(() =>
        changeAgreementStanding(deps, {
          principal: as('brent-harrow-cdop.ig-lead'),
          agreementId,
          change: 'revoke',
          reason: 'replaced by a pan-London agreement',
        }),
      ),
    ).toEqual({ outcome: 'accepted', committed: [['agreement.revoke', 'allowed', []]], recorded: [] });
    expect(await codes()).toEqual({ decision: 'deny', codes: ['AGREEMENT_REVOKED'], version: undefined });
    expect(await sign('lb-harrow.ig-lead', 3, hash3)).toEqual({
      outcome: 'AGREEMENT_CLOSED',
      committed: [],
      recorded: [['agreement.version.sign', 'refused', ['AGREEMENT_CLOSED']]],
    });
    expect(await sign('brent-harrow-cdop.ig-lead', 3, hash3)).toMatchObject({ outcome: 'AGREEMENT_CLOSED' });
    expect(
      await step(() =>
        proposeVersion(deps, { principal: as('lb-brent.ig-lead'), agreementId, content: contentV3 }),
      ),
    ).toMatchObject({ outcome: 'AGREEMENT_CLOSED' });
    for (const change of ['suspend', 'resume', 'revoke'] as const) {
      expect(
        await step(() =>
          changeAgreementStanding(deps, {
            principal: as('lb-brent.ig-lead'),
            agreementId,
            change,
            reason: 'again',
          }),
        ),
      ).toMatchObject({
        outcome: 'AGREEMENT_CLOSED',
        recorded: [[`agreement.${change}`, 'refused', ['AGREEMENT_CLOSED']]],
      });
    }
    expect(
      (await agreements.getAgreement(agreementId))?.versions.find((v) => v.version === 3)?.activatedAt,
    ).toBeUndefined();

    // Every state change was committed with its audit entry; every refusal and every decision was recorded.
    expect(agreements.audit.map((e) => e.action)).toEqual([
      'agreement.create',
      'agreement.version.sign',
      'agreement.version.sign',
      'agreement.version.activate',
      'agreement.version.propose',
      'agreement.version.sign',
      'agreement.version.sign',
      'agreement.version.activate',
      'agreement.suspend',
      'agreement.resume',
      'agreement.version.propose',
      'agreement.version.sign',
      'agreement.revoke',
    ]);
    expect(agreements.audit.every((e) => e.outcome === 'allowed' && e.actor.kind === 'client')).toBe(true);
    const decisions = audit.entries.filter((e) => e.action === 'decision.evaluate');
    expect(decisions.map((e) => [e.outcome, e.reasonCodes, e.agreement?.version])).toEqual([
      ['refused', ['AGREEMENT_NOT_ACTIVE'], undefined],
      ['refused', ['AGREEMENT_NOT_ACTIVE'], undefined],
      ['allowed', [], 1],
      ['refused', ['DATA_CATEGORY_NOT_ALLOWED'], 1],
      ['allowed', [], 1],
      ['refused', ['DATA_CATEGORY_NOT_ALLOWED'], 1],
      ['allowed', [], 2],
      ['refused', ['AGREEMENT_SUSPENDED'], undefined],
      ['allowed', [], 2],
      ['refused', ['AGREEMENT_REVOKED'], undefined],
    ]);
    const refusals = audit.entries.filter((e) => e.action !== 'decision.evaluate');
    expect(refusals.every((e) => e.outcome === 'refused' && e.reasonCodes.length === 1)).toBe(true);
  });
});

describe('evaluating a request', () => {
  it('records one audit entry per decision, permit or deny, with its facts', async () => {
    const { deps, agreements, audit, clock } = await setup();
    await createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content });
    for (const who of ['lb-brent.ig-lead', 'lb-harrow.ig-lead', 'brent-harrow-cdop.ig-lead']) {
      await signVersion(deps, {
        principal: as(who),
        agreementId,
        version: 1,
        contentHash: contentHashOf(content),
      });
    }
    expect(audit.entries).toEqual([]);
    clock.set('2026-03-04T09:00:00Z');

    const permitted = as('lb-brent.practitioner');
    const { decision: permit } = await evaluateRequest(deps, { principal: permitted, request });
    const refusedRequest: ShareRequest = {
      ...request,
      responderOrganisationId: 'lb-barnet',
      consent: { state: 'refused' },
    };
    const refused = as('lb-brent.practitioner');
    const { decision: deny } = await evaluateRequest(deps, {
      principal: refused,
      request: refusedRequest,
      action: 'request.submit',
    });

    expect(permit.decision).toBe('permit');
    expect(deny.decision).toBe('deny');
    expect(audit.entries).toHaveLength(2);
    expect(audit.entries[0]).toMatchObject({
      time: '2026-03-04T09:00:00.000Z',
      actor: {
        kind: 'client',
        clientId: 'lb-brent-system',
        organisationId: 'lb-brent',
        userId: 'lb-brent.practitioner',
      },
      action: 'decision.evaluate',
      target: { type: 'organisation', id: 'lb-harrow' },
      outcome: 'allowed',
      reasonCodes: [],
      agreement: { id: agreementId, version: 1 },
      purpose: 'CDR_CASE_REVIEW',
      lawfulBasis: request.lawfulBasis,
      consentState: 'not-applicable',
      dataCategories: request.dataCategories,
      requestHash: permitted.requestHash,
    });
    expect(audit.entries[1]).toMatchObject({
      action: 'request.submit',
      target: { type: 'organisation', id: 'lb-barnet' },
      outcome: 'refused',
      agreement: { id: agreementId, version: 1 },
      purpose: 'CDR_CASE_REVIEW',
      lawfulBasis: request.lawfulBasis,
      consentState: 'refused',
      dataCategories: request.dataCategories,
      requestHash: refused.requestHash,
    });
    expect(audit.entries[1]?.reasonCodes.slice().sort()).toEqual([
      'CONSENT_RULE_UNMET',
      'RESPONDER_NOT_A_PARTY',
      'RESPONDER_NOT_IN_FOOTPRINT',
    ]);
    // Deciding changes no agreement.
    expect(agreements.audit.map((e) => e.action)).not.toContain('decision.evaluate');
  });

  it('records a refusal for an agreement that does not exist', async () => {
    const { deps, audit } = await setup();
    const { decision } = await evaluateRequest(deps, {
      principal: as('lb-brent.practitioner'),
      request: { ...request, agreementId: 'isa-none' },
    });
    expect(decision.reasons.map((r) => r.code)).toEqual(['AGREEMENT_NOT_FOUND']);
    expect(audit.entries.map((e) => [e.outcome, e.reasonCodes, e.agreement])).toEqual([
      ['refused', ['AGREEMENT_NOT_FOUND'], undefined],
    ]);
  });
});

describe('concurrent governance', () => {
  const signedBy = async (who: readonly string[]) => {
    const ctx = await setup();
    await createAgreement(ctx.deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content });
    for (const w of who) {
      await signVersion(ctx.deps, {
        principal: as(w),
        agreementId,
        version: 1,
        contentHash: contentHashOf(content),
      });
    }
    return ctx;
  };

  it('lets only one of two parties signing at once win; the other is refused CONFLICT and may retry', async () => {
    const { deps, step, agreements } = await signedBy(['lb-brent.ig-lead']);
    const [harrow, cdop] = await Promise.all([
      step(() =>
        signVersion(deps, {
          principal: as('lb-harrow.ig-lead'),
          agreementId,
          version: 1,
          contentHash: contentHashOf(content),
        }),
      ),
      step(() =>
        signVersion(deps, {
          principal: as('brent-harrow-cdop.ig-lead'),
          agreementId,
          version: 1,
          contentHash: contentHashOf(content),
        }),
      ),
    ]);
    expect([harrow?.outcome, cdop?.outcome].sort()).toEqual(['CONFLICT', 'accepted']);
    expect((await agreements.getAgreement(agreementId))?.versions[0]?.signatures).toHaveLength(2);
    const loser = harrow?.outcome === 'CONFLICT' ? 'lb-harrow.ig-lead' : 'brent-harrow-cdop.ig-lead';
    await signVersion(deps, {
      principal: as(loser),
      agreementId,
      version: 1,
      contentHash: contentHashOf(content),
    });
    expect((await agreements.getAgreement(agreementId))?.versions[0]?.activatedAt).toBeDefined();
  });

  it('numbers versions without gaps when two are proposed at once', async () => {
    const { deps, step, agreements } = await signedBy([]);
    const outcomes = await Promise.all(
      ['lb-brent.ig-lead', 'lb-harrow.ig-lead'].map((who) =>
        step(() => proposeVersion(deps, { principal: as(who), agreementId, content: contentV2 })),
      ),
    );
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['CONFLICT', 'accepted']);
    const stored = await agreements.getAgreement(agreementId);
    expect([stored?.latestVersion, stored?.versions.map((v) => v.version)]).toEqual([2, [1, 2]]);
  });
});

describe('who may govern an agreement', () => {
  /**
   * Governing an agreement is for the parties of the version that governs it now (in force, else the latest), not
   * for whoever a proposed change would add: a non-party cannot propose itself in and then revoke.
   */
  it('refuses a non-party’s IG lead proposing a version that names its own organisation', async () => {
    const { deps, step } = await setup();
    await createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content });
    const hijack: AgreementContent = { ...content, parties: [...content.parties, 'lb-barnet'] };
    expect(
      await step(() =>
        proposeVersion(deps, { principal: as('lb-barnet.ig-lead'), agreementId, content: hijack }),
      ),
    ).toEqual({
      outcome: 'NOT_PERMITTED',
      committed: [],
      recorded: [['agreement.version.propose', 'refused', ['NOT_PERMITTED']]],
    });
  });

  /** Suspending, resuming and revoking are for the governing parties too; a refused proposal adds no one. */
  it('refuses a non-party revoking an agreement after proposing a version that names it', async () => {
    const { deps, step, agreements } = await setup();
    await createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content });
    const hijack: AgreementContent = { ...content, parties: [...content.parties, 'lb-barnet'] };
    await step(() =>
      proposeVersion(deps, { principal: as('lb-barnet.ig-lead'), agreementId, content: hijack }),
    );
    const revoke = () =>
      changeAgreementStanding(deps, {
        principal: as('lb-barnet.ig-lead'),
        agreementId,
        change: 'revoke',
        reason: 'not ours to revoke',
      });
    expect((await step(revoke)).outcome).toBe('NOT_PERMITTED');
    expect((await agreements.getAgreement(agreementId))?.revoked).toBeUndefined();
  });

  /** Authority is read from the version in force, not from a proposal that leaves a party out. */
  it('lets a party to the version in force suspend it while a version without it awaits signatures', async () => {
    const { deps, step } = await setup();
    await createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content });
    for (const who of ['lb-brent.ig-lead', 'lb-harrow.ig-lead', 'brent-harrow-cdop.ig-lead']) {
      await signVersion(deps, {
        principal: as(who),
        agreementId,
        version: 1,
        contentHash: contentHashOf(content),
      });
    }
    const withoutCdop: AgreementContent = { ...content, parties: ['lb-brent', 'lb-harrow'] };
    await proposeVersion(deps, { principal: as('lb-brent.ig-lead'), agreementId, content: withoutCdop });
    const suspend = () =>
      changeAgreementStanding(deps, {
        principal: as('brent-harrow-cdop.ig-lead'),
        agreementId,
        change: 'suspend',
        reason: 'concern about a disclosure',
      });
    expect((await step(suspend)).outcome).toBe('accepted');
  });

  it('refuses a non-party’s IG lead proposing a version among the same parties', async () => {
    const { deps, step } = await setup();
    await createAgreement(deps, { principal: as('lb-brent.ig-lead'), id: agreementId, content });
    expect(
      await step(() =>
        proposeVersion(deps, { principal: as('lb-barnet.ig-lead'), agreementId, content: contentV2 }),
      ),
    ).toMatchObject({ outcome: 'NOT_PERMITTED' });
  });
});
