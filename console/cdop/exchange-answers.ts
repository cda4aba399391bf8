import type * as z from 'zod';
import type { PbxResponse } from '#client/pbx-client.ts';
import { publishedRegistryAnswer } from '#shared/http/api-contract.ts';
import type { ConsoleContext } from '../context.ts';
import { explain, refusalOf } from '../plain-english.ts';
import type { Names } from './case-views.ts';

/** An answer of the exchange as the CDOP pages use it: the value read with its schema, or the refusal in words. */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly status: number;
      readonly code: string;
      readonly summary: string;
      readonly reasons: readonly string[];
    };

/** A 2xx answer read with its schema (a 2xx that does not fit is the exchange's fault: the problem page). */
export const answerOf = <S extends z.ZodType>(
  schema: S,
  response: PbxResponse<unknown>,
): Answer<z.infer<S>> => {
  if (response.status >= 200 && response.status < 300) {
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw new Error('the exchange answered with something else than its schema says');
    return { ok: true, value: parsed.data };
  }
  const refusal = refusalOf(response);
  return { ok: false, status: response.status, code: refusal.code, ...explain(refusal) };
};

/** Refusals a page shows as "not found": a person learns nothing of cases or requests that are not theirs. */
export const isHidden = (answer: { status: number; code?: string }): boolean =>
  answer.status === 404 || (answer.status === 403 && answer.code === 'NOT_PERMITTED');

/**
 * The page for a refusal: not found for an object the person may not see (`hide`, the default), else the
 * exchange's reasons in words, as for a list the person's roles do not allow.
 */
export const refusedPage = (
  c: ConsoleContext,
  answer: { status: number; code?: string; summary: string; reasons: readonly string[] },
  hide = true,
) =>
  hide && isHidden(answer)
    ? c.get('page')('not-found.njk', {}, 404)
    : c.get('page')(
        'cdop/refused.njk',
        { title: 'The exchange did not allow this', summary: answer.summary, reasons: answer.reasons },
        answer.status,
      );

export type PublishedRegistry = z.infer<typeof publishedRegistryAnswer>;

/** The public registry: organisation names, and the footprints that say which CDOP reviews a borough. */
export const registryOf = async (c: ConsoleContext): Promise<PublishedRegistry> => {
  const answer = answerOf(publishedRegistryAnswer, await c.get('exchange').registry());
  if (!answer.ok) throw new Error('the registry could not be read');
  return answer.value;
};

export const namesOf = (registry: { organisations: readonly { id: string; name: string }[] }): Names =>
  new Map(registry.organisations.map((o) => [o.id, o.name]));

/** Today as the exchange counts days (UTC). */
export const today = (): string => new Date().toISOString().slice(0, 10);
