import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import {
  deriveSubjectReference,
  type SubjectIdentifier,
  type SubjectReference,
} from '#shared/domain/subjects/subject-reference.ts';

/**
 * The client library's subject references (docs/SUBJECT-REFERENCES.md): what a member organisation's system calls
 * before anything about a child goes to the exchange, so that only the reference, never the NHS number, is sent.
 */

export {
  FootprintKeyFileError,
  type FootprintKeyFileErrorCode,
  footprintKeyFileOf,
  generateFootprintKey,
  readFootprintKeyFile,
  writeNewFootprintKeyFile,
} from '#shared/adapters/crypto/footprint-key-file.ts';
export {
  deriveSubjectReference,
  type FootprintKey,
  isValidNhsNumber,
  type NhsNumberFault,
  normaliseNhsNumber,
  type ParsedSubjectReference,
  parseSubjectReference,
  type SubjectIdentifier,
  type SubjectReference,
  SubjectReferenceError,
  type SubjectReferenceErrorCode,
  subjectReferenceSchema,
} from '#shared/domain/subjects/subject-reference.ts';

/** The footprint key file `npm start` writes for a footprint: `.local/keys/<footprint-id>.footprint-key.json`. */
export const localFootprintKeyFile = (keysDir: string, footprintId: string): string =>
  footprintKeyFileOf(keysDir, footprintId);

/**
 * Loads a footprint's key once and returns the function that derives its references, so a system turning many
 * records into references reads the key file once. Throws FootprintKeyFileError for a missing, malformed or
 * other footprint's key file, and the function throws SubjectReferenceError for an invalid NHS number.
 */
export const loadSubjectReferencer = async (
  keyFile: string,
  footprintId: string,
): Promise<(subject: SubjectIdentifier) => SubjectReference> => {
  const footprintKey = await readFootprintKeyFile(keyFile, footprintId);
  return (subject) => deriveSubjectReference(footprintKey, subject);
};
