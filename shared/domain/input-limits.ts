import * as z from 'zod';

/**
 * Limits that every list and text a caller sends is held to, in the schemas themselves, so that what is too big
 * is refused as 400 INVALID_INPUT before any store sees it (a store's item or key limit is not a client answer),
 * and so that the OpenAPI document generated from the schemas states them (`maxItems`, `uniqueItems`, `maxLength`).
 */

/** Free text a person writes (a rationale, a description): a page, not a payload. */
export const maxFreeTextLength = 4000;
/** A reference or short label (a DPIA reference, a name). */
export const maxLabelLength = 200;

export const isDistinct = <T>(items: readonly T[]): boolean => new Set(items).size === items.length;

/** A list of one to `max` items, none twice; `uniqueItems` in its JSON Schema. */
export const distinctList = <T extends z.ZodType>(item: T, max: number, what = 'items') =>
  z.array(item).min(1).max(max).refine(isDistinct, `${what} repeat`).meta({ uniqueItems: true });
