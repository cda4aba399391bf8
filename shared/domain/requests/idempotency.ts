import { createHash } from 'node:crypto';
import * as z from 'zod';
import { AuthorisationError, type AuthorisationErrorCode, ConflictError, InputError } from '../errors.ts';

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): a client that retries a step with the same key
 * and the same call gets the first answer again, and the step happens once; the same key on another call is a
 * 409. Keys belong to the client that sent them. The record commits in the same transaction as the step it
 * answers, so a step and its record exist together or not at all.
 */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/);

const answerSchema = z.union([
  z.object({ statusCode: z.union([z.literal(200), z.literal(201)]), body: z.unknown() }),
  z.object({
    refused: z.object({
      code: z.enum(['REQUEST_REFUSED', 'NOT_PERMITTED', 'FETCH_LIMIT_REACHED']),
      message: z.string(),
      details: z.array(z.string()).optional(),
    }),
  }),
]);
export type IdempotentAnswer = z.infer<typeof answerSchema>;

export const idempotencyRecordSchema = z.object({
  clientId: z.string().min(1),
  key: idempotencyKeySchema,
  /** SHA-256 of the method, path and body: what "the same call" means. */
  fingerprint: z.string(),
  answer: answerSchema,
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

export const idempotencyRecord = (
  call: IdempotentCall,
  answer: IdempotentAnswer,
  now: Date,
): IdempotencyRecord => idempotencyRecordSchema.parse({ ...call, answer, createdAt: now.toISOString() });

/**
 * The first answer to a call made again: its success answer, or its refusal thrown again. The same key on a
 * different call is a 409, whatever the first answer was.
 */
export const replay = (
  stored: IdempotencyRecord,
  call: IdempotentCall,
): { statusCode: 200 | 201; body: unknown } => {
  if (stored.fingerprint !== call.fingerprint) {
    throw new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used for a different call; use a new key for a new call',
    );
  }
  if ('refused' in stored.answer) {
    const { code, message, details } = stored.answer.refused;
    throw new AuthorisationError(code as AuthorisationErrorCode, message, details);
  }
  return { statusCode: stored.answer.statusCode, body: stored.answer.body };
};

/** Where the idempotency records of a kind of step are kept. */
export type IdempotencyReader = {
  getIdempotency(clientId: string, key: string): Promise<IdempotencyRecord | undefined>;
};

/**
 * Runs a step under the caller's Idempotency-Key: a call made before is answered as it was, without running again;
 * a step that lost a race for its key (409 CONFLICT) answers what the winner stored.
 */
export const idempotently = async (
  records: IdempotencyReader,
  call: IdempotentCall | undefined,
  step: () => Promise<{ statusCode: 200 | 201; body: unknown }>,
): Promise<{ statusCode: 200 | 201; body: unknown }> => {
  if (call !== undefined) {
    const stored = await records.getIdempotency(call.clientId, call.key);
    if (stored !== undefined) return replay(stored, call);
  }
  try {
    return await step();
  } catch (error) {
    if (call !== undefined && error instanceof ConflictError && error.code === 'CONFLICT') {
      const stored = await records.getIdempotency(call.clientId, call.key);
      if (stored !== undefined) return replay(stored, call);
    }
    throw error;
  }
};
