import {
  type AnalysisForm,
  analysisFormSchemas,
  deathCategoryCodes,
  learningThemes,
  modifiableFactorDomains,
} from '#shared/domain/cdop/analysis.ts';
import { placeCategories } from '#shared/domain/cdop/panel-pack.ts';
import { normaliseNhsNumber, SubjectReferenceError } from '#shared/domain/subjects/subject-reference.ts';
import { choiceOf, dateOf, type FormFields, FormProblems, listOf, textOf } from '../forms.ts';

/**
 * The CDOP secretariat's forms (docs/CDOP.md): the notification that opens a case, the agencies to ask, and the
 * panel's analysis that closes it. Each turns the posted fields into the exchange's body, or the problems to show.
 * Pure; no message carries a value that was typed.
 */

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: FormProblems };

const registryIdForm = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** The notification without its subject reference, which the console derives from the NHS number. */
export type NotificationFields = {
  readonly nhsNumber: string;
  readonly notification: {
    readonly schemaVersion: '2026';
    readonly boroughOfResidence: string;
    readonly dateOfDeath: string;
    readonly expected: boolean;
    readonly place: { kind: 'in-footprint' } | { kind: 'out-of-footprint'; area: string };
    readonly placeCategory?: (typeof placeCategories)[number];
    readonly notifyingOrganisationId: string;
  };
};

export const notificationFromForm = (
  fields: FormFields,
  choices: { boroughs: readonly string[]; notifiers: readonly string[] },
  today: string,
): Parsed<NotificationFields> => {
  const problems = new FormProblems();
  let nhsNumber = '';
  const typed = textOf(fields, 'nhsNumber');
  if (typed === '') problems.add('nhsNumber', 'Enter the child’s NHS number');
  else {
    try {
      nhsNumber = normaliseNhsNumber(typed);
    } catch (error) {
      if (!(error instanceof SubjectReferenceError)) throw error;
      problems.add('nhsNumber', 'Enter a valid NHS number: 10 digits, like 999 123 4567');
    }
  }
  const borough = textOf(fields, 'boroughOfResidence');
  if (!choices.boroughs.includes(borough)) {
    problems.add('boroughOfResidence', 'Select the borough the child normally lived in');
  }
  const died = dateOf(fields, 'dateOfDeath', 'Date of death', { notAfter: today });
  if (died.error !== undefined) problems.add('dateOfDeath', died.error, 'dateOfDeath-day');
  const expected = choiceOf(fields, 'expected', ['yes', 'no'] as const);
  if (expected === undefined) problems.add('expected', 'Select whether the death was expected');
  const placeKind = choiceOf(fields, 'place', ['in-footprint', 'out-of-footprint'] as const);
  const area = textOf(fields, 'placeArea');
  if (placeKind === undefined) problems.add('place', 'Select where the child died');
  else if (placeKind === 'out-of-footprint' && area === '') {
    problems.add('placeArea', 'Enter the area or borough where the child died');
  } else if (area.length > 200) problems.add('placeArea', 'The area must be 200 characters or fewer');
  const placeCategory = choiceOf(fields, 'placeCategory', placeCategories);
  if (textOf(fields, 'placeCategory') !== '' && placeCategory === undefined) {
    problems.add('placeCategory', 'Select the kind of place from the list');
  }
  const notifier = textOf(fields, 'notifyingOrganisationId');
  if (!choices.notifiers.includes(notifier)) {
    problems.add('notifyingOrganisationId', 'Select the organisation that notified the death');
  }
  if (problems.any || died.value === undefined || placeKind === undefined) return { ok: false, problems };
  return {
    ok: true,
    value: {
      nhsNumber,
      notification: {
        schemaVersion: '2026',
        boroughOfResidence: borough,
        dateOfDeath: died.value,
        expected: expected === 'yes',
        place: placeKind === 'in-footprint' ? { kind: 'in-footprint' } : { kind: 'out-of-footprint', area },
        ...(placeCategory === undefined ? {} : { placeCategory }),
        notifyingOrganisationId: notifier,
      },
    },
  };
};

/** The agencies ticked, and any other registry id typed (one that is not in the footprint is refused, with why). */
export const agenciesFromForm = (fields: FormFields): Parsed<string[]> => {
  const problems = new FormProblems();
  const ticked = listOf(fields, 'agencies');
  const others = textOf(fields, 'otherAgencies')
    .split(/[\s,]+/)
    .filter((id) => id !== '');
  const bad = [...ticked, ...others].filter((id) => !registryIdForm.test(id));
  if (bad.length > 0) {
    problems.add('otherAgencies', 'Enter registry ids of organisations, like lb-brent, separated by commas');
  } else if (ticked.length + others.length === 0) {
    problems.add('agencies', 'Select at least one agency to ask', 'agencies');
  } else if (new Set([...ticked, ...others]).size > 50) {
    problems.add('otherAgencies', 'Ask at most 50 agencies at a time');
  }
  if (problems.any) return { ok: false, problems };
  return { ok: true, value: [...new Set([...ticked, ...others])] };
};

const domainCodes = Object.keys(modifiableFactorDomains) as (keyof typeof modifiableFactorDomains)[];
const themeCodes = Object.keys(learningThemes) as (keyof typeof learningThemes)[];

/** The panel's analysis form (analysis.ts, version 2026) for `caseId`. */
export const analysisFromForm = (fields: FormFields, caseId: string, today: string): Parsed<AnalysisForm> => {
  const problems = new FormProblems();
  const panel = dateOf(fields, 'panelDate', 'Date of the panel meeting', { notAfter: today });
  if (panel.error !== undefined) problems.add('panelDate', panel.error, 'panelDate-day');
  const category = choiceOf(fields, 'categoryOfDeath', deathCategoryCodes);
  if (category === undefined) problems.add('categoryOfDeath', 'Select the category of death');
  const identified = choiceOf(fields, 'modifiableFactors', ['yes', 'no'] as const);
  const domains = listOf(fields, 'domains');
  const detail = textOf(fields, 'modifiableDetail');
  if (identified === undefined) {
    problems.add('modifiableFactors', 'Select whether the panel identified modifiable factors');
  } else if (identified === 'yes' && domains.length === 0) {
    problems.add('domains', 'Select the domains in which modifiable factors were identified');
  } else if (domains.some((d) => !domainCodes.includes(d as (typeof domainCodes)[number]))) {
    problems.add('domains', 'Select domains from the list');
  }
  const themes = listOf(fields, 'learningThemes');
  if (themes.some((t) => !themeCodes.includes(t as (typeof themeCodes)[number]))) {
    problems.add('learningThemes', 'Select learning themes from the list');
  }
  const summary = textOf(fields, 'summary');
  for (const [name, value] of [
    ['modifiableDetail', detail],
    ['summary', summary],
  ] as const) {
    if (value.length > 20_000) problems.add(name, 'This must be 20,000 characters or fewer');
  }
  if (problems.any) return { ok: false, problems };
  const parsed = analysisFormSchemas['2026'].safeParse({
    schemaVersion: '2026',
    caseId,
    panelDate: panel.value,
    categoryOfDeath: category,
    modifiableFactors:
      identified === 'yes'
        ? { identified: true, domains, ...(detail === '' ? {} : { detail }) }
        : { identified: false },
    learningThemes: themes.map((code) => ({ code })),
    ...(summary === '' ? {} : { summary }),
  });
  if (!parsed.success) {
    // Every field was checked above; the schema is the last word, named by the field it is about.
    problems.add('categoryOfDeath', 'Check the analysis: some of it is not in the right form');
    return { ok: false, problems };
  }
  return { ok: true, value: parsed.data };
};
