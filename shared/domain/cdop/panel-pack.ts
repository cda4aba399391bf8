import { createHash } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { InputError } from '../errors.ts';
import { registryId, type UserRole } from '../registry/registry.ts';
import {
  type IdentifyingValueWarning,
  type ReportBody,
  type ReportingForm,
  redactBody,
  reportingFormSchemas,
  separateIdentifying,
} from './reporting-form.ts';

/**
 * The panel pack (issue 7 "Panel pack"): what the members of a CDOP panel read before they meet. It holds, per
 * agency, the de-identified body of its report only; the case's non-identifying facts (an age band, not a date of
 * birth; the quarter of death, not the day; the category of place); which agencies are still outstanding, which
 * declined and whose ask ended; and a SHA-256 over its canonical JSON, so the pack a member read can be shown to
 * be the pack that was assembled. Pure: node:crypto and zod only.
 */

/** Where the child died, as a category: never an address. */
export const placeCategories = [
  'hospital',
  'home',
  'public-place',
  'other-residence',
  'other',
  'unknown',
] as const;
export type PlaceCategory = (typeof placeCategories)[number];

/** The case as the pack needs it. The dates are used to derive bands and never copied into the pack. */
export type PanelCaseSummary = {
  readonly caseId: string;
  /** The CDOP footprint (registry id) reviewing the death. */
  readonly cdopFootprintId: string;
  /** The registry id of the local authority the child normally lived in. */
  readonly boroughOfResidence: string;
  readonly dateOfBirth: string;
  readonly dateOfDeath: string;
  readonly expected: boolean;
  readonly placeCategory: PlaceCategory;
  /** Whether the death happened inside the CDOP's footprint. */
  readonly diedInFootprint: boolean;
  /** The registry ids of every agency asked for a report. */
  readonly agenciesRequested: readonly string[];
  /** Agencies that declined to report: not outstanding, they will not report. */
  readonly agenciesDeclined?: readonly string[];
  /**
   * Agencies whose ask ended without a report: withdrawn by the CDOP, or ended when the agreement was revoked or
   * expired. Not outstanding either.
   */
  readonly agenciesEnded?: readonly string[];
};

/** Age bands as child death figures are usually grouped. */
export const ageBands = [
  '0-27-days',
  '28-364-days',
  '1-4-years',
  '5-9-years',
  '10-14-years',
  '15-17-years',
] as const;
export type AgeBand = (typeof ageBands)[number];

const dayMs = 86_400_000;
const dayNumber = (isoDate: string): number => {
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new InputError('INVALID_INPUT', 'not a date (YYYY-MM-DD)');
  return Math.floor(ms / dayMs);
};

/** Whole years from birth to a day, counting birthdays (29 February birthdays fall on 1 March in other years). */
const wholeYears = (birth: string, on: string): number => {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [oy, om, od] = on.split('-').map(Number) as [number, number, number];
  return oy - by - (om < bm || (om === bm && od < bd) ? 1 : 0);
};

/** The age band at death; 400 INVALID_INPUT if death is before birth or at 18 or over. */
export const ageBandAt = (dateOfBirth: string, dateOfDeath: string): AgeBand => {
  const days = dayNumber(dateOfDeath) - dayNumber(dateOfBirth);
  if (days < 0) throw new InputError('INVALID_INPUT', 'the date of death is before the date of birth');
  if (days < 28) return '0-27-days';
  const years = wholeYears(dateOfBirth, dateOfDeath);
  if (years < 1) return '28-364-days';
  if (years < 5) return '1-4-years';
  if (years < 10) return '5-9-years';
  if (years < 15) return '10-14-years';
  if (years < 18) return '15-17-years';
  throw new InputError('INVALID_INPUT', 'a child death review covers children under 18');
};

/** The calendar quarter of a day, `YYYY-Qn`. */
export const calendarQuarterOf = (isoDate: string): string => {
  dayNumber(isoDate);
  const month = Number(isoDate.slice(5, 7));
  return `${isoDate.slice(0, 4)}-Q${Math.ceil(month / 3)}`;
};

export type PanelPackAgencyReport = {
  readonly agencyId: string;
  readonly body: ReportBody;
  /** How many part A values were found in this body's text and redacted (paths in `redactions`). */
  readonly redactions: readonly Omit<IdentifyingValueWarning, 'code'>[];
};

export type PanelPackContent = {
  readonly caseId: string;
  readonly cdopFootprintId: string;
  readonly facts: {
    readonly boroughOfResidence: string;
    readonly ageBand: AgeBand;
    readonly quarterOfDeath: string;
    readonly expected: boolean;
    readonly placeCategory: PlaceCategory;
    readonly diedInFootprint: boolean;
  };
  readonly reports: readonly PanelPackAgencyReport[];
  /** Agencies asked for a report that may still return one, sorted. */
  readonly agenciesOutstanding: readonly string[];
  /** Agencies that declined to report, sorted. */
  readonly agenciesDeclined: readonly string[];
  /** Agencies whose ask ended without a report (withdrawn, or the agreement ended), sorted. */
  readonly agenciesEnded: readonly string[];
};

export type PanelPack = PanelPackContent & {
  /** Hex SHA-256 of the canonical JSON of the content (everything but this field). */
  readonly packHash: string;
};

const sortedIds = z.array(registryId);

/**
 * A pack read back (the payloads bucket, an answer): every field named, nothing else allowed, each report body
 * the redacted body of its form version. A pack that does not parse is not one the exchange assembled.
 */
export const panelPackSchema = z.strictObject({
  caseId: z.string().min(1),
  cdopFootprintId: registryId,
  facts: z.strictObject({
    boroughOfResidence: registryId,
    ageBand: z.enum(ageBands),
    quarterOfDeath: z.string().regex(/^\d{4}-Q[1-4]$/),
    expected: z.boolean(),
    placeCategory: z.enum(placeCategories),
    diedInFootprint: z.boolean(),
  }),
  reports: z.array(
    z.strictObject({
      agencyId: registryId,
      body: reportingFormSchemas['2026'].redactedBody,
      redactions: z.array(z.strictObject({ bodyPath: z.string(), identifyingField: z.string() })),
    }),
  ),
  agenciesOutstanding: sortedIds,
  agenciesDeclined: sortedIds,
  agenciesEnded: sortedIds,
  packHash: z.string().regex(/^[0-9a-f]{64}$/),
});

/** What the schema parses is a `PanelPack` (checked by the compiler). */
const parsedIsPack = (parsed: z.infer<typeof panelPackSchema>): PanelPack => parsed;
void parsedIsPack;

export const panelPackHash = (content: PanelPackContent): string =>
  createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');

/**
 * Assembles the pack from the case and the reports received. Each report is separated (its part A left out) and
 * any part A value its text repeats is redacted. Reports are sorted by agency, so one set of reports gives one
 * hash whatever order they arrived in. 400 INVALID_INPUT for a report of another case, a report from an agency
 * that was not asked, or two reports from one agency.
 */
export const assemblePanelPack = (
  caseSummary: PanelCaseSummary,
  reports: readonly ReportingForm[],
): PanelPack => {
  const requested = new Set(caseSummary.agenciesRequested);
  const declined = new Set(caseSummary.agenciesDeclined ?? []);
  const ended = new Set(caseSummary.agenciesEnded ?? []);
  const received = new Set<string>();
  const packReports: PanelPackAgencyReport[] = [];
  for (const report of reports) {
    if (report.caseId !== caseSummary.caseId) {
      throw new InputError('INVALID_INPUT', 'a report is for another case', [`agency: ${report.agencyId}`]);
    }
    if (!requested.has(report.agencyId)) {
      throw new InputError('INVALID_INPUT', 'a report is from an agency that was not asked', [
        `agency: ${report.agencyId}`,
      ]);
    }
    if (received.has(report.agencyId)) {
      throw new InputError('INVALID_INPUT', 'two reports from one agency', [`agency: ${report.agencyId}`]);
    }
    received.add(report.agencyId);
    const { body, warnings } = separateIdentifying(report);
    packReports.push({
      agencyId: report.agencyId,
      body: redactBody(body, report.partA),
      redactions: warnings.map(({ bodyPath, identifyingField }) => ({ bodyPath, identifyingField })),
    });
  }
  packReports.sort((a, b) => (a.agencyId < b.agencyId ? -1 : a.agencyId > b.agencyId ? 1 : 0));
  const content: PanelPackContent = {
    caseId: caseSummary.caseId,
    cdopFootprintId: caseSummary.cdopFootprintId,
    facts: {
      boroughOfResidence: caseSummary.boroughOfResidence,
      ageBand: ageBandAt(caseSummary.dateOfBirth, caseSummary.dateOfDeath),
      quarterOfDeath: calendarQuarterOf(caseSummary.dateOfDeath),
      expected: caseSummary.expected,
      placeCategory: caseSummary.placeCategory,
      diedInFootprint: caseSummary.diedInFootprint,
    },
    reports: packReports,
    agenciesOutstanding: [...requested]
      .filter((id) => !received.has(id) && !declined.has(id) && !ended.has(id))
      .sort(),
    agenciesDeclined: [...requested].filter((id) => !received.has(id) && declined.has(id)).sort(),
    agenciesEnded: [...requested]
      .filter((id) => !received.has(id) && !declined.has(id) && ended.has(id))
      .sort(),
  };
  return { ...content, packHash: panelPackHash(content) };
};

/** The CDOP whose pack is asked for: its footprint and the secretariat organisation that runs it. */
export type PanelCdop = {
  readonly footprintId: string;
  readonly secretariatOrganisationId: string;
};

/**
 * The roles that may read a panel pack. The registry has no panel-member role (shared/domain/registry/registry.ts
 * `userRoles`), so for now only the CDOP manager and coordinator of the secretariat qualify; panel members from
 * other agencies (chair, designated doctor) need a `cdop-panel-member` role added to the registry, which is a
 * decision for the lead, not made here.
 */
export const panelPackRoles: readonly UserRole[] = ['cdop-manager', 'cdop-coordinator'];

/** Whether a caller may fetch a CDOP's panel pack: a user of its secretariat holding a panel-pack role. */
export const panelMayFetch = (
  principal: { readonly organisationId: string; readonly roles: readonly UserRole[] },
  cdop: PanelCdop,
): boolean =>
  principal.organisationId === cdop.secretariatOrganisationId &&
  principal.roles.some((role) => panelPackRoles.includes(role));
