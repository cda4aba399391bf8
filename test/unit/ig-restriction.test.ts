import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertEndAhead,
  type Restriction,
  restrictionEndsAt,
  restrictionInForce,
  restrictionsInForce,
} from '#shared/domain/ig/restriction.ts';

// The rules of a restriction's force (shared/domain/ig/restriction.ts), against a small reference model: a
// restriction holds from its making to the end of its end date (UTC), unless lifted.

const day = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31) })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2036, 0, 1) })
  .map((ms) => new Date(ms));

const restriction = (over: Partial<Restriction>): Restriction => ({
  id: '01JZ8M6Q3T5R0Y4B2N7K9C1D3E',
  organisationId: 'lb-harrow',
  index: 7,
  subjectRefs: ['sr1.north-west-bcu.x'],
  reasonCode: 'crime-prevention',
  reason: 'a police enquiry',
  until: '2027-03-31',
  createdAt: '2027-01-01T00:00:00.000Z',
  createdBy: { userId: 'lb-harrow.ig-lead', role: 'ig-lead' },
  state: 'restricted',
  ...over,
});

describe('a restriction in force', () => {
  it('holds to the last millisecond of its end date, UTC, and not after', () => {
    const r = restriction({ until: '2027-03-31' });
    expect(restrictionInForce(r, new Date('2027-03-31T23:59:59.999Z'))).toBe(true);
    expect(restrictionInForce(r, new Date('2027-04-01T00:00:00.000Z'))).toBe(false);
    expect(restrictionEndsAt('2027-03-31').toISOString()).toBe('2027-04-01T00:00:00.000Z');
  });

  it('agrees with the model: in force exactly when not lifted and the day of `at` is not after the end date', () => {
    fc.assert(
      fc.property(
        day,
        instant,
        fc.constantFrom('restricted', 'lifted') as fc.Arbitrary<Restriction['state']>,
        (until, at, state) => {
          const model = state === 'restricted' && at.toISOString().slice(0, 10) <= until;
          expect(restrictionInForce({ state, until }, at)).toBe(model);
        },
      ),
    );
  });

  it('refuses an end date before today, and takes today', () => {
    const now = new Date('2027-01-10T15:00:00.000Z');
    expect(() => assertEndAhead('2027-01-09', now)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => assertEndAhead('2027-01-10', now)).not.toThrow();
  });

  it('marks each leaf with the restriction in force ending last, and none that is lifted or over', () => {
    const at = new Date('2027-02-01T00:00:00.000Z');
    const found = restrictionsInForce(
      [
        restriction({ id: 'a', index: 1, until: '2027-03-01' }),
        restriction({ id: 'b', index: 1, until: '2027-06-01', organisationId: 'lb-brent' }),
        restriction({ id: 'c', index: 2, until: '2027-01-31' }),
        restriction({ id: 'd', index: 3, state: 'lifted' }),
      ],
      at,
    );
    expect([...found].map(([index, r]) => [index, r.id])).toEqual([[1, 'b']]);
  });
});
