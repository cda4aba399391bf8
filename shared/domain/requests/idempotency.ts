import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Audited } from '../audit/audit-entry.ts';
import { AuthorisationError, type AuthorisationErrorCode, ConflictError, InputError } from '../errors.ts';

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): a client that retries a step with the same key
 * and the same call gets the first result again, and the step happens once; the same key on another call is a
 * 409. Keys belong to the client that sent them. The record commits in the same transaction as the step it
 * answers, so a step and its record exist together or not at all.
 *
 * The record holds the use case's typed result (as JSON, without its audit entries) or its refusal; a replay
 * parses the result with that use case's result schema, so what is replayed is a result of the same type as the
 * first, with `audited: []` (the replay commits nothing: the operation audits its answer).
 */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/);

const refusalSchema = z.object({
  code: z.enum(['REQUEST_REFUSED', 'NOT_PERMITTED', 'FETCH_LIMIT_REACHED']),
  message: z.string(),
  details: z.array(z.string()).optional(),
});
export type StoredRefusal = z.infer<typeof refusalSchema>;

const storedSchema = z.union([
  z.object({ result: z.record(z.string(), z.unknown()) }),
  z.object({ refused: refusalSchema }),
]);

export const idempotencyRecordSchema = z.object({
  clientId: z.string().min(1),
  key: idempotencyKeySchema,
  /** SHA-256 of the method, path and body: what "the same call" means. */
  fingerprint: z.string(),
  answer: storedSchema,
  createdAt: z.iso.datetime(),
});
export type IdempotencyRecord = z.infer<typeof idempotencyRecordSchema>;

/** The key a caller sent, if any; 400 INVALID_IDEMPOTENCY_KEY when it is not one. */
export const parseIdempotencyKey = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be 8 to 128 characters of A-Z a-z 0-9 _ . : -',
    );
  }
  return parsed.data;
};

export const callFingerprint = (method: string, pathAndQuery: string, body: Uint8Array): string =>
  createHash('sha256').update(`${method} ${pathAndQuery}\n`).update(body).digest('base64url');

/** An idempotent call: the key, who sent it, and what the call was. */
export type IdempotentCall = {
  readonly clientId: string;
  readonly key: string;
  readonly fingerprint: string;
};

/** A use case's result as the record keeps it: everything but the entries its first run committed. */
const storedResult = (result: object): Record<string, unknown> => {
  const { audited: _committedByTheFirstRun, ...rest } = result as Partial<Audited> & Record<string, unknown>;
  return rest;
};

/** The record of a call's first result (`{ result }`, its entries left out) or of its refusal (`{ refused }`). */
export const idempotencyRecord = (
  call: IdempotentCall,
  answer: { readonly result: object } | { readonly refused: StoredRefusal },
  now: Date,
): IdempotencyRecord =>
  idempotencyRecordSchema.parse({
    ...call,
    answer: 'result' in answer ? { result: storedResult(answer.result) } : answer,
    createdAt: now.toISOString(),
  });

/** How a use case's results are replayed: where its records are, the caller's key, and its result schema. */
export type Idempotent<R> = {
  readonly records: IdempotencyReader;
  readonly call: IdempotentCall | undefined;
  readonly result: z.ZodType<R>;
};

const assertSameCall = (stored: IdempotencyRecord, call: IdempotentCall): void => {
  if (stored.fingerprint !== call.fingerprint) {
    throw new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used for a different call; use a new key for a new call',
    );
  }
};

/** The coded error of a refusal as it is stored (and replayed under its key). */
export const refusalError = (refused: StoredRefusal): AuthorisationError =>
  new AuthorisationError(refused.code as AuthorisationErrorCode, refused.message, refused.details);

const throwRefusal = (refused: StoredRefusal): never => {
  throw refusalError(refused);
};

/**
 * The first result of a call made again, parsed with the use case's result schema (`audited: []`), or its refusal
 * thrown again. The same key on a different call is a 409, whatever the first answer was.
 */
export const replay = <R>(
  stored: IdempotencyRecord,
  call: IdempotentCall,
  schema: z.ZodType<R>,
): R & Audited => {
  assertSameCall(stored, call);
  const { answer } = stored;
  if ('refused' in answer) return throwRefusal(answer.refused);
  return { ...schema.parse(answer.result), audited: [] };
};

/** Where the idempotency records of a kind of step are kept. */
export type IdempotencyReader = {
  getIdempotency(clientId: string, key: string): Promise<IdempotencyRecord | undefined>;
};

/**
 * Runs a step under the caller's Idempotency-Key: a call made before gets its first result (or refusal) again,
 * without running again; a step that lost a race for its key (409 CONFLICT) gets what the winner stored.
 */
export const idempotently = async <R>(
  idempotent: Idempotent<R>,
  step: () => Promise<R & Audited>,
): Promise<R & Audited> => {
  const { records, call } = idempotent;
  const again = (stored: IdempotencyRecord, c: IdempotentCall) => replay(stored, c, idempotent.result);
  if (call !== undefined) {
    const stored = await records.getIdempotency(call.clientId, call.key);
    if (stored !== undefined) return again(stored, call);
  }
  try {
    return await step();
  } catch (error) {
    if (call !== undefined && error instanceof ConflictError && error.code === 'CONFLICT') {
      const stored = await records.getIdempotency(call.clientId, call.key);
      if (stored !== undefined) return again(stored, call);
    }
    throw error;
  }
};
