/**
 * The one parse of JSON that comes from outside (request bodies, JWS headers and claims): JSON.parse, refusing
 * what JSON.parse lets through. RFC 8259 section 4 leaves the meaning of repeated member names open and JSON.parse
 * keeps the last one; RFC 7515 section 4 and RFC 7519 section 4 let a JWS parser reject them, and I-JSON (RFC 7493
 * section 2.3) forbids them. A signed text with `"sub":"a","sub":"b"` means `b` here and `a` to a reader that keeps
 * the first, so the exchange refuses it. Member names are compared as decoded, so `"\u0073ub"` repeats `"sub"`.
 * Nesting is bounded (RFC 8259 section 9 allows it) so that no later recursive walk of the value can overflow.
 */

/** Deeper than any body or token of the protocol nests (a submission is 3 levels deep). */
export const maxJsonDepth = 32;

export type StrictJsonFault = 'not-json' | 'repeated-member' | 'too-deep';

export class StrictJsonError extends Error {
  constructor(
    readonly fault: StrictJsonFault,
    message: string,
  ) {
    super(message);
  }
}

type Open = { readonly names: Set<string> | undefined; expectingName: boolean };

/**
 * Scans `text` once, without recursion, for repeated member names and nesting depth. It reads the structure of
 * valid JSON exactly; what it makes of invalid JSON does not matter, as JSON.parse then refuses that.
 */
const scan = (text: string, maxDepth: number): void => {
  const open: Open[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
      }
      const top = open.at(-1);
      if (top?.names !== undefined && top.expectingName) {
        // A name without an escape is its text; one with an escape is decoded by JSON.parse.
        let name: unknown = escaped ? undefined : text.slice(start + 1, i);
        if (escaped) {
          try {
            name = JSON.parse(text.slice(start, i + 1));
          } catch {
            throw new StrictJsonError('not-json', 'a member name is not a JSON string');
          }
        }
        if (typeof name !== 'string' || top.names.has(name)) {
          throw new StrictJsonError('repeated-member', 'an object names one member twice');
        }
        top.names.add(name);
        top.expectingName = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (open.length >= maxDepth) {
        throw new StrictJsonError('too-deep', `JSON may nest at most ${maxDepth} levels`);
      }
      open.push({ names: c === 0x7b ? new Set() : undefined, expectingName: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
    } else if (c === 0x2c /* , */) {
      const top = open.at(-1);
      if (top?.names !== undefined) top.expectingName = true;
    }
  }
};

/** JSON.parse of `text`, or StrictJsonError when it is not JSON, repeats a member name or nests too deep. */
export const parseStrictJson = (text: string, maxDepth: number = maxJsonDepth): unknown => {
  scan(text, maxDepth);
  try {
    return JSON.parse(text);
  } catch {
    throw new StrictJsonError('not-json', 'the text is not JSON');
  }
};
