import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, type AuditFacts, newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { IndexedEntry } from '#shared/domain/audit/search.ts';
import { dayOf, histogramBucketHours } from '#shared/domain/ig/ig-terms.ts';
import {
  addAggregate,
  bucketOf,
  type Folded,
  foldEntries,
  itemsOf,
  openKeyOf,
} from '#shared/domain/ig/project.ts';
import {
  type Aggregate,
  aggregateKeyOf,
  type OpenRequest,
  owedNow,
  type RequestState,
} from '#shared/domain/ig/projection-items.ts';
import { quantileOf } from '#shared/domain/ig/read-ig.ts';
import { rollupOf } from '#shared/domain/ig/rollups.ts';

// The IG projection's fold (shared/domain/ig/project.ts), without a database: what each entry counts, and that
// however the log is cut into batches the projection comes out the same.

const start = Date.parse('2026-07-01T08:00:00Z');
const hours = (h: number) => new Date(start + h * 3_600_000);
const ref = (n: number) => `sr1.north-west-bcu.${String(n).padStart(42, 'A')}A`;
const requestId = (n: number) => `01J${String(n).padStart(23, '0')}`;

const entry = (facts: Partial<AuditFacts>, at: number): AuditEntry =>
  newAuditEntry(
    {
      actor: {
        kind: 'client',
        clientId: 'lb-brent-system',
        organisationId: 'lb-brent',
        userId: 'lb-brent.practitioner',
      },
      action: 'request.submit',
      outcome: 'allowed',
      ...facts,
    },
    hours(at),
  );

/** What every entry about request `n` from Brent to Harrow carries. */
const about = (n: number, extra: Partial<AuditFacts> = {}): Partial<AuditFacts> => ({
  target: { type: 'request', id: requestId(n) },
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  agreement: { id: 'isa-nw-bcu-mash', version: 1 },
  subjectRef: ref(n),
  parties: ['lb-brent', 'lb-harrow'],
  ...extra,
});
const harrowActs = {
  actor: { kind: 'client' as const, organisationId: 'lb-harrow', clientId: 'lb-harrow-system' },
};

const submitted = (n: number, at: number, extra: Partial<AuditFacts> = {}) =>
  entry(
    about(n, {
      consentState: 'not-sought',
      consentExemption: 'would-prejudice-protection',
      dueAt: hours(at + 24).toISOString(),
      ...extra,
    }),
    at,
  );
const decided = (n: number, at: number, outcome: string, reasonCodes: string[] = []) =>
  entry({ ...about(n), ...harrowActs, action: 'request.decide', decision: { outcome, reasonCodes } }, at);
const stepped = (n: number, at: number, action: string) => entry({ ...about(n), action }, at);
const refused = (at: number, reasonCodes: string[], extra: Partial<AuditFacts> = {}) =>
  entry(
    {
      ...about(99, { target: { type: 'request-submission', id: 'x' } }),
      outcome: 'refused',
      reasonCodes,
      ...extra,
    },
    at,
  );

/** A small log: six requests through their lives, refusals, a listing and entries that count nothing. */
const log: readonly AuditEntry[] = [
  submitted(1, 0),
  submitted(2, 0.5, { consentExemption: 'cannot-be-given' }),
  decided(1, 0.9, 'approve'),
  stepped(1, 1, 'share.release'),
  decided(2, 3, 'decline', ['NOT_HELD', 'NOT_NECESSARY']),
  submitted(3, 4, { placement: { placingAuthority: 'lb-brent', hostAuthority: 'lb-harrow' } }),
  decided(3, 30, 'partial'),
  submitted(4, 31, { reviewOverdue: true }),
  stepped(4, 40, 'request.withdraw'),
  refused(41, ['AGREEMENT_SUSPENDED']),
  refused(42, ['SUBJECT_REF_NOT_OF_FOOTPRINT', 'PURPOSE_NOT_FOR_FOOTPRINT']),
  // Refusals that are not the decision engine's count nothing.
  refused(43, ['NOT_PERMITTED']),
  entry({ action: 'api.answer', target: { type: 'route', id: 'GET /v1/health' } }, 44),
  entry(
    {
      ...harrowActs,
      action: 'request.list',
      target: { type: 'organisation', id: 'lb-harrow' },
      subjectRefs: [ref(1), ref(3)],
    },
    45,
  ),
  submitted(5, 500),
  stepped(5, 600, 'request.close'),
  submitted(6, 601),
];
const indexed: IndexedEntry[] = log.map((e, index) => ({ index, entry: e }));

/** The projection as a store keeps it, with each batch applied as the projector applies it. */
type Store = {
  aggregates: Map<string, Aggregate>;
  requests: Map<string, RequestState>;
  open: Map<string, OpenRequest>;
  responders: string[];
  children: Set<string>;
};

const emptyStore = (): Store => ({
  aggregates: new Map(),
  requests: new Map(),
  open: new Map(),
  responders: [],
  children: new Set(),
});

const apply = (store: Store, folded: Folded) => {
  for (const [key, d] of folded.deltas) store.aggregates.set(key, addAggregate(store.aggregates.get(key), d));
  for (const [id, state] of folded.requests) store.requests.set(id, state);
  for (const [key, change] of folded.open) {
    if ('put' in change) store.open.set(key, change.put);
    else store.open.delete(key);
  }
  if (folded.responders !== undefined) store.responders = [...folded.responders];
  for (const child of folded.children) store.children.add(`${child.subjectRef}#${child.index}`);
};

/** Folds the entries in batches of at most `maxItems` items, from a cursor, until every entry is folded. */
const project = (entries: readonly IndexedEntry[], maxItems: number, store = emptyStore()) => {
  let next = 0;
  while (next < entries.length) {
    const folded = foldEntries(store, entries.slice(next), maxItems);
    expect(folded.projected).toBeGreaterThan(0);
    expect(itemsOf(folded)).toBeLessThanOrEqual(maxItems);
    apply(store, folded);
    next += folded.projected;
  }
  return store;
};

const monthRow = (store: Store) =>
  store.aggregates.get(
    aggregateKeyOf({
      kind: 'month',
      month: '2026-07',
      fields: {
        requester: 'lb-brent',
        responder: 'lb-harrow',
        purpose: 'SAFEGUARDING_REFERRAL_MASH',
        footprint: 'north-west-bcu',
      },
    }),
  );

describe('the IG fold', () => {
  const store = project(indexed, 1000);

  it('counts submissions, decisions, releases, withdrawals and closures in the month of submission', () => {
    expect(monthRow(store)?.counts).toEqual({
      submitted: 6,
      refused: 2,
      approved: 1,
      partial: 1,
      declined: 1,
      released: 1,
      withdrawn: 1,
      closed: 1,
      withOutcome: 5,
      // Six came to be owed; the decline, release, withdrawal and closure ended four.
      owedOpened: 6,
      owedClosed: 4,
      reviewOverdue: 1,
      consentNotSought: 6,
      'exemption:would-prejudice-protection': 5,
      'exemption:cannot-be-given': 1,
    });
  });

  it('keeps response and outcome times in their histogram buckets', () => {
    const row = monthRow(store);
    // Decisions after 0.9 h (≤1), 2.5 h (≤4) and 26 h (≤48); first outcomes also after 9 h (≤24) and 100 h (≤120).
    expect(row?.histograms.response).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(row?.histograms.outcome).toEqual([1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0]);
  });

  it('counts engine refusals and declines by reason code, and nothing for other refusals', () => {
    const refusals = [...store.aggregates.values()].filter((a) => a.kind === 'refusals');
    expect(refusals.map((r) => ({ action: r.fields.action, counts: r.counts }))).toEqual([
      {
        action: 'request.decide',
        counts: { 'decline:NOT_HELD': 1, 'decline:NOT_NECESSARY': 1 },
      },
      {
        action: 'request.submit',
        counts: {
          'refusal:AGREEMENT_SUSPENDED': 1,
          'refusal:SUBJECT_REF_NOT_OF_FOOTPRINT': 1,
          'refusal:PURPOSE_NOT_FOR_FOOTPRINT': 1,
        },
      },
    ]);
  });

  it('keeps open what the responder owes, and indexes each child entry under its reference', () => {
    expect([...store.open.values()].map((o) => [o.requestId, o.status])).toEqual([
      [requestId(3), 'partially-approved'],
      [requestId(6), 'submitted'],
    ]);
    expect(store.responders).toEqual(['lb-harrow']);
    // Request 1: submitted, decided, released, listed.
    expect([...store.children].filter((c) => c.startsWith(ref(1)))).toHaveLength(4);
    const placement = [...store.aggregates.values()].find((a) => a.kind === 'placement');
    expect(placement?.counts).toEqual({ submitted: 1, partial: 1 });
    const review = [...store.aggregates.values()].find((a) => a.kind === 'review');
    expect(review?.counts).toEqual({ accepted: 1 });
  });

  it('counts what is owed by the day it is due as the open items list it', () => {
    const owedByDay = new Map<string, number>();
    for (const row of store.aggregates.values()) {
      if (row.kind !== 'due') continue;
      expect(row.month).toBe(row.fields.day?.slice(0, 7));
      owedByDay.set(row.fields.day ?? '', (owedByDay.get(row.fields.day ?? '') ?? 0) + owedNow(row));
    }
    const openByDay = new Map<string, number>();
    for (const open of store.open.values())
      openByDay.set(dayOf(open.dueAt), (openByDay.get(dayOf(open.dueAt)) ?? 0) + 1);
    expect([...owedByDay].filter(([, n]) => n !== 0).sort()).toEqual([...openByDay].sort());
    expect(rollupOf('owed', [...store.aggregates.values()]).map((row) => [row.fields, owedNow(row)])).toEqual(
      [[{ responder: 'lb-harrow', requester: 'lb-brent', footprint: 'north-west-bcu' }, 2]],
    );
  });

  it('owes a declined request again when a challenge overturns the decline, and once only', () => {
    const overturned = (outcome: string) =>
      entry(
        {
          ...about(7),
          ...harrowActs,
          action: 'challenge.resolve',
          challenge: {
            n: 1,
            stage: 1,
            ground: 'decline-not-justified',
            role: 'ig-lead',
            reasonCodes: [],
            outcome: 'overturned',
          },
          decision: { outcome, reasonCodes: [] },
        },
        5,
      );
    const lives = project(
      [submitted(7, 0), decided(7, 1, 'decline'), overturned('approve'), overturned('partial')].map(
        (e, index) => ({
          index,
          entry: e,
        }),
      ),
      1000,
    );
    const row = [...lives.aggregates.values()].find((a) => a.kind === 'month');
    expect(row?.counts).toMatchObject({ owedOpened: 2, owedClosed: 1 });
    expect([...lives.open.values()].map((o) => o.status)).toEqual(['partially-approved']);
  });

  it('comes out the same however the log is cut into batches', () => {
    const whole = project(indexed, 1000);
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 30 }), (maxItems) => {
        expect(project(indexed, maxItems)).toEqual(whole);
      }),
    );
  });

  it('keys an open request by responder, due date and id', () => {
    expect(
      openKeyOf({ responder: 'lb-harrow', dueAt: '2026-07-02T08:00:00.000Z', requestId: requestId(1) }),
    ).toBe(`lb-harrow#2026-07-02T08:00:00.000Z#${requestId(1)}`);
  });
});

describe('the histogram', () => {
  it('puts a time in the first bucket whose bound it is within, the longest in the open last one', () => {
    const at = (h: number) => hours(h).toISOString();
    expect(bucketOf(at(0), at(1))).toBe(0);
    expect(bucketOf(at(0), at(1.0001))).toBe(1);
    expect(bucketOf(at(0), at(720))).toBe(histogramBucketHours.length - 1);
    expect(bucketOf(at(0), at(721))).toBe(histogramBucketHours.length);
  });

  it('reads a median and a 90th percentile as bucket bounds', () => {
    // 10 times: 5 within an hour, 4 within 24 hours, 1 beyond 720 hours.
    const histogram = [5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 1];
    expect(quantileOf(histogram, 0.5)).toBe(1);
    expect(quantileOf(histogram, 0.9)).toBe(24);
    expect(quantileOf(histogram, 1)).toBe('>720');
    expect(quantileOf(new Array(11).fill(0), 0.5)).toBeNull();
  });
});
