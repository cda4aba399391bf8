import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AgreementContent,
  type AgreementPurpose,
  type AgreementRecord,
  type AgreementVersion,
  contentHashOf,
} from '#shared/domain/agreements/agreement.ts';
import {
  consentExemptions,
  consentRules,
  type DataCategory,
  dataCategories,
  dataCategoryCodes,
  type LawfulBasisCode,
  lawfulBases,
  lawfulBasisCodes,
  type PurposeCode,
  purposeCodes,
  purposes,
} from '#shared/domain/agreements/catalogue.ts';
import {
  type Consent,
  type DecisionReasonCode,
  type DecisionWorld,
  decide,
  decisionReasonCodes,
  type Requester,
  type ShareRequest,
} from '#shared/domain/agreements/decide.ts';
import {
  type Footprint,
  footprintKinds,
  type Membership,
  type User,
  type UserRole,
  userRoles,
} from '#shared/domain/registry/registry.ts';

/**
 * The decision engine against a small reference model (house style 16), over random worlds: organisations,
 * footprints of random kinds with time-bounded memberships, users with random roles, and one agreement with
 * random versions, signatures, suspension, revocation, validity and review dates, judged for a random request at a
 * random time. The generators lean towards worlds where most checks pass, so that permits are common and every
 * check is, in some world, the only one that fails.
 */

// ---------------------------------------------------------------------------------------------------------------
// The reference model: the rules of issue 4 restated directly, without the engine's helpers.
// ---------------------------------------------------------------------------------------------------------------

type ModelVerdict = {
  /** The version in force at the request time, or why there is none. */
  readonly standing: 'in-force' | 'no-agreement' | 'unsigned' | 'suspended' | 'revoked' | 'out-of-dates';
  readonly version?: AgreementVersion;
  readonly reviewOverdue: boolean;
  /** Every failed check against the version in force (only when there is one). */
  readonly failed: ReadonlySet<DecisionReasonCode>;
};

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** A day lies in [from, to], `to` open when absent; days compare as YYYY-MM-DD strings. */
const onOrBetween = (day: string, from: string, to: string | undefined) =>
  from <= day && (to === undefined || day <= to);

const isMember = (footprint: Footprint | undefined, organisationId: string, day: string): boolean =>
  footprint !== undefined &&
  onOrBetween(day, footprint.validFrom, footprint.validTo) &&
  footprint.memberships.some((m) => m.organisationId === organisationId && onOrBetween(day, m.from, m.to));

/** A version is active from the moment its last party signed: every party's signature is on it by `at`. */
const fullySignedBy = (version: AgreementVersion, at: number): boolean =>
  version.content.parties.every((party) =>
    version.signatures.some(
      (s) =>
        s.organisationId === party && s.contentHash === version.contentHash && Date.parse(s.signedAt) <= at,
    ),
  );

const basesCover = (categories: readonly DataCategory[], bases: readonly LawfulBasisCode[], apd?: string) => {
  const has = (kind: string) => bases.some((b) => lawfulBases[b].kind === kind);
  const special = categories.some((c) => dataCategories[c].special);
  const criminal = categories.some((c) => dataCategories[c].criminal);
  return (
    has('art6') &&
    (!special || has('art9')) &&
    (!bases.includes('UKGDPR-9-2-g') || (has('schedule1-part2') && (apd ?? '').trim() !== '')) &&
    (!bases.includes('UKGDPR-9-2-h') || bases.includes('DPA2018-S1-P1-2')) &&
    (!criminal || (has('art10') && (has('schedule1-part1') || has('schedule1-part2'))))
  );
};

const consentMet = (rule: AgreementPurpose['consentRule'], consent: Consent): boolean => {
  const exemptWithReason =
    (consent.state === 'refused' || consent.state === 'not-sought') &&
    consent.exemption !== undefined &&
    consent.rationale !== undefined;
  if (rule === 'required') return consent.state === 'obtained';
  if (rule === 'required-unless-exempt') return consent.state === 'obtained' || exemptWithReason;
  // Not required: consent is not asked for, but sharing against a refusal needs the exemption and its reason.
  return consent.state !== 'refused' || exemptWithReason;
};

const model = (
  requester: Requester,
  request: ShareRequest,
  world: DecisionWorld,
  now: Date,
): ModelVerdict => {
  const t = now.getTime();
  const day = utcDay(now);
  const none = (standing: ModelVerdict['standing']): ModelVerdict => ({
    standing,
    reviewOverdue: false,
    failed: new Set(),
  });
  const agreement = world.agreement;
  if (agreement === undefined || agreement.id !== request.agreementId) return none('no-agreement');
  if (agreement.revoked !== undefined && Date.parse(agreement.revoked.at) <= t) return none('revoked');
  if (agreement.suspended !== undefined && Date.parse(agreement.suspended.at) <= t) return none('suspended');
  // In force: the newest version every party had signed by then whose validity has begun.
  const signed = agreement.versions.filter((v) => fullySignedBy(v, t));
  if (signed.length === 0) return none('unsigned');
  let version: AgreementVersion | undefined;
  for (const v of signed) {
    if (v.content.validFrom <= day && (version === undefined || v.version > version.version)) version = v;
  }
  if (version === undefined) return none('out-of-dates');
  const c = version.content;
  if (!onOrBetween(day, c.validFrom, c.validTo)) return none('out-of-dates');

  const failed = new Set<DecisionReasonCode>();
  const fail = (code: DecisionReasonCode, when: boolean) => {
    if (when) failed.add(code);
  };
  const reviewOverdue = day > c.reviewDate;
  fail('AGREEMENT_REVIEW_OVERDUE', reviewOverdue && c.blockWhenReviewOverdue);
  const user = world.users.find((u) => u.id === requester.userId);
  fail(
    'USER_NOT_OF_ORGANISATION',
    requester.userId !== undefined && user?.organisationId !== requester.organisationId,
  );
  fail('REQUESTER_IS_RESPONDER', request.responderOrganisationId === requester.organisationId);
  const rationale = 'rationale' in request.consent ? request.consent.rationale : undefined;
  fail('CONSENT_RATIONALE_BLANK', rationale !== undefined && !/\S/.test(rationale));
  fail(
    'CONSENT_OBTAINED_IN_FUTURE',
    request.consent.state === 'obtained' && Date.parse(request.consent.obtainedAt) - t > 60_000,
  );
  fail(
    'SUBJECT_REF_NOT_OF_FOOTPRINT',
    request.subjectRef !== undefined && request.subjectRef.split('.')[1] !== c.footprintId,
  );
  fail('REQUESTER_NOT_A_PARTY', !c.parties.includes(requester.organisationId));
  fail('RESPONDER_NOT_A_PARTY', !c.parties.includes(request.responderOrganisationId));
  const footprint = world.footprints.find((f) => f.id === c.footprintId);
  fail('REQUESTER_NOT_IN_FOOTPRINT', !isMember(footprint, requester.organisationId, day));
  fail('RESPONDER_NOT_IN_FOOTPRINT', !isMember(footprint, request.responderOrganisationId, day));
  const purpose = c.purposes.find((p) => p.code === request.purpose);
  fail('PURPOSE_NOT_IN_AGREEMENT', purpose === undefined);
  if (purpose !== undefined) {
    const kinds: readonly string[] = purposes[purpose.code].footprintKinds;
    fail('PURPOSE_NOT_FOR_FOOTPRINT', footprint === undefined || !kinds.includes(footprint.kind));
    fail(
      'DATA_CATEGORY_NOT_ALLOWED',
      !request.dataCategories.every((x) => purpose.dataCategories.includes(x)),
    );
    fail('LAWFUL_BASIS_NOT_IN_AGREEMENT', !request.lawfulBasis.every((b) => purpose.lawfulBasis.includes(b)));
    fail(
      'LAWFUL_BASIS_NOT_PAIRED',
      !basesCover(request.dataCategories, request.lawfulBasis, c.appropriatePolicyDocument),
    );
    fail('CONSENT_RULE_UNMET', !consentMet(purpose.consentRule, request.consent));
    fail('ROLE_NOT_ALLOWED', !user?.roles.some((r) => purpose.rolesAllowedToRequest.includes(r)));
  }
  return { standing: 'in-force', version, reviewOverdue, failed };
};

// ---------------------------------------------------------------------------------------------------------------
// Random worlds.
// ---------------------------------------------------------------------------------------------------------------

const epoch = Date.UTC(2026, 0, 1);
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const horizonDays = 60;
const dayAt = (d: number) => new Date(epoch + d * dayMs).toISOString().slice(0, 10);

/**
 * Worlds are drawn from a small seeded generator (mulberry32) rather than fast-check's own combinators: a world
 * takes a few hundred dependent draws, and fast-check's generators are both slower at that and biased towards
 * boundary values, which would skew every probability below. fast-check still picks, records and replays the
 * seeds; a failure prints the whole world it came from.
 */
type Gen = { next(): number };
const seeded = (seed: number): Gen => {
  let a = seed >>> 0;
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    },
  };
};
const int = (g: Gen, min: number, max: number) => min + Math.floor(g.next() * (max - min + 1));
const chance = (g: Gen, percent: number) => int(g, 0, 99) < percent;
const pick = <T>(g: Gen, items: readonly T[]): T => {
  const item = items[int(g, 0, items.length - 1)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};
const some = <T>(g: Gen, items: readonly T[], percent: number): T[] => items.filter(() => chance(g, percent));
const someOf = <T>(g: Gen, items: readonly T[], percent: number): T[] => {
  const chosen = some(g, items, percent);
  return chosen.length > 0 ? chosen : [pick(g, items)];
};
/**
 * An instant: mostly in the first days of the horizon (so that most things have happened), else anywhere. Whole
 * hours, so that a request often arrives at the very instant of a signature, suspension or revocation.
 */
const instant = (g: Gen, earlyPercent: number) =>
  epoch + hourMs * (chance(g, earlyPercent) ? int(g, 0, 5 * 24) : int(g, 0, horizonDays * 24));

const membership = (g: Gen, organisationId: string, validFrom: number): Membership => {
  const from = chance(g, 90) ? validFrom : validFrom + int(g, 0, 30);
  return { organisationId, from: dayAt(from), ...(chance(g, 90) ? {} : { to: dayAt(from + int(g, 0, 40)) }) };
};

const footprint = (g: Gen, id: string, organisations: readonly string[]): Footprint => {
  const validFrom = chance(g, 85) ? 0 : int(g, 0, 30);
  const memberships = some(g, organisations, 80).flatMap((o) =>
    chance(g, 10)
      ? [membership(g, o, validFrom), membership(g, o, validFrom + int(g, 10, 40))]
      : [membership(g, o, validFrom)],
  );
  return {
    id,
    name: id,
    kind: pick(g, footprintKinds),
    validFrom: dayAt(validFrom),
    ...(chance(g, 92) ? {} : { validTo: dayAt(validFrom + int(g, 0, 60)) }),
    memberships,
  };
};

const user = (g: Gen, organisationId: string, i: number): User => {
  const roles: UserRole[] = [
    ...(chance(g, 90) ? (['practitioner'] as const) : []),
    ...some(
      g,
      userRoles.filter((r) => r !== 'practitioner'),
      15,
    ),
  ];
  return {
    id: `${organisationId}.u${i}`,
    organisationId,
    displayName: `user ${i}`,
    roles: roles.length > 0 ? roles : [pick(g, userRoles)],
    status: 'active',
  };
};

/** Lawful bases for some categories: usually a set that pairs, sometimes any bases at all. */
const basesFor = (g: Gen, categories: readonly DataCategory[]): LawfulBasisCode[] => {
  if (chance(g, 8)) return someOf(g, lawfulBasisCodes, 15);
  const bases = new Set<LawfulBasisCode>([
    pick(g, ['UKGDPR-6-1-c', 'UKGDPR-6-1-d', 'UKGDPR-6-1-e'] as const),
  ]);
  if (categories.some((c) => dataCategories[c].special)) {
    const route = int(g, 0, 2);
    if (route === 0)
      for (const b of ['UKGDPR-9-2-g', pick(g, ['DPA2018-S1-P2-6', 'DPA2018-S1-P2-18'] as const)] as const)
        bases.add(b);
    if (route === 1) for (const b of ['UKGDPR-9-2-h', 'DPA2018-S1-P1-2'] as const) bases.add(b);
    if (route === 2) bases.add('UKGDPR-9-2-c');
  }
  if (categories.some((c) => dataCategories[c].criminal)) {
    for (const b of ['UKGDPR-10', pick(g, ['DPA2018-S1-P1-2', 'DPA2018-S1-P2-18'] as const)] as const)
      bases.add(b);
  }
  if (chance(g, 50))
    bases.add(
      pick(g, ['CA1989-s17', 'CA1989-s47', 'CA2004-s11', 'CA2004-s16M', 'CDA1998-s115', 'WT2018'] as const),
    );
  return [...bases];
};

const agreementPurpose = (g: Gen, code: PurposeCode): AgreementPurpose => {
  const categories = someOf(g, dataCategoryCodes, 20);
  const roles: UserRole[] = [
    ...(chance(g, 92) ? (['practitioner'] as const) : []),
    ...some(
      g,
      userRoles.filter((r) => r !== 'practitioner'),
      25,
    ),
  ];
  return {
    code,
    description: code,
    dataCategories: categories,
    lawfulBasis: basesFor(g, categories),
    consentRule: pick(g, consentRules),
    rolesAllowedToRequest: roles.length > 0 ? roles : [pick(g, userRoles)],
    rolesAllowedToAnswer: ['practitioner'],
    retentionDays: 365,
  };
};

const agreementContent = (
  g: Gen,
  organisations: readonly string[],
  footprints: readonly Footprint[],
  previous: AgreementContent | undefined,
): AgreementContent => {
  // A later version usually changes a little of the one before.
  const keep = (percent: number) => previous !== undefined && chance(g, percent);
  const fp = chance(g, 95) ? pick(g, footprints) : undefined;
  const footprintId = keep(85) && previous ? previous.footprintId : (fp?.id ?? 'fp-missing');
  // Parties are usually organisations of the footprint, as in a real partnership.
  const members = new Set(
    footprints.find((f) => f.id === footprintId)?.memberships.map((m) => m.organisationId),
  );
  let parties =
    keep(80) && previous
      ? previous.parties
      : organisations.filter((o) => chance(g, members.has(o) ? 90 : 10));
  while (parties.length < 2) parties = [...new Set([...parties, pick(g, organisations)])];
  const kind = footprints.find((f) => f.id === footprintId)?.kind;
  const fitting = purposeCodes.filter(
    (p) => kind !== undefined && (purposes[p].footprintKinds as readonly string[]).includes(kind),
  );
  const codes = new Set<PurposeCode>();
  for (let i = int(g, 1, 3); i > 0; i--)
    codes.add(chance(g, 85) && fitting.length > 0 ? pick(g, fitting) : pick(g, purposeCodes));
  const validFrom = chance(g, 80) ? 0 : int(g, 0, 40);
  const rulesOfPurposes =
    keep(60) && previous ? previous.purposes : [...codes].map((code) => agreementPurpose(g, code));
  return {
    title: 'random agreement',
    parties,
    footprintId,
    purposes: rulesOfPurposes,
    validFrom: dayAt(validFrom),
    ...(chance(g, 85) ? {} : { validTo: dayAt(validFrom + int(g, 0, 60)) }),
    reviewDate: dayAt(int(g, 0, 120)),
    blockWhenReviewOverdue: chance(g, 30),
    dpiaReference: 'DPIA-1',
    ...(chance(g, 85) ? { appropriatePolicyDocument: 'APD-1' } : {}),
  };
};

const agreementVersion = (g: Gen, number: number, content: AgreementContent): AgreementVersion => {
  const contentHash = contentHashOf(content);
  const signatures = some(g, content.parties, 95).map((organisationId) => ({
    organisationId,
    userId: `${organisationId}.u0`,
    role: 'ig-lead' as const,
    clientId: `${organisationId}-system`,
    contentHash,
    signedAt: new Date(instant(g, 85)).toISOString(),
    requestHash: `request-${organisationId}-${number}`,
  }));
  const complete = content.parties.every((p) => signatures.some((s) => s.organisationId === p));
  const last = Math.max(...signatures.map((s) => Date.parse(s.signedAt)));
  return {
    agreementId: 'isa-world',
    version: number,
    content,
    contentHash,
    createdAt: new Date(epoch).toISOString(),
    createdBy: 'someone',
    signatures,
    ...(complete ? { activatedAt: new Date(last).toISOString() } : {}),
  };
};

const consentFor = (g: Gen, rule: AgreementPurpose['consentRule'] | undefined, now: Date): Consent => {
  // Now and then obtained up to two minutes after the request (the protocol's clock skew is one), or a
  // rationale of only whitespace.
  const obtainedAt = chance(g, 5) ? now.getTime() + int(g, 0, 120) * 1000 : epoch;
  const obtained: Consent = {
    state: 'obtained',
    obtainedBy: 'someone',
    obtainedFrom: 'parent',
    obtainedAt: new Date(obtainedAt).toISOString(),
  };
  const rationale = chance(g, 3) ? pick(g, [' ', '\t\n', '\u00a0']) : 'why';
  const notSought: Consent = { state: 'not-sought', exemption: pick(g, consentExemptions), rationale };
  if (rule !== undefined && chance(g, 85)) {
    if (rule === 'required') return obtained;
    if (rule === 'required-unless-exempt') return chance(g, 50) ? obtained : notSought;
    return { state: 'not-applicable' };
  }
  const any: Consent[] = [
    obtained,
    notSought,
    { state: 'not-applicable' },
    { state: 'refused' },
    { state: 'refused', exemption: pick(g, consentExemptions) },
    { state: 'refused', rationale: 'why' },
    { state: 'refused', exemption: pick(g, consentExemptions), rationale: 'why' },
  ];
  return pick(g, any);
};

type Case = {
  readonly requester: Requester;
  readonly request: ShareRequest;
  readonly world: DecisionWorld;
  readonly now: Date;
};

const world = (g: Gen): Case => {
  const organisations = Array.from({ length: int(g, 3, 6) }, (_, i) => `org-${i}`);
  const footprints = Array.from({ length: int(g, 1, 3) }, (_, i) => footprint(g, `fp-${i}`, organisations));
  const users = organisations.flatMap((o) => Array.from({ length: int(g, 1, 3) }, (_, i) => user(g, o, i)));

  const versions: AgreementVersion[] = [];
  let previous: AgreementContent | undefined;
  for (let n = 1, count = int(g, 1, 3); n <= count; n++) {
    previous = agreementContent(g, organisations, footprints, previous);
    versions.push(agreementVersion(g, n, previous));
  }
  const lifecycle = (percent: number) =>
    chance(g, percent)
      ? { at: new Date(instant(g, 0)).toISOString(), by: 'someone', reason: 'why' }
      : undefined;
  const suspended = lifecycle(8);
  const revoked = lifecycle(5);
  const agreement: AgreementRecord = {
    id: 'isa-world',
    latestVersion: versions.length,
    versions,
    ...(suspended === undefined ? {} : { suspended }),
    ...(revoked === undefined ? {} : { revoked }),
  };

  // Sometimes the request arrives at the very instant of a signature, suspension or revocation.
  const moments = [
    ...versions.flatMap((v) => v.signatures.map((s) => Date.parse(s.signedAt))),
    ...[suspended, revoked].flatMap((e) => (e === undefined ? [] : [Date.parse(e.at)])),
  ];
  const now = new Date(
    chance(g, 8) && moments.length > 0
      ? pick(g, moments)
      : chance(g, 40)
        ? instant(g, 0)
        : epoch + int(g, 5 * dayMs, horizonDays * dayMs),
  );
  // The request is usually written against the latest version fully signed by then, as a borough system would.
  const signed = versions.filter(
    (v) => v.activatedAt !== undefined && Date.parse(v.activatedAt) <= now.getTime(),
  );
  const reference =
    chance(g, 85) && signed.length > 0 ? (signed.at(-1) ?? pick(g, versions)) : pick(g, versions);
  const parties = reference.content.parties;

  const requesterOrg = chance(g, 90) ? pick(g, parties) : pick(g, [...organisations, 'org-unknown']);
  const ownUsers = users.filter((u) => u.organisationId === requesterOrg);
  const roll = int(g, 0, 99);
  const userId =
    roll < 90 && ownUsers.length > 0
      ? pick(g, ownUsers).id
      : roll < 95
        ? pick(g, users).id
        : roll < 98
          ? `${requesterOrg}.nobody`
          : undefined;
  const others = parties.filter((p) => p !== requesterOrg);
  const responder = chance(g, 90) && others.length > 0 ? pick(g, others) : pick(g, organisations);

  const purpose = chance(g, 95) ? pick(g, reference.content.purposes) : undefined;
  const code = purpose?.code ?? pick(g, purposeCodes);
  const categories = [
    ...new Set([
      ...(purpose ? someOf(g, purpose.dataCategories, 60) : []),
      ...(purpose === undefined || chance(g, 6) ? [pick(g, dataCategoryCodes)] : []),
    ]),
  ];
  const bases = [
    ...new Set([
      ...(purpose ? (chance(g, 90) ? purpose.lawfulBasis : someOf(g, purpose.lawfulBasis, 60)) : []),
      ...(purpose === undefined || chance(g, 6) ? [pick(g, lawfulBasisCodes)] : []),
    ]),
  ];

  return {
    requester: { organisationId: requesterOrg, ...(userId === undefined ? {} : { userId }) },
    request: {
      responderOrganisationId: responder,
      agreementId: chance(g, 98) ? 'isa-world' : 'isa-other',
      purpose: code,
      dataCategories: categories,
      lawfulBasis: bases,
      consent: consentFor(g, purpose?.consentRule, now),
      // A reference usually of the version's footprint, sometimes of another or none (a dry run).
      ...(chance(g, 20)
        ? {}
        : {
            subjectRef: `sr1.${chance(g, 90) ? reference.content.footprintId : pick(g, footprints).id}.${'A'.repeat(43)}`,
          }),
    },
    world: { footprints, users, agreement: chance(g, 99) ? agreement : undefined },
    now,
  };
};

// ---------------------------------------------------------------------------------------------------------------

describe('decide against the reference model', () => {
  it('permits exactly what the model permits, over 10,000 random worlds, and explains every refusal', () => {
    const runs = 10_000;
    let permits = 0;
    let inForce = 0;
    const alone = new Map<DecisionReasonCode, number>();
    const seen = new Set<DecisionReasonCode>();

    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 0, max: 0xffff_ffff })), (seed) => {
        const { requester, request, world: w, now } = world(seeded(seed));
        const decision = decide({ requester, request }, w, now);
        const expected = model(requester, request, w, now);
        const modelPermits = expected.standing === 'in-force' && expected.failed.size === 0;
        const codes = decision.reasons.map((r) => r.code);

        // Compared as plain values first: vitest's expect is too slow to call five times in each of 10,000 runs.
        const got = {
          decision: decision.decision,
          // A refusal always says why; a permit never carries a reason against.
          explained: codes.length > 0 === (decision.decision === 'deny'),
          agreement: decision.agreement,
          reviewOverdue: decision.reviewOverdue === true,
          // With a version in force, the reasons are exactly the checks the model finds failed, judged by it.
          codes: expected.standing === 'in-force' ? [...new Set(codes)].sort() : [],
        };
        const want = {
          // The property: zero permits the model refuses, zero refusals the model permits.
          decision: modelPermits ? 'permit' : 'deny',
          explained: true,
          agreement:
            expected.version === undefined
              ? undefined
              : { id: 'isa-world', version: expected.version.version },
          reviewOverdue: expected.reviewOverdue,
          codes: [...expected.failed].sort(),
        };
        if (!isDeepStrictEqual(got, want)) {
          expect({ ...got, world: { requester, request, world: w, now } }).toEqual({
            ...want,
            world: { requester, request, world: w, now },
          });
        }

        if (decision.decision === 'permit') permits += 1;
        if (expected.standing === 'in-force') inForce += 1;
        for (const code of codes) seen.add(code);
        const [only] = codes;
        if (only !== undefined && codes.length === 1) alone.set(only, (alone.get(only) ?? 0) + 1);
      }),
      { numRuns: runs },
    );

    const share = permits / runs;
    console.info(
      `decide property: ${permits} permits in ${runs} worlds (${(share * 100).toFixed(1)}%), ` +
        `${inForce} with a version in force; refused for one reason only: ${JSON.stringify(Object.fromEntries(alone))}`,
    );
    // Not vacuous: permits are common, and every reason code was produced, most of them as the only reason.
    expect(share).toBeGreaterThanOrEqual(0.1);
    expect([...seen].sort()).toEqual([...decisionReasonCodes].sort());
  });
});
