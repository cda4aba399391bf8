import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore, PendingAnomaly, PendingSetCheck } from '../../ports/merkle-log-store.ts';
import { auditLeafData } from './audit-entry.ts';
import { emptyRootHash, leafHash, nodesToStore, rootNodes } from './merkle.ts';

export type SequencingSummary = {
  readonly appended: number;
  readonly size: number;
  readonly rootHash: string;
  /** Entries and pending markers found apart: the audit table was changed outside the exchange (an alarm). */
  readonly anomalies: readonly PendingAnomaly[];
};

/** Items of the table the pending-set check sweeps per run, unless told. */
const defaultSweepItems = 10_000;

/**
 * Gives recorded audit entries consecutive places in the Merkle log (RFC 6962 leaves), oldest id first, in
 * batches, each batch one conditional write of its leaves, the perfect subtrees they complete and the new head.
 * If another sequencer moved the head meanwhile, this one stops; the next run carries on from the new head.
 * First it checks the pending set against the entries, so removing an entry or its marker before it is sequenced
 * does not pass unseen (shared/ports/merkle-log-store.ts PendingSetCheck); an entry whose marker is missing is
 * reported, not sequenced.
 */
export const sequenceAuditEntries = async (
  deps: { readonly log: MerkleLogStore & PendingSetCheck; readonly clock: Clock },
  input: { readonly batchSize: number; readonly maxBatches: number; readonly sweepItems?: number },
): Promise<SequencingSummary> => {
  const anomalies = await deps.log.checkPendingSet({ sweepItems: input.sweepItems ?? defaultSweepItems });
  let head = (await deps.log.readTreeHead()) ?? {
    size: 0,
    rootHash: Buffer.from(emptyRootHash()).toString('base64'),
    updatedAt: deps.clock.now().toISOString(),
  };
  let appended = 0;
  for (let batch = 0; batch < input.maxBatches; batch += 1) {
    const pending = await deps.log.listUnsequenced(Math.min(input.batchSize, deps.log.maxLeavesPerAppend));
    if (pending.length === 0) break;
    const leaves = pending.map((entry, i) => ({
      index: head.size + i,
      entry,
      leafHash: leafHash(auditLeafData(entry)),
    }));
    const source = await deps.log.readNodes(rootNodes(head.size));
    const result = nodesToStore(
      head.size,
      leaves.map((l) => l.leafHash),
      source,
    );
    const next = {
      size: result.size,
      rootHash: Buffer.from(result.root).toString('base64'),
      updatedAt: deps.clock.now().toISOString(),
    };
    if (!(await deps.log.appendLeaves({ expectedSize: head.size, leaves, nodes: result.nodes, head: next })))
      break;
    appended += leaves.length;
    head = next;
  }
  return { appended, size: head.size, rootHash: head.rootHash, anomalies };
};
