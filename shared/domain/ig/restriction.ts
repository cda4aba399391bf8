import * as z from 'zod';
import type { AuditEntry } from '../audit/audit-entry.ts';
import { concernsOrganisation } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, InputError } from '../errors.ts';
import type { UserRole } from '../registry/registry.ts';

/**
 * A restriction of one audit entry from subject access reports (UK GDPR Art 15, with the exemptions of DPA 2018
 * Schedule 2): an organisation the entry concerns withholds it from the disclosure of `GET /v1/ig/child/disclosure`
 * until an end date, or until it is lifted. A restriction never hides the entry from the `child` answer: the IG
 * roles who see the entry see it marked restricted (docs/IG.md, "Who looked at this child, and subject access").
 */

/** Why an entry is withheld: the Schedule 2 exemption relied on, coded. */
export const restrictionReasonCodes = [
  /** Sch 2 para 2: disclosure would prejudice the prevention or detection of crime (a police enquiry). */
  'crime-prevention',
  /** Sch 3 para 5 (health), para 7 (social work): disclosure would be likely to cause serious harm. */
  'serious-harm',
  /** Sch 2 para 16: disclosure would reveal information about another individual. */
  'third-party',
  /** Sch 2 para 19: legal professional privilege. */
  'legal-privilege',
  /** Another exemption, named in the reason in words. */
  'other',
] as const;
export type RestrictionReasonCode = (typeof restrictionReasonCodes)[number];

/** The roles that may restrict an organisation's entries and lift its restrictions. */
export const restrictingRoles: readonly UserRole[] = ['ig-lead', 'caldicott-guardian', 'dpo'];

/** An end date: a calendar day (UTC); the restriction holds to the end of it. */
export const endDate = z.iso.date();

/** The most subject references one restricted entry may carry: a copy of the restriction is kept under each. */
export const maxRestrictedReferences = 90;

export const restrictionSchema = z.object({
  id: z.string().min(1),
  organisationId: z.string().min(1),
  /** The leaf index of the entry restricted. */
  index: z.number().int().min(0),
  /** The subject references the entry carries, under each of which the restriction is found. */
  subjectRefs: z.array(z.string()).min(1),
  reasonCode: z.enum(restrictionReasonCodes),
  /** The reason in words: kept here, for the organisation's IG roles; the log holds its SHA-256 only. */
  reason: z.string().min(1),
  until: endDate,
  createdAt: z.iso.datetime(),
  createdBy: z.object({ userId: z.string(), role: z.string().optional() }),
  state: z.enum(['restricted', 'lifted']),
  lifted: z.object({ at: z.iso.datetime(), userId: z.string(), reason: z.string().min(1) }).optional(),
});
export type Restriction = z.infer<typeof restrictionSchema>;

/** The first instant a restriction no longer holds: midnight (UTC) after its end date. */
export const restrictionEndsAt = (until: string): Date =>
  new Date(Date.parse(`${until}T00:00:00.000Z`) + 24 * 60 * 60 * 1000);

/** Whether a restriction withholds its entry at `at`: not lifted, and its end date not yet over. */
export const restrictionInForce = (r: Pick<Restriction, 'state' | 'until'>, at: Date): boolean =>
  r.state === 'restricted' && at.getTime() < restrictionEndsAt(r.until).getTime();

/** The user acting for their organisation's IG: one of the restricting roles, else 403 NOT_PERMITTED. */
export const restrictingUser = (principal: Principal): { userId: string; role?: string } => {
  const roles = principal.user?.roles ?? [];
  const role = restrictingRoles.find((r) => roles.includes(r));
  if (principal.user === undefined || role === undefined) {
    throw new AuthorisationError('NOT_PERMITTED', "restrictions are made by an organisation's IG roles", [
      `roles allowed: ${restrictingRoles.join(', ')}`,
    ]);
  }
  return { userId: principal.user.id, role };
};

/** Refuses an entry that does not concern the caller's organisation (403 NOT_PERMITTED). */
export const assertConcernsOrganisation = (entry: AuditEntry, organisationId: string): void => {
  if (!concernsOrganisation(entry, organisationId)) {
    throw new AuthorisationError('NOT_PERMITTED', 'an organisation restricts only entries that concern it', [
      'index: an entry that does not concern your organisation',
    ]);
  }
};

/** The subject references an entry carries: those a restriction of it is kept under. */
export const referencesOf = (entry: AuditEntry): string[] => [
  ...new Set([...(entry.subjectRef === undefined ? [] : [entry.subjectRef]), ...(entry.subjectRefs ?? [])]),
];

/** Refuses an end date already over (400 INVALID_INPUT): a restriction is made to hold. */
export const assertEndAhead = (until: string, now: Date): void => {
  if (!restrictionInForce({ state: 'restricted', until }, now)) {
    throw new InputError('INVALID_INPUT', 'the end date of a restriction is today or later', [
      'until: in the past',
    ]);
  }
};

/**
 * The restriction in force on each leaf index at `at`, of those given: the one ending last when several hold.
 */
export const restrictionsInForce = (
  restrictions: readonly Restriction[],
  at: Date,
): ReadonlyMap<number, Restriction> => {
  const byIndex = new Map<number, Restriction>();
  for (const r of restrictions) {
    if (!restrictionInForce(r, at)) continue;
    const held = byIndex.get(r.index);
    if (held === undefined || held.until < r.until) byIndex.set(r.index, r);
  }
  return byIndex;
};
