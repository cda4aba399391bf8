/**
 * The closed set of errors the exchange answers with. Each class is one kind of outcome (mapped to an HTTP status
 * by the one table in shared/http/error-response.ts); the code says exactly which check failed. Programmer
 * errors stay plain Error/TypeError and surface as 500 INTERNAL with nothing leaked.
 */

export type InputErrorCode = 'MALFORMED_JSON' | 'INVALID_INPUT' | 'INVALID_JWK' | 'PRIVATE_KEY_MATERIAL';
export type TooLargeErrorCode = 'BODY_TOO_LARGE';
export type NotFoundErrorCode = 'ROUTE_NOT_FOUND' | 'NOT_FOUND';
export type ConflictErrorCode = 'ALREADY_EXISTS' | 'CONFLICT';
export type DependencyErrorCode = 'DEPENDENCY_UNAVAILABLE';
export type RegistryErrorCode = 'REGISTRY_INCONSISTENT';

export type ErrorCode =
  | InputErrorCode
  | TooLargeErrorCode
  | NotFoundErrorCode
  | ConflictErrorCode
  | DependencyErrorCode
  | RegistryErrorCode;

export abstract class PbxError<C extends ErrorCode = ErrorCode> extends Error {
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

/** The input cannot be understood (400). */
export class InputError extends PbxError<InputErrorCode> {}
/** The input is larger than the exchange accepts (413). */
export class TooLargeError extends PbxError<TooLargeErrorCode> {}
export class NotFoundError extends PbxError<NotFoundErrorCode> {}
export class ConflictError extends PbxError<ConflictErrorCode> {}
/** A store or service the exchange depends on did not answer: fail closed (503). */
export class DependencyError extends PbxError<DependencyErrorCode> {}
/** Registry data breaks an invariant (dangling member, duplicate id): refuse to load it. */
export class RegistryError extends PbxError<RegistryErrorCode> {}
