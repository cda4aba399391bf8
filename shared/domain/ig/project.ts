import { purposeCodes } from '../agreements/catalogue.ts';
import { decisionReasonCodes } from '../agreements/decide.ts';
import type { AuditEntry } from '../audit/audit-entry.ts';
import type { IndexedEntry } from '../audit/search.ts';
import { owedStatuses, type RequestStatus } from '../requests/data-request.ts';
import { parseSubjectReference } from '../subjects/subject-reference.ts';
import { dayOf, histogramBucketHours, monthOf, reviewOverdueCode } from './ig-terms.ts';
import {
  type Aggregate,
  type AggregateKind,
  aggregateKeyOf,
  type ChildEntryItem,
  noValue,
  type OpenRequest,
  type RequestState,
} from './projection-items.ts';

/**
 * The fold of the IG projection (docs/IG.md): what each sequenced audit entry changes in the projection's items.
 * Pure: the projector (project-ig-answers.ts) loads the state a batch needs, folds, and writes the result with the
 * cursor's move in one transaction, so every leaf is counted exactly once.
 *
 * Aggregates are folded as deltas (counts to add) and added to the stored rows afterwards, so the fold needs to
 * know, of the stored state, only each request's small state (to place a decision in its month of submission,
 * say) and the responders already listed.
 */

/** What the fold reads of the stored projection. */
export type FoldState = {
  readonly requests: ReadonlyMap<string, RequestState>;
  readonly responders: readonly string[];
};

/** An open item to write, or one to delete. */
export type OpenChange = { readonly put: OpenRequest } | { readonly delete: OpenRequest };

/** What a batch changes: every item it writes (within its budget) and the child entries, written apart. */
export type Folded = {
  /** How many of the entries given were folded (a prefix: the rest would have exceeded the budget). */
  readonly projected: number;
  readonly requests: ReadonlyMap<string, RequestState>;
  /** Deltas by aggregate key (aggregateKeyOf). */
  readonly deltas: ReadonlyMap<string, Aggregate>;
  readonly open: ReadonlyMap<string, OpenChange>;
  /** The whole list of responders, when the batch added one. */
  readonly responders: readonly string[] | undefined;
  readonly children: readonly ChildEntryItem[];
  /** The time of the last entry folded. */
  readonly lastTime: string | undefined;
};

/** The number of items a batch's transaction writes beside the cursor. */
export const itemsOf = (folded: Folded): number =>
  folded.requests.size + folded.deltas.size + folded.open.size + (folded.responders === undefined ? 0 : 1);

/** The bucket of a time from `from` to `to`: the first whose upper bound it is within, or the last (open) one. */
export const bucketOf = (from: string, to: string): number => {
  const hours = (Date.parse(to) - Date.parse(from)) / 3_600_000;
  const index = histogramBucketHours.findIndex((bound) => hours <= bound);
  return index === -1 ? histogramBucketHours.length : index;
};

const emptyHistogram = (): number[] => new Array(histogramBucketHours.length + 1).fill(0);

const histogramWith = (bucket: number): number[] => {
  const histogram = emptyHistogram();
  histogram[bucket] = 1;
  return histogram;
};

/** Adds a delta to a stored aggregate row (or to nothing): counts and histogram buckets add up. */
export const addAggregate = (stored: Aggregate | undefined, delta: Aggregate): Aggregate => {
  if (stored === undefined) return delta;
  const counts = { ...stored.counts };
  for (const [name, n] of Object.entries(delta.counts)) counts[name] = (counts[name] ?? 0) + n;
  const histograms = { ...stored.histograms };
  for (const [name, buckets] of Object.entries(delta.histograms)) {
    const sum = histograms[name] ?? emptyHistogram();
    histograms[name] = buckets.map((n, i) => n + (sum[i] ?? 0));
  }
  return { ...stored, counts, histograms };
};

/** Rows added together by key (kind, month and fields), in key order. */
export const mergeAggregates = (rows: readonly Aggregate[]): Aggregate[] => {
  const byKey = new Map<string, Aggregate>();
  for (const row of rows) {
    const key = aggregateKeyOf(row);
    byKey.set(key, addAggregate(byKey.get(key), row));
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
};

const delta = (
  kind: AggregateKind,
  month: string,
  fields: Record<string, string>,
  counts: Record<string, number>,
  histograms: Record<string, number[]> = {},
): Aggregate => ({ kind, month, fields, counts, histograms });

const engineCodes: ReadonlySet<string> = new Set(decisionReasonCodes);
const purposes: ReadonlySet<string> = new Set(purposeCodes);

/** The footprint of an entry: the one its subject reference belongs to, or none (`-`). */
const footprintOf = (entry: AuditEntry): string =>
  (entry.subjectRef === undefined ? undefined : parseSubjectReference(entry.subjectRef)?.footprintId) ??
  noValue;

/**
 * The requester and responder an entry is about: a request's parties (requester first, as request-facts.ts and the
 * submission's refusal list them), else the acting organisation and the organisation targeted.
 */
const pairOf = (entry: AuditEntry): { requester: string; responder: string } | undefined => {
  const [first, second] = entry.parties ?? [];
  if (first !== undefined && second !== undefined) return { requester: first, responder: second };
  const actor = entry.actor.organisationId;
  if (actor === undefined) return undefined;
  const target = entry.target?.type === 'organisation' ? entry.target.id : undefined;
  return { requester: actor, responder: target !== undefined && target !== actor ? target : noValue };
};

/** An entry as the child index keeps it: who did what, never the entry's text hashes or request hash. */
const childEntryOf = (subjectRef: string, index: number, entry: AuditEntry): ChildEntryItem => {
  const { organisationId, clientId, userId, role } = entry.actor;
  return {
    subjectRef,
    index,
    time: entry.time,
    action: entry.action,
    outcome: entry.outcome,
    reasonCodes: [...entry.reasonCodes],
    actor: {
      ...(organisationId === undefined ? {} : { organisationId }),
      ...(clientId === undefined ? {} : { clientId }),
      ...(userId === undefined ? {} : { userId }),
      ...(role === undefined ? {} : { role }),
    },
    ...(entry.target === undefined
      ? {}
      : {
          target: {
            type: entry.target.type,
            ...(entry.target.id === undefined ? {} : { id: entry.target.id }),
          },
        }),
    ...(entry.purpose === undefined ? {} : { purpose: entry.purpose }),
    ...(entry.agreement === undefined ? {} : { agreement: { ...entry.agreement } }),
    ...(entry.parties === undefined ? {} : { parties: [...entry.parties] }),
  };
};

/** The key of an open request's item: its responder, due date and id. */
export const openKeyOf = (open: Pick<OpenRequest, 'responder' | 'dueAt' | 'requestId'>): string =>
  `${open.responder}#${open.dueAt}#${open.requestId}`;

const openOf = (state: RequestState): OpenRequest => ({
  requestId: state.id,
  requester: state.requester,
  responder: state.responder,
  purpose: state.purpose,
  footprint: state.footprint,
  month: state.month,
  status: state.status,
  dueAt: state.dueAt,
});

const monthFields = (s: Pick<RequestState, 'requester' | 'responder' | 'purpose' | 'footprint'>) => ({
  requester: s.requester,
  responder: s.responder,
  purpose: s.purpose,
  footprint: s.footprint,
});

const placementFields = (s: RequestState) =>
  s.placement === undefined
    ? undefined
    : {
        placingAuthority: s.placement.placingAuthority,
        hostAuthority: s.placement.hostAuthority,
        purpose: s.purpose,
        requester: s.requester,
        responder: s.responder,
        footprint: s.footprint,
      };

/** What one entry changes. */
type Effects = {
  request?: RequestState;
  deltas: Aggregate[];
  open?: OpenChange;
  responder?: string;
  children: ChildEntryItem[];
};

const submitted = (entry: AuditEntry): Effects['request'] => {
  const pair = pairOf(entry);
  const id = entry.target?.type === 'request' ? entry.target.id : undefined;
  if (pair === undefined || id === undefined || entry.purpose === undefined || !purposes.has(entry.purpose)) {
    return undefined;
  }
  return {
    id,
    submittedAt: entry.time,
    month: monthOf(entry.time),
    requester: pair.requester,
    responder: pair.responder,
    purpose: entry.purpose as RequestState['purpose'],
    footprint: footprintOf(entry),
    dueAt: entry.dueAt ?? entry.time,
    ...(entry.placement === undefined ? {} : { placement: { ...entry.placement } }),
    status: 'submitted',
  };
};

/** The effects of an accepted submission: a new request, counted in its month, open until answered. */
const submissionEffects = (entry: AuditEntry, state: RequestState): Omit<Effects, 'children'> => {
  const counts: Record<string, number> = { submitted: 1 };
  if (entry.reviewOverdue === true) counts.reviewOverdue = 1;
  if (entry.consentState === 'not-sought') {
    counts.consentNotSought = 1;
    if (entry.consentExemption !== undefined) counts[`exemption:${entry.consentExemption}`] = 1;
  }
  const deltas = [delta('month', state.month, monthFields(state), counts)];
  if (entry.reviewOverdue === true && entry.agreement !== undefined) {
    deltas.push(
      delta(
        'review',
        state.month,
        {
          agreementId: entry.agreement.id,
          version: String(entry.agreement.version),
          requester: state.requester,
          responder: state.responder,
          footprint: state.footprint,
        },
        { accepted: 1 },
      ),
    );
  }
  const placement = placementFields(state);
  if (placement !== undefined) deltas.push(delta('placement', state.month, placement, { submitted: 1 }));
  return { request: state, deltas, open: { put: openOf(state) }, responder: state.responder };
};

/** The effects of a refusal by the decision engine: counted by reason code, in the month it happened. */
const refusalEffects = (entry: AuditEntry, codes: readonly string[]): Omit<Effects, 'children'> => {
  const pair = pairOf(entry);
  if (pair === undefined) return { deltas: [] };
  const month = monthOf(entry.time);
  const footprint = footprintOf(entry);
  const deltas = [
    delta(
      'refusals',
      month,
      { ...pair, action: entry.action, footprint },
      Object.fromEntries(codes.map((code) => [`refusal:${code}`, 1])),
    ),
  ];
  if (entry.action === 'request.submit') {
    const purpose = entry.purpose !== undefined && purposes.has(entry.purpose) ? entry.purpose : noValue;
    deltas.push(delta('month', month, { ...pair, purpose, footprint }, { refused: 1 }));
  }
  if (codes.includes(reviewOverdueCode) && entry.agreement !== undefined) {
    deltas.push(
      delta(
        'review',
        month,
        {
          agreementId: entry.agreement.id,
          version: String(entry.agreement.version),
          ...pair,
          footprint,
        },
        { refused: 1 },
      ),
    );
  }
  return { deltas };
};

const decisionStatus: Record<string, RequestStatus> = {
  approve: 'approved',
  partial: 'partially-approved',
  decline: 'declined',
};
const decisionCounter: Record<string, string> = {
  approve: 'approved',
  partial: 'partial',
  decline: 'declined',
};

/** A request's first outcome (decision, withdrawal or closure): counted once, with the time it took. */
const firstOutcome = (state: RequestState, time: string) =>
  state.outcomeAt === undefined
    ? {
        counts: { withOutcome: 1 },
        histograms: { outcome: histogramWith(bucketOf(state.submittedAt, time)) },
      }
    : { counts: {}, histograms: {} };

/** The effects of a later step on a request: counted in the request's month of submission. */
const stepEffects = (entry: AuditEntry, state: RequestState): Omit<Effects, 'children'> => {
  const owed = owedStatuses.includes(state.status);
  const counted = (
    counts: Record<string, number>,
    next: RequestState,
    open: OpenChange | undefined,
    histograms: Record<string, number[]> = {},
  ): Omit<Effects, 'children'> => {
    const deltas = [delta('month', state.month, monthFields(state), counts, histograms)];
    const placement = placementFields(state);
    const placementCounts = Object.fromEntries(
      Object.entries(counts).filter(([name]) =>
        ['approved', 'partial', 'declined', 'released'].includes(name),
      ),
    );
    if (placement !== undefined && Object.keys(placementCounts).length > 0) {
      deltas.push(delta('placement', state.month, placement, placementCounts));
    }
    return { request: next, deltas, ...(open === undefined ? {} : { open }) };
  };
  const ended = (status: RequestStatus, counter: string) => {
    const outcome = firstOutcome(state, entry.time);
    return counted(
      { [counter]: 1, ...outcome.counts },
      { ...state, status, outcomeAt: state.outcomeAt ?? entry.time },
      owed ? { delete: openOf(state) } : undefined,
      outcome.histograms,
    );
  };
  switch (entry.action) {
    case 'request.decide': {
      const outcome = entry.decision?.outcome ?? '';
      const status = decisionStatus[outcome];
      const counter = decisionCounter[outcome];
      if (status === undefined || counter === undefined || state.decidedAt !== undefined)
        return { deltas: [] };
      const first = firstOutcome(state, entry.time);
      const next: RequestState = {
        ...state,
        status,
        decidedAt: entry.time,
        outcomeAt: state.outcomeAt ?? entry.time,
      };
      const effects = counted(
        { [counter]: 1, ...first.counts },
        next,
        status === 'declined' ? { delete: openOf(state) } : { put: openOf(next) },
        { response: histogramWith(bucketOf(state.submittedAt, entry.time)), ...first.histograms },
      );
      if (status === 'declined') {
        const codes = entry.decision?.reasonCodes ?? [];
        effects.deltas.push(
          delta(
            'refusals',
            monthOf(entry.time),
            {
              requester: state.requester,
              responder: state.responder,
              action: entry.action,
              footprint: state.footprint,
            },
            Object.fromEntries((codes.length === 0 ? ['NOT_CODED'] : codes).map((c) => [`decline:${c}`, 1])),
          ),
        );
      }
      return effects;
    }
    case 'share.release':
      return counted(
        { released: 1 },
        { ...state, status: 'released' },
        owed ? { delete: openOf(state) } : undefined,
      );
    case 'request.withdraw':
      return ended('withdrawn', 'withdrawn');
    case 'request.close':
      return ended('closed', 'closed');
    case 'challenge.raise':
    case 'challenge.escalate':
    case 'challenge.resolve':
    case 'challenge.overdue':
      return challengeEffects(entry, state);
    case 'share.expire':
      return {
        request: { ...state, status: 'expired' },
        deltas: [],
        ...(owed ? { open: { delete: openOf(state) } } : {}),
      };
    default:
      return { deltas: [] };
  }
};

const challengeCounters: Record<string, (entry: AuditEntry) => Record<string, number>> = {
  'challenge.raise': (entry) => ({ raised: 1, [`ground:${entry.challenge?.ground ?? noValue}`]: 1 }),
  'challenge.escalate': () => ({ escalated: 1 }),
  'challenge.resolve': (entry) => ({ [`outcome:${entry.challenge?.outcome ?? noValue}`]: 1 }),
  'challenge.overdue': () => ({ overdue: 1 }),
};

/**
 * The effects of a challenge step: counted by pair and footprint in the month of the step. An overturn decides the
 * request anew (its entry holds the new decision): the request's status and its place among the open follow, and
 * its first outcome stays the one it had.
 */
const challengeEffects = (entry: AuditEntry, state: RequestState): Omit<Effects, 'children'> => {
  const counts = challengeCounters[entry.action]?.(entry) ?? {};
  const deltas = [
    delta(
      'challenges',
      monthOf(entry.time),
      { requester: state.requester, responder: state.responder, footprint: state.footprint },
      counts,
    ),
  ];
  const status =
    entry.action === 'challenge.resolve' ? decisionStatus[entry.decision?.outcome ?? ''] : undefined;
  if (status === undefined) return { deltas };
  const next: RequestState = { ...state, status };
  const wasOwed = owedStatuses.includes(state.status);
  const isOwed = owedStatuses.includes(status);
  const open: OpenChange | undefined = isOwed
    ? { put: openOf(next) }
    : wasOwed
      ? { delete: openOf(state) }
      : undefined;
  return { request: next, deltas, ...(open === undefined ? {} : { open }) };
};

/**
 * What a step changes of what is owed (owedStatuses): when its request comes to be owed (submitted, or decided
 * anew after a decline) or stops being owed (declined, released, withdrawn, closed, expired), one more
 * `owedOpened` or `owedClosed` in its month row and in the `due` row of the day it is due. The open items follow
 * the same changes, so the rows count exactly the requests the open items list.
 */
const owedDeltas = (before: RequestState | undefined, after: RequestState | undefined): Aggregate[] => {
  const state = after ?? before;
  if (state === undefined) return [];
  const was = before !== undefined && owedStatuses.includes(before.status);
  const is = after === undefined ? was : owedStatuses.includes(after.status);
  if (was === is) return [];
  const counts = { [is ? 'owedOpened' : 'owedClosed']: 1 };
  const due = {
    responder: state.responder,
    requester: state.requester,
    footprint: state.footprint,
    submitted: state.month,
    day: dayOf(state.dueAt),
  };
  return [
    delta('month', state.month, monthFields(state), counts),
    delta('due', monthOf(state.dueAt), due, counts),
  ];
};

/** The effects of an entry with what they change of what is owed. */
const withOwed = (effects: Omit<Effects, 'children'>, before: RequestState | undefined) => ({
  ...effects,
  deltas: [...effects.deltas, ...owedDeltas(before, effects.request)],
});

/** What one sequenced entry changes, given the state of the request it is about (if any). */
export const effectsOf = ({ index, entry }: IndexedEntry, request: RequestState | undefined): Effects => {
  const references = new Set([
    ...(entry.subjectRef === undefined ? [] : [entry.subjectRef]),
    ...(entry.subjectRefs ?? []),
  ]);
  const children = [...references].map((ref) => childEntryOf(ref, index, entry));
  if (entry.outcome === 'refused') {
    const codes = entry.reasonCodes.filter((code) => engineCodes.has(code));
    return { ...(codes.length === 0 ? { deltas: [] } : refusalEffects(entry, codes)), children };
  }
  if (entry.outcome !== 'allowed') return { deltas: [], children };
  if (entry.action === 'request.submit') {
    const state = request === undefined ? submitted(entry) : undefined;
    return {
      ...(state === undefined ? { deltas: [] } : withOwed(submissionEffects(entry, state), undefined)),
      children,
    };
  }
  return {
    ...(request === undefined ? { deltas: [] } : withOwed(stepEffects(entry, request), request)),
    children,
  };
};

/** The request an entry is about, by its target. */
export const requestIdOf = (entry: AuditEntry): string | undefined =>
  entry.target?.type === 'request' ? entry.target.id : undefined;

/**
 * Folds entries, in index order, into the changes of one batch: as many entries as fit in `maxItems` items (at
 * least one, whatever it writes: no entry writes more than a few). Entries that touch the same item share it.
 */
export const foldEntries = (state: FoldState, entries: readonly IndexedEntry[], maxItems: number): Folded => {
  const requests = new Map<string, RequestState>();
  const deltas = new Map<string, Aggregate>();
  const open = new Map<string, OpenChange>();
  const responders = new Set(state.responders);
  let respondersChanged = false;
  const children: ChildEntryItem[] = [];
  let projected = 0;
  let lastTime: string | undefined;
  for (const indexed of entries) {
    const id = requestIdOf(indexed.entry);
    const current = id === undefined ? undefined : (requests.get(id) ?? state.requests.get(id));
    const effects = effectsOf(indexed, current);
    const newKeys =
      (effects.request !== undefined && !requests.has(effects.request.id) ? 1 : 0) +
      effects.deltas.filter((d) => !deltas.has(aggregateKeyOf(d))).length +
      (effects.open !== undefined &&
      !open.has(openKeyOf('put' in effects.open ? effects.open.put : effects.open.delete))
        ? 1
        : 0) +
      (effects.responder !== undefined && !responders.has(effects.responder) && !respondersChanged ? 1 : 0);
    const used = requests.size + deltas.size + open.size + (respondersChanged ? 1 : 0);
    if (projected > 0 && used + newKeys > maxItems) break;
    if (effects.request !== undefined) requests.set(effects.request.id, effects.request);
    for (const d of effects.deltas) {
      const key = aggregateKeyOf(d);
      deltas.set(key, addAggregate(deltas.get(key), d));
    }
    if (effects.open !== undefined) {
      open.set(openKeyOf('put' in effects.open ? effects.open.put : effects.open.delete), effects.open);
    }
    if (effects.responder !== undefined && !responders.has(effects.responder)) {
      responders.add(effects.responder);
      respondersChanged = true;
    }
    children.push(...effects.children);
    projected += 1;
    lastTime = indexed.entry.time;
  }
  return {
    projected,
    requests,
    deltas,
    open,
    responders: respondersChanged ? [...responders].sort() : undefined,
    children,
    lastTime,
  };
};
