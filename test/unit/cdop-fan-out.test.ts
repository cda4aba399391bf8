import { describe, expect, it } from 'vitest';
import { agreementSeed } from '#local/seed/agreement-seed.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import {
  type AgreementContent,
  type AgreementRecord,
  type AgreementVersion,
  contentHashOf,
} from '#shared/domain/agreements/agreement.ts';
import { type CaseActor, type CdopCase, openCase, recordAgencyRequests } from '#shared/domain/cdop/case.ts';
import {
  type FanOutItem,
  type FanOutWorld,
  planFanOut,
  suggestAgencies,
} from '#shared/domain/cdop/fan-out.ts';
import { reportDueDaysOf } from '#shared/domain/cdop/request-reports.ts';
import type { Registry } from '#shared/domain/registry/registry.ts';
import { dataRequestBodySchema } from '#shared/domain/requests/data-request.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';

/**
 * The fan-out of a CDOP case on the real seeded registry and agreements (each signed by every party and in force):
 * which agencies are suggested, which asks the decision engine permits, and for a refusal, its reasons and the
 * agreement that would be needed.
 */

const now = new Date('2026-11-23T10:00:00Z');
const activatedAt = '2026-10-01T00:00:00.000Z';

const versionOf = (agreementId: string, content: AgreementContent, version = 1): AgreementVersion => {
  const contentHash = contentHashOf(content);
  return {
    agreementId,
    version,
    content,
    contentHash,
    createdAt: '2026-09-01T09:00:00.000Z',
    createdBy: `${content.parties[0]}.ig-lead`,
    signatures: content.parties.map((organisationId) => ({
      organisationId,
      userId: `${organisationId}.ig-lead`,
      role: 'ig-lead' as const,
      clientId: `${organisationId}-system`,
      contentHash,
      signedAt: activatedAt,
      requestHash: `seed-${organisationId}`,
    })),
    activatedAt,
  };
};

/** The seeded agreements, each version 1 signed by every party. */
const seededAgreements: AgreementRecord[] = agreementSeed.map(({ id, content }) => ({
  id,
  latestVersion: 1,
  versions: [versionOf(id, content)],
}));

const settings = { reportDueDays: 28 };
const world: FanOutWorld = { ...registrySeed, agreements: seededAgreements, settings };

const key = (footprintId: string) => ({ footprintId, key: new Uint8Array(32).fill(7) });
const child = { kind: 'nhs-number', nhsNumber: '943 476 5919' } as const;
const bhrCoordinator: CaseActor = { organisationId: 'bhr-cdop', userId: 'bhr-cdop.coordinator' };

const openFor = (
  by: CaseActor,
  footprintId: string,
  boroughOfResidence: string,
  registry: Registry = registrySeed,
): CdopCase => {
  const result = openCase(
    {
      id: '01JD0000000000000000000001',
      notification: {
        schemaVersion: '2026',
        subjectRef: deriveSubjectReference(key(footprintId), child),
        boroughOfResidence,
        dateOfDeath: '2026-11-20',
        expected: false,
        place: { kind: 'in-footprint' },
        notifyingOrganisationId: boroughOfResidence,
      },
    },
    registry,
    by,
    now,
  );
  if (result.outcome !== 'opened') throw new Error('the case should open');
  return result.case;
};

const haveringCase = () => openFor(bhrCoordinator, 'bhr-cdop-area', 'lb-havering');
const outcomes = (items: readonly FanOutItem[]) => items.map((i) => [i.organisationId, i.outcome]);
const item = (items: readonly FanOutItem[], organisationId: string) => {
  const found = items.find((i) => i.organisationId === organisationId);
  if (found === undefined) throw new Error(`no item for ${organisationId}`);
  return found;
};
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return { type: (e as Error).name, code: (e as { code?: string }).code };
  }
  return undefined;
};

const bhrContent = agreementSeed.find((a) => a.id === 'isa-bhr-cdop')?.content;
if (bhrContent === undefined) throw new Error('the seed has isa-bhr-cdop');

describe('planning the fan-out of a BHR case', () => {
  it('permits asks to the three councils of the footprint, under isa-bhr-cdop, due in 28 days', () => {
    const plan = planFanOut(
      haveringCase(),
      ['lb-barking-dagenham', 'lb-havering', 'lb-redbridge'],
      world,
      bhrCoordinator,
      now,
    );
    expect(plan.agreementId).toBe('isa-bhr-cdop');
    expect(outcomes(plan.items)).toEqual([
      ['lb-barking-dagenham', 'permitted'],
      ['lb-havering', 'permitted'],
      ['lb-redbridge', 'permitted'],
    ]);
    const havering = item(plan.items, 'lb-havering');
    if (havering.outcome !== 'permitted') throw new Error('permitted');
    const [purpose] = bhrContent.purposes;
    expect(havering).toMatchObject({
      agreement: { id: 'isa-bhr-cdop', version: 1 },
      dueAt: '2026-12-21T10:00:00.000Z',
      body: {
        responderOrganisationId: 'lb-havering',
        agreementId: 'isa-bhr-cdop',
        purpose: 'CDR_CASE_REVIEW',
        dataCategories: purpose?.dataCategories,
        lawfulBasis: purpose?.lawfulBasis,
        consent: { state: 'not-applicable' },
        subjectRef: haveringCase().notification.subjectRef,
        urgency: 'routine',
      },
    });
    expect(dataRequestBodySchema.safeParse(havering.body).success).toBe(true);
  });

  it('permits the East Area BCU, a member of the BHR CDOP footprint and a party to the seeded agreement', () => {
    const plan = planFanOut(haveringCase(), ['met-ea-bcu'], world, bhrCoordinator, now);
    expect(item(plan.items, 'met-ea-bcu')).toMatchObject({
      outcome: 'permitted',
      agreement: { id: 'isa-bhr-cdop', version: 1 },
    });
  });

  it('refuses the police once a version drops it and the footprint ends its membership', () => {
    const withoutPolice: Registry = {
      ...registrySeed,
      footprints: registrySeed.footprints.map((f) =>
        f.id === 'bhr-cdop-area'
          ? { ...f, memberships: f.memberships.filter((m) => m.organisationId !== 'met-ea-bcu') }
          : f,
      ),
    };
    const v2 = versionOf(
      'isa-bhr-cdop',
      { ...bhrContent, parties: bhrContent.parties.filter((p) => p !== 'met-ea-bcu') },
      2,
    );
    const agreements = seededAgreements.map((a) =>
      a.id === 'isa-bhr-cdop' ? { ...a, latestVersion: 2, versions: [...a.versions, v2] } : a,
    );
    const plan = planFanOut(
      openFor(bhrCoordinator, 'bhr-cdop-area', 'lb-havering', withoutPolice),
      ['lb-havering', 'met-ea-bcu'],
      { ...withoutPolice, agreements, settings },
      bhrCoordinator,
      now,
    );
    expect(outcomes(plan.items).map(([, o]) => o)).toEqual(['permitted', 'refused']);
    const police = item(plan.items, 'met-ea-bcu');
    if (police.outcome !== 'refused') throw new Error('refused');
    expect(police.reasons.map((r) => r.code)).toEqual([
      'RESPONDER_NOT_A_PARTY',
      'RESPONDER_NOT_IN_FOOTPRINT',
    ]);
    expect(police.agreementNeeded).toMatchObject({ footprintId: 'bhr-cdop-area', agencyInFootprint: false });
  });

  it('refuses a Barnet agency under the BHR agreement, with its reasons and the agreement needed', () => {
    const plan = planFanOut(haveringCase(), ['lb-havering', 'lb-barnet'], world, bhrCoordinator, now);
    expect(outcomes(plan.items)).toEqual([
      ['lb-havering', 'permitted'],
      ['lb-barnet', 'refused'],
    ]);
    const barnet = item(plan.items, 'lb-barnet');
    if (barnet.outcome !== 'refused') throw new Error('refused');
    expect(barnet.reasons).toEqual([
      { code: 'RESPONDER_NOT_A_PARTY', message: 'the organisation asked is not a party to the agreement' },
      {
        code: 'RESPONDER_NOT_IN_FOOTPRINT',
        message: 'the organisation asked is not in the footprint bhr-cdop-area',
      },
    ]);
    expect(barnet.agreementNeeded).toMatchObject({
      purpose: 'CDR_CASE_REVIEW',
      footprintId: 'bhr-cdop-area',
      agencyInFootprint: false,
      // The seed has no Barnet CDOP agreement; the North West BCU MASH agreement is not for child death review.
      coveredElsewhere: [],
    });
    expect(barnet.agreementNeeded.description).toContain(
      'an agreement covering London Borough of Barnet within BHR CDOP',
    );
  });

  it('names the agreement that covers an agency under another footprint', () => {
    const plan = planFanOut(haveringCase(), ['lb-brent'], world, bhrCoordinator, now);
    const brent = item(plan.items, 'lb-brent');
    if (brent.outcome !== 'refused') throw new Error('refused');
    expect(brent.agreementNeeded.coveredElsewhere).toEqual([
      {
        agreementId: 'isa-brent-harrow-cdop',
        title: 'Brent and Harrow CDOP: child death review',
        footprintId: 'brent-harrow-cdop-area',
      },
    ]);
  });

  it('refuses every ask while the agreement is suspended, naming it', () => {
    const agreements = seededAgreements.map((a) =>
      a.id === 'isa-bhr-cdop'
        ? {
            ...a,
            suspended: { at: '2026-11-01T00:00:00.000Z', by: 'lb-havering.ig-lead', reason: 'breach review' },
          }
        : a,
    );
    const plan = planFanOut(
      haveringCase(),
      ['lb-havering'],
      { ...world, agreements, settings: { ...settings, agreementId: 'isa-bhr-cdop' } },
      bhrCoordinator,
      now,
    );
    const havering = item(plan.items, 'lb-havering');
    if (havering.outcome !== 'refused') throw new Error('refused');
    expect(havering.reasons.map((r) => r.code)).toEqual(['AGREEMENT_SUSPENDED']);
    expect(havering.agreementNeeded.description).toBe(
      'isa-bhr-cdop in force, covering lb-havering for CDR_CASE_REVIEW',
    );
  });

  it('refuses every ask when the CDOP has no child death review agreement', () => {
    const plan = planFanOut(
      haveringCase(),
      ['lb-havering'],
      { ...world, agreements: [] },
      bhrCoordinator,
      now,
    );
    expect(plan.agreementId).toBeUndefined();
    const havering = item(plan.items, 'lb-havering');
    if (havering.outcome !== 'refused') throw new Error('refused');
    expect(havering.reasons.map((r) => r.code)).toEqual(['AGREEMENT_NOT_FOUND']);
  });

  it('skips an agency already asked, and feeds the plan into the case', () => {
    const c = haveringCase();
    const plan = planFanOut(c, ['lb-havering', 'lb-redbridge'], world, bhrCoordinator, now);
    const asked = recordAgencyRequests(
      c,
      plan.items.flatMap((i, n) =>
        i.outcome === 'permitted'
          ? [{ organisationId: i.organisationId, requestId: `01JD00000000000000000000Q${n}`, dueAt: i.dueAt }]
          : [],
      ),
      registrySeed,
      bhrCoordinator,
      now,
    );
    expect(asked.agencies.map((a) => [a.organisationId, a.dueAt])).toEqual([
      ['lb-havering', '2026-12-21T10:00:00.000Z'],
      ['lb-redbridge', '2026-12-21T10:00:00.000Z'],
    ]);
    expect(
      outcomes(planFanOut(asked, ['lb-havering', 'lb-barking-dagenham'], world, bhrCoordinator, now).items),
    ).toEqual([
      ['lb-havering', 'already-requested'],
      ['lb-barking-dagenham', 'permitted'],
    ]);
  });

  it('refuses bad asks with coded errors', () => {
    const c = haveringCase();
    expect(codeOf(() => planFanOut(c, [], world, bhrCoordinator, now))).toEqual({
      type: 'InputError',
      code: 'INVALID_INPUT',
    });
    expect(codeOf(() => planFanOut(c, ['nhs-nowhere'], world, bhrCoordinator, now))?.code).toBe(
      'INVALID_INPUT',
    );
    expect(
      codeOf(() =>
        planFanOut(c, ['lb-havering'], { ...world, settings: { reportDueDays: 0 } }, bhrCoordinator, now),
      )?.code,
    ).toBe('INVALID_INPUT');
    expect(
      codeOf(() =>
        planFanOut(
          c,
          ['lb-havering'],
          world,
          { organisationId: 'lb-havering', userId: 'lb-havering.practitioner' },
          now,
        ),
      ),
    ).toEqual({ type: 'AuthorisationError', code: 'NOT_PERMITTED' });
    expect(
      codeOf(() =>
        planFanOut(
          c,
          ['lb-havering'],
          world,
          { organisationId: 'brent-harrow-cdop', userId: 'brent-harrow-cdop.manager' },
          now,
        ),
      ),
    ).toEqual({ type: 'AuthorisationError', code: 'NOT_PERMITTED' });
    expect(
      codeOf(() => planFanOut({ ...c, status: 'closed' }, ['lb-havering'], world, bhrCoordinator, now)),
    ).toEqual({
      type: 'ConflictError',
      code: 'WRONG_STATE',
    });
  });
});

describe('suggesting agencies', () => {
  const suggested = (c: CdopCase) =>
    suggestAgencies(c, registrySeed, now).map((s) => [s.organisationId, s.why, s.inFootprint]);

  it('suggests the BHR councils, the Havering council first, and the East Area BCU police', () => {
    expect(suggested(haveringCase())).toEqual([
      ['lb-havering', 'council-of-residence', true],
      ['lb-barking-dagenham', 'council-in-footprint', true],
      ['lb-redbridge', 'council-in-footprint', true],
      ['met-ea-bcu', 'police-bcu-of-residence', true],
    ]);
  });

  it('suggests the North West BCU police for a Brent child, and health commissioners in Bedfordshire and Luton', () => {
    const brent = openFor(
      { organisationId: 'brent-harrow-cdop', userId: 'brent-harrow-cdop.manager' },
      'brent-harrow-cdop-area',
      'lb-brent',
    );
    expect(suggested(brent)).toEqual([
      ['lb-brent', 'council-of-residence', true],
      ['lb-harrow', 'council-in-footprint', true],
      ['met-nw-bcu', 'police-bcu-of-residence', false],
    ]);
    const luton = openFor(
      { organisationId: 'beds-luton-cdop', userId: 'beds-luton-cdop.coordinator' },
      'beds-luton-cdop-area',
      'luton-borough',
    );
    expect(suggested(luton)).toEqual([
      ['luton-borough', 'council-of-residence', true],
      ['bedford-borough', 'council-in-footprint', true],
      ['central-bedfordshire', 'council-in-footprint', true],
      ['luton-ccg', 'health-in-footprint', true],
      ['bedfordshire-ccg', 'health-in-footprint', true],
    ]);
  });
});

describe('the report due time, set per CDOP by its agreement', () => {
  it('is 28 days by default, and the routine response time of the case-review purpose when the agreement sets one', () => {
    expect(reportDueDaysOf(haveringCase(), seededAgreements, now)).toEqual({
      reportDueDays: 28,
      agreementId: 'isa-bhr-cdop',
    });
    const purposes = bhrContent.purposes.map((p) =>
      p.code === 'CDR_CASE_REVIEW'
        ? { ...p, responseHours: { immediate: 24, urgent: 72, routine: 21 * 24 - 1 } }
        : p,
    );
    const agreements = seededAgreements.map((a) =>
      a.id === 'isa-bhr-cdop'
        ? { ...a, versions: [versionOf('isa-bhr-cdop', { ...bhrContent, purposes })] }
        : a,
    );
    expect(reportDueDaysOf(haveringCase(), agreements, now).reportDueDays).toBe(21);
  });
});
