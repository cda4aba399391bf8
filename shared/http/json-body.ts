import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { InputError, type InputErrorCode } from '../domain/errors.ts';
import { rawBodyOf } from './signed-route.ts';

/**
 * Parses a JSON body against a schema: 400 MALFORMED_JSON for bytes that are not JSON, otherwise `invalid`
 * (INVALID_INPUT unless the route has a more telling code, such as INVALID_AGREEMENT).
 */
export const parseJsonBody = <S extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: S,
  invalid: InputErrorCode = 'INVALID_INPUT',
): z.infer<S> => {
  let value: unknown;
  try {
    value = JSON.parse(rawBodyOf(event).toString('utf8'));
  } catch {
    throw new InputError('MALFORMED_JSON', 'the body is not valid JSON');
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
