import * as z from 'zod';
import { alertThresholdsSchema } from '../alerts/thresholds.ts';
import { RegistryError } from '../errors.ts';

/** Registry ids are stable, URL-safe slugs: they appear in paths, `iss` claims and audit entries. */
export const registryId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/, 'lower-case letters, digits and hyphens, 3 to 64 characters');

/** A calendar date (YYYY-MM-DD). Footprint and membership bounds are whole days. */
export const isoDate = z.iso.date();

export const organisationKinds = [
  'local-authority',
  'police',
  'health-commissioner',
  'health-provider',
  'cdop-secretariat',
  'school',
  'probation',
  'youth-justice',
  /** Whoever runs the exchange: onboards organisations and their keys. */
  'exchange-operator',
] as const;

export const organisationSchema = z.object({
  id: registryId,
  name: z.string().min(1),
  kind: z.enum(organisationKinds),
  /** The organisation's own thresholds for the anomaly rules, over the defaults (docs/IG.md "Anomaly alerts"). */
  alertThresholds: alertThresholdsSchema.optional(),
});
export type Organisation = z.infer<typeof organisationSchema>;

export const footprintKinds = ['police-bcu', 'cdop', 'safeguarding-partnership'] as const;
export type FootprintKind = (typeof footprintKinds)[number];

export const membershipSchema = z.object({
  organisationId: registryId,
  from: isoDate,
  to: isoDate.optional(),
});
export type Membership = z.infer<typeof membershipSchema>;

export const footprintSchema = z.object({
  id: registryId,
  name: z.string().min(1),
  kind: z.enum(footprintKinds),
  validFrom: isoDate,
  validTo: isoDate.optional(),
  memberships: z.array(membershipSchema).min(1),
  /** Where the membership comes from (a document and line), or what it is limited to. */
  note: z.string().optional(),
});
export type Footprint = z.infer<typeof footprintSchema>;

export const clientSchema = z.object({
  id: registryId,
  organisationId: registryId,
  name: z.string().min(1),
  status: z.enum(['active', 'suspended']),
});
export type Client = z.infer<typeof clientSchema>;

export const userRoles = [
  'practitioner',
  'cdop-manager',
  'cdop-coordinator',
  'ig-lead',
  'caldicott-guardian',
  'dpo',
  'scrutineer',
  'operator',
] as const;
export type UserRole = (typeof userRoles)[number];

/** A user id is `<organisation id>.<name>`, so whose user it is shows in every audit entry. */
export const userId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]\.[a-z0-9][a-z0-9-]{0,62}$/);

/** A person of an organisation; a client of that organisation vouches for them as `sub` of a signed request. */
export const userSchema = z.object({
  id: userId,
  organisationId: registryId,
  /** A role title, not a person's name: the registry is no place for staff personal data. */
  displayName: z.string().min(1),
  roles: z.array(z.enum(userRoles)).min(1),
  status: z.enum(['active', 'suspended']),
});
export type User = z.infer<typeof userSchema>;

/** The registry as one consistent snapshot, as the registry store loads it. */
export type Registry = {
  readonly organisations: readonly Organisation[];
  readonly footprints: readonly Footprint[];
  readonly clients: readonly Client[];
  readonly users: readonly User[];
};

const within = (day: string, from: string, to: string | undefined): boolean =>
  day >= from && (to === undefined || day <= to);

/** The calendar day (UTC) of an instant: footprint bounds are whole days. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** Whether the footprint itself is in force on the day of `at`. */
export const isFootprintInForce = (footprint: Footprint, at: Date): boolean =>
  within(dayOf(at), footprint.validFrom, footprint.validTo);

/** The organisations in a footprint on the day of `at` (none if the footprint is not in force). */
export const membersOf = (footprint: Footprint, at: Date): string[] => {
  if (!isFootprintInForce(footprint, at)) return [];
  const day = dayOf(at);
  return footprint.memberships.filter((m) => within(day, m.from, m.to)).map((m) => m.organisationId);
};

/** The footprints an organisation belongs to on the day of `at`, optionally of one kind only. */
export const footprintsOf = (
  registry: Pick<Registry, 'footprints'>,
  organisationId: string,
  at: Date,
  kind?: FootprintKind,
): Footprint[] =>
  registry.footprints.filter(
    (f) => (kind === undefined || f.kind === kind) && membersOf(f, at).includes(organisationId),
  );

/**
 * The footprints of one kind that two organisations share on the day of `at`. The kind is required: a shared
 * police BCU is not a shared CDOP, so no caller can ask "do they share anything?".
 */
export const sharedFootprints = (
  registry: Pick<Registry, 'footprints'>,
  a: string,
  b: string,
  kind: FootprintKind,
  at: Date,
): Footprint[] => footprintsOf(registry, a, at, kind).filter((f) => membersOf(f, at).includes(b));

/**
 * Checks the invariants no store can: unique ids, every member and client belongs to a known organisation,
 * memberships lie inside their footprint's validity. Returns every breach, so a bad seed is fixed in one go.
 */
export const findRegistryProblems = (registry: Registry): string[] => {
  const problems: string[] = [];
  const duplicates = (kind: string, ids: readonly string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`duplicate ${kind} id ${id}`);
      seen.add(id);
    }
  };
  duplicates(
    'organisation',
    registry.organisations.map((o) => o.id),
  );
  duplicates(
    'footprint',
    registry.footprints.map((f) => f.id),
  );
  duplicates(
    'client',
    registry.clients.map((c) => c.id),
  );

  const organisations = new Set(registry.organisations.map((o) => o.id));
  for (const footprint of registry.footprints) {
    if (footprint.validTo !== undefined && footprint.validTo < footprint.validFrom) {
      problems.push(`footprint ${footprint.id} ends before it starts`);
    }
    for (const m of footprint.memberships) {
      if (!organisations.has(m.organisationId)) {
        problems.push(`footprint ${footprint.id} names unknown organisation ${m.organisationId}`);
      }
      if (m.to !== undefined && m.to < m.from) {
        problems.push(`membership of ${m.organisationId} in ${footprint.id} ends before it starts`);
      }
      // An open-ended membership simply ends with its footprint; an explicit end after it is a data error.
      const endsAfter = footprint.validTo !== undefined && m.to !== undefined && m.to > footprint.validTo;
      if (m.from < footprint.validFrom || endsAfter) {
        problems.push(
          `membership of ${m.organisationId} in ${footprint.id} lies outside the footprint's validity`,
        );
      }
    }
  }
  for (const client of registry.clients) {
    if (!organisations.has(client.organisationId)) {
      problems.push(`client ${client.id} names unknown organisation ${client.organisationId}`);
    }
  }
  duplicates(
    'user',
    registry.users.map((u) => u.id),
  );
  for (const user of registry.users) {
    if (!organisations.has(user.organisationId)) {
      problems.push(`user ${user.id} names unknown organisation ${user.organisationId}`);
    } else if (!user.id.startsWith(`${user.organisationId}.`)) {
      problems.push(`user ${user.id} is not named after its organisation ${user.organisationId}`);
    }
  }
  return problems;
};

/** Throws REGISTRY_INCONSISTENT listing every problem, or returns the registry unchanged. */
export const assertRegistryConsistent = <R extends Registry>(registry: R): R => {
  const problems = findRegistryProblems(registry);
  if (problems.length > 0) {
    throw new RegistryError('REGISTRY_INCONSISTENT', 'the registry breaks its invariants', problems);
  }
  return registry;
};
