import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxJsonDepth, parseStrictJson, StrictJsonError } from '#shared/domain/strict-json.ts';

// The strict parse against JSON.parse as the reference: equal on every duplicate-free JSON text within the depth
// bound, and a refusal, with its fault, for every text that repeats a member name at any depth, however spelt.

const faultOf = (text: string): unknown => {
  try {
    parseStrictJson(text);
    return 'accepted';
  } catch (error) {
    return error instanceof StrictJsonError ? error.fault : error;
  }
};

/** Each character of `name` as a JSON `\uXXXX` escape: the same member name, spelt otherwise. */
const escaped = (name: string): string =>
  `"${[...name].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;

const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

const shallowJson = fc.jsonValue({ maxDepth: 6 });

describe('parseStrictJson', () => {
  it('equals JSON.parse on duplicate-free JSON, formatted any way', () => {
    fc.assert(
      fc.property(shallowJson, fc.constantFrom(undefined, 1, '\t'), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(parseStrictJson(text)).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a member named __proto__ as JSON.parse does, as an own member', () => {
    const text = '{"__proto__":{"polluted":true},"a":1}';
    const parsed = parseStrictJson(text) as Record<string, unknown>;
    expect(parsed).toStrictEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });

  it('refuses what JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        let reference = true;
        try {
          JSON.parse(text);
        } catch {
          reference = false;
        }
        if (!reference) expect(faultOf(text)).toBe('not-json');
      }),
      { numRuns: 1000 },
    );
    for (const text of ['', '{', '{"a":1,}', '[1,]', "{'a':1}", '{"a" 1}', '"\\x"', 'NaN', '{"a":1}x']) {
      expect(faultOf(text)).toBe('not-json');
    }
  });

  it('refuses a member name repeated at any depth, spelt the same or escaped', () => {
    fc.assert(
      fc.property(
        shallowJson,
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.nat({ max: 5 }),
        fc.boolean(),
        fc.jsonValue({ maxDepth: 1 }),
        (inner, name, depth, spellEscaped, other) => {
          const first = JSON.stringify(name);
          const second = spellEscaped ? escaped(name) : first;
          let text = `{${first}:${JSON.stringify(inner)},"ok":0,${second}:${JSON.stringify(other)}}`;
          for (let i = 0; i < depth; i++) text = i % 2 === 0 ? `[1,${text}]` : `{"k${i}":${text}}`;
          expect(faultOf(text)).toBe('repeated-member');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses the probes of issue 13', () => {
    expect(faultOf('{"sub":"lb-brent.practitioner","sub":"lb-brent.ig-lead"}')).toBe('repeated-member');
    expect(faultOf('{"sub":"a","\\u0073ub":"b"}')).toBe('repeated-member');
    expect(faultOf('{"a":{"b":1,"b":1}}')).toBe('repeated-member');
    expect(faultOf('[[{"x":[{"y":0,"y":0}]}]]')).toBe('repeated-member');
  });

  it('does not take a string value, or a name in a sibling object, for a repeated member', () => {
    for (const text of [
      '{"a":"a","b":"a"}',
      '{"a":{"a":1},"b":{"a":2}}',
      '[{"a":1},{"a":1}]',
      '{"a\\"":1,"a":2}',
      '{"a,\\"b":1,"b":2}',
      '{"x":"{\\"y\\":1,\\"y\\":2}"}',
    ]) {
      expect(parseStrictJson(text)).toStrictEqual(JSON.parse(text));
    }
  });

  it('bounds nesting at maxJsonDepth, refusing a 10,000-deep value without recursing', () => {
    const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
    expect(depthOf(parseStrictJson(nested(maxJsonDepth)))).toBe(maxJsonDepth);
    expect(faultOf(nested(maxJsonDepth + 1))).toBe('too-deep');
    expect(faultOf(nested(10_000))).toBe('too-deep');
    expect(faultOf(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`)).toBe('too-deep');
  });
});
