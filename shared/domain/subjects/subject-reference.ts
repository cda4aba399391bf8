import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { registryId } from '../registry/registry.ts';

/**
 * Pseudonymous subject references (docs/SUBJECT-REFERENCES.md). A member organisation never sends a raw NHS
 * number to the exchange: its system derives
 *
 *   sr1.<footprintId>.<base64url(HMAC-SHA-256(footprintKey, "pbx-subject-v1" 0x00 footprintId 0x00 nhsNumber))>
 *
 * with the footprint's secret key, which every member of the footprint holds and the exchange never does. Two
 * boroughs of one footprint get the same reference for one child; nobody without the key can compute or reverse
 * one, and the ~10^9 NHS numbers are only a small search space for somebody who has it. That is why the key, not
 * the construction, is the secret.
 *
 * Pure: node:crypto and zod only, no I/O. Nothing here ever puts an NHS number or local identifier into an error
 * message: errors carry a code and a reason, not the input.
 */

/** A footprint's pseudonymisation key: 32 random bytes, the SHA-256 output length (RFC 2104 section 3's minimum). */
export const FOOTPRINT_KEY_BYTES = 32;

export type FootprintKey = {
  readonly footprintId: string;
  readonly key: Uint8Array;
};

/**
 * Who a reference is about. An NHS number gives a reference shared by every member of the footprint. Without one,
 * an organisation's own identifier (a case-management person id) gives a reference scoped to that organisation:
 * another borough holds a different local id for the same child, so their references never match.
 */
export type SubjectIdentifier =
  | { readonly kind: 'nhs-number'; readonly nhsNumber: string }
  | { readonly kind: 'local'; readonly organisationId: string; readonly localId: string };

export type SubjectReferenceErrorCode =
  | 'INVALID_NHS_NUMBER'
  | 'INVALID_LOCAL_IDENTIFIER'
  | 'INVALID_FOOTPRINT_ID'
  | 'INVALID_FOOTPRINT_KEY';

/** Why an NHS number was refused: its form, its Modulus 11 check digit, or a placeholder of one repeated digit. */
export type NhsNumberFault = 'format' | 'check-digit' | 'repeated-digit';

export class SubjectReferenceError extends Error {
  constructor(
    readonly code: SubjectReferenceErrorCode,
    message: string,
    readonly reason?: NhsNumberFault,
  ) {
    super(message);
    this.name = 'SubjectReferenceError';
  }
}

// --- NHS numbers ----------------------------------------------------------------------------------------------

/** Ten digits, either run together or in the printed 3-3-4 groups separated by one space or hyphen each. */
const nhsNumberForm = /^(?:\d{10}|\d{3}[ -]\d{3}[ -]\d{4})$/;

/**
 * The check digit of the first nine digits, per the NHS Data Dictionary ("NHS Number", Modulus 11 algorithm):
 * weight the digits 10 down to 2, sum, take the remainder mod 11, subtract it from 11; 11 becomes 0, and 10 means
 * that no NHS number starts with these nine digits (undefined).
 */
export const nhsNumberCheckDigit = (firstNine: string): number | undefined => {
  if (!/^\d{9}$/.test(firstNine)) throw new TypeError('nhsNumberCheckDigit takes nine digits');
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? undefined : check;
};

/**
 * An NHS number in its one canonical form, ten digits, or a SubjectReferenceError `INVALID_NHS_NUMBER` with the
 * fault. Surrounding whitespace is ignored. Numbers of one repeated digit (0000000000, 1111111111, …) pass the
 * Modulus 11 check but are never issued: they are what systems key in for "unknown", and accepting them would give
 * every such child the same reference, so they are refused. The issuing ranges (England and Wales, Scotland's
 * CHI, Northern Ireland, the 999 test range) are not checked: a check digit is all a client can verify offline.
 */
export const normaliseNhsNumber = (input: string): string => {
  const trimmed = input.trim();
  if (!nhsNumberForm.test(trimmed)) {
    throw new SubjectReferenceError(
      'INVALID_NHS_NUMBER',
      'not an NHS number: 10 digits, optionally grouped 3-3-4 with spaces or hyphens',
      'format',
    );
  }
  const digits = trimmed.replace(/[ -]/g, '');
  if (/^(\d)\1{9}$/.test(digits)) {
    throw new SubjectReferenceError(
      'INVALID_NHS_NUMBER',
      'not an NHS number: one digit repeated ten times is a placeholder, never issued',
      'repeated-digit',
    );
  }
  if (nhsNumberCheckDigit(digits.slice(0, 9)) !== Number(digits[9])) {
    throw new SubjectReferenceError(
      'INVALID_NHS_NUMBER',
      'not an NHS number: the Modulus 11 check digit does not match',
      'check-digit',
    );
  }
  return digits;
};

export const isValidNhsNumber = (input: string): boolean => {
  try {
    normaliseNhsNumber(input);
    return true;
  } catch (error) {
    if (error instanceof SubjectReferenceError) return false;
    throw error;
  }
};

// --- Local identifiers ----------------------------------------------------------------------------------------

/**
 * A local identifier is used exactly as given (case matters, nothing is normalised), so it is kept to characters
 * that case-management systems use for ids and that have one byte encoding: no Unicode normalisation question, and
 * no 0x00 to blur the field boundaries of the HMAC input.
 */
const localIdForm = /^[A-Za-z0-9._:/-]{1,128}$/;

// --- The reference --------------------------------------------------------------------------------------------

/**
 * Domain-separation labels. Each names its construction and version, so an input of one kind can never be the
 * input of another (an NHS-number input ends in ten digits after the footprint; a local one has an organisation id
 * and a label of its own), and a change to the construction takes a new label and a new reference prefix.
 */
const NHS_LABEL = 'pbx-subject-v1';
const LOCAL_LABEL = 'pbx-subject-local-v1';

/** `sr1`: shared across the footprint (from an NHS number); `srl1`: scoped to one organisation (a local id). */
export const subjectReferencePrefixes = { 'nhs-number': 'sr1', local: 'srl1' } as const;

const referenceMacChars = 43;

/**
 * `<prefix>.<footprintId>.<mac>`: the mac is the whole 32-byte HMAC in unpadded base64url, 43 characters whose last
 * one encodes 4 bits and 2 zero bits (so only every fourth letter of the alphabet can end it). Not truncated: 13
 * characters saved do not pay for an argument about collision bounds in an audit log kept for years. The footprint
 * id follows registry ids (shared/domain/registry/registry.ts).
 */
const referencePattern =
  /^(sr1|srl1)\.([a-z0-9][a-z0-9-]{1,62}[a-z0-9])\.([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/;

/**
 * The shape of a subject reference: all the exchange can ever check. Whether it belongs to a real child only a
 * holder of the footprint key can tell.
 */
export const subjectReferenceSchema = z
  .string()
  .regex(referencePattern, 'a subject reference: sr1.<footprint-id>.<43 base64url characters> (or srl1.…)');
export type SubjectReference = z.infer<typeof subjectReferenceSchema>;

export type ParsedSubjectReference = {
  readonly kind: SubjectIdentifier['kind'];
  readonly footprintId: string;
  /** The 32-byte HMAC. */
  readonly mac: Uint8Array;
};

/** The parts of a well-formed reference, or undefined: lets the exchange check a reference's footprint. */
export const parseSubjectReference = (reference: string): ParsedSubjectReference | undefined => {
  const match = referencePattern.exec(reference);
  if (match === null) return undefined;
  const [, prefix, footprintId, mac] = match as unknown as [string, string, string, string];
  return {
    kind: prefix === subjectReferencePrefixes.local ? 'local' : 'nhs-number',
    footprintId,
    mac: new Uint8Array(Buffer.from(mac, 'base64url')),
  };
};

const checkFootprintKey = (footprintKey: FootprintKey): void => {
  if (!registryId.safeParse(footprintKey.footprintId).success) {
    throw new SubjectReferenceError('INVALID_FOOTPRINT_ID', 'the footprint id is not a registry id');
  }
  if (!(footprintKey.key instanceof Uint8Array) || footprintKey.key.length !== FOOTPRINT_KEY_BYTES) {
    throw new SubjectReferenceError(
      'INVALID_FOOTPRINT_KEY',
      `a footprint key is ${FOOTPRINT_KEY_BYTES} bytes`,
    );
  }
};

/** The HMAC input: labelled fields joined by 0x00, none of which can contain 0x00. */
const hmacInput = (footprintId: string, subject: SubjectIdentifier): string => {
  if (subject.kind === 'nhs-number') {
    return [NHS_LABEL, footprintId, normaliseNhsNumber(subject.nhsNumber)].join('\0');
  }
  if (!registryId.safeParse(subject.organisationId).success) {
    throw new SubjectReferenceError('INVALID_LOCAL_IDENTIFIER', 'the organisation id is not a registry id');
  }
  if (!localIdForm.test(subject.localId)) {
    throw new SubjectReferenceError(
      'INVALID_LOCAL_IDENTIFIER',
      'a local identifier is 1 to 128 letters, digits and . _ : / -',
    );
  }
  return [LOCAL_LABEL, footprintId, subject.organisationId, subject.localId].join('\0');
};

/**
 * The subject reference of one child in one footprint. Deterministic: every holder of the footprint's key derives
 * the same reference from the same NHS number, however it was typed. Throws SubjectReferenceError for an invalid
 * NHS number, local identifier, footprint id or key.
 */
export const deriveSubjectReference = (
  footprintKey: FootprintKey,
  subject: SubjectIdentifier,
): SubjectReference => {
  checkFootprintKey(footprintKey);
  const mac = createHmac('sha256', footprintKey.key)
    .update(hmacInput(footprintKey.footprintId, subject), 'utf8')
    .digest('base64url');
  if (mac.length !== referenceMacChars) throw new Error('HMAC-SHA-256 gave an unexpected length');
  return `${subjectReferencePrefixes[subject.kind]}.${footprintKey.footprintId}.${mac}`;
};
