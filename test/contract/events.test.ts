import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { eventModules, exchangeEventTypes } from '#shared/domain/events/exchange-event.ts';
import { eventFileBase, eventJsonSchemas, schemasDir } from '../../scripts/event-schemas.ts';

/**
 * The event contract (events/README.md): every event module has a fixture its schema accepts; consumers tolerate
 * fields they do not know (a later version may add optional ones) and refuse a missing required one; no schema
 * has a field for personal data; the committed JSON Schemas are those of the zod schemas.
 */

const fixtureOf = (type: (typeof exchangeEventTypes)[number]): Record<string, unknown> =>
  JSON.parse(
    readFileSync(
      new URL(
        `../../events/${eventFileBase(type, eventModules[type].version)}.fixture.json`,
        import.meta.url,
      ),
      'utf8',
    ),
  );

/** Field names that would carry personal data, in the spellings a producer might use. */
const personalDataFields = [
  'subjectRef',
  'subjectReference',
  'subject',
  'nhsNumber',
  'name',
  'firstName',
  'lastName',
  'fullName',
  'dateOfBirth',
  'dob',
  'address',
  'postcode',
  'justification',
];

/** Every property name a schema declares, at any depth of objects and arrays. */
const fieldNames = (schema: z.ZodType): string[] => {
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, field]) => [
      name,
      ...fieldNames(field),
    ]);
  }
  if (schema instanceof z.ZodArray) return fieldNames(schema.element as z.ZodType);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return fieldNames(schema.unwrap() as z.ZodType);
  return [];
};

describe.each(exchangeEventTypes)('the %s event', (type) => {
  const module = eventModules[type];
  const fixture = fixtureOf(type);

  it('is a versioned module: past-tense PascalCase detail-type, pbx.<capability> source, version 1', () => {
    expect(module.detailType).toBe(type);
    expect(module.detailType).toMatch(/^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/);
    expect(module.source).toMatch(/^pbx\.[a-z][a-z-]*$/);
    expect(module.version).toBe(1);
  });

  it('accepts its fixture', () => {
    expect(module.detailSchema.parse(fixture)).toEqual(fixture);
  });

  it('tolerates a field it does not know (dropping it), as a consumer of a later version must', () => {
    const parsed = module.detailSchema.parse({ ...fixture, addedInV2: 'x' });
    expect(parsed).toEqual(fixture);
  });

  it('refuses the fixture with any required field missing', () => {
    for (const field of Object.keys(fixture)) {
      const { [field]: _missing, ...rest } = fixture;
      expect({ field, ok: module.detailSchema.safeParse(rest).success }).toEqual({ field, ok: false });
    }
  });

  it('has no field named like personal data, and never passes one through', () => {
    const names = fieldNames(module.detailSchema).map((n) => n.toLowerCase());
    for (const field of personalDataFields) {
      expect(names).not.toContain(field.toLowerCase());
      const parsed = module.detailSchema.parse({ ...fixture, [field]: 'Jane Doe' });
      expect(parsed).not.toHaveProperty(field);
    }
  });

  it('has its JSON Schema committed under events/schemas/, as generated from the zod schema', () => {
    const expected = eventJsonSchemas().find((s) => s.file === `${eventFileBase(type, 1)}.json`);
    expect(expected).toBeDefined();
    const committed = readFileSync(new URL(expected?.file ?? '', schemasDir), 'utf8');
    // Compared as JSON: the committed file is formatted by Biome, the generator writes JSON.stringify's layout.
    expect(JSON.parse(committed), 'run npm run events:schemas').toEqual(JSON.parse(expected?.text ?? ''));
  });
});
