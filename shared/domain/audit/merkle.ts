import * as nodeCrypto from 'node:crypto';

/**
 * The audit log's Merkle tree: RFC 6962 section 2.1 hashing, proofs built from stored hashes, and verification in
 * sigstore's shape (compute a root, then compare it; every failure is a coded MerkleProofError, never `false`).
 *
 * Storage model. The tree's state is the hash of every PERFECT subtree, addressed by (level, index): the subtree
 * of 2^level leaves starting at leaf index * 2^level (level 0 holds the leaf hashes). A perfect subtree never
 * changes once its last leaf is appended, so each is written once and never rewritten; the hash of any
 * non-perfect subtree (the right border of a tree whose size is not a power of two, and so every root) is
 * recomputed from O(log n) perfect ones. This is the node addressing of transparency-dev/merkle (compact.NodeID),
 * and proofs come out in the order its `proof` package produces, so its verifier and ours agree.
 *
 * Pure: no I/O. Functions that read stored hashes take a synchronous NodeSource; the `...Nodes` helpers name
 * exactly the nodes a call will read, so a store adapter can batch-fetch them first.
 *
 * Sizes and indices are JavaScript numbers, exact up to 2^53 - 1; the index arithmetic below avoids the 32-bit
 * bitwise operators so that it stays exact over that whole range.
 */

export const HASH_SIZE = 32;

// --- Hashing: RFC 6962 section 2.1 -----------------------------------------------------------------------------

/**
 * RFC 6962 section 2.1 domain separation: a leaf is hashed as SHA-256(0x00 || data) and an interior node as
 * SHA-256(0x01 || left || right), so no leaf can be passed off as a node: the RFC calls this domain separation
 * and requires it for second-preimage resistance.
 */
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/**
 * `crypto.hash` (Node 20.12+) is a one-shot SHA-256 about twice as fast as createHash for inputs this small; the
 * namespace import keeps older Node 20 lines working, where the export is missing and createHash is used.
 */
const oneShot: ((input: Uint8Array) => Uint8Array) | undefined =
  typeof nodeCrypto.hash === 'function' ? (input) => nodeCrypto.hash('sha256', input, 'buffer') : undefined;
const sha256 = (input: Uint8Array): Uint8Array =>
  oneShot ? oneShot(input) : nodeCrypto.createHash('sha256').update(input).digest();

// The prefixed node input is built in one scratch buffer: every use is synchronous and ends before returning.
const nodeScratch = new Uint8Array(1 + 2 * HASH_SIZE);

/** MTH({d}) = SHA-256(0x00 || d): RFC 6962 section 2.1. */
export const leafHash = (data: Uint8Array): Uint8Array => {
  // A pooled allocation is as fast as a shared scratch buffer here, without the shared state.
  const input = Buffer.allocUnsafe(data.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
};

/**
 * SHA-256(0x01 || left || right): RFC 6962 section 2.1. Lengths are not checked here (the RFC 6962 node vector
 * hashes 4-byte strings); verification checks every hash it is given.
 */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    const input = new Uint8Array(1 + left.length + right.length);
    input[0] = NODE_PREFIX;
    input.set(left, 1);
    input.set(right, 1 + left.length);
    return sha256(input);
  }
  nodeScratch[0] = NODE_PREFIX;
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return sha256(nodeScratch);
};

/** MTH({}) = SHA-256() (RFC 6962 section 2.1): the root of the empty tree. A fresh copy each call. */
export const emptyRootHash = (): Uint8Array => sha256(new Uint8Array(0));
const EMPTY_ROOT = emptyRootHash();

/** Byte equality. Hashes here are public, so there is no timing secret to protect. */
export const hashesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
};

// --- Exact index arithmetic on safe integers --------------------------------------------------------------------

const TWO_32 = 2 ** 32;
const pow2 = (level: number): number => 2 ** level;
/** floor(n / 2^k), exact for safe integers. */
const shiftRight = (n: number, k: number): number => Math.floor(n / pow2(k));
const isOdd = (n: number): boolean => n % 2 === 1;
/** The number of bits needed to write n (0 for 0), Go's bits.Len64. */
const bitLength = (n: number): number =>
  n < TWO_32 ? 32 - Math.clz32(n) : 32 + bitLength(Math.floor(n / TWO_32));
/** bitLength(a XOR b): the height at which the paths from the root to leaves a and b part. */
const bitLengthOfXor = (a: number, b: number): number => {
  const high = Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32);
  return high !== 0 ? 32 + bitLength(high) : bitLength(((a % TWO_32) ^ (b % TWO_32)) >>> 0);
};
/** The number of trailing zero bits of n > 0, Go's bits.TrailingZeros64. */
const trailingZeros = (n: number): number => {
  const low = n % TWO_32;
  return low === 0 ? 32 + trailingZeros(n / TWO_32) : 31 - Math.clz32(low & -low);
};
const popCount = (n: number): number => {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
};
const isPowerOfTwo = (n: number): boolean => n > 0 && pow2(trailingZeros(n)) === n;
const isTreeSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

// --- Storage model: perfect subtrees ----------------------------------------------------------------------------

/** A perfect subtree: 2^level leaves starting at leaf index * 2^level. */
export type NodeId = { readonly level: number; readonly index: number };
export type StoredNode = NodeId & { readonly hash: Uint8Array };
/**
 * Reads the stored hash of a perfect subtree. Synchronous by design: a store adapter prefetches the nodes that
 * the matching `...Nodes` helper names, then answers from memory. A missing node is a storage fault: throw.
 */
export type NodeSource = { node(level: number, index: number): Uint8Array };

const readNode = (source: NodeSource, { level, index }: NodeId): Uint8Array => {
  const hash = source.node(level, index);
  if (hash.length !== HASH_SIZE) {
    throw new Error(`stored node (${level}, ${index}) is ${hash.length} bytes, not ${HASH_SIZE}`);
  }
  return hash;
};

const assertTreeSize = (name: string, n: number): void => {
  if (!isTreeSize(n)) throw new RangeError(`${name} must be a non-negative safe integer, got ${n}`);
};

/**
 * The perfect subtrees that tile `count` leaves starting at `start`, left to right (largest first). `start` must
 * be a multiple of the largest of them, which holds for every range this module asks about.
 */
const alignedRange = (start: number, count: number): NodeId[] => {
  const ids: NodeId[] = [];
  let at = start;
  for (let level = bitLength(count) - 1; level >= 0; level -= 1) {
    if (isOdd(shiftRight(count, level))) {
      ids.push({ level, index: at / pow2(level) });
      at += pow2(level);
    }
  }
  return ids;
};

/**
 * MTH of adjacent subtrees listed left to right with non-increasing sizes: fold from the right, because RFC 6962
 * section 2.1 splits D[n] at the largest power of two k < n, so MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) ||
 * MTH(D[k:n])) and the left part is always the larger, perfect one.
 */
const foldFromRight = (hashes: readonly Uint8Array[]): Uint8Array => {
  let acc = hashes.at(-1);
  if (acc === undefined) return new Uint8Array(EMPTY_ROOT);
  for (let i = hashes.length - 2; i >= 0; i -= 1) acc = nodeHash(hashes[i] as Uint8Array, acc);
  return acc;
};

/**
 * The perfect subtrees whose hashes make up the root of a tree of `size` leaves, left to right: one per set bit
 * of `size`. They are also the only stored nodes nodesToStore reads when appending to a tree of that size
 * (transparency-dev/merkle calls this list a compact range).
 */
export const rootNodes = (size: number): NodeId[] => {
  assertTreeSize('size', size);
  return alignedRange(0, size);
};

/** The root of the tree of `size` leaves, from the popCount(size) stored nodes rootNodes(size) names. */
export const rootAt = (size: number, source: NodeSource): Uint8Array =>
  foldFromRight(rootNodes(size).map((id) => readNode(source, id)));

/** MTH(D[n]) (RFC 6962 section 2.1) of a list of leaf hashes, in one pass and O(log n) memory. */
export const rootOf = (leafHashes: Iterable<Uint8Array>): Uint8Array => {
  // A binary counter of perfect subtrees (the compact range [0, n)): levels strictly decrease along the stack.
  const hashes: Uint8Array[] = [];
  const levels: number[] = [];
  for (const leaf of leafHashes) {
    let hash = leaf;
    let level = 0;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      levels.pop();
      hash = nodeHash(hashes.pop() as Uint8Array, hash);
      level += 1;
    }
    hashes.push(hash);
    levels.push(level);
  }
  return foldFromRight(hashes);
};

export type AppendResult = {
  /** The tree size after the append. */
  readonly size: number;
  /** Every perfect subtree the append completed, the new leaves (level 0) included; each is new, none rewritten. */
  readonly nodes: readonly StoredNode[];
  /** The root of the new tree. */
  readonly root: Uint8Array;
};

/**
 * Appending `newLeafHashes` to a tree of `sizeBefore` leaves: the perfect subtrees that complete (to store) and
 * the new root. Reads only the nodes rootNodes(sizeBefore) names: a perfect subtree completes when its right
 * child does, and its left child is either one of those border nodes or was completed by this same append.
 */
export const nodesToStore = (
  sizeBefore: number,
  newLeafHashes: readonly Uint8Array[],
  source: NodeSource,
): AppendResult => {
  const border: StoredNode[] = rootNodes(sizeBefore).map((id) => ({ ...id, hash: readNode(source, id) }));
  const nodes: StoredNode[] = [];
  let size = sizeBefore;
  for (const leaf of newLeafHashes) {
    if (leaf.length !== HASH_SIZE)
      throw new TypeError(`a leaf hash is ${HASH_SIZE} bytes, got ${leaf.length}`);
    if (!Number.isSafeInteger(size + 1)) throw new RangeError('the tree cannot grow past 2^53 - 1 leaves');
    let node: StoredNode = { level: 0, index: size, hash: new Uint8Array(leaf) };
    nodes.push(node);
    size += 1;
    for (let left = border.at(-1); left !== undefined && left.level === node.level; left = border.at(-1)) {
      border.pop();
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      nodes.push(node);
    }
    border.push(node);
  }
  return { size, nodes, root: foldFromRight(border.map((node) => node.hash)) };
};

// --- Proof plans: which stored nodes make each proof hash -------------------------------------------------------

/**
 * One proof hash: a perfect node, or (for the one "ephemeral" node on the tree's right border) the MTH of
 * several adjacent perfect nodes listed left to right.
 */
type ProofItem = readonly NodeId[];

/**
 * The proof that the perfect node (level, index) is under the root of a tree of `size` leaves, bottom-up, without
 * the node itself: transparency-dev/merkle proof.nodes. Below the fork (where the paths to this node and to leaf
 * `size` part) the siblings are perfect; the fork's right sibling is the ephemeral node covering [end, size);
 * above it come the perfect subtrees tiling [0, begin), smallest first.
 */
const pathPlan = (level: number, index: number, size: number): ProofItem[] => {
  const inner = bitLengthOfXor(index, shiftRight(size, level)) - 1;
  const items: ProofItem[] = [];
  for (let up = 0; up < inner; up += 1) {
    const onPath = shiftRight(index, up);
    items.push([{ level: level + up, index: isOdd(onPath) ? onPath - 1 : onPath + 1 }]);
  }
  const forkLevel = level + inner;
  const begin = shiftRight(index, inner) * pow2(forkLevel);
  const end = begin + pow2(forkLevel);
  if (size > end) items.push(alignedRange(end, size - end));
  const left = alignedRange(0, begin);
  for (let i = left.length - 1; i >= 0; i -= 1) items.push([left[i] as NodeId]);
  return items;
};

/** PATH(m, D[n]): RFC 6962 section 2.1.1, RFC 9162 section 2.1.3.1. Requires 0 <= index < size. */
const inclusionPlan = (index: number, size: number): ProofItem[] => {
  assertTreeSize('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  return pathPlan(0, index, size);
};

/**
 * PROOF(m, D[n]): RFC 6962 section 2.1.2, RFC 9162 section 2.1.4.1. It is the path from the largest perfect
 * subtree ending at leaf size1 (level = trailing zeros of size1) to the root of size2, preceded by that subtree's
 * own hash unless it is the whole old tree, whose root the verifier already holds. Empty when size1 is 0 or equal
 * to size2: there is nothing to prove.
 */
const consistencyPlan = (size1: number, size2: number): ProofItem[] => {
  assertTreeSize('size1', size1);
  assertTreeSize('size2', size2);
  if (size1 > size2) throw new RangeError(`size1 ${size1} is greater than size2 ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const level = trailingZeros(size1);
  const index = shiftRight(size1 - 1, level);
  const path = pathPlan(level, index, size2);
  return isPowerOfTwo(size1) ? path : [[{ level, index }], ...path];
};

const flatten = (plan: readonly ProofItem[]): NodeId[] => plan.flat();
const assemble = (plan: readonly ProofItem[], source: NodeSource): Uint8Array[] =>
  plan.map((item) => foldFromRight(item.map((id) => readNode(source, id))));

/** The stored nodes inclusionProof(index, size) reads, each once. */
export const inclusionProofNodes = (index: number, size: number): NodeId[] =>
  flatten(inclusionPlan(index, size));
/** The stored nodes consistencyProof(size1, size2) reads, each once. */
export const consistencyProofNodes = (size1: number, size2: number): NodeId[] =>
  flatten(consistencyPlan(size1, size2));

/**
 * The audit path of leaf `index` in the tree of `size` leaves, leaf to root, as RFC 6962 section 2.1.1 and
 * transparency-dev/merkle order it. Throws RangeError unless 0 <= index < size (callers check the request first).
 */
export const inclusionProof = (index: number, size: number, source: NodeSource): Uint8Array[] =>
  assemble(inclusionPlan(index, size), source);

/**
 * The consistency proof from size1 to size2 (RFC 6962 section 2.1.2 / RFC 9162 section 2.1.4.1), in the order
 * transparency-dev/merkle produces. Empty for size1 = 0 or size1 = size2; RangeError for size1 > size2.
 */
export const consistencyProof = (size1: number, size2: number, source: NodeSource): Uint8Array[] =>
  assemble(consistencyPlan(size1, size2), source);

// --- Verification: RFC 9162 sections 2.1.3.2 and 2.1.4.2 ------------------------------------------------------

export const merkleProofErrorCodes = [
  /** A tree size (or leaf count) that is not a non-negative safe integer. */
  'INVALID_SIZE',
  /** An inclusion proof against the empty tree: nothing is in it, so there is no evidence to check. */
  'EMPTY_TREE',
  /** The leaf index is not an integer in [0, size). */
  'INDEX_OUT_OF_RANGE',
  /** A consistency proof from a larger tree to a smaller one: a log never shrinks. */
  'SIZE_DECREASED',
  /** A leaf hash, proof hash or root that is not 32 bytes. */
  'BAD_HASH_SIZE',
  /** The proof has more or fewer hashes than the sizes and index determine (an empty proof where one is needed). */
  'WRONG_PROOF_SIZE',
  /** The proof is well-formed but the root it yields is not the root given. */
  'ROOT_MISMATCH',
] as const;
export type MerkleProofErrorCode = (typeof merkleProofErrorCodes)[number];

/** A proof that does not prove what it claims. Verification never returns false; it throws this. */
export class MerkleProofError extends Error {
  constructor(
    readonly code: MerkleProofErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MerkleProofError';
  }
}

const requireTreeSize = (name: string, n: number): void => {
  if (!isTreeSize(n))
    throw new MerkleProofError('INVALID_SIZE', `${name} is not a non-negative safe integer`);
};
const requireHashSize = (name: string, hash: Uint8Array): void => {
  if (hash.length !== HASH_SIZE) {
    throw new MerkleProofError('BAD_HASH_SIZE', `${name} is ${hash.length} bytes, not ${HASH_SIZE}`);
  }
};
const requireProofHashes = (proof: readonly Uint8Array[]): void => {
  proof.forEach((hash, i) => {
    requireHashSize(`proof[${i}]`, hash);
  });
};
const requireMatch = (name: string, computed: Uint8Array, given: Uint8Array): void => {
  if (!hashesEqual(computed, given)) {
    throw new MerkleProofError(
      'ROOT_MISMATCH',
      `the ${name} computed from the proof is not the ${name} given`,
    );
  }
};

/**
 * The number of hashes in an inclusion proof for leaf `index` of `size` leaves: the siblings below the point
 * where the paths to `index` and to `size - 1` part, plus one left sibling per set bit above it
 * (transparency-dev/merkle decompInclProof). Knowing it first turns a short or long proof into WRONG_PROOF_SIZE.
 */
const inclusionProofLength = (index: number, size: number): { inner: number; border: number } => {
  const inner = bitLengthOfXor(index, size - 1);
  return { inner, border: popCount(shiftRight(index, inner)) };
};

/**
 * The root that an inclusion proof yields for `leafHash` at `index` in a tree of `size` leaves: RFC 9162 section
 * 2.1.3.2 steps 1 to 4. Computes only; verifyInclusion compares. Throws MerkleProofError for a proof that cannot
 * be a proof for these parameters.
 */
export const rootFromInclusionProof = (
  leafHashValue: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array => {
  requireTreeSize('size', size);
  if (size === 0) throw new MerkleProofError('EMPTY_TREE', 'no leaf is included in the empty tree');
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new MerkleProofError('INDEX_OUT_OF_RANGE', `leaf index is not in [0, ${size})`);
  }
  requireHashSize('leaf hash', leafHashValue);
  const { inner, border } = inclusionProofLength(index, size);
  if (proof.length !== inner + border) {
    throw new MerkleProofError('WRONG_PROOF_SIZE', `expected ${inner + border} hashes, got ${proof.length}`);
  }
  requireProofHashes(proof);
  // RFC 9162 section 2.1.3.2: fn walks the leaf's path, sn the path of the last leaf; where fn is a right child or
  // on the right border (fn = sn) the proof hash is on the left, otherwise on the right.
  let fn = index;
  let sn = size - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (sn === 0) throw new MerkleProofError('WRONG_PROOF_SIZE', 'the proof is longer than the path');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new MerkleProofError('WRONG_PROOF_SIZE', 'the proof is shorter than the path');
  return r;
};

/**
 * Verifies that `leafHash` is the leaf at `index` of the tree of `size` leaves whose root is `root` (RFC 9162
 * section 2.1.3.2 step 5). Returns nothing; throws MerkleProofError (never returns false).
 */
export const verifyInclusion = (
  leafHashValue: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void => {
  const computed = rootFromInclusionProof(leafHashValue, index, size, proof);
  requireHashSize('root', root);
  requireMatch('root', computed, root);
};

/**
 * The roots of the trees of size1 and size2 that a consistency proof yields, seeded with root1 where size1 is a
 * power of two: RFC 9162 section 2.1.4.2 steps 1 to 6, for 0 < size1 < size2. Computes only.
 */
const rootsFromConsistencyProof = (
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
): { first: Uint8Array; second: Uint8Array } => {
  // The proof is a suffix of the inclusion proof of leaf size1 - 1 in size2, from the level of the largest perfect
  // subtree ending at size1, preceded by that subtree's hash unless it is the whole old tree (transparency-dev/merkle
  // RootFromConsistencyProof). Knowing the length first turns a short, long or empty proof into WRONG_PROOF_SIZE.
  const { inner, border } = inclusionProofLength(size1 - 1, size2);
  const seeded = isPowerOfTwo(size1);
  const expected = (seeded ? 0 : 1) + inner - trailingZeros(size1) + border;
  if (proof.length !== expected) {
    throw new MerkleProofError('WRONG_PROOF_SIZE', `expected ${expected} hashes, got ${proof.length}`);
  }
  requireProofHashes(proof);
  // Step 2: if size1 is an exact power of two, prepend root1 to the path.
  const path = seeded ? [root1, ...proof] : proof;
  // Steps 3 and 4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5: fr rebuilds the old root from the hashes left of the path, sr the new root from all of them.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // Step 6.
  for (const c of path.slice(1)) {
    if (sn === 0) throw new MerkleProofError('WRONG_PROOF_SIZE', 'the proof is longer than the path');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 7, the part about the path: sn must reach 0, or the proof was too short.
  if (sn !== 0) throw new MerkleProofError('WRONG_PROOF_SIZE', 'the proof is shorter than the path');
  return { first: fr, second: sr };
};

/**
 * Verifies that the tree of size2 with root2 extends the tree of size1 with root1 (RFC 9162 section 2.1.4.2).
 * Equal sizes need equal roots and an empty proof; size1 = 0 needs an empty proof and root1 = the empty-tree hash
 * (stricter than transparency-dev/merkle, which ignores root1 there: a checkpoint of the empty log must carry the
 * empty root); size1 > size2 is SIZE_DECREASED. Returns nothing; throws MerkleProofError.
 */
export const verifyConsistency = (
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void => {
  requireTreeSize('size1', size1);
  requireTreeSize('size2', size2);
  if (size1 > size2) throw new MerkleProofError('SIZE_DECREASED', 'size1 is greater than size2');
  requireHashSize('root1', root1);
  requireHashSize('root2', root2);
  if (size1 === 0 || size1 === size2) {
    if (proof.length !== 0) {
      throw new MerkleProofError('WRONG_PROOF_SIZE', `expected no hashes, got ${proof.length}`);
    }
    if (size1 === 0) requireMatch('root1', EMPTY_ROOT, root1);
    if (size1 === size2) requireMatch('root2', root1, root2);
    return;
  }
  const { first, second } = rootsFromConsistencyProof(size1, size2, proof, root1);
  // Step 7: both computed roots must be the ones given.
  requireMatch('root1', first, root1);
  requireMatch('root2', second, root2);
};

// --- Ranges: a contiguous run of leaves and the perfect subtrees around it --------------------------------------

/**
 * Walks MTH(D[lo:hi]) as RFC 6962 section 2.1 splits it (at the largest power of two k < n), stopping at every
 * perfect subtree that holds no leaf of [from, to) and at every leaf inside it. Every left part of a split is a
 * perfect subtree aligned to its size, and so is every part that stops the walk, so each stop is a stored node.
 */
const walkRange = <T>(
  from: number,
  to: number,
  lo: number,
  hi: number,
  visit: {
    outside(id: NodeId): T;
    leaf(index: number): T;
    join(left: T, right: T): T;
  },
): T => {
  const count = hi - lo;
  if ((hi <= from || lo >= to) && isPowerOfTwo(count)) {
    const level = trailingZeros(count);
    return visit.outside({ level, index: lo / pow2(level) });
  }
  if (count === 1) return visit.leaf(lo);
  const k = pow2(bitLength(count - 1) - 1);
  return visit.join(walkRange(from, to, lo, lo + k, visit), walkRange(from, to, lo + k, hi, visit));
};

const assertRange = (from: number, to: number, size: number): void => {
  assertTreeSize('size', size);
  if (!isTreeSize(from) || !isTreeSize(to) || from >= to || to > size) {
    throw new RangeError(`the range [${from}, ${to}) is empty or outside a tree of size ${size}`);
  }
};

/**
 * The perfect subtrees outside the leaves [from, to) of a tree of `size` leaves, in the order the root's
 * computation meets them (left to right): with the leaves of the range, they are all the root needs. O(log size)
 * nodes, none for the whole tree.
 */
export const rangeBoundaryNodes = (from: number, to: number, size: number): NodeId[] => {
  assertRange(from, to, size);
  const ids: NodeId[] = [];
  walkRange(from, to, 0, size, {
    outside: (id) => {
      ids.push(id);
    },
    leaf: () => undefined,
    join: () => undefined,
  });
  return ids;
};

/**
 * The root of the tree of `size` leaves from the leaf hashes of [from, to) and the hashes of the subtrees that
 * rangeBoundaryNodes names, in its order. Computes only (the caller compares it with a signed root). Throws
 * MerkleProofError when a count or a hash length is wrong: a range proof that cannot be one for these parameters.
 * Binding: every leaf and boundary hash has one fixed position in the RFC 6962 tree of this size, so any change
 * of a hash, a position or the size changes the root (second-preimage resistance of domain-separated SHA-256).
 */
export const rootFromRange = (
  from: number,
  to: number,
  size: number,
  leaves: readonly Uint8Array[],
  boundary: readonly Uint8Array[],
): Uint8Array => {
  if (!isTreeSize(from) || !isTreeSize(to) || !isTreeSize(size) || from >= to || to > size) {
    throw new MerkleProofError('INDEX_OUT_OF_RANGE', `the range is empty or outside [0, ${size})`);
  }
  if (leaves.length !== to - from) {
    throw new MerkleProofError('WRONG_PROOF_SIZE', `expected ${to - from} leaves, got ${leaves.length}`);
  }
  leaves.forEach((leaf, i) => {
    requireHashSize(`leaf ${from + i}`, leaf);
  });
  requireProofHashes(boundary);
  let used = 0;
  const root = walkRange(from, to, 0, size, {
    outside: () => {
      const hash = boundary[used++];
      if (hash === undefined) throw new MerkleProofError('WRONG_PROOF_SIZE', 'too few boundary hashes');
      return hash;
    },
    leaf: (index) => leaves[index - from] as Uint8Array,
    join: nodeHash,
  });
  if (used !== boundary.length) throw new MerkleProofError('WRONG_PROOF_SIZE', 'too many boundary hashes');
  return root;
};
