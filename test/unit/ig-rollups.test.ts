import { describe, expect, it } from 'vitest';
import type { Aggregate } from '#shared/domain/ig/projection-items.ts';
import { rollupOf, rollupsOf } from '#shared/domain/ig/rollups.ts';

const month = (
  fields: Record<string, string>,
  counts: Record<string, number>,
  histograms: Record<string, number[]> = {},
): Aggregate => ({ kind: 'month', month: '2026-07', fields, counts, histograms });

const brentToHarrow = month(
  { requester: 'lb-brent', responder: 'lb-harrow', purpose: 'MASH_ENQUIRY', footprint: 'north-west-bcu' },
  { submitted: 3, approved: 2, consentNotSought: 1, 'exemption:cannot-be-given': 1 },
  { response: [1, 1, 0] },
);
const brentToBarnet = month(
  { requester: 'lb-brent', responder: 'lb-barnet', purpose: 'MASH_ENQUIRY', footprint: 'north-west-bcu' },
  { submitted: 2, declined: 1 },
  { response: [0, 1, 0] },
);
const barnetToHarrow = month(
  { requester: 'lb-barnet', responder: 'lb-harrow', purpose: 'MISSING_CHILD', footprint: 'east-area-bcu' },
  { submitted: 1 },
);
const refusedToNobody = month(
  { requester: 'lb-brent', responder: '-', purpose: 'MASH_ENQUIRY', footprint: 'north-west-bcu' },
  { refused: 1 },
);
const rows = [brentToHarrow, brentToBarnet, barnetToHarrow, refusedToNobody];

describe('rollups of the month rows', () => {
  it('adds up the counts and histograms of each pair', () => {
    const pairs = rollupOf('pair', [...rows, brentToHarrow]);
    expect(pairs.map((r) => [r.fields, r.counts.submitted ?? 0])).toEqual([
      [{ requester: 'lb-barnet', responder: 'lb-harrow' }, 1],
      [{ requester: 'lb-brent', responder: '-' }, 0],
      [{ requester: 'lb-brent', responder: 'lb-barnet' }, 2],
      [{ requester: 'lb-brent', responder: 'lb-harrow' }, 6],
    ]);
    expect(pairs.at(-1)?.histograms.response).toEqual([2, 2, 0]);
  });

  it('counts a row once for the partnership and once for each organisation it concerns, by purpose', () => {
    const byPurpose = rollupOf('purpose', rows);
    const submitted = (viewer: string, purpose: string) =>
      byPurpose.find((r) => r.fields.viewer === viewer && r.fields.purpose === purpose)?.counts.submitted;
    expect(submitted('*', 'MASH_ENQUIRY')).toBe(5);
    expect(submitted('lb-brent', 'MASH_ENQUIRY')).toBe(5);
    expect(submitted('lb-harrow', 'MASH_ENQUIRY')).toBe(3);
    expect(submitted('lb-barnet', 'MASH_ENQUIRY')).toBe(2);
    expect(submitted('lb-barnet', 'MISSING_CHILD')).toBe(1);
    // No viewer for the organisation a refusal did not name.
    expect(byPurpose.some((r) => r.fields.viewer === '-')).toBe(false);
  });

  it('counts each organisation once as requester and once as responder', () => {
    const sides = rollupOf('side', rows);
    const of = (organisation: string, side: string) =>
      sides.find((r) => r.fields.organisation === organisation && r.fields.side === side)?.counts;
    expect(of('lb-brent', 'requester')).toEqual({
      submitted: 5,
      approved: 2,
      declined: 1,
      refused: 1,
      consentNotSought: 1,
      'exemption:cannot-be-given': 1,
    });
    expect(of('lb-harrow', 'responder')?.submitted).toBe(4);
    expect(of('lb-harrow', 'requester')).toBeUndefined();
  });

  it('keeps, for consent, only the rows and counts of requests whose consent was not sought', () => {
    expect(rollupOf('consent', rows)).toEqual([
      {
        kind: 'consent',
        month: '2026-07',
        fields: brentToHarrow.fields,
        counts: { consentNotSought: 1, 'exemption:cannot-be-given': 1 },
        histograms: {},
      },
    ]);
  });

  it('rolls up a sheet and the rows since to what the whole month rolls up to', () => {
    const sheet = [brentToHarrow, barnetToHarrow];
    const since = [brentToHarrow, brentToBarnet, refusedToNobody];
    for (const kind of ['pair', 'side', 'purpose', 'footprint', 'report', 'consent'] as const) {
      const whole = rollupOf(kind, [...sheet, ...since]);
      const parts = rollupsOf(sheet)
        .concat(rollupOf(kind, since))
        .filter((r) => r.kind === kind);
      expect(rollupOf(kind, []), kind).toEqual([]);
      const merged = new Map<string, number>();
      for (const r of parts) {
        const key = JSON.stringify(r.fields);
        merged.set(key, (merged.get(key) ?? 0) + (r.counts.submitted ?? r.counts.consentNotSought ?? 0));
      }
      expect(Object.fromEntries(merged), kind).toEqual(
        Object.fromEntries(
          whole.map((r) => [JSON.stringify(r.fields), r.counts.submitted ?? r.counts.consentNotSought ?? 0]),
        ),
      );
    }
  });

  it('ignores rows of other kinds', () => {
    expect(rollupsOf([{ ...brentToHarrow, kind: 'refusals' }])).toEqual([]);
  });
});
