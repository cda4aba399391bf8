import type { AuditEntry } from '../audit/audit-entry.ts';
import type { IndexedEntry } from '../audit/search.ts';
import { crossFootprintCodes } from '../ig/ig-terms.ts';
import { keyRevocationReasonCodes } from '../registry/manage-client-keys.ts';
import type { AlertDraft, AlertRuleId } from './alert.ts';
import { expiresAfter, type RuleState, type RuleStateOf, type RuleStateView } from './rule-state.ts';
import {
  type AlertThresholds,
  defaultAlertThresholds,
  isWithinWorkingHours,
  londonDayOf,
  officeHoursRoles,
} from './thresholds.ts';

/**
 * The anomaly rules (docs/IG.md "Anomaly alerts"), one definition each: its id, its plain-English name, its
 * default threshold, the state keys an entry needs, and a pure evaluation of one sequenced entry against that
 * state and the thresholds of the organisation concerned, giving the state to write and the alerts to raise.
 * The detector (detect.ts) folds a batch of entries through every rule in leaf order.
 */

/** What a rule knows beside the entry and its state: the registry's answers, resolved before the fold. */
export type RuleContext = {
  readonly thresholdsOf: (organisationId: string) => AlertThresholds;
  /** The organisation a client belongs to, from the registry. */
  readonly organisationOfClient: (clientId: string) => string | undefined;
};

export type RuleOutcome = { readonly changes: readonly RuleState[]; readonly alerts: readonly AlertDraft[] };

export type AlertRule = {
  readonly id: AlertRuleId;
  readonly name: string;
  /** The default threshold, in words, as docs/IG.md states it. */
  readonly defaultThreshold: string;
  readonly keysOf: (leaf: IndexedEntry, context: RuleContext) => readonly string[];
  readonly evaluate: (leaf: IndexedEntry, state: RuleStateView, context: RuleContext) => RuleOutcome;
};

const nothing: RuleOutcome = { changes: [], alerts: [] };

/** The UTC hour of an ISO time, `YYYY-MM-DDTHH`: the window of the hourly rules. */
const hourOf = (iso: string): string => iso.slice(0, 13);

/** The organisations an entry concerns: the acting one first, then its parties. */
const concerned = (first: string | undefined, entry: AuditEntry): string[] => [
  ...new Set([...(first === undefined ? [] : [first]), ...(entry.parties ?? [])]),
];

/** Who acted, as an alert names them. */
const actorOf = (entry: AuditEntry) => ({
  ...(entry.actor.userId === undefined ? {} : { userId: entry.actor.userId }),
  ...((entry.actor.clientId ?? entry.actor.claimedClientId) === undefined
    ? {}
    : { clientId: entry.actor.clientId ?? entry.actor.claimedClientId }),
  ...(entry.actor.role === undefined ? {} : { role: entry.actor.role }),
});

/** A user's access to a child's data: an allowed entry of a user that carries the child's own reference. */
const childAccess = (entry: AuditEntry) =>
  entry.outcome === 'allowed' && entry.actor.userId !== undefined && entry.subjectRef !== undefined
    ? { userId: entry.actor.userId, subjectRef: entry.subjectRef, organisationId: entry.actor.organisationId }
    : undefined;

const stateOf = <K extends RuleState['kind']>(state: RuleStateView, key: string, kind: K) => {
  const item = state(key);
  return item?.kind === kind ? (item as RuleStateOf<K>) : undefined;
};

/** The state keys of the rules below: one function each, so the key a rule loads is the key it writes. */
const childrenKey = (userId: string, entry: AuditEntry) => `children#${userId}#${hourOf(entry.time)}`;
const hoursKey = (userId: string, entry: AuditEntry) => `hours#${userId}#${londonDayOf(entry.time)}`;
const fetchesKey = (organisationId: string) => `fetches#${organisationId}`;

const bulkAccess: AlertRule = {
  id: 'bulk-access',
  name: 'Bulk access: one user touched the data of more children in an hour than the threshold',
  defaultThreshold: `more than ${defaultAlertThresholds.bulkAccessChildren} distinct children in a clock hour (UTC)`,
  keysOf: ({ entry }) => {
    const access = childAccess(entry);
    return access === undefined ? [] : [childrenKey(access.userId, entry)];
  },
  evaluate: (leaf, state, context) => {
    const { entry, index } = leaf;
    const access = childAccess(entry);
    if (access === undefined || access.organisationId === undefined) return nothing;
    const key = childrenKey(access.userId, entry);
    const held = stateOf(state, key, 'children');
    if (held?.alerted || held?.refs.includes(access.subjectRef)) return nothing;
    const threshold = context.thresholdsOf(access.organisationId).bulkAccessChildren;
    const refs = [...(held?.refs ?? []), access.subjectRef];
    const entries = [...(held?.entries ?? []), index];
    const alerted = refs.length > threshold;
    const next: RuleState = {
      kind: 'children',
      key,
      // Once the rule fired for the hour the references are no longer needed.
      refs: alerted ? [] : refs,
      entries: alerted ? [] : entries,
      alerted,
      expiresAt: expiresAfter(entry.time, 2),
    };
    if (!alerted) return { changes: [next], alerts: [] };
    return {
      changes: [next],
      alerts: [
        {
          rule: 'bulk-access',
          time: entry.time,
          organisations: [access.organisationId],
          ...actorOf(entry),
          entries,
          threshold,
          observed: refs.length,
        },
      ],
    };
  },
};

const outOfHours: AlertRule = {
  id: 'out-of-hours',
  name: "Out of hours: a child's data accessed outside the working hours of the user's role",
  defaultThreshold: `${defaultAlertThresholds.workingHours.from} to ${defaultAlertThresholds.workingHours.to} Europe/London, Monday to Friday, for ${officeHoursRoles.join(', ')}; once per user a day`,
  keysOf: ({ entry }) => {
    const access = childAccess(entry);
    return access === undefined ? [] : [hoursKey(access.userId, entry)];
  },
  evaluate: ({ entry, index }, state, context) => {
    const access = childAccess(entry);
    const role = entry.actor.role;
    if (access === undefined || access.organisationId === undefined || role === undefined) return nothing;
    // An entry names a user's roles joined with commas (audited-action.ts): only a user all of whose roles keep
    // office hours is out of hours at night.
    if (!role.split(',').every((r) => (officeHoursRoles as readonly string[]).includes(r))) return nothing;
    const hours = context.thresholdsOf(access.organisationId).workingHours;
    if (isWithinWorkingHours(entry.time, hours)) return nothing;
    const key = hoursKey(access.userId, entry);
    if (stateOf(state, key, 'raised') !== undefined) return nothing;
    return {
      changes: [{ kind: 'raised', key, expiresAt: expiresAfter(entry.time, 48) }],
      alerts: [
        {
          rule: 'out-of-hours',
          time: entry.time,
          organisations: concerned(access.organisationId, entry),
          ...actorOf(entry),
          entries: [index],
        },
      ],
    };
  },
};

/** Who a refused entry is counted against: its user, and its client (the one the token claimed, if unconfirmed). */
const refusalKeys = (entry: AuditEntry): { key: string; by: 'user' | 'client' }[] => {
  if (entry.outcome !== 'refused') return [];
  const client = entry.actor.clientId ?? entry.actor.claimedClientId;
  return [
    ...(entry.actor.userId === undefined
      ? []
      : [{ key: `refusals#user#${entry.actor.userId}#${hourOf(entry.time)}`, by: 'user' as const }]),
    ...(client === undefined
      ? []
      : [{ key: `refusals#client#${client}#${hourOf(entry.time)}`, by: 'client' as const }]),
  ];
};

const repeatedRefusals: AlertRule = {
  id: 'repeated-refusals',
  name: 'Repeated refusals: one user or one client refused more often in an hour than the threshold',
  defaultThreshold: `more than ${defaultAlertThresholds.refusalsPerHour} refused entries of one user, or of one client, in a clock hour (UTC)`,
  keysOf: ({ entry }) => refusalKeys(entry).map((k) => k.key),
  evaluate: ({ entry, index }, state, context) => {
    const client = entry.actor.clientId ?? entry.actor.claimedClientId;
    const organisation =
      entry.actor.organisationId ?? (client === undefined ? undefined : context.organisationOfClient(client));
    if (organisation === undefined) return nothing;
    const threshold = context.thresholdsOf(organisation).refusalsPerHour;
    const changes: RuleState[] = [];
    const alerts: AlertDraft[] = [];
    for (const { key, by } of refusalKeys(entry)) {
      const held = stateOf(state, key, 'refusals');
      if (held?.alerted) continue;
      const count = (held?.count ?? 0) + 1;
      const entries = [...(held?.entries ?? []), index];
      const alerted = count > threshold;
      changes.push({
        kind: 'refusals',
        key,
        count,
        entries: alerted ? [] : entries,
        alerted,
        expiresAt: expiresAfter(entry.time, 2),
      });
      if (alerted) {
        const who = actorOf(entry);
        alerts.push({
          rule: 'repeated-refusals',
          time: entry.time,
          organisations: [organisation],
          ...(by === 'user' ? who : { ...(who.clientId === undefined ? {} : { clientId: who.clientId }) }),
          entries,
          threshold,
          observed: count,
        });
      }
    }
    return { changes, alerts };
  },
};

const crossFootprintCodeSet: ReadonlySet<string> = new Set(crossFootprintCodes);

const crossFootprint: AlertRule = {
  id: 'cross-footprint',
  name: "Cross-footprint attempt: refused because a party, the child or the purpose is outside the agreement's footprint",
  defaultThreshold: 'every such refusal',
  keysOf: () => [],
  evaluate: ({ entry, index }, _state, context) => {
    if (entry.outcome !== 'refused' || !entry.reasonCodes.some((c) => crossFootprintCodeSet.has(c))) {
      return nothing;
    }
    const client = entry.actor.clientId ?? entry.actor.claimedClientId;
    const organisations = concerned(
      entry.actor.organisationId ?? (client === undefined ? undefined : context.organisationOfClient(client)),
      entry,
    );
    if (organisations.length === 0) return nothing;
    return {
      changes: [],
      alerts: [
        { rule: 'cross-footprint', time: entry.time, organisations, ...actorOf(entry), entries: [index] },
      ],
    };
  },
};

const pastReviewKey = (entry: AuditEntry): string | undefined =>
  entry.outcome === 'allowed' &&
  entry.reviewOverdue === true &&
  entry.agreement !== undefined &&
  entry.actor.organisationId !== undefined
    ? `review#${entry.agreement.id}#${entry.agreement.version}#${entry.actor.organisationId}#${entry.time.slice(0, 10)}`
    : undefined;

const pastReview: AlertRule = {
  id: 'past-review',
  name: 'Access under an agreement past its review date',
  defaultThreshold: 'the first such access by each organisation under each agreement version, each day (UTC)',
  keysOf: ({ entry }) => {
    const key = pastReviewKey(entry);
    return key === undefined ? [] : [key];
  },
  evaluate: ({ entry, index }, state) => {
    const key = pastReviewKey(entry);
    if (key === undefined || stateOf(state, key, 'raised') !== undefined) return nothing;
    return {
      changes: [{ kind: 'raised', key, expiresAt: expiresAfter(entry.time, 48) }],
      alerts: [
        {
          rule: 'past-review',
          time: entry.time,
          organisations: concerned(entry.actor.organisationId, entry),
          ...actorOf(entry),
          entries: [index],
        },
      ],
    };
  },
};

/** How long the rare-client rule remembers fetches, and how many times it keeps per client. */
const fetchWindowMs = 30 * 24 * 3_600_000;
const fetchesKept = 50;

const shareFetch = (entry: AuditEntry) =>
  entry.action === 'share.fetch' &&
  entry.outcome === 'allowed' &&
  entry.actor.organisationId !== undefined &&
  entry.actor.clientId !== undefined
    ? { organisationId: entry.actor.organisationId, clientId: entry.actor.clientId }
    : undefined;

const rareClient: AlertRule = {
  id: 'rare-client',
  name: 'A share fetched from a client the organisation rarely uses',
  defaultThreshold: `fewer than ${defaultAlertThresholds.rareClientFetches} of the organisation's fetches in the last 30 days from that client, when it made at least as many from its other clients`,
  keysOf: ({ entry }) => {
    const fetch = shareFetch(entry);
    return fetch === undefined ? [] : [fetchesKey(fetch.organisationId)];
  },
  evaluate: ({ entry, index }, state, context) => {
    const fetch = shareFetch(entry);
    if (fetch === undefined) return nothing;
    const key = fetchesKey(fetch.organisationId);
    const since = Date.parse(entry.time) - fetchWindowMs;
    const recent = (times: readonly string[]) => times.filter((t) => Date.parse(t) >= since);
    const byClient: Record<string, string[]> = {};
    for (const [client, times] of Object.entries(stateOf(state, key, 'fetches')?.byClient ?? {})) {
      const kept = recent(times);
      if (kept.length > 0) byClient[client] = kept;
    }
    const threshold = context.thresholdsOf(fetch.organisationId).rareClientFetches;
    const fromClient = byClient[fetch.clientId]?.length ?? 0;
    const fromOthers = Object.entries(byClient)
      .filter(([client]) => client !== fetch.clientId)
      .reduce((sum, [, times]) => sum + times.length, 0);
    byClient[fetch.clientId] = [...(byClient[fetch.clientId] ?? []), entry.time].slice(-fetchesKept);
    const next: RuleState = { kind: 'fetches', key, byClient, expiresAt: expiresAfter(entry.time, 31 * 24) };
    if (fromClient >= threshold || fromOthers < threshold) return { changes: [next], alerts: [] };
    return {
      changes: [next],
      alerts: [
        {
          rule: 'rare-client',
          time: entry.time,
          organisations: concerned(fetch.organisationId, entry),
          ...actorOf(entry),
          entries: [index],
          threshold,
          observed: fromClient,
        },
      ],
    };
  },
};

/** The coded reasons of a key revocation that report the key lost or compromised. */
const lostKeyReasonCodes = [keyRevocationReasonCodes.lost, keyRevocationReasonCodes.compromised] as const;
const lostCodes: ReadonlySet<string> = new Set(lostKeyReasonCodes);

/** The `<client>/<kid>` of a revocation reported as a loss, or of a request refused as signed by a revoked key. */
const lostKeyOf = (entry: AuditEntry): { kind: 'revoked' | 'used'; key: string } | undefined => {
  if (
    entry.action === 'registry.client-key.revoke' &&
    entry.outcome === 'allowed' &&
    entry.target?.id !== undefined &&
    entry.reasonCodes.some((c) => lostCodes.has(c))
  ) {
    return { kind: 'revoked', key: `lost-key#${entry.target.id}` };
  }
  const { claimedClientId, claimedKeyId } = entry.actor;
  if (
    entry.action === 'request.authenticate' &&
    entry.outcome === 'refused' &&
    entry.reasonCodes.includes('KEY_REVOKED') &&
    claimedClientId !== undefined &&
    claimedKeyId !== undefined
  ) {
    return { kind: 'used', key: `lost-key#${claimedClientId}/${claimedKeyId}` };
  }
  return undefined;
};

const lostKeyUsed: AlertRule = {
  id: 'lost-key-used',
  name: 'A key used after its organisation reported it lost or compromised',
  defaultThreshold: 'every request signed with such a key after its revocation',
  keysOf: ({ entry }) => {
    const lost = lostKeyOf(entry);
    return lost === undefined ? [] : [lost.key];
  },
  evaluate: ({ entry, index }, state, context) => {
    const lost = lostKeyOf(entry);
    if (lost === undefined) return nothing;
    if (lost.kind === 'revoked') {
      const clientId = entry.target?.id?.split('/')[0] ?? '';
      const organisationId = context.organisationOfClient(clientId);
      if (organisationId === undefined) return nothing;
      return {
        changes: [
          // Kept for five years: a lost key may be tried long after.
          {
            kind: 'lost-key',
            key: lost.key,
            organisationId,
            revokedEntry: index,
            expiresAt: expiresAfter(entry.time, 5 * 366 * 24),
          },
        ],
        alerts: [],
      };
    }
    const held = stateOf(state, lost.key, 'lost-key');
    if (held === undefined) return nothing;
    return {
      changes: [],
      alerts: [
        {
          rule: 'lost-key-used',
          time: entry.time,
          organisations: [held.organisationId],
          ...actorOf(entry),
          entries: [held.revokedEntry, index],
        },
      ],
    };
  },
};

/** Every rule, in the order the detector applies them to each entry. */
export const alertRules: readonly AlertRule[] = [
  bulkAccess,
  outOfHours,
  repeatedRefusals,
  crossFootprint,
  pastReview,
  rareClient,
  lostKeyUsed,
];
