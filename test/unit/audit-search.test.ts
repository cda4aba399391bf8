import { describe, expect, it } from 'vitest';
import { type AuditEntry, type AuditFacts, newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import {
  type AuditSearchDeps,
  auditSearchScopeOf,
  countAuditEntries,
  type IndexedEntry,
  recordedFilter,
  searchAuditEntries,
  searchAuditLog,
} from '#shared/domain/audit/search.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { AuthorisationError, type PbxError } from '#shared/domain/errors.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';

const start = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(start + minutes * 60_000);

const entryOf = (facts: Partial<AuditFacts>, minutes = 0): AuditEntry =>
  newAuditEntry(
    {
      actor: { kind: 'client', clientId: 'lb-brent-system', organisationId: 'lb-brent' },
      action: 'request.authenticate',
      outcome: 'allowed',
      ...facts,
    },
    at(minutes),
  );

const brentActs = entryOf({}, 0);
const camdenAsksBrent = entryOf(
  {
    actor: { kind: 'client', clientId: 'lb-camden-system', organisationId: 'lb-camden' },
    action: 'share.request',
    target: { type: 'organisation', id: 'lb-brent' },
    agreement: { id: 'agr-1', version: 2 },
    purpose: 'cdop-review',
    subjectRef: 'subj-1',
  },
  10,
);
const camdenAlone = entryOf(
  {
    actor: { kind: 'client', clientId: 'lb-camden-system', organisationId: 'lb-camden' },
    outcome: 'refused',
    reasonCodes: ['NOT_PERMITTED'],
  },
  20,
);
const system = entryOf({ actor: { kind: 'system' }, action: 'registry.seed' }, 30);
const log: IndexedEntry[] = [brentActs, camdenAsksBrent, camdenAlone, system].map((entry, index) => ({
  index,
  entry,
}));
const indexes = (found: readonly IndexedEntry[]) => found.map((f) => f.index);

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return (error as PbxError).code;
  }
  return undefined;
};

describe('audit search scope', () => {
  const scope = (...roles: UserRole[]) => auditSearchScopeOf({ organisationId: 'lb-brent', roles });

  it('gives the operator all, IG roles their organisation, scrutineers counts', () => {
    expect(scope('operator')).toEqual({ kind: 'all' });
    for (const role of ['ig-lead', 'caldicott-guardian', 'dpo'] as const) {
      expect(scope(role)).toEqual({ kind: 'organisation', organisationId: 'lb-brent' });
    }
    expect(scope('scrutineer')).toEqual({ kind: 'counts' });
    expect(scope('scrutineer', 'ig-lead')).toEqual({ kind: 'organisation', organisationId: 'lb-brent' });
  });

  it('refuses anyone else with NOT_PERMITTED', () => {
    for (const roles of [['practitioner'], ['cdop-manager'], []] as UserRole[][]) {
      expect(codeOf(() => scope(...roles))).toBe('NOT_PERMITTED');
    }
  });

  it('shows an organisation what it did and what it was asked, and nothing else', () => {
    expect(
      indexes(searchAuditEntries(log, {}, { kind: 'organisation', organisationId: 'lb-brent' })),
    ).toEqual([0, 1]);
    expect(
      indexes(searchAuditEntries(log, {}, { kind: 'organisation', organisationId: 'lb-camden' })),
    ).toEqual([1, 2]);
    expect(indexes(searchAuditEntries(log, {}, { kind: 'all' }))).toEqual([0, 1, 2, 3]);
  });
});

describe('audit search filters', () => {
  const all = { kind: 'all' } as const;
  const search = (filter: Parameters<typeof searchAuditEntries>[1]) =>
    indexes(searchAuditEntries(log, filter, all));

  it('filters by each field', () => {
    expect(search({ organisation: 'lb-camden' })).toEqual([1, 2]);
    expect(search({ from: at(10).toISOString() })).toEqual([1, 2, 3]);
    expect(search({ to: at(10).toISOString() })).toEqual([0]);
    expect(search({ from: at(5).toISOString(), to: '2026-01-01T00:25:00+00:00' })).toEqual([1, 2]);
    expect(search({ subjectRef: 'subj-1' })).toEqual([1]);
    expect(search({ subjectRef: 'subj-2' })).toEqual([]);
    expect(search({ action: 'registry.seed' })).toEqual([3]);
    expect(search({ outcome: 'refused' })).toEqual([2]);
    expect(search({ agreementId: 'agr-1' })).toEqual([1]);
    expect(search({ purpose: 'cdop-review' })).toEqual([1]);
    expect(search({ organisation: 'lb-camden', outcome: 'allowed' })).toEqual([1]);
  });

  it('intersects a filter with the scope', () => {
    expect(
      indexes(
        searchAuditEntries(
          log,
          { organisation: 'lb-camden' },
          { kind: 'organisation', organisationId: 'lb-brent' },
        ),
      ),
    ).toEqual([1]);
  });

  it('records the filter without the subject reference itself', () => {
    expect(recordedFilter({ organisation: 'lb-brent', subjectRef: 'subj-1', outcome: 'refused' })).toEqual({
      organisation: 'lb-brent',
      outcome: 'refused',
      subjectRef: 'given',
    });
  });
});

describe('counts for scrutineers', () => {
  it('counts by action and outcome, suppressing numbers under 5', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ index: 10 + i, entry: entryOf({}, i) }));
    expect(countAuditEntries([...log, ...many], {})).toEqual([
      { action: 'registry.seed', outcome: 'allowed', count: '<5' },
      { action: 'request.authenticate', outcome: 'allowed', count: 8 },
      { action: 'request.authenticate', outcome: 'refused', count: '<5' },
      { action: 'share.request', outcome: 'allowed', count: '<5' },
    ]);
    expect(countAuditEntries(log, { outcome: 'failed' })).toEqual([]);
  });
});

describe('searchAuditLog', () => {
  const many: IndexedEntry[] = Array.from({ length: 2500 }, (_, index) => ({
    index,
    entry: index % 2 === 0 ? brentActs : camdenAlone,
  }));
  const depsOver = (leaves: readonly IndexedEntry[]) => {
    const recorded: AuditEntry[] = [];
    const deps: AuditSearchDeps = {
      log: {
        readLeaves: async (from, limit) =>
          leaves.slice(from, from + limit).map((l) => ({ ...l, leafHash: new Uint8Array(32) })),
      },
      audit: { record: async (entry) => void recorded.push(entry) },
      clock: { now: () => at(60) },
      origin: 'pbx-test/audit',
    };
    return { deps, recorded };
  };
  const principal = (organisationId: string, ...roles: UserRole[]): Principal => ({
    clientId: `${organisationId}-system`,
    organisationId,
    kid: 'k',
    alg: 'ES256',
    user: { id: `${organisationId}.user`, roles },
    jti: 'j',
    requestHash: 'h',
  });

  it('pages by leaf index until there is no next, each page audited', async () => {
    const { deps, recorded } = depsOver(many);
    const seen: number[] = [];
    let cursor: number | undefined = 0;
    let pages = 0;
    while (cursor !== undefined) {
      const { answer } = await searchAuditLog(deps, {
        principal: principal('lb-brent', 'ig-lead'),
        filter: { subjectRef: undefined },
        cursor,
        limit: 500,
      });
      if (!('entries' in answer)) throw new Error('expected entries');
      seen.push(...indexes(answer.entries));
      cursor = answer.next;
      pages += 1;
    }
    expect(seen).toEqual(many.filter((l) => l.index % 2 === 0).map((l) => l.index));
    expect(pages).toBe(3);
    expect(recorded).toHaveLength(3);
    expect(recorded[0]).toMatchObject({ action: 'audit.search', outcome: 'allowed', search: {} });
  });

  it('answers scrutineers with counts only and records the filter without the subject', async () => {
    const { deps, recorded } = depsOver(many);
    const { answer } = await searchAuditLog(deps, {
      principal: principal('ofsted', 'scrutineer'),
      filter: { subjectRef: 'subj-9', outcome: 'refused' },
      cursor: 0,
      limit: 10,
    });
    expect(answer).toEqual({ counts: [] });
    expect(recorded[0]?.search).toEqual({ outcome: 'refused', subjectRef: 'given' });
    expect(JSON.stringify(recorded)).not.toContain('subj-9');
  });

  it('refuses a practitioner, and records the refusal', async () => {
    const { deps, recorded } = depsOver(log);
    await expect(
      searchAuditLog(deps, {
        principal: principal('lb-brent', 'practitioner'),
        filter: {},
        cursor: 0,
        limit: 5,
      }),
    ).rejects.toBeInstanceOf(AuthorisationError);
    expect(recorded).toEqual([
      expect.objectContaining({ action: 'audit.search', outcome: 'refused', reasonCodes: ['NOT_PERMITTED'] }),
    ]);
  });
});
