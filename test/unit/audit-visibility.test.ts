import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type AuditFacts,
  auditLeafData,
  newAuditEntry,
} from '#shared/domain/audit/audit-entry.ts';
import { leafView } from '#shared/domain/audit/audit-proofs.ts';
import { leafHash } from '#shared/domain/audit/merkle.ts';
import {
  auditReadScopeOf,
  auditSearchScopeOf,
  concernsOrganisation,
  entryVisibility,
} from '#shared/domain/audit/search.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';

/**
 * The visibility model (docs/AUDIT.md "Who may see an audit entry") as a pure function, against a reference model:
 * an organisation reader sees an entry in full exactly when its organisation acted in it, was its target
 * organisation, or is one of its parties; the operator sees all; anyone else reads no entry.
 */

const organisations = ['lb-brent', 'lb-harrow', 'lb-barnet', 'met-nw-bcu'] as const;
const org = fc.constantFrom(...organisations);

const entryOf = (facts: Partial<AuditFacts>): AuditEntry =>
  newAuditEntry(
    {
      actor: { kind: 'client', clientId: 'lb-brent-system', organisationId: 'lb-brent' },
      action: 'request.submit',
      outcome: 'allowed',
      ...facts,
    },
    new Date('2026-01-01T00:00:00Z'),
  );

const generatedEntry = fc
  .record({
    actor: fc.option(org, { nil: undefined }),
    target: fc.option(fc.record({ type: fc.constantFrom('organisation', 'request'), id: org }), {
      nil: undefined,
    }),
    parties: fc.option(fc.uniqueArray(org, { maxLength: 3 }), { nil: undefined }),
  })
  .map(({ actor, target, parties }) =>
    entryOf({
      actor:
        actor === undefined
          ? { kind: 'system' }
          : { kind: 'client', clientId: `${actor}-system`, organisationId: actor },
      ...(target === undefined ? {} : { target }),
      ...(parties === undefined ? {} : { parties }),
    }),
  );

/** The reference model, written out field by field. */
const concernedOrganisations = (entry: AuditEntry): Set<string> => {
  const set = new Set<string>(entry.parties ?? []);
  if (entry.actor.organisationId !== undefined) set.add(entry.actor.organisationId);
  if (entry.target?.type === 'organisation' && entry.target.id !== undefined) set.add(entry.target.id);
  return set;
};

describe('entryVisibility', () => {
  it('shows an organisation reader exactly the entries that concern it, and the operator every entry', () => {
    fc.assert(
      fc.property(generatedEntry, org, (entry, reader) => {
        const expected = concernedOrganisations(entry).has(reader) ? 'full' : 'hash';
        expect(entryVisibility(entry, { kind: 'organisation', organisationId: reader })).toBe(expected);
        expect(concernsOrganisation(entry, reader)).toBe(expected === 'full');
        expect(entryVisibility(entry, { kind: 'all' })).toBe('full');
        expect(entryVisibility(entry, { kind: 'counts' })).toBe('hash');
      }),
    );
  });

  it('gives a leaf view with the hash always and the entry only where it is seen in full', () => {
    const brentAsksHarrow = entryOf({
      target: { type: 'request', id: '01JREQUEST' },
      parties: ['lb-brent', 'lb-harrow'],
      subjectRef: 'sr1.north-west-bcu.secret',
    });
    const leaf = { index: 7, entry: brentAsksHarrow, leafHash: leafHash(auditLeafData(brentAsksHarrow)) };
    const hashB64 = Buffer.from(leaf.leafHash).toString('base64');
    expect(leafView(leaf, { kind: 'organisation', organisationId: 'lb-barnet' })).toEqual({
      index: 7,
      leafHash: hashB64,
    });
    expect(leafView(leaf, { kind: 'organisation', organisationId: 'lb-harrow' })).toEqual({
      index: 7,
      leafHash: hashB64,
      entry: brentAsksHarrow,
    });
    expect(leafView(leaf, { kind: 'all' })).toMatchObject({ entry: brentAsksHarrow });
  });
});

describe('auditReadScopeOf', () => {
  const scopeOf = (roles: UserRole[]) => auditReadScopeOf({ organisationId: 'lb-barnet', roles });

  it('gives IG leads, Caldicott guardians and DPOs their organisation, the operator all, others nothing', () => {
    for (const role of ['ig-lead', 'caldicott-guardian', 'dpo'] as const) {
      expect(scopeOf([role])).toEqual({ kind: 'organisation', organisationId: 'lb-barnet' });
    }
    expect(scopeOf(['operator'])).toEqual({ kind: 'all' });
    expect(scopeOf(['scrutineer'])).toBeUndefined();
    expect(scopeOf(['practitioner'])).toBeUndefined();
  });

  it('is the scope search uses, which adds counts for scrutineers', () => {
    expect(auditSearchScopeOf({ organisationId: 'lb-barnet', roles: ['dpo'] })).toEqual(scopeOf(['dpo']));
    expect(auditSearchScopeOf({ organisationId: 'lb-barnet', roles: ['scrutineer'] })).toEqual({
      kind: 'counts',
    });
  });
});
