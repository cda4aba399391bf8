import {
  type ConsentExemption,
  dataCategories,
  lawfulBases,
  purposes,
} from '#shared/domain/agreements/catalogue.ts';
import type { RequestStatus, Urgency } from '#shared/domain/requests/data-request.ts';

/** The words people read for the exchange's codes: the catalogue's labels, and the request's states. */

const labelOf = <T extends Record<string, { label: string }>>(table: T, code: string): string =>
  Object.hasOwn(table, code) ? (table[code as keyof T]?.label ?? code) : code;

export const purposeLabel = (code: string): string => labelOf(purposes, code);
export const categoryLabel = (code: string): string => labelOf(dataCategories, code);
export const basisLabel = (code: string): string => labelOf(lawfulBases, code);

export const statusLabels: Readonly<Record<RequestStatus, string>> = {
  submitted: 'Awaiting decision',
  approved: 'Approved',
  'partially-approved': 'Partly approved',
  declined: 'Declined',
  released: 'Released',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
};

/** GOV.UK tag colours by state: owed work stands out, finished work is grey. */
const statusColours: Readonly<Record<RequestStatus, string>> = {
  submitted: 'govuk-tag--blue',
  approved: 'govuk-tag--turquoise',
  'partially-approved': 'govuk-tag--turquoise',
  declined: 'govuk-tag--orange',
  released: 'govuk-tag--green',
  expired: 'govuk-tag--grey',
  withdrawn: 'govuk-tag--grey',
  closed: 'govuk-tag--grey',
};

export const statusTag = (status: RequestStatus): { text: string; classes: string } => ({
  text: statusLabels[status],
  classes: statusColours[status],
});

export const urgencyLabels: Readonly<Record<Urgency, string>> = {
  immediate: 'Immediate',
  urgent: 'Urgent',
  routine: 'Routine',
};

/** DPA 2018 Schedule 1 paragraph 18(2): why consent was not sought, as the form offers it. */
export const exemptionLabels: Readonly<Record<ConsentExemption, string>> = {
  'cannot-be-given': 'Consent cannot be given',
  'cannot-reasonably-be-expected-to-be-obtained':
    'The person cannot reasonably be expected to obtain consent',
  'would-prejudice-protection': 'Seeking consent would prejudice the protection of the child',
};

export const outcomeLabels = {
  approve: 'Approved',
  partial: 'Approved in part',
  decline: 'Declined',
} as const;

/** A sentence from a message of the exchange: capitalised, with its full stop. */
export const sentence = (message: string): string =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;

/** The lawful-basis pairing rules the decision engine names by code (catalogue.ts `pairingProblems`), in words. */
const pairingWords: Readonly<Record<string, string>> = {
  ART6_GROUND_MISSING: 'every share needs a UK GDPR Article 6 ground',
  ART9_GROUND_MISSING: 'special category data (such as health) needs a UK GDPR Article 9 condition',
  SCHEDULE1_PART2_CONDITION_MISSING: 'Article 9(2)(g) needs a DPA 2018 Schedule 1 Part 2 condition',
  APPROPRIATE_POLICY_DOCUMENT_MISSING: 'Article 9(2)(g) needs an appropriate policy document',
  SCHEDULE1_PART1_CONDITION_MISSING:
    'Article 9(2)(h) needs the DPA 2018 Schedule 1 Part 1 paragraph 2 condition',
  CRIMINAL_OFFENCE_CONDITION_MISSING:
    'criminal offence data needs UK GDPR Article 10 with a DPA 2018 Schedule 1 condition',
};

/**
 * A reason of the exchange as a sentence: a refusal's detail loses its leading code (`CODE: message`), and the
 * pairing codes inside a message become words.
 */
export const plainReason = (reason: string): string =>
  sentence(
    reason
      .replace(/^[A-Z][A-Z0-9_]+: /, '')
      .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, (code) => pairingWords[code] ?? code),
  );
