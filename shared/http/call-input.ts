import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { InputError, type InputErrorCode } from '../domain/errors.ts';
import { parseStrictJson, StrictJsonError } from '../domain/strict-json.ts';

/** The raw body bytes as API Gateway delivered them: the signature binds these, not a re-serialised parse. */
export const rawBodyOf = (event: APIGatewayProxyEventV2): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** The path and query string exactly as the client sent them. */
export const pathAndQueryOf = (event: APIGatewayProxyEventV2): string =>
  event.rawQueryString === '' || event.rawQueryString === undefined
    ? event.rawPath
    : `${event.rawPath}?${event.rawQueryString}`;

/**
 * Parses a JSON body against a schema: 400 MALFORMED_JSON for bytes that are not JSON, or JSON that repeats a
 * member name or nests too deep (shared/domain/strict-json.ts), otherwise `invalid` (INVALID_INPUT unless the
 * route has a more telling code, such as INVALID_AGREEMENT). Its size was bounded before (BODY_TOO_LARGE).
 */
export const parseJsonBody = <S extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: S,
  invalid: InputErrorCode = 'INVALID_INPUT',
): z.infer<S> => {
  let value: unknown;
  try {
    value = parseStrictJson(rawBodyOf(event).toString('utf8'));
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    throw new InputError('MALFORMED_JSON', 'the body is not JSON the exchange reads', [error.fault]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      invalid,
      'the body does not have the required form',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
    );
  }
  return parsed.data;
};

/** Parses the query string against the operation's schema: 400 INVALID_INPUT if it does not have its form. */
export const parseQuery = <S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> => {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) {
    throw new InputError(
      'INVALID_INPUT',
      'the query does not have the required form',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`),
    );
  }
  return parsed.data;
};
