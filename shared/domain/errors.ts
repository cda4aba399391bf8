import type { AuditEntry } from './audit/audit-entry.ts';
/**
 * The closed set of errors the exchange answers with. Each class is one kind of outcome (mapped to an HTTP status
 * by the one table in shared/http/error-response.ts); the code says exactly which check failed. Programmer
 * errors stay plain Error/TypeError and surface as 500 INTERNAL with nothing leaked.
 */

export type InputErrorCode =
  | 'MALFORMED_JSON'
  | 'INVALID_INPUT'
  | 'INVALID_JWK'
  | 'PRIVATE_KEY_MATERIAL'
  | 'PUBLISHED_TEST_KEY'
  | 'INVALID_AGREEMENT'
  | 'INVALID_IDEMPOTENCY_KEY'
  | 'PAYLOAD_HASH_MISMATCH'
  | 'PAYLOAD_SIZE_MISMATCH'
  | 'UPLOAD_MISSING';
export type TooLargeErrorCode = 'BODY_TOO_LARGE' | 'TOKEN_TOO_LARGE' | 'PAYLOAD_TOO_LARGE';
export type NotFoundErrorCode = 'ROUTE_NOT_FOUND' | 'NOT_FOUND';
export type ConflictErrorCode =
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'KEY_ID_TAKEN'
  | 'LAST_ACTIVE_KEY'
  | 'CONTENT_HASH_MISMATCH'
  | 'ALREADY_SIGNED'
  | 'AGREEMENT_CLOSED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'WRONG_STATE'
  | 'NOTHING_TO_CHALLENGE'
  | 'CHALLENGE_OPEN'
  | 'STAGE_RESOLVED'
  | 'STAGE_NOT_DUE'
  | 'LAST_STAGE_REACHED';

/** Why a signed request was not authenticated (docs/PROTOCOL.md lists each with its meaning). */
export const authenticationErrorCodes = [
  'MISSING_AUTHORIZATION',
  'UNSUPPORTED_AUTH_SCHEME',
  'MALFORMED_TOKEN',
  'MALFORMED_HEADER',
  'FORBIDDEN_HEADER',
  'UNEXPECTED_HEADER',
  'ALGORITHM_NOT_ALLOWED',
  'WRONG_TYPE',
  'INVALID_KID',
  'MISSING_SIGNATURE',
  'MALFORMED_CLAIMS',
  'MISSING_CLAIM',
  'INVALID_CLAIM',
  'UNKNOWN_ISSUER',
  'CLIENT_SUSPENDED',
  'UNKNOWN_KEY',
  'KEY_NOT_OWNED_BY_ISSUER',
  'ALGORITHM_KEY_MISMATCH',
  'KEY_REVOKED',
  'KEY_RETIRED',
  'KEY_NOT_YET_VALID',
  'KEY_EXPIRED',
  'BAD_SIGNATURE',
  'WRONG_AUDIENCE',
  'ISSUED_IN_FUTURE',
  'EXPIRY_NOT_AFTER_ISSUE',
  'LIFETIME_TOO_LONG',
  'TOKEN_EXPIRED',
  'METHOD_MISMATCH',
  'URI_MISMATCH',
  'BODY_DIGEST_MISMATCH',
  'UNKNOWN_USER',
  'USER_NOT_OF_ORGANISATION',
  'USER_SUSPENDED',
  'REPLAYED',
] as const;
export type AuthenticationErrorCode = (typeof authenticationErrorCodes)[number];
/** A step on a request whose agreement is not in force (the decision engine's standing codes). */
export type AgreementStandingErrorCode =
  | 'AGREEMENT_NOT_FOUND'
  | 'AGREEMENT_NOT_ACTIVE'
  | 'AGREEMENT_SUSPENDED'
  | 'AGREEMENT_REVOKED'
  | 'AGREEMENT_EXPIRED'
  | 'AGREEMENT_NOT_YET_VALID'
  | 'AGREEMENT_REVIEW_OVERDUE';
export type AuthorisationErrorCode =
  | 'NOT_PERMITTED'
  | 'REQUEST_REFUSED'
  | 'FETCH_LIMIT_REACHED'
  | 'WITNESS_NOT_REGISTERED'
  | 'WITNESS_NOT_OF_ORGANISATION'
  | 'WITNESS_KEY_MISMATCH'
  | AgreementStandingErrorCode;
export type GoneErrorCode = 'SHARE_EXPIRED' | 'SHARE_WITHDRAWN';
export type DependencyErrorCode = 'DEPENDENCY_UNAVAILABLE';
export type RegistryErrorCode = 'REGISTRY_INCONSISTENT';

export type ErrorCode =
  | AuthenticationErrorCode
  | AuthorisationErrorCode
  | InputErrorCode
  | TooLargeErrorCode
  | NotFoundErrorCode
  | ConflictErrorCode
  | GoneErrorCode
  | DependencyErrorCode
  | RegistryErrorCode;

export abstract class PbxError<C extends ErrorCode = ErrorCode> extends Error {
  /**
   * The refusal's audit entry, once it has committed (shared/domain/audit/audited-action.ts): a value the error
   * carries to the operation that answers it, so the answer is not audited a second time. Unset while unrecorded.
   */
  audited?: AuditEntry;

  constructor(
    readonly code: C,
    message: string,
    /** Safe, non-personal details a caller can act on (for example which fields failed). */
    readonly details?: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request did not prove who made it, or was made before (401). */
export class AuthenticationError extends PbxError<AuthenticationErrorCode> {}
/** The caller is known but may not do this (403); `details` say why. */
export class AuthorisationError extends PbxError<AuthorisationErrorCode> {}
/** The input cannot be understood (400). */
export class InputError extends PbxError<InputErrorCode> {}
/** The input is larger than the exchange accepts (413). */
export class TooLargeError extends PbxError<TooLargeErrorCode> {}
export class NotFoundError extends PbxError<NotFoundErrorCode> {}
export class ConflictError extends PbxError<ConflictErrorCode> {}
/** What was asked for existed but is no more: a share past its retention or withdrawn (410). */
export class GoneError extends PbxError<GoneErrorCode> {}
/** A store or service the exchange depends on did not answer: fail closed (503). */
export class DependencyError extends PbxError<DependencyErrorCode> {}
/**
 * The audit log did not take an entry: the answer is not served (503), and the operation does not try to audit the
 * answer with another write to the same store.
 */
export class AuditWriteError extends DependencyError {}
/** Registry data breaks an invariant (dangling member, duplicate id): refuse to load it. */
export class RegistryError extends PbxError<RegistryErrorCode> {}
