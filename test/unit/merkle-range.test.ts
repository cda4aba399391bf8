import { describe, expect, it } from 'vitest';
import { InMemoryMerkleTree } from '#shared/domain/audit/in-memory-merkle-tree.ts';
import {
  leafHash,
  MerkleProofError,
  rangeBoundaryNodes,
  rootFromRange,
  rootOf,
} from '#shared/domain/audit/merkle.ts';

/**
 * A range of leaves and the perfect subtrees around it recompute the root (merkle.ts rootFromRange), for every
 * range of every tree up to 33 leaves; and the corruption probes of transparency-dev/merkle: a changed leaf or
 * boundary hash, a missing or extra hash, a reordered or shifted range never yields the root. (Another size can
 * have the same shape, as in RFC 6962 itself: the size is bound by the signed checkpoint, never by the pack.)
 */

const leaves = Array.from({ length: 33 }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));
const tree = new InMemoryMerkleTree();
tree.appendLeafHashes(leaves);

const boundaryOf = (from: number, to: number, size: number) =>
  rangeBoundaryNodes(from, to, size).map(({ level, index }) => tree.node(level, index));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const flipped = (hash: Uint8Array) => {
  const copy = new Uint8Array(hash);
  copy[0] = (copy[0] ?? 0) ^ 1;
  return copy;
};

describe('rootFromRange', () => {
  it('recomputes the root of every size from every range and its boundary', () => {
    for (let size = 1; size <= leaves.length; size += 1) {
      const root = hex(rootOf(leaves.slice(0, size)));
      for (let from = 0; from < size; from += 1) {
        for (let to = from + 1; to <= size; to += 1) {
          const computed = rootFromRange(from, to, size, leaves.slice(from, to), boundaryOf(from, to, size));
          expect(hex(computed)).toBe(root);
        }
      }
    }
  });

  it('needs no boundary for the whole tree, and O(log n) hashes for any range', () => {
    expect(rangeBoundaryNodes(0, 33, 33)).toEqual([]);
    for (let from = 0; from < 33; from += 1) {
      expect(rangeBoundaryNodes(from, from + 1, 33).length).toBeLessThanOrEqual(2 * 6);
    }
  });

  it('never yields the root from a changed, missing, extra or shifted hash', () => {
    const size = 29;
    const root = hex(tree.rootAt(size));
    for (const [from, to] of [
      [0, 29],
      [3, 11],
      [16, 29],
      [28, 29],
    ] as const) {
      const range = leaves.slice(from, to);
      const boundary = boundaryOf(from, to, size);
      const probes: (() => Uint8Array)[] = [
        ...range.map(
          (_, i) => () =>
            rootFromRange(
              from,
              to,
              size,
              range.map((h, j) => (i === j ? flipped(h) : h)),
              boundary,
            ),
        ),
        ...boundary.map(
          (_, i) => () =>
            rootFromRange(
              from,
              to,
              size,
              range,
              boundary.map((h, j) => (i === j ? flipped(h) : h)),
            ),
        ),
        () => rootFromRange(from, to, size, range, [...boundary, leaves[0] as Uint8Array]),
        () => rootFromRange(from, to, size, range.slice(1), boundary),
      ];
      if (range.length > 1) probes.push(() => rootFromRange(from, to, size, [...range].reverse(), boundary));
      if (from > 0) probes.push(() => rootFromRange(from - 1, to - 1, size, range, boundary));
      if (boundary.length > 0) probes.push(() => rootFromRange(from, to, size, range, boundary.slice(1)));
      for (const probe of probes) {
        let result: string;
        try {
          result = hex(probe());
        } catch (error) {
          expect(error).toBeInstanceOf(MerkleProofError);
          continue;
        }
        expect(result).not.toBe(root);
      }
    }
  });

  it('refuses an empty or out-of-tree range', () => {
    expect(() => rootFromRange(3, 3, 5, [], [])).toThrow(MerkleProofError);
    expect(() => rootFromRange(0, 6, 5, leaves.slice(0, 6), [])).toThrow(MerkleProofError);
    expect(() => rangeBoundaryNodes(2, 1, 5)).toThrow(RangeError);
  });
});
