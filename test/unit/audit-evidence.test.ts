import { describe, expect, it } from 'vitest';
import {
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import { type AuditEntry, auditLeafData, newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { type AuditArchiveReadDeps, getAuditEvidence } from '#shared/domain/audit/audit-proofs.ts';
import { formatCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { InMemoryMerkleTree } from '#shared/domain/audit/in-memory-merkle-tree.ts';
import { encodeBase64, signNote } from '#shared/domain/audit/signed-note.ts';
import { type EvidenceLeaf, evidenceFormat, verifyEvidence } from '#shared/domain/audit/verify-evidence.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import { AuthorisationError, InputError, NotFoundError } from '#shared/domain/errors.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';

/**
 * The evidence use case (`GET /v1/audit/evidence`) over an in-memory log of 12,000 entries: pages stay within their
 * budget, each page is one audit entry however many leaves it holds, and the pages put together verify offline
 * as a v2 pack, for the operator (every entry) and for an IG lead (their organisation's, others as hashes).
 */

const origin = 'pbx.test/audit';
const size = 12_000;
const key = generateNoteKey('pbx.test-audit');
const entries: AuditEntry[] = Array.from({ length: size }, (_, i) => {
  const org = i % 10 === 0 ? 'lb-barnet' : 'lb-brent';
  return newAuditEntry(
    {
      actor: { kind: 'client', clientId: `${org}-system`, organisationId: org },
      action: 'request.submit',
      target: { type: 'request', id: `req-${i}` },
      outcome: 'allowed',
      parties: [org, 'lb-harrow'],
      subjectRef: `subject-${i}`,
      purpose: 'SAFEGUARDING_REFERRAL_MASH',
    },
    new Date(Date.UTC(2026, 0, 1) + i),
  );
});
const tree = new InMemoryMerkleTree();
tree.appendAll(entries.map(auditLeafData));
const note = signNote(formatCheckpoint({ origin, size, rootHash: tree.root() }), [
  noteSignerFromPrivateKey(key.signerKey),
]);

const depsWith = (recorded: AuditEntry[]): AuditArchiveReadDeps => ({
  log: {
    maxLeavesPerAppend: 0,
    readTreeHead: async () => ({ size, rootHash: encodeBase64(tree.root()), updatedAt: '' }),
    listUnsequenced: async () => [],
    readNodes: async () => tree,
    appendLeaves: async () => false,
    readLeaves: async (from, limit) =>
      entries
        .slice(from, from + limit)
        .map((entry, i) => ({ index: from + i, entry, leafHash: tree.node(0, from + i) })),
  },
  checkpoints: {
    readLatest: async () => ({ size, rootHash: encodeBase64(tree.root()), note, publishedAt: '' }),
    record: async () => false,
    readCosignatures: async () => [],
  },
  archive: { read: async (n) => (n === size ? note : undefined) },
  audit: {
    record: async (entry) => {
      recorded.push(entry);
    },
  },
  clock: { now: () => new Date('2026-02-01T00:00:00Z') },
  origin,
});

const principalOf = (organisationId: string, roles: UserRole[]): Principal => ({
  clientId: `${organisationId}-system`,
  organisationId,
  kid: 'k',
  alg: 'EdDSA',
  user: { id: `${organisationId}.user`, roles },
  jti: 'j',
  requestHash: 'h'.repeat(43),
});

const exportAll = async (principal: Principal, range: { from?: number; to?: number } = {}) => {
  const recorded: AuditEntry[] = [];
  const deps = depsWith(recorded);
  const leaves: EvidenceLeaf[] = [];
  const pageBytes: number[] = [];
  let boundary: string[] = [];
  let cursor: number | undefined;
  do {
    const { page } = await getAuditEvidence(deps, { principal, ...range, cursor });
    pageBytes.push(JSON.stringify(page).length);
    boundary = page.boundary;
    leaves.push(...page.leaves);
    cursor = page.next;
  } while (cursor !== undefined);
  const pack = {
    format: evidenceFormat,
    origin,
    checkpointKey: key.verifierKey,
    checkpoint: note,
    from: range.from ?? 0,
    to: range.to ?? size,
    boundary,
    leaves,
  };
  return { pack, recorded, pageBytes };
};

const trust = { origin, verifier: noteVerifierFromKey(key.verifierKey) };

describe('getAuditEvidence', () => {
  it('pages the whole log for the operator within the budget, one audit entry per page, and the pages verify', async () => {
    const { pack, recorded, pageBytes } = await exportAll(principalOf('pbx-operations', ['operator']));
    expect(pageBytes.length).toBeGreaterThan(1);
    expect(Math.max(...pageBytes)).toBeLessThan(4_500_000);
    expect(recorded.map((entry) => [entry.action, entry.outcome])).toEqual(
      pageBytes.map(() => ['audit.export', 'allowed']),
    );
    expect(verifyEvidence(pack, trust)).toMatchObject({ entries: size, hashedOnly: 0, wholeLog: true });
  });

  it("gives an IG lead their organisation's entries and only hashes of others, and a range verifies", async () => {
    const barnet = principalOf('lb-barnet', ['ig-lead']);
    const { pack, recorded } = await exportAll(barnet);
    expect(recorded).toHaveLength(1);
    expect(verifyEvidence(pack, trust)).toMatchObject({ entries: size / 10, hashedOnly: size - size / 10 });
    expect(JSON.stringify(pack)).not.toContain('subject-1"');
    const range = await exportAll(barnet, { from: 1234, to: 5678 });
    expect(verifyEvidence(range.pack, trust)).toMatchObject({ from: 1234, to: 5678, wholeLog: false });
  });

  it('refuses readers without an entry scope, bad ranges, and sizes never published', async () => {
    const deps = depsWith([]);
    await expect(
      getAuditEvidence(deps, { principal: principalOf('lb-barnet', ['scrutineer']) }),
    ).rejects.toThrow(AuthorisationError);
    const lead = principalOf('lb-barnet', ['dpo']);
    await expect(getAuditEvidence(deps, { principal: lead, from: 5, to: 5 })).rejects.toThrow(InputError);
    await expect(getAuditEvidence(deps, { principal: lead, from: 5, to: 9, cursor: 9 })).rejects.toThrow(
      InputError,
    );
    await expect(getAuditEvidence(deps, { principal: lead, size: 11_999 })).rejects.toThrow(NotFoundError);
  });
});
