import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { ulid } from '#shared/domain/ids.ts';

describe('ulid', () => {
  it('makes valid ULIDs of the given time, each unique, using every character of the alphabet', () => {
    const at = Date.parse('2026-12-03T07:00:00Z');
    const ids = Array.from({ length: 20_000 }, () => ulid(at));
    expect(ids.every(isValid)).toBe(true);
    expect(ids.every((id) => decodeTime(id) === at)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // The random part over many ids: all 32 characters, none far from its share (a pool read past its end, or a
    // fraction of 1, would skew or break it).
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (ids.length * 16) / 32;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.1);
  });

  it('uses the current time when none is given', () => {
    const before = Date.now();
    const time = decodeTime(ulid());
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });
});
