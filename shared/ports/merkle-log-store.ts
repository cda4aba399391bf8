import type { AuditEntry } from '../domain/audit/audit-entry.ts';
import type { NodeId, NodeSource, StoredNode } from '../domain/audit/merkle.ts';

/** The log's current size and root: the state every append moves on from, and every checkpoint signs. */
export type TreeHead = { readonly size: number; readonly rootHash: string; readonly updatedAt: string };

export type SequencedEntry = {
  readonly index: number;
  readonly entry: AuditEntry;
  readonly leafHash: Uint8Array;
};

/**
 * The audit log as a Merkle log: entries waiting for a place, the sequenced leaves, the stored perfect-subtree
 * hashes (shared/domain/audit/merkle.ts) and the tree head. Appending is one conditional write on the head, so two
 * sequencers can never give two entries one index.
 */
export type MerkleLogStore = {
  /** How many leaves one append can take (one atomic write holds them, their nodes and the head). */
  readonly maxLeavesPerAppend: number;
  readTreeHead(): Promise<TreeHead | undefined>;
  /** Entries recorded but not yet sequenced, oldest id first. */
  listUnsequenced(limit: number): Promise<AuditEntry[]>;
  /** Prefetches stored nodes and answers for exactly those; a missing one is a storage fault. */
  readNodes(ids: readonly NodeId[]): Promise<NodeSource>;
  /** Appends leaves and nodes and moves the head, if the head is still at `expectedSize`; false otherwise. */
  appendLeaves(input: {
    readonly expectedSize: number;
    readonly leaves: readonly SequencedEntry[];
    readonly nodes: readonly StoredNode[];
    readonly head: TreeHead;
  }): Promise<boolean>;
  /** Sequenced entries from `fromIndex`, in index order, at most `limit`. */
  readLeaves(fromIndex: number, limit: number): Promise<SequencedEntry[]>;
};

/**
 * An entry and its pending marker found apart. appendAudit writes the two in one transaction and only the sequencer
 * deletes a marker, in the transaction that gives its entry an index: a marker whose entry is gone
 * (`ENTRY_MISSING`), or an entry with neither marker nor index (`MARKER_MISSING`), means the audit table was
 * changed outside the exchange's code.
 */
export type PendingAnomaly = { readonly kind: 'ENTRY_MISSING' | 'MARKER_MISSING'; readonly entryId: string };

/** The sequencer's check of the pending set against the entries (docs/AUDIT.md "Append-only"). */
export type PendingSetCheck = {
  /**
   * Checks the oldest pending markers against their entries, and the next `sweepItems` items of a sweep over the
   * whole table (resumed where the previous check stopped) for entries that have neither marker nor index.
   */
  checkPendingSet(input: { readonly sweepItems: number }): Promise<PendingAnomaly[]>;
};
