import {
  AuthenticationError,
  AuthorisationError,
  ConflictError,
  DependencyError,
  GoneError,
  InputError,
  NotFoundError,
  type PbxError,
  RegistryError,
  TooLargeError,
} from '../domain/errors.ts';

/** The one table from error class to HTTP status. An error not in it is a bug and answers 500 INTERNAL. */
const statusByClass: ReadonlyArray<readonly [abstract new (...args: never[]) => PbxError, number]> = [
  [InputError, 400],
  [AuthenticationError, 401],
  [AuthorisationError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [GoneError, 410],
  [TooLargeError, 413],
  [DependencyError, 503],
  // An inconsistent registry is the exchange's fault, not the caller's; refuse to serve rather than guess.
  [RegistryError, 503],
];

export type ErrorBody = { error: string; message: string; details?: readonly string[] };

export const errorResponse = (error: unknown): { statusCode: number; body: ErrorBody } => {
  for (const [errorClass, statusCode] of statusByClass) {
    if (error instanceof errorClass) {
      const { code, message, details } = error;
      return { statusCode, body: { error: code, message, ...(details === undefined ? {} : { details }) } };
    }
  }
  return {
    statusCode: 500,
    body: { error: 'INTERNAL', message: 'the exchange failed to handle the request' },
  };
};
