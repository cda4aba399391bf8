import {
  childFactorCodes,
  familyEnvironmentFactorCodes,
  type ReportingForm,
  reportingFormSchemas,
  schemaVersionOf,
  serviceProvisionFactorCodes,
} from '#shared/domain/cdop/reporting-form.ts';
import { choiceOf, dateOf, type FormFields, FormProblems, linesOf, listOf, textOf } from '../forms.ts';
import type { Parsed } from './case-forms.ts';

/**
 * An agency's child death reporting form (shared/domain/cdop/reporting-form.ts, version 2026) from the console's
 * form fields, or from a JSON file uploaded: either way the form the agency releases as its answer to the CDOP's
 * data request. Part A (who the child is) stays with the secretariat; part B is what the panel reads.
 *
 * The form fields do not take the child's NHS number: it never leaves the console server (part A is complete
 * without it; an agency whose own system holds the form with it uploads that file instead).
 */

export const answers = ['yes', 'no', 'unknown'] as const;
export const involvementStatuses = ['current', 'past', 'none', 'unknown'] as const;

/** The factor groups of part B: the field name of each group's checkboxes and its codes. */
export const factorGroups = [
  { field: 'factorsChild', key: 'intrinsicToChild', codes: childFactorCodes },
  { field: 'factorsFamily', key: 'familyAndEnvironment', codes: familyEnvironmentFactorCodes },
  { field: 'factorsService', key: 'serviceProvision', codes: serviceProvisionFactorCodes },
] as const;

/** Where a schema problem's path is shown: the form field that holds it. */
const fieldOfPath = (path: readonly PropertyKey[]): { field: string; anchor?: string } => {
  const p = path.map(String).join('.');
  const rules: readonly [RegExp, string, string?][] = [
    [/^partA\.child\.givenNames/, 'childGivenNames'],
    [/^partA\.child\.familyName/, 'childFamilyName'],
    [/^partA\.child\.dateOfBirth/, 'childDateOfBirth', 'childDateOfBirth-day'],
    [/^partA\.child\.address\.lines/, 'childAddress'],
    [/^partA\.child\.address\.postcode/, 'childPostcode'],
    [/^partA\.parentsOrCarers\.\d+\.name/, 'carerName'],
    [/^partA\.parentsOrCarers\.\d+\.relationship/, 'carerRelationship'],
    [/^partA\.agencyCaseNumbers/, 'caseNumbers'],
    [/^partA\.completedBy\.name/, 'completedByName'],
    [/^partA\.completedBy\.jobTitle/, 'completedByJobTitle'],
    [/^partA\.completedBy\.contact/, 'completedByContact'],
    [/^partB\.involvement\.services/, 'services'],
    [/^partB\.involvement\.summary/, 'involvementSummary'],
    [/^partB\.concerns\.detail/, 'concernsDetail'],
    [/^partB\.additionalInformation/, 'additionalInformation'],
  ];
  for (const [pattern, field, anchor] of rules) {
    if (pattern.test(p)) return anchor === undefined ? { field } : { field, anchor };
  }
  return { field: 'childGivenNames' };
};

const tooLong = 'This is too long: shorten it';

export const reportFromForm = (
  fields: FormFields,
  ask: { caseId: string; agencyId: string },
  today: string,
): Parsed<ReportingForm> => {
  const problems = new FormProblems();
  const required: readonly [string, string][] = [
    ['childGivenNames', 'Enter the child’s given names'],
    ['childFamilyName', 'Enter the child’s family name'],
    ['childAddress', 'Enter the child’s address'],
    ['childPostcode', 'Enter the postcode of the child’s address'],
    ['completedByName', 'Enter your name'],
    ['completedByJobTitle', 'Enter your job title'],
    ['completedByContact', 'Enter a telephone number or email address to contact you'],
  ];
  for (const [name, message] of required) if (textOf(fields, name) === '') problems.add(name, message);
  const born = dateOf(fields, 'childDateOfBirth', 'Date of birth', { notAfter: today });
  if (born.error !== undefined) problems.add('childDateOfBirth', born.error, 'childDateOfBirth-day');
  const carerName = textOf(fields, 'carerName');
  const carerRelationship = textOf(fields, 'carerRelationship');
  if (carerName !== '' && carerRelationship === '') {
    problems.add('carerRelationship', 'Enter how the parent or carer is related to the child');
  }
  if (carerName === '' && carerRelationship !== '')
    problems.add('carerName', 'Enter the parent’s or carer’s name');
  const involvement = choiceOf(fields, 'involvementStatus', involvementStatuses);
  if (involvement === undefined)
    problems.add('involvementStatus', 'Select your agency’s involvement with the child');
  const concerns = (['safeguardingConcerns', 'childProtectionPlan', 'lookedAfter'] as const).map((name) => {
    const value = choiceOf(fields, name, answers);
    if (value === undefined) problems.add(name, 'Select yes, no or not known');
    return value;
  });
  const factors = factorGroups.map((group) => {
    const ticked = listOf(fields, group.field);
    if (ticked.some((code) => !(group.codes as readonly string[]).includes(code))) {
      problems.add(group.field, 'Select factors from the list');
    }
    return [group.key, ticked.map((code) => ({ code, present: 'yes' }))] as const;
  });
  if (problems.any) return { ok: false, problems };

  const optional = (name: string) => {
    const value = textOf(fields, name);
    return value === '' ? undefined : value;
  };
  const summary = optional('involvementSummary');
  const concernsDetail = optional('concernsDetail');
  const additional = optional('additionalInformation');
  const [safeguardingConcerns, childProtectionPlan, lookedAfter] = concerns;
  const report = {
    schemaVersion: '2026',
    caseId: ask.caseId,
    agencyId: ask.agencyId,
    partA: {
      child: {
        givenNames: textOf(fields, 'childGivenNames'),
        familyName: textOf(fields, 'childFamilyName'),
        dateOfBirth: born.value,
        address: { lines: linesOf(fields, 'childAddress'), postcode: textOf(fields, 'childPostcode') },
      },
      ...(carerName === ''
        ? {}
        : { parentsOrCarers: [{ name: carerName, relationship: carerRelationship }] }),
      agencyCaseNumbers: linesOf(fields, 'caseNumbers'),
      completedBy: {
        name: textOf(fields, 'completedByName'),
        jobTitle: textOf(fields, 'completedByJobTitle'),
        contact: textOf(fields, 'completedByContact'),
      },
    },
    partB: {
      involvement: {
        status: involvement,
        services: linesOf(fields, 'services'),
        ...(summary === undefined ? {} : { summary }),
      },
      concerns: {
        safeguardingConcerns,
        childProtectionPlan,
        lookedAfter,
        ...(concernsDetail === undefined ? {} : { detail: concernsDetail }),
      },
      factors: Object.fromEntries(factors),
      ...(additional === undefined ? {} : { additionalInformation: additional }),
    },
  };
  const parsed = reportingFormSchemas['2026'].report.safeParse(report);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { field, anchor } = fieldOfPath(issue.path);
      problems.add(field, issue.code === 'too_big' ? tooLong : 'This is not in the right form', anchor);
    }
    return { ok: false, problems };
  }
  return { ok: true, value: parsed.data };
};

/**
 * A reporting form uploaded as JSON: parsed against the version it names, and checked to answer this ask (its
 * agency and case). The problems name paths, never a value of the file.
 */
export const reportFromUpload = (
  text: string,
  ask: { caseId: string; agencyId: string },
): { ok: true; value: ReportingForm } | { ok: false; reasons: string[] } => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reasons: ['The file is not JSON: upload the reporting form as a JSON document.'] };
  }
  const version = schemaVersionOf(value);
  if (version !== '2026') {
    return {
      ok: false,
      reasons: ['The file is not a 2026 reporting form (its schemaVersion is not "2026").'],
    };
  }
  const parsed = reportingFormSchemas['2026'].report.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      reasons: parsed.error.issues
        .slice(0, 20)
        .map((i) => `${i.path.join('.') || 'The form'}: ${i.code.replaceAll('_', ' ')}.`),
    };
  }
  const reasons = [
    ...(parsed.data.agencyId === ask.agencyId
      ? []
      : [`agencyId: the form is for another agency than ${ask.agencyId}.`]),
    ...(parsed.data.caseId === ask.caseId ? [] : [`caseId: the request is about case ${ask.caseId}.`]),
  ];
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, value: parsed.data };
};
