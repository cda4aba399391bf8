import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import { auditLeafData } from './audit-entry.ts';
import { emptyRootHash, leafHash, nodesToStore, rootNodes } from './merkle.ts';

export type SequencingSummary = {
  readonly appended: number;
  readonly size: number;
  readonly rootHash: string;
};

/**
 * Gives recorded audit entries consecutive places in the Merkle log (RFC 6962 leaves), oldest id first, in
 * batches, each batch one conditional write of its leaves, the perfect subtrees they complete and the new head.
 * If another sequencer moved the head meanwhile, this one stops; the next run carries on from the new head.
 */
export const sequenceAuditEntries = async (
  deps: { readonly log: MerkleLogStore; readonly clock: Clock },
  input: { readonly batchSize: number; readonly maxBatches: number },
): Promise<SequencingSummary> => {
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
  return { appended, size: head.size, rootHash: head.rootHash };
};
