import { createHash } from 'node:crypto';
import type { AgreementView, DataRequestSubmission } from '#client/pbx-client.ts';
import { type ConsentExemption, consentExemptions } from '#shared/domain/agreements/catalogue.ts';
import type { Consent } from '#shared/domain/agreements/decide.ts';
import { dataRequestBodySchema, type Urgency, urgencies } from '#shared/domain/requests/data-request.ts';
import { normaliseNhsNumber, SubjectReferenceError } from '#shared/domain/subjects/subject-reference.ts';
import { type FormFields, FormProblems, listOf, textOf } from '../forms.ts';
import { basisLabel, categoryLabel, exemptionLabels, purposeLabel, urgencyLabels } from './labels.ts';
import { dayOf, nameOf, type OrganisationNames } from './list.ts';

/**
 * The new request form: its choices come from the agreements in force for the person's organisation (one choice per
 * agreement and purpose their roles may ask under), and its fields are checked here before anything is sent.
 */

export type RequestChoice = {
  readonly value: string;
  readonly agreementId: string;
  readonly agreementTitle: string;
  readonly version: number;
  readonly footprintId: string;
  readonly purpose: string;
  readonly purposeDescription: string;
  readonly responders: readonly string[];
  readonly dataCategories: readonly string[];
  readonly lawfulBasis: readonly string[];
  readonly consentRule: string;
};

export const requestChoices = (
  agreements: readonly AgreementView[],
  organisationId: string,
  roles: readonly string[],
): RequestChoice[] =>
  agreements.flatMap((agreement) => {
    if (agreement.standing.state !== 'in-force') return [];
    const version = agreement.versions.find((v) => v.version === agreement.standing.version);
    if (version === undefined || !version.content.parties.includes(organisationId)) return [];
    return version.content.purposes
      .filter((p) => p.rolesAllowedToRequest.some((r) => roles.includes(r)))
      .map((p) => ({
        value: `${agreement.id}/${p.code}`,
        agreementId: agreement.id,
        agreementTitle: version.content.title,
        version: version.version,
        footprintId: version.content.footprintId,
        purpose: p.code,
        purposeDescription: p.description,
        responders: version.content.parties.filter((party) => party !== organisationId),
        dataCategories: p.dataCategories,
        lawfulBasis: p.lawfulBasis,
        consentRule: p.consentRule,
      }));
  });

/** A form's fields as Hono's `parseBody({ all: true })` gives them: a value, or several for checkboxes. */
export type NewRequestValues = {
  readonly responder: string;
  readonly dataCategories: readonly string[];
  readonly lawfulBasis: readonly string[];
  readonly consent: string;
  readonly obtainedFrom: string;
  readonly obtainedBy: string;
  readonly obtainedOn: { readonly day: string; readonly month: string; readonly year: string };
  readonly exemption: string;
  readonly rationale: string;
  readonly urgency: string;
  readonly justification: string;
  /** Re-shown in its field after an error (the POST body only: never a URL, never a log). */
  readonly nhsNumber: string;
  readonly formId: string;
};

export const valuesOf = (form: FormFields): NewRequestValues => ({
  responder: textOf(form, 'responder'),
  dataCategories: listOf(form, 'dataCategories'),
  lawfulBasis: listOf(form, 'lawfulBasis'),
  consent: textOf(form, 'consent'),
  obtainedFrom: textOf(form, 'obtainedFrom'),
  obtainedBy: textOf(form, 'obtainedBy').trim(),
  obtainedOn: {
    day: textOf(form, 'obtainedOn-day').trim(),
    month: textOf(form, 'obtainedOn-month').trim(),
    year: textOf(form, 'obtainedOn-year').trim(),
  },
  exemption: textOf(form, 'exemption'),
  rationale: textOf(form, 'rationale').trim(),
  urgency: textOf(form, 'urgency'),
  justification: textOf(form, 'justification').trim(),
  nhsNumber: textOf(form, 'nhsNumber'),
  formId: /^[A-Za-z0-9_-]{16,64}$/.test(textOf(form, 'formId')) ? textOf(form, 'formId') : '',
});

const consentStates = ['obtained', 'not-sought', 'not-applicable'] as const;
const consentSources = ['child', 'parent', 'carer'] as const;

/** What the form asks, checked: everything but the subject reference, and the NHS number it is derived from. */
export type CheckedRequest = {
  readonly nhsNumber: string;
  readonly submission: (subjectRef: string) => DataRequestSubmission;
};

/** Checks the form against its choice; every problem is an inline error with its field's id. */
export const checkNewRequest = (
  values: NewRequestValues,
  choice: RequestChoice,
  now: Date,
): { problems: FormProblems; checked?: CheckedRequest } => {
  const problems = new FormProblems();
  const fail = (field: string, text: string) => problems.add(field, text);
  if (!choice.responders.includes(values.responder)) fail('responder', 'Select the organisation to ask');
  if (values.dataCategories.length === 0) fail('dataCategories', 'Select the information you need');
  else if (values.dataCategories.some((c) => !choice.dataCategories.includes(c))) {
    fail('dataCategories', 'Select only information the agreement covers');
  }
  if (values.lawfulBasis.length === 0) fail('lawfulBasis', 'Select the lawful basis for sharing');
  else if (values.lawfulBasis.some((b) => !choice.lawfulBasis.includes(b))) {
    fail('lawfulBasis', 'Select only lawful bases the agreement relies on');
  }
  let consent: Consent | undefined;
  if (!(consentStates as readonly string[]).includes(values.consent))
    fail('consent', 'Select whether consent was sought');
  else if (values.consent === 'obtained') {
    if (!(consentSources as readonly string[]).includes(values.obtainedFrom)) {
      fail('obtainedFrom', 'Select who gave consent');
    }
    if (values.obtainedBy === '') fail('obtainedBy', 'Enter who obtained consent');
    else if (values.obtainedBy.length > 200)
      fail('obtainedBy', 'Who obtained consent must be 200 characters or fewer');
    const { day, month, year } = values.obtainedOn;
    const on = dayOf(`${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`);
    if (on === undefined)
      fail('obtainedOn-day', 'Enter the date consent was obtained, for example 27 3 2026');
    else if (Date.parse(`${on}T00:00:00Z`) > now.getTime())
      fail('obtainedOn-day', 'The date consent was obtained must be today or in the past');
    if (!problems.any && on !== undefined) {
      consent = {
        state: 'obtained',
        obtainedFrom: values.obtainedFrom as (typeof consentSources)[number],
        obtainedBy: values.obtainedBy,
        obtainedAt: `${on}T00:00:00.000Z`,
      };
    }
  } else if (values.consent === 'not-sought') {
    if (!(consentExemptions as readonly string[]).includes(values.exemption)) {
      fail('exemption', 'Select why consent was not sought');
    }
    if (values.rationale === '') fail('rationale', 'Enter why consent was not sought in this case');
    if (!problems.any) {
      consent = {
        state: 'not-sought',
        exemption: values.exemption as ConsentExemption,
        rationale: values.rationale,
      };
    }
  } else consent = { state: 'not-applicable' };
  if (!(urgencies as readonly string[]).includes(values.urgency))
    fail('urgency', 'Select how urgent the request is');
  if (values.justification === '') fail('justification', 'Enter why you need this information');
  else if (values.justification.length > 4000)
    fail('justification', 'Why you need it must be 4,000 characters or fewer');
  let nhsNumber = '';
  if (values.nhsNumber.trim() === '') fail('nhsNumber', "Enter the child's NHS number");
  else {
    try {
      nhsNumber = normaliseNhsNumber(values.nhsNumber);
    } catch (error) {
      if (!(error instanceof SubjectReferenceError)) throw error;
      fail(
        'nhsNumber',
        error.reason === 'format'
          ? 'Enter an NHS number of 10 digits, like 943 476 5919'
          : 'Enter a valid NHS number: this one is not (check each digit)',
      );
    }
  }
  if (problems.any || consent === undefined) return { problems };
  const known = consent;
  return {
    problems,
    checked: {
      nhsNumber,
      submission: (subjectRef) =>
        dataRequestBodySchema.parse({
          responderOrganisationId: values.responder,
          agreementId: choice.agreementId,
          purpose: choice.purpose,
          dataCategories: values.dataCategories,
          lawfulBasis: values.lawfulBasis,
          consent: known,
          subjectRef,
          urgency: values.urgency as Urgency,
          justification: values.justification,
        }),
    },
  };
};

/**
 * The Idempotency-Key of a submission: the form's own id (random, made when the form was first shown) and what it
 * sends. The same form sent twice (a double click, a retry after a lost answer) is one request; a form changed
 * after a refusal is a new call, with a key of its own (the exchange keeps each key's first answer).
 */
export const idempotencyKeyFor = (formId: string, submission: DataRequestSubmission): string =>
  `console.${formId}.${createHash('sha256').update(JSON.stringify(submission)).digest('base64url').slice(0, 32)}`;

/** The components' items for the chosen agreement and purpose, with the person's choices ticked. */
export const formItems = (choice: RequestChoice, values: NewRequestValues, names: OrganisationNames) => ({
  responders: [
    { value: '', text: 'Choose an organisation' },
    ...choice.responders.map((id) => ({
      value: id,
      text: nameOf(names, id),
      selected: values.responder === id,
    })),
  ],
  dataCategories: choice.dataCategories.map((c) => ({
    value: c,
    text: categoryLabel(c),
    checked: values.dataCategories.includes(c),
  })),
  lawfulBasis: choice.lawfulBasis.map((b) => ({
    value: b,
    text: basisLabel(b),
    checked: values.lawfulBasis.includes(b),
  })),
  exemptions: consentExemptions.map((e) => ({
    value: e,
    text: exemptionLabels[e],
    checked: values.exemption === e,
  })),
  urgencies: urgencies.map((u) => ({ value: u, text: urgencyLabels[u], checked: values.urgency === u })),
  sources: consentSources.map((s) => ({ value: s, text: `The ${s}`, checked: values.obtainedFrom === s })),
});

export const choiceItems = (choices: readonly RequestChoice[]) =>
  choices.map((c, i) => ({
    value: c.value,
    text: `${purposeLabel(c.purpose)}`,
    hint: { text: `${c.agreementTitle} (${c.agreementId}, version ${c.version})` },
    checked: i === 0,
  }));

export const emptyValues = (formId: string): NewRequestValues => ({
  ...valuesOf({}),
  formId,
});
