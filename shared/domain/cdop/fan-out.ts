import * as z from 'zod';
import { type AgreementRecord, type AgreementVersion, standingOf } from '../agreements/agreement.ts';
import type { PurposeCode } from '../agreements/catalogue.ts';
import { type Consent, type DecisionReason, decide } from '../agreements/decide.ts';
import { ConflictError, InputError } from '../errors.ts';
import {
  footprintsOf,
  membersOf,
  type Organisation,
  organisationKinds,
  type Registry,
  registryId,
} from '../registry/registry.ts';
import type { DataRequestBody } from '../requests/data-request.ts';
import { assertRunsCase, type CaseActor, type CdopCase } from './case.ts';

/**
 * The fan-out of a case: which agencies to ask (`suggestAgencies`), and for those the manager picked, whether a
 * data request may go to each under the CDOP's child death review agreement (`planFanOut`). The decision engine
 * judges every ask; a refusal carries its reasons and the agreement that would be needed.
 */

/** The purpose every report request of a case is made under. */
export const caseReviewPurpose: PurposeCode = 'CDR_CASE_REVIEW';

/** Per-CDOP settings: how many days an agency has to send its report, and (optionally) which agreement to use. */
export type CdopSettings = {
  readonly reportDueDays: number;
  /** The CDOP's child death review agreement; found among the agreements when absent. */
  readonly agreementId?: string;
};

export type FanOutWorld = Pick<Registry, 'organisations' | 'footprints' | 'users'> & {
  readonly agreements: readonly AgreementRecord[];
  readonly settings: CdopSettings;
};

export type AgreementNeeded = {
  readonly purpose: PurposeCode;
  readonly footprintId: string;
  /** Whether the agency is a member of the case's footprint now (if not, the footprint must include it first). */
  readonly agencyInFootprint: boolean;
  readonly description: string;
  /** Agreements in force that cover the agency for the purpose, under another footprint. */
  readonly coveredElsewhere: readonly {
    readonly agreementId: string;
    readonly title: string;
    readonly footprintId: string;
  }[];
};

export type PlannedRequest = {
  readonly outcome: 'permitted';
  readonly organisationId: string;
  readonly agreement: { readonly id: string; readonly version: number };
  /** What to submit as the data request (POST /v1/requests). */
  readonly body: DataRequestBody;
  /** The CDOP's due date for the report. */
  readonly dueAt: string;
};

export type RefusedRequest = {
  readonly outcome: 'refused';
  readonly organisationId: string;
  readonly reasons: readonly DecisionReason[];
  readonly agreementNeeded: AgreementNeeded;
};

export type SkippedRequest = {
  readonly outcome: 'already-requested';
  readonly organisationId: string;
};

export type FanOutItem = PlannedRequest | RefusedRequest | SkippedRequest;

export type FanOutPlan = {
  readonly caseId: string;
  /** The agreement the asks were judged under, if one was found. */
  readonly agreementId: string | undefined;
  readonly items: readonly FanOutItem[];
};

const day = 86_400_000;

/**
 * The CDOP's child death review agreement: the one named in its settings, else the one in force at `now` whose
 * footprint is the case's, with the CDOP as a party and the case-review purpose.
 */
export const cdrAgreementOf = (
  cdopCase: CdopCase,
  agreements: readonly AgreementRecord[],
  settings: CdopSettings,
  now: Date,
): AgreementRecord | undefined => {
  if (settings.agreementId !== undefined) return agreements.find((a) => a.id === settings.agreementId);
  return agreements.find((a) => {
    const standing = standingOf(a, now);
    if (standing.state !== 'in-force') return false;
    const content = standing.version.content;
    return (
      content.footprintId === cdopCase.footprintId &&
      content.parties.includes(cdopCase.cdopOrganisationId) &&
      content.purposes.some((p) => p.code === caseReviewPurpose)
    );
  });
};

/** The version `decide` judges by: the one in force, else the latest signed, else the latest draft. */
const judgedVersionOf = (agreement: AgreementRecord | undefined, now: Date): AgreementVersion | undefined => {
  if (agreement === undefined) return undefined;
  const newestFirst = [...agreement.versions].sort((a, b) => b.version - a.version);
  return (
    standingOf(agreement, now).version ??
    newestFirst.find((v) => v.activatedAt !== undefined) ??
    newestFirst[0]
  );
};

const nameOf = (organisations: readonly Organisation[], id: string): string =>
  organisations.find((o) => o.id === id)?.name ?? id;

const agreementNeededFor = (
  cdopCase: CdopCase,
  organisationId: string,
  agreement: AgreementRecord | undefined,
  world: FanOutWorld,
  now: Date,
): AgreementNeeded => {
  const footprint = world.footprints.find((f) => f.id === cdopCase.footprintId);
  const footprintName = footprint?.name ?? cdopCase.footprintId;
  const agencyName = nameOf(world.organisations, organisationId);
  const inFootprint = footprint !== undefined && membersOf(footprint, now).includes(organisationId);
  const isParty = judgedVersionOf(agreement, now)?.content.parties.includes(organisationId) ?? false;
  const coveredElsewhere = world.agreements.flatMap((a) => {
    const s = standingOf(a, now);
    if (s.state !== 'in-force') return [];
    const c = s.version.content;
    const covers =
      c.footprintId !== cdopCase.footprintId &&
      c.parties.includes(organisationId) &&
      c.purposes.some((p) => p.code === caseReviewPurpose) &&
      world.footprints.some((f) => f.id === c.footprintId && membersOf(f, now).includes(organisationId));
    return covers ? [{ agreementId: a.id, title: c.title, footprintId: c.footprintId }] : [];
  });
  const description = !inFootprint
    ? `an agreement covering ${agencyName} within ${footprintName} for ${caseReviewPurpose}: ` +
      `${organisationId} is not a member of ${cdopCase.footprintId}, so the footprint must include it and ` +
      `${agreement?.id ?? 'the CDOP agreement'} must name it as a party`
    : agreement === undefined
      ? `an agreement covering ${agencyName} within ${footprintName} for ${caseReviewPurpose}`
      : !isParty
        ? `a version of ${agreement.id} that names ${organisationId} as a party, signed by every party`
        : `${agreement.id} in force, covering ${organisationId} for ${caseReviewPurpose}`;
  return {
    purpose: caseReviewPurpose,
    footprintId: cdopCase.footprintId,
    agencyInFootprint: inFootprint,
    description,
    coveredElsewhere,
  };
};

/**
 * Judges, for each agency the manager picked, whether a report request may go under the CDOP's child death review
 * agreement, with the CDOP as requester and `by` as its user. Permitted: the request to submit and the CDOP's due
 * date (`reportDueDays` from now). Refused: the decision engine's reasons and the agreement that would be needed.
 * An agency already asked on the case is skipped. Unknown organisations are INVALID_INPUT; a closed case WRONG_STATE.
 */
export const planFanOut = (
  cdopCase: CdopCase,
  agencies: readonly string[],
  world: FanOutWorld,
  by: CaseActor,
  now: Date,
): FanOutPlan => {
  assertRunsCase(world, cdopCase, by, now);
  if (cdopCase.status !== 'open') {
    throw new ConflictError('WRONG_STATE', `a ${cdopCase.status} case cannot ask agencies`, [
      `status: ${cdopCase.status}`,
    ]);
  }
  if (agencies.length === 0)
    throw new InputError('INVALID_INPUT', 'pick at least one agency', ['agencies: empty']);
  const unknown = agencies.filter((id) => !world.organisations.some((o) => o.id === id));
  if (unknown.length > 0) {
    throw new InputError('INVALID_INPUT', 'unknown agencies', [`agencies: ${unknown.join(', ')}`]);
  }
  const days = world.settings.reportDueDays;
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw new InputError('INVALID_INPUT', 'reportDueDays is a whole number of days from 1 to 365', [
      'settings.reportDueDays: 1 to 365',
    ]);
  }

  const agreement = cdrAgreementOf(cdopCase, world.agreements, world.settings, now);
  // Ask for what the purpose allows, from the version the engine judges by (so a suspended agreement is refused
  // for its suspension alone, not for a made-up request).
  const purpose = judgedVersionOf(agreement, now)?.content.purposes.find((p) => p.code === caseReviewPurpose);
  const dueAt = new Date(now.getTime() + days * day).toISOString();
  const agreementId = agreement?.id ?? world.settings.agreementId ?? `isa-${cdopCase.footprintId}`;
  // Child death review does not rest on consent: record it as not applicable unless the agreement asks for it,
  // in which case the engine refuses and says so.
  const consent: Consent = { state: 'not-applicable' };

  const items = [...new Set(agencies)].map((organisationId): FanOutItem => {
    if (cdopCase.agencies.some((a) => a.organisationId === organisationId)) {
      return { outcome: 'already-requested', organisationId };
    }
    const body: DataRequestBody = {
      responderOrganisationId: organisationId,
      agreementId,
      purpose: caseReviewPurpose,
      dataCategories: purpose?.dataCategories ?? ['child-death-details'],
      lawfulBasis: purpose?.lawfulBasis ?? ['UKGDPR-6-1-e'],
      consent,
      subjectRef: cdopCase.notification.subjectRef,
      urgency: 'routine',
      justification: `Child death review case ${cdopCase.id}: the agency's report for the ${cdopCase.footprintId} panel, due ${dueAt.slice(0, 10)}`,
    };
    const decision = decide(
      { requester: { organisationId: cdopCase.cdopOrganisationId, userId: by.userId }, request: body },
      { footprints: world.footprints, users: world.users, agreement },
      now,
    );
    if (decision.decision === 'permit' && decision.agreement !== undefined) {
      return { outcome: 'permitted', organisationId, agreement: decision.agreement, body, dueAt };
    }
    return {
      outcome: 'refused',
      organisationId,
      reasons: decision.reasons,
      agreementNeeded: agreementNeededFor(cdopCase, organisationId, agreement, world, now),
    };
  });
  return { caseId: cdopCase.id, agreementId: agreement?.id, items };
};

/** Why an agency is suggested, in the order suggestions are listed. */
export const suggestionReasons = [
  'council-of-residence',
  'council-in-footprint',
  'police-bcu-of-residence',
  'health-in-footprint',
  'education-in-footprint',
] as const;

export const agencySuggestionSchema = z.strictObject({
  organisationId: registryId,
  name: z.string(),
  kind: z.enum(organisationKinds),
  why: z.enum(suggestionReasons),
  /** Whether the organisation is in the case's CDOP footprint (if not, a request will be refused). */
  inFootprint: z.boolean(),
});
export type AgencySuggestion = z.infer<typeof agencySuggestionSchema>;

/**
 * The agencies a CDOP would usually ask, from the registry: the councils (children's services) of the footprint,
 * the borough of residence first; the police of the BCU whose footprint includes the borough of residence; health
 * providers and commissioners; schools. The CDOP secretariat itself is never suggested.
 */
export const suggestAgencies = (
  cdopCase: CdopCase,
  registry: Pick<Registry, 'organisations' | 'footprints'>,
  now: Date,
): AgencySuggestion[] => {
  const footprint = registry.footprints.find((f) => f.id === cdopCase.footprintId);
  const members = footprint === undefined ? [] : membersOf(footprint, now);
  const residence = cdopCase.notification.boroughOfResidence;
  const suggestions = new Map<string, AgencySuggestion>();
  const add = (organisation: Organisation, why: AgencySuggestion['why']) => {
    if (organisation.id === cdopCase.cdopOrganisationId || suggestions.has(organisation.id)) return;
    suggestions.set(organisation.id, {
      organisationId: organisation.id,
      name: organisation.name,
      kind: organisation.kind,
      why,
      inFootprint: members.includes(organisation.id),
    });
  };
  const organisation = (id: string) => registry.organisations.find((o) => o.id === id);

  const residenceCouncil = organisation(residence);
  if (residenceCouncil !== undefined) add(residenceCouncil, 'council-of-residence');
  const inFootprint = members.flatMap((id) => organisation(id) ?? []);
  for (const o of inFootprint) if (o.kind === 'local-authority') add(o, 'council-in-footprint');
  for (const bcu of footprintsOf(registry, residence, now, 'police-bcu')) {
    for (const id of membersOf(bcu, now)) {
      const o = organisation(id);
      if (o?.kind === 'police') add(o, 'police-bcu-of-residence');
    }
  }
  for (const o of inFootprint) {
    if (o.kind === 'health-provider' || o.kind === 'health-commissioner') add(o, 'health-in-footprint');
    if (o.kind === 'school') add(o, 'education-in-footprint');
  }
  return [...suggestions.values()].sort(
    (a, b) => suggestionReasons.indexOf(a.why) - suggestionReasons.indexOf(b.why),
  );
};
