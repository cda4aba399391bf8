import * as z from 'zod';
import { InputError } from '../errors.ts';
import { isoDate, registryId } from '../registry/registry.ts';
import { subjectReferenceSchema } from '../subjects/subject-reference.ts';
import { placeCategories } from './panel-pack.ts';

/**
 * The notification of a child's death to a CDOP, as the case records it. The national forms are revised yearly, so
 * the schema is versioned: every notification names its `schemaVersion`, is parsed by that version's schema, and an
 * unknown version is refused rather than guessed at. A new year's form is a new entry in `notificationSchemas`; old
 * cases keep the version they were notified under.
 *
 * Nothing identifying is held: the child is a pseudonymous subject reference (sr1.<footprint>.<mac>), never a name
 * or NHS number; organisations are registry ids.
 */

/** Where the child died: inside the CDOP's footprint, or outside it (and then where, as an area, not an address). */
const placeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('in-footprint') }),
  z.strictObject({
    kind: z.literal('out-of-footprint'),
    /** The area or borough the death occurred in (for example "Camden"), not an address. */
    area: z.string().trim().min(1).max(200),
  }),
]);

const notification2026 = z.strictObject({
  schemaVersion: z.literal('2026'),
  subjectRef: subjectReferenceSchema,
  /** The council of the borough the child normally lived in: it decides which CDOP reviews the death. */
  boroughOfResidence: registryId,
  dateOfDeath: isoDate,
  /** Whether the death was expected (an unexpected death starts the joint agency response). */
  expected: z.boolean(),
  place: placeSchema,
  /** What kind of place, never an address (the panel pack shows it); unknown when not given. */
  placeCategory: z.enum(placeCategories).optional(),
  notifyingOrganisationId: registryId,
});

/** Every notification schema the exchange accepts, by version. */
export const notificationSchemas = { '2026': notification2026 } as const;
export type NotificationSchemaVersion = keyof typeof notificationSchemas;
export const notificationSchemaVersions = Object.keys(notificationSchemas) as NotificationSchemaVersion[];
/** The version new notifications are made with. */
export const currentNotificationSchemaVersion: NotificationSchemaVersion = '2026';

/** A parsed notification of any accepted version (one today; a union as versions are added). */
export type CdopNotification = z.infer<(typeof notificationSchemas)[NotificationSchemaVersion]>;

const isKnownVersion = (version: unknown): version is NotificationSchemaVersion =>
  typeof version === 'string' && Object.hasOwn(notificationSchemas, version);

/**
 * Parses a notification by the schema of the version it names. Refuses (INVALID_INPUT) input that is not an object,
 * names no version or an unknown one, or breaks its version's schema; details name the failing fields, never values.
 */
export const parseNotification = (input: unknown): CdopNotification => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputError('INVALID_INPUT', 'a notification is an object', ['notification: not an object']);
  }
  const version = (input as { schemaVersion?: unknown }).schemaVersion;
  if (!isKnownVersion(version)) {
    throw new InputError('INVALID_INPUT', 'unknown notification schema version', [
      `schemaVersion: one of ${notificationSchemaVersions.join(', ')}`,
    ]);
  }
  const parsed = notificationSchemas[version].safeParse(input);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_INPUT',
      `the notification does not meet schema ${version}`,
      parsed.error.issues.map((i) => `${i.path.join('.') || 'notification'}: ${i.message}`),
    );
  }
  return parsed.data;
};
