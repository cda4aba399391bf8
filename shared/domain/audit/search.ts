import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, DependencyError } from '../errors.ts';
import type { UserRole } from '../registry/registry.ts';
import { type AuditEntry, type Audited, newAuditEntry } from './audit-entry.ts';
import { auditedAction, callerFacts } from './audited-action.ts';

/**
 * Searching the sequenced audit log (`GET /v1/audit/search`, issue 5 "IG audit API"). Filtering and scoping are
 * pure; the use case reads leaves in index order, so a cursor is just the next leaf index and a page boundary can
 * never skip or repeat an entry.
 */

export type AuditSearchFilter = {
  readonly organisation?: string | undefined;
  /** Inclusive lower bound on `time`. */
  readonly from?: string | undefined;
  /** Exclusive upper bound on `time`. */
  readonly to?: string | undefined;
  readonly subjectRef?: string | undefined;
  readonly action?: string | undefined;
  readonly outcome?: AuditEntry['outcome'] | undefined;
  readonly agreementId?: string | undefined;
  readonly purpose?: string | undefined;
};

/** What a caller may see: every entry, the entries concerning one organisation, or only suppressed counts. */
export type AuditSearchScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'organisation'; readonly organisationId: string }
  | { readonly kind: 'counts' };

export type IndexedEntry = { readonly index: number; readonly entry: AuditEntry };

export type AuditCount = {
  readonly action: string;
  readonly outcome: AuditEntry['outcome'];
  /** Counts of 1 to 4 are published as `<5` so a small group cannot be singled out. */
  readonly count: number | '<5';
};

const organisationRoles: readonly UserRole[] = ['ig-lead', 'caldicott-guardian', 'dpo'];

/** The widest scope the caller's roles give; 403 NOT_PERMITTED for anyone without an audit role. */
export const auditSearchScopeOf = (caller: {
  readonly organisationId: string;
  readonly roles: readonly UserRole[];
}): AuditSearchScope => {
  const read = auditReadScopeOf(caller);
  if (read !== undefined) return read;
  if (caller.roles.includes('scrutineer')) return { kind: 'counts' };
  throw new AuthorisationError('NOT_PERMITTED', 'searching the audit log needs an audit role', [
    'roles allowed: operator, ig-lead, caldicott-guardian, dpo, scrutineer (counts only)',
  ]);
};

/**
 * The organisations an entry concerns: the one that acted in it, the one it was about, and every party to it.
 * This is the one definition of who an entry belongs to (docs/AUDIT.md "Who may see an audit entry").
 */
export const concernsOrganisation = (
  entry: {
    readonly actor: { readonly organisationId?: string | undefined };
    readonly target?: { readonly type: string; readonly id?: string | undefined } | undefined;
    readonly parties?: readonly string[] | undefined;
  },
  organisationId: string,
): boolean =>
  entry.actor.organisationId === organisationId ||
  (entry.target?.type === 'organisation' && entry.target.id === organisationId) ||
  (entry.parties?.includes(organisationId) ?? false);

/** The read scopes that see entries (not only counts): checkpoints, proofs, leaves and evidence. */
export type AuditReadScope = Exclude<AuditSearchScope, { readonly kind: 'counts' }>;

/** The caller's read scope, or undefined when they may not read entries (scrutineers and everyone else). */
export const auditReadScopeOf = (caller: {
  readonly organisationId: string;
  readonly roles: readonly UserRole[];
}): AuditReadScope | undefined => {
  if (caller.roles.includes('operator')) return { kind: 'all' };
  if (caller.roles.some((role) => organisationRoles.includes(role))) {
    return { kind: 'organisation', organisationId: caller.organisationId };
  }
  return undefined;
};

/**
 * How much of an entry a scope sees: `full`, or only its leaf `hash` (all a verifier needs, since RFC 6962 hashes
 * leaves). The operator sees every entry in full; an IG lead, Caldicott guardian or DPO the entries that concern
 * their organisation; a scrutineer no entry (counts only).
 */
export const entryVisibility = (entry: AuditEntry, scope: AuditSearchScope): 'full' | 'hash' =>
  scope.kind === 'all' || (scope.kind === 'organisation' && concernsOrganisation(entry, scope.organisationId))
    ? 'full'
    : 'hash';

const timeOf = (iso: string) => Date.parse(iso);

export const matchesAuditFilter = (entry: AuditEntry, filter: AuditSearchFilter): boolean =>
  (filter.organisation === undefined || concernsOrganisation(entry, filter.organisation)) &&
  (filter.from === undefined || timeOf(entry.time) >= timeOf(filter.from)) &&
  (filter.to === undefined || timeOf(entry.time) < timeOf(filter.to)) &&
  (filter.subjectRef === undefined || entry.subjectRef === filter.subjectRef) &&
  (filter.action === undefined || entry.action === filter.action) &&
  (filter.outcome === undefined || entry.outcome === filter.outcome) &&
  (filter.agreementId === undefined || entry.agreement?.id === filter.agreementId) &&
  (filter.purpose === undefined || entry.purpose === filter.purpose);

// Counts are computed over every entry and published suppressed; entries are listed only where seen in full.
const inScope = (entry: AuditEntry, scope: AuditSearchScope): boolean =>
  scope.kind === 'counts' || entryVisibility(entry, scope) === 'full';

/** The entries, in the order given, that match the filter and that the scope may see. */
export const searchAuditEntries = <E extends IndexedEntry>(
  entries: readonly E[],
  filter: AuditSearchFilter,
  scope: AuditSearchScope,
): E[] => entries.filter(({ entry }) => inScope(entry, scope) && matchesAuditFilter(entry, filter));

/** Below this a count is published as `<5` (small-number suppression). */
export const smallNumberThreshold = 5;

/** A count as published: 1 to 4 become `<5`; none (0) and counts from the threshold up are shown as they are. */
export const suppressSmallCount = (n: number): number | '<5' =>
  n > 0 && n < smallNumberThreshold ? '<5' : n;

/** Counts of matching entries by action and outcome, sorted, with small numbers suppressed. */
export const countAuditEntries = (
  entries: readonly IndexedEntry[],
  filter: AuditSearchFilter,
): AuditCount[] => {
  const counts = new Map<string, { action: string; outcome: AuditEntry['outcome']; n: number }>();
  for (const { entry } of searchAuditEntries(entries, filter, { kind: 'all' })) {
    const key = `${entry.action} ${entry.outcome}`;
    const found = counts.get(key);
    if (found === undefined) counts.set(key, { action: entry.action, outcome: entry.outcome, n: 1 });
    else found.n += 1;
  }
  return [...counts.values()]
    .sort((a, b) => a.action.localeCompare(b.action) || a.outcome.localeCompare(b.outcome))
    .map(({ action, outcome, n }) => ({ action, outcome, count: suppressSmallCount(n) }));
};

/** What an `audit.search` entry records of the filter: never a subject reference, only that one was given. */
export const recordedFilter = (filter: AuditSearchFilter): Record<string, string> => {
  const { subjectRef, ...rest } = filter;
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) recorded[name] = value;
  if (subjectRef !== undefined) recorded.subjectRef = 'given';
  return recorded;
};

export type AuditSearchDeps = {
  readonly log: Pick<MerkleLogStore, 'readLeaves'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly origin: string;
};

/** The most matching entries one page of `GET /v1/audit/search` holds. */
export const maxSearchResultsPerPage = 500;
/** Leaves read per store call, and the most one page scans before answering with `next` (bounded latency). */
const readChunk = 1000;
const maxLeavesScannedPerPage = 20_000;

export type AuditSearchAnswer =
  | { readonly entries: IndexedEntry[]; readonly next?: number }
  | { readonly counts: AuditCount[] };

const readChecked = async (deps: AuditSearchDeps, from: number, limit: number) => {
  const leaves = await deps.log.readLeaves(from, limit);
  leaves.forEach((leaf, i) => {
    if (leaf.index !== from + i) {
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', "the audit log's stored leaves are inconsistent");
    }
  });
  return leaves.map(({ index, entry }) => ({ index, entry }));
};

const searchPage = async (
  deps: AuditSearchDeps,
  filter: AuditSearchFilter,
  scope: AuditSearchScope,
  cursor: number,
  limit: number,
): Promise<{ entries: IndexedEntry[]; next?: number }> => {
  const found: IndexedEntry[] = [];
  let at = cursor;
  while (at - cursor < maxLeavesScannedPerPage) {
    const chunk = await readChecked(deps, at, readChunk);
    for (const item of chunk) {
      at = item.index + 1;
      if (searchAuditEntries([item], filter, scope).length === 1) {
        found.push(item);
        if (found.length === limit) return { entries: found, next: at };
      }
    }
    if (chunk.length < readChunk) return { entries: found };
  }
  return { entries: found, next: at };
};

const countAll = async (deps: AuditSearchDeps, filter: AuditSearchFilter): Promise<AuditCount[]> => {
  const all: IndexedEntry[] = [];
  for (let at = 0; ; at += readChunk) {
    const chunk = await readChecked(deps, at, readChunk);
    all.push(...chunk);
    if (chunk.length < readChunk) return countAuditEntries(all, filter);
  }
};

/**
 * One page of a search. `next`, while present, is the cursor of the next page; a page may hold fewer than `limit`
 * entries (even none) when it stopped at its scan bound. Scrutineers get counts over the whole sequenced log.
 * Every search is audited, allowed or refused, with the filter's non-personal fields.
 */
export const searchAuditLog = (
  deps: AuditSearchDeps,
  input: {
    readonly principal: Principal;
    readonly filter: AuditSearchFilter;
    readonly cursor: number;
    readonly limit: number;
  },
): Promise<{ answer: AuditSearchAnswer } & Audited> => {
  const facts = {
    ...callerFacts(input.principal),
    action: 'audit.search',
    target: { type: 'audit-log', id: deps.origin },
    search: recordedFilter(input.filter),
  };
  return auditedAction(deps, facts, async () => {
    const scope = auditSearchScopeOf({
      organisationId: input.principal.organisationId,
      roles: input.principal.user?.roles ?? [],
    });
    const answer: AuditSearchAnswer =
      scope.kind === 'counts'
        ? { counts: await countAll(deps, input.filter) }
        : await searchPage(deps, input.filter, scope, input.cursor, input.limit);
    const entry = newAuditEntry({ ...facts, outcome: 'allowed' }, deps.clock.now());
    await deps.audit.record(entry);
    return { answer, audited: [entry] };
  });
};
