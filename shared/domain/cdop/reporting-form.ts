import * as z from 'zod';
import { InputError } from '../errors.ts';
import { registryId } from '../registry/registry.ts';
import { isValidNhsNumber } from '../subjects/subject-reference.ts';

/**
 * The child death reporting form every agency that knew the child returns to the CDOP (issue 7; domain brief
 * section 4). Like the national form it has two parts:
 *
 * - part A, the identifying first page: the child's names, date of birth, address and NHS number, the parents' or
 *   carers' names, the agency's own case numbers and who completed the form. The CDOP secretariat keeps it; the
 *   panel never sees it.
 * - part B, the agency's account: its involvement, its concerns and the factors it saw, grouped as the national
 *   form groups them (the child; the family and environment; service provision), each coded with free text.
 *
 * The forms are revised every year, so every schema is keyed by its version and a report carries the version it
 * was written against. The codes below are this exchange's working lists, to be aligned with the national forms'
 * own code lists when the CDOPs confirm them (the seeds are silent on the forms, brief section 4.8).
 *
 * Pure: zod only. No error here ever carries a value from a form, only paths and codes.
 */

const text = z.string().trim().min(1).max(20_000);
const shortText = z.string().trim().min(1).max(200);
const answer = z.enum(['yes', 'no', 'unknown']);

const nhsNumber = z
  .string()
  .refine(isValidNhsNumber, { message: 'not an NHS number (10 digits with a valid check digit)' });

const address2026 = z.strictObject({
  lines: z.array(shortText).min(1).max(6),
  postcode: z.string().trim().min(2).max(10),
});

/** Part A (2026): every field that identifies the child, the family or the person who completed the form. */
const identifying2026 = z.strictObject({
  child: z.strictObject({
    givenNames: shortText,
    familyName: shortText,
    otherNames: z.array(shortText).max(10).optional(),
    dateOfBirth: z.iso.date(),
    nhsNumber: nhsNumber.optional(),
    address: address2026,
  }),
  parentsOrCarers: z
    .array(
      z.strictObject({
        name: shortText,
        relationship: shortText,
        address: address2026.optional(),
      }),
    )
    .max(10)
    .optional(),
  agencyCaseNumbers: z.array(shortText).max(20),
  completedBy: z.strictObject({
    name: shortText,
    jobTitle: shortText,
    contact: shortText,
  }),
});

export const childFactorCodes = [
  'disability-or-long-term-condition',
  'emotional-behavioural-or-mental-health',
  'substance-use',
  'previous-self-harm',
  'prematurity-or-low-birth-weight',
  'other',
] as const;
export const familyEnvironmentFactorCodes = [
  'domestic-abuse',
  'parental-substance-use',
  'parental-mental-health',
  'smoking-in-household',
  'unsafe-sleeping-arrangement',
  'housing-or-overcrowding',
  'financial-hardship',
  'neglect-or-supervision',
  'other',
] as const;
export const serviceProvisionFactorCodes = [
  'access-to-services',
  'communication-between-agencies',
  'assessment-or-recognition-of-risk',
  'delay-in-treatment-or-response',
  'transition-between-services',
  'other',
] as const;

/**
 * Part B (2026): the agency's account. No field here may name, date or locate the child or the family. Built from
 * its string schemas so that the account as the panel pack holds it (redacted: each part A value in its text
 * replaced by `redactionMarker`, which may lengthen a string past its bound) has the very same fields.
 */
const accountOf = (strings: { readonly text: z.ZodString; readonly shortText: z.ZodString }) => {
  const factor = <C extends readonly [string, ...string[]]>(codes: C) =>
    z.strictObject({ code: z.enum(codes), present: answer, detail: strings.text.optional() });
  return z.strictObject({
    involvement: z.strictObject({
      status: z.enum(['current', 'past', 'none', 'unknown']),
      services: z.array(strings.shortText).max(20),
      summary: strings.text.optional(),
    }),
    concerns: z.strictObject({
      safeguardingConcerns: answer,
      childProtectionPlan: answer,
      lookedAfter: answer,
      detail: strings.text.optional(),
    }),
    factors: z.strictObject({
      intrinsicToChild: z.array(factor(childFactorCodes)).max(20),
      familyAndEnvironment: z.array(factor(familyEnvironmentFactorCodes)).max(20),
      serviceProvision: z.array(factor(serviceProvisionFactorCodes)).max(20),
    }),
    additionalInformation: strings.text.optional(),
  });
};
const account2026 = accountOf({ text, shortText });
/** Part B (2026) after redaction: the same fields, each string non-empty but no longer bounded by the form's limit. */
const redactedAccount2026 = accountOf({ text: z.string().min(1), shortText: z.string().min(1) });

const report2026 = z.strictObject({
  schemaVersion: z.literal('2026'),
  /** The CDOP case this report answers (an opaque exchange id, not a subject reference). */
  caseId: shortText,
  /** The registry id of the agency reporting. */
  agencyId: registryId,
  partA: identifying2026,
  partB: account2026,
});

/** Every reporting-form version the exchange accepts, keyed by version. A new year's form is a new entry. */
export const reportingFormSchemas = {
  '2026': {
    report: report2026,
    partA: identifying2026,
    partB: account2026,
    /** The report as the panel pack holds it: part A left out, part B redacted (panel-pack.ts). */
    redactedBody: report2026.omit({ partA: true }).extend({ partB: redactedAccount2026 }),
  },
} as const;
export type ReportingFormVersion = keyof typeof reportingFormSchemas;
export const reportingFormVersions = Object.keys(reportingFormSchemas) as ReportingFormVersion[];

export type ReportingForm = z.infer<typeof report2026>;
export type ReportIdentifying = ReportingForm['partA'];
export type ReportAccount = ReportingForm['partB'];

/** The `schemaVersion` a form says it was written against; empty when it names none (every parser refuses it). */
export const schemaVersionOf = (value: unknown): string =>
  typeof value === 'object' &&
  value !== null &&
  'schemaVersion' in value &&
  typeof value.schemaVersion === 'string'
    ? value.schemaVersion
    : '';

export const isReportingFormVersion = (version: string): version is ReportingFormVersion =>
  Object.hasOwn(reportingFormSchemas, version);

/** Where a zod parse failed, as `path: code` lines: never the offending value. */
export const issuePaths = (error: z.ZodError): string[] =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);

/**
 * A report parsed against the schema of its version. 400 INVALID_INPUT for an unknown version, a report that
 * claims another version, or one that does not match the schema (unknown fields are refused, not dropped, so an
 * identifying field can never slip into part B under a new name).
 */
export const parseReport = (version: string, value: unknown): ReportingForm => {
  if (!isReportingFormVersion(version)) {
    throw new InputError('INVALID_INPUT', 'unknown reporting-form version', [
      `versions accepted: ${reportingFormVersions.join(', ')}`,
    ]);
  }
  const parsed = reportingFormSchemas[version].report.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_INPUT',
      `not a reporting form of version ${version}`,
      issuePaths(parsed.error),
    );
  }
  return parsed.data;
};

// --- Separation -----------------------------------------------------------------------------------------------

/** The identifying first page, kept by the secretariat. */
export type IdentifyingPart = {
  readonly schemaVersion: ReportingFormVersion;
  readonly caseId: string;
  readonly agencyId: string;
  readonly partA: ReportIdentifying;
};

/** The report as the panel may see it: the agency's account and nothing of part A. */
export type ReportBody = {
  readonly schemaVersion: ReportingFormVersion;
  readonly caseId: string;
  readonly agencyId: string;
  readonly partB: ReportAccount;
};

/** A part A value found in part B's free text: where (paths only, never the value). */
export type IdentifyingValueWarning = {
  readonly code: 'IDENTIFYING_VALUE_IN_FREE_TEXT';
  /** The path in part B, e.g. `partB.concerns.detail`. */
  readonly bodyPath: string;
  /** The part A field whose value appears there, e.g. `partA.child.givenNames`. */
  readonly identifyingField: string;
};

/**
 * Type-level proof that part B shares no top-level field with part A (test/unit/cdop-forms.test.ts checks every
 * depth: no field name of part A occurs anywhere in a body).
 */
type Disjoint<A, B> = Extract<keyof A, keyof B> extends never ? true : false;
const partsDisjoint: Disjoint<ReportIdentifying, ReportAccount> = true;
void partsDisjoint;

/** Every field name anywhere in a value (object keys, at every depth). */
export const fieldNamesOf = (value: unknown): Set<string> => {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        names.add(k);
        walk(child);
      }
    }
  };
  walk(value);
  return names;
};

/** Every string in a value with its path (`a.b.0.c`). */
export const stringsOf = (value: unknown, prefix: string): { path: string; value: string }[] => {
  const found: { path: string; value: string }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') found.push({ path, value: v });
    else if (Array.isArray(v)) {
      v.forEach((child, i) => {
        walk(child, `${path}.${i}`);
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) walk(child, `${path}.${k}`);
    }
  };
  walk(value, prefix);
  return found;
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A letter or digit before or after a match means it is part of a longer word or number. Letters are the Latin
 * ones with their accented forms (to U+024F): a Unicode property class makes each pattern take milliseconds to
 * compile, and the patterns are built per report.
 */
const wordChar = '0-9A-Za-z\\u00C0-\\u024F';
const notAfterWord = `(?<![${wordChar}])`;
const notBeforeWord = `(?![${wordChar}])`;

/**
 * A date (YYYY-MM-DD) as people write it: day, month and year in either order with `/`, `.`, `-` or spaces, with
 * or without leading zeros, a two- or four-digit year (`10/02/2024`, `10.02.24`, `2024-02-10`, `20240210`); or
 * with the month's name or its abbreviation, an ordinal day, and the year or none (`10 Feb 2024`, `10th of
 * February 2024`, `February 10, 2024`, `10th February`). A month and day alone in figures (`10/02`) are not
 * matched: too many other things are written so.
 */
const datePattern = (iso: string): string => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const year = String(y);
  const day = d < 10 ? `0?${d}` : String(d);
  const month = m < 10 ? `0?${m}` : String(m);
  const years = `(?:${year}|'?${year.slice(2)})`;
  const sep = '[\\s./-]';
  const full = months[m - 1] ?? '';
  const name = `(?:${full}|${full.slice(0, 3)}${full === 'september' ? '|sept' : ''})\\.?`;
  const ordinalDay = `${day}(?:st|nd|rd|th)?`;
  const forms = [
    `${day}${sep}${month}${sep}${years}`,
    `${month}${sep}${day}${sep}${years}`,
    `${year}${sep}?${month}${sep}?${day}`,
    `${ordinalDay}[\\s-]*(?:of\\s+)?${name}(?:[\\s,./-]*${years})?`,
    `${name}[\\s-]*${ordinalDay}(?:[\\s,]*${years})?`,
  ];
  return `${notAfterWord}(?:${forms.join('|')})${notBeforeWord}`;
};

/**
 * Figures and letters with digits among them (NHS numbers, postcodes, case numbers, phone numbers): matched with
 * any spaces, hyphens, dots or slashes between their characters, in any case (`943 476 5919`, `943-476-5919`,
 * `rm19zz`), and not as part of a longer word or number (`N16` is not found in `on 16`).
 */
const codePattern = (value: string): string => {
  const chars = [...value.toLowerCase().replace(/[\s./-]+/g, '')];
  return `${notAfterWord}${chars.map(escapeRegExp).join('[\\s./-]*')}${notBeforeWord}`;
};

/**
 * Words (names, streets, places): matched as whole words in any case, with hyphens, apostrophes or spaces between
 * their parts as written or left out (`O'Brien`, `O’Brien`, `OBrien`), and with a possessive or plural `s`
 * (`Smith's`, `SMITHS`); never inside another word (`Ann` is not redacted from `planned`).
 */
const wordsPattern = (value: string): string => {
  const parts = value.split(/[\s'’-]+/).filter((p) => p.length > 0);
  return `${notAfterWord}${parts.map(escapeRegExp).join("[\\s'’-]*")}(?:['’]s|s['’]?)?${notBeforeWord}`;
};

/** One part A value to look for in free text: the field it comes from, its length, and how it is written. */
type IdentifyingNeedle = { readonly field: string; readonly length: number; readonly pattern: string };

/**
 * Part A values worth looking for in free text: each string of part A and, for names, each word of three or more
 * letters (a surname alone is as identifying as the full name). Shorter fragments would flag ordinary words.
 * A date is looked for in every usual format, values with digits with any separators, words in any case.
 */
export const identifyingNeedles = (partA: ReportIdentifying): IdentifyingNeedle[] => {
  const needles: IdentifyingNeedle[] = [];
  const add = (field: string, value: string) =>
    needles.push({
      field,
      length: value.length,
      pattern: /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? datePattern(value)
        : /\d/.test(value)
          ? codePattern(value)
          : wordsPattern(value),
    });
  for (const { path, value } of stringsOf(partA, 'partA')) {
    const whole = value.trim();
    if (whole.length >= 3) add(path, whole);
    for (const word of whole.split(/[\s,'’-]+/)) {
      if (word.length >= 3 && word !== whole) add(path, word);
    }
  }
  return needles;
};

const regExpOf = (patterns: readonly string[]) => new RegExp(patterns.join('|'), 'gi');

/** Where part A values reappear in part B's strings, one warning per (body path, part A field). */
export const identifyingValueWarnings = (
  partA: ReportIdentifying,
  partB: ReportAccount,
): IdentifyingValueWarning[] => {
  const patternsOf = new Map<string, string[]>();
  for (const { field, pattern } of identifyingNeedles(partA)) {
    patternsOf.set(field, [...(patternsOf.get(field) ?? []), pattern]);
  }
  const byField = [...patternsOf].map(([field, patterns]) => [field, regExpOf(patterns)] as const);
  const warnings: IdentifyingValueWarning[] = [];
  for (const { path, value } of stringsOf(partB, 'partB')) {
    for (const [field, pattern] of byField) {
      pattern.lastIndex = 0;
      if (pattern.test(value)) {
        warnings.push({ code: 'IDENTIFYING_VALUE_IN_FREE_TEXT', bodyPath: path, identifyingField: field });
      }
    }
  }
  return warnings;
};

/**
 * Takes the identifying first page off a report. The body is built from part B alone (parsed with a strict
 * schema, so it has no field of part A) and the warnings say where part B's text repeats a part A value, such as
 * the child's name in an agency's narrative: the secretariat should correct those before the panel meets, and the
 * panel pack redacts them meanwhile.
 */
export const separateIdentifying = (
  report: ReportingForm,
): { identifying: IdentifyingPart; body: ReportBody; warnings: IdentifyingValueWarning[] } => {
  const { schemaVersion, caseId, agencyId, partA, partB } = report;
  const body: ReportBody = {
    schemaVersion,
    caseId,
    agencyId,
    partB: reportingFormSchemas[schemaVersion].partB.parse(partB),
  };
  return {
    identifying: { schemaVersion, caseId, agencyId, partA },
    body,
    warnings: identifyingValueWarnings(partA, partB),
  };
};

/** The marker put in place of a part A value found in part B's text. */
export const redactionMarker = '[identifying detail removed]';

/**
 * A copy of a body with every part A value replaced in its strings by the redaction marker, in each of the forms
 * `identifyingNeedles` looks for, longest value first so a full name goes before its parts.
 */
export const redactBody = (body: ReportBody, partA: ReportIdentifying): ReportBody => {
  const needles = identifyingNeedles(partA).sort((a, b) => b.length - a.length);
  if (needles.length === 0) return body;
  const pattern = regExpOf([...new Set(needles.map((n) => n.pattern))]);
  const redact = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, redactionMarker);
    if (Array.isArray(v)) return v.map(redact);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, child]) => [k, redact(child)]));
    }
    return v;
  };
  return { ...body, partB: redact(body.partB) as ReportAccount };
};
