import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryMerkleTree } from '#shared/domain/audit/in-memory-merkle-tree.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  emptyRootHash,
  inclusionProof,
  inclusionProofNodes,
  leafHash,
  MerkleProofError,
  type MerkleProofErrorCode,
  type NodeId,
  type NodeSource,
  nodeHash,
  nodesToStore,
  rootAt,
  rootFromInclusionProof,
  rootNodes,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '#shared/domain/audit/merkle.ts';

/**
 * The Merkle core against (1) published RFC 6962 known answers, (2) a naive reference implementation written
 * straight from RFC 6962 section 2.1 (recursive MTH, PATH and PROOF over leaf hashes), and (3) the corruption
 * catalogue of transparency-dev/merkle proof/verify_test.go (corruptInclusionProof, corruptConsistencyProof),
 * extended with every bit of every proof hash, reordering and bad hash lengths. Every probe must be rejected with
 * the code that the reference model predicts. One exception is documented by its own test: a tree size off by
 * one often yields the same proof, because a root does not commit to its size (the signed checkpoint does).
 */

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const hexes = (list: readonly Uint8Array[]): string[] => list.map(hex);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// --- Known answers ------------------------------------------------------------------------------------------------

/**
 * Source: transparency-dev/merkle testonly/constants.go (LeafInputs, NodeHashes, RootHashes, CompactTrees), the
 * same tree as google/certificate-transparency cpp/merkletree/merkle_tree_test.cc (kInputs, kSHA256Roots).
 */
const kat = {
  leafInputs: [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ].map(unhex),
  /** nodeHashes[level][index]: every perfect subtree of the 8-leaf tree. */
  nodeHashes: [
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
      '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
    ],
    [
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    ],
    [
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
    ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
  ],
  /** rootHashes[size] for sizes 0..8. */
  rootHashes: [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ],
  /** compactTrees[size]: the perfect subtrees whose hashes make up each root, as (level, index) of nodeHashes. */
  compactTrees: [
    [],
    [[0, 0]],
    [[1, 0]],
    [
      [1, 0],
      [0, 2],
    ],
    [[2, 0]],
    [
      [2, 0],
      [0, 4],
    ],
    [
      [2, 0],
      [1, 2],
    ],
    [
      [2, 0],
      [1, 2],
      [0, 6],
    ],
    [[3, 0]],
  ] as [number, number][][],
  /**
   * Source: transparency-dev/merkle proof/verify_test.go `inclusionProofs` (leaf is 1-based there), identical to
   * google/certificate-transparency cpp/merkletree/merkle_tree_test.cc kSHA256Paths.
   */
  inclusionProofs: [
    { leaf: 1, size: 1, proof: [] },
    {
      leaf: 1,
      size: 8,
      proof: [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    },
    {
      leaf: 6,
      size: 8,
      proof: [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    },
    { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
    {
      leaf: 2,
      size: 5,
      proof: [
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    },
  ],
  /**
   * Source: transparency-dev/merkle proof/verify_test.go `consistencyProofs` (the first four are
   * google/certificate-transparency cpp/merkletree/merkle_tree_test.cc kSHA256Proofs; 6 -> 7 is transparency-dev's).
   */
  consistencyProofs: [
    { size1: 1, size2: 1, proof: [] },
    {
      size1: 1,
      size2: 8,
      proof: [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    },
    {
      size1: 6,
      size2: 8,
      proof: [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    },
    {
      size1: 2,
      size2: 5,
      proof: [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    },
    {
      size1: 6,
      size2: 7,
      proof: [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    },
  ],
};
/** Source: transparency-dev/merkle proof/verify_test.go (sha256SomeHash, sha256EmptyTreeHash). */
const someHash = unhex('abacaba000000000000000000000000000000000000000000060061e00123456');
const emptyTreeHash = unhex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

const katTree = (): InMemoryMerkleTree => {
  const tree = new InMemoryMerkleTree();
  tree.appendAll(kat.leafInputs);
  return tree;
};
const katRoot = (size: number): Uint8Array => unhex(kat.rootHashes[size] ?? '');

// --- The reference model: RFC 6962 section 2.1, written as the RFC states it ---------------------------------

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
};
const refLeafHash = (data: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), data);
const refNodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array =>
  sha256(Uint8Array.of(1), left, right);
/** The largest power of two smaller than n (n > 1), by doubling: exact up to 2^53. */
const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
type Range = readonly [lo: number, hi: number];
/** PATH(m, D[lo:hi]) as the ranges whose MTHs it lists: RFC 6962 section 2.1.1. */
const refPathRanges = (m: number, lo: number, hi: number): Range[] => {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = splitPoint(n);
  return m < k
    ? [...refPathRanges(m, lo, lo + k), [lo + k, hi]]
    : [...refPathRanges(m - k, lo + k, hi), [lo, lo + k]];
};
/** SUBPROOF(m, D[lo:hi], b) as ranges: RFC 6962 section 2.1.2. */
const refSubproofRanges = (m: number, lo: number, hi: number, b: boolean): Range[] => {
  const n = hi - lo;
  if (m === n) return b ? [] : [[lo, hi]];
  const k = splitPoint(n);
  return m <= k
    ? [...refSubproofRanges(m, lo, lo + k, b), [lo + k, hi]]
    : [...refSubproofRanges(m - k, lo + k, hi, false), [lo, lo + k]];
};
/** Proof lengths are asked for once per probe; the recursion is cheap but not free. */
const memoised = (f: (a: number, b: number) => number) => {
  const known = new Map<string, number>();
  return (a: number, b: number): number => {
    const key = `${a}:${b}`;
    const value = known.get(key) ?? f(a, b);
    known.set(key, value);
    return value;
  };
};
/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), and empty from the empty tree. */
const refProofRanges = (m: number, n: number): Range[] =>
  m === 0 || m === n ? [] : refSubproofRanges(m, 0, n, true);

/** Leaf hashes of `entry 0`, `entry 1`, ...: the reference log. */
const refLeaves = Array.from({ length: 300 }, (_, i) => refLeafHash(utf8(`entry ${i}`)));
const mthMemo = new Map<string, Uint8Array>();
/** MTH(D[lo:hi]): RFC 6962 section 2.1, memoised on the range. */
const refMth = (lo: number, hi: number): Uint8Array => {
  const key = `${lo}:${hi}`;
  const known = mthMemo.get(key);
  if (known) return known;
  const n = hi - lo;
  let hash: Uint8Array;
  if (n === 0) hash = sha256();
  else if (n === 1) hash = refLeaves[lo] ?? new Uint8Array();
  else {
    const k = splitPoint(n);
    hash = refNodeHash(refMth(lo, lo + k), refMth(lo + k, hi));
  }
  mthMemo.set(key, hash);
  return hash;
};
const refPathLength = memoised((m, n) => refPathRanges(m, 0, n).length);
const refProofLength = memoised((m, n) => refProofRanges(m, n).length);
const refPath = (m: number, n: number): Uint8Array[] =>
  refPathRanges(m, 0, n).map(([lo, hi]) => refMth(lo, hi));
const refProof = (m: number, n: number): Uint8Array[] =>
  refProofRanges(m, n).map(([lo, hi]) => refMth(lo, hi));
/** The aligned perfect subtrees tiling a range, left to right. */
const tile = ([lo, hi]: Range): NodeId[] => {
  const ids: NodeId[] = [];
  for (let at = lo; at < hi; ) {
    let width = 1;
    let level = 0;
    while (width * 2 <= hi - at && at % (width * 2) === 0) {
      width *= 2;
      level += 1;
    }
    ids.push({ level, index: at / width });
    at += width;
  }
  return ids;
};

const refTree = new InMemoryMerkleTree();
refTree.appendLeafHashes(refLeaves);

// --- Probing --------------------------------------------------------------------------------------------------

type Outcome = MerkleProofErrorCode | 'ACCEPTED' | 'OTHER ERROR';
const outcomeOf = (verify: () => void): Outcome => {
  try {
    verify();
    return 'ACCEPTED';
  } catch (error) {
    return error instanceof MerkleProofError ? error.code : 'OTHER ERROR';
  }
};

const flipBit = (hash: Uint8Array, bit: number): Uint8Array => {
  const copy = new Uint8Array(hash);
  const at = Math.floor(bit / 8);
  copy[at] = (copy[at] ?? 0) ^ (1 << (bit % 8));
  return copy;
};
const replaceAt = (list: readonly Uint8Array[], i: number, hash: Uint8Array): Uint8Array[] =>
  list.map((h, j) => (j === i ? hash : h));
const swapAt = (list: readonly Uint8Array[], i: number): Uint8Array[] =>
  list.map((h, j) => (j === i ? list[i + 1] : j === i + 1 ? list[i] : h) ?? h);
/**
 * Which bits of a 32-byte hash to flip: all 256, or transparency-dev's single bit (bit 3 or 4 of byte 0) plus one
 * in the middle and the last one.
 */
const bitsToFlip = (all: boolean, tdBit: number): number[] =>
  all ? Array.from({ length: 256 }, (_, b) => b) : [tdBit, 128, 255];
const wrongLeaf = utf8('WrongLeaf');
const wrongRoot = utf8('WrongRoot');

type InclusionCase = {
  leaf: Uint8Array;
  index: number;
  size: number;
  proof: readonly Uint8Array[];
  root: Uint8Array;
};
type Probe<C> = { desc: string; probe: C };

/** transparency-dev/merkle corruptInclusionProof, plus every bit, reordering, bad lengths and size +-1. */
const corruptInclusion = (c: InclusionCase, allBits: boolean): Probe<InclusionCase>[] => {
  const { proof } = c;
  const probes: Probe<InclusionCase>[] = [
    { desc: 'index - 1', probe: { ...c, index: c.index - 1 } },
    { desc: 'index + 1', probe: { ...c, index: c.index + 1 } },
    { desc: 'index ^ 2', probe: { ...c, index: c.index ^ 2 } },
    { desc: 'size * 2', probe: { ...c, size: c.size * 2 } },
    { desc: 'size / 2', probe: { ...c, size: Math.floor(c.size / 2) } },
    { desc: 'wrong leaf (9 bytes)', probe: { ...c, leaf: wrongLeaf } },
    { desc: 'leaf of 33 bytes', probe: { ...c, leaf: Uint8Array.of(...c.leaf, 0) } },
    { desc: 'another leaf', probe: { ...c, leaf: leafHash(utf8('another entry')) } },
    { desc: 'empty root', probe: { ...c, root: emptyTreeHash } },
    { desc: 'random root', probe: { ...c, root: someHash } },
    { desc: 'root of 31 bytes', probe: { ...c, root: c.root.subarray(0, 31) } },
    { desc: 'root of 0 bytes', probe: { ...c, root: new Uint8Array() } },
    { desc: 'trailing garbage', probe: { ...c, proof: [...proof, new Uint8Array()] } },
    { desc: 'trailing root', probe: { ...c, proof: [...proof, c.root] } },
    { desc: 'preceding garbage', probe: { ...c, proof: [new Uint8Array(), ...proof] } },
    { desc: 'preceding root', probe: { ...c, proof: [c.root, ...proof] } },
  ];
  for (const bit of bitsToFlip(allBits, 3)) {
    probes.push({ desc: `leaf bit ${bit}`, probe: { ...c, leaf: flipBit(c.leaf, bit) } });
    probes.push({ desc: `root bit ${bit}`, probe: { ...c, root: flipBit(c.root, bit) } });
    proof.forEach((hash, i) => {
      probes.push({
        desc: `proof[${i}] bit ${bit}`,
        probe: { ...c, proof: replaceAt(proof, i, flipBit(hash, bit)) },
      });
    });
  }
  proof.forEach((hash, i) => {
    probes.push({
      desc: `proof[${i}] = empty tree hash`,
      probe: { ...c, proof: replaceAt(proof, i, emptyTreeHash) },
    });
    probes.push({
      desc: `proof[${i}] of 31 bytes`,
      probe: { ...c, proof: replaceAt(proof, i, hash.subarray(0, 31)) },
    });
    probes.push({
      desc: `proof[${i}] of 33 bytes`,
      probe: { ...c, proof: replaceAt(proof, i, Uint8Array.of(...hash, 0)) },
    });
    if (i + 1 < proof.length)
      probes.push({ desc: `swapped proof[${i}], proof[${i + 1}]`, probe: { ...c, proof: swapAt(proof, i) } });
  });
  if (proof.length > 0) {
    probes.push({ desc: 'removed component', probe: { ...c, proof: proof.slice(0, -1) } });
    probes.push({ desc: 'removed first component', probe: { ...c, proof: proof.slice(1) } });
    probes.push({ desc: 'empty proof', probe: { ...c, proof: [] } });
  }
  if (proof.length > 1) {
    const [first, ...rest] = proof;
    if (first)
      probes.push({ desc: 'inserted component', probe: { ...c, proof: [first, someHash, ...rest] } });
    probes.push({ desc: 'reversed proof', probe: { ...c, proof: [...proof].reverse() } });
  }
  return probes;
};

/** The code the verifier must give a probe, from its checks in order and the reference model's proof length. */
const expectedInclusionCode = ({ leaf, index, size, proof, root }: InclusionCase): MerkleProofErrorCode => {
  if (size === 0) return 'EMPTY_TREE';
  if (index < 0 || index >= size) return 'INDEX_OUT_OF_RANGE';
  if (leaf.length !== 32) return 'BAD_HASH_SIZE';
  if (proof.length !== refPathLength(index, size)) return 'WRONG_PROOF_SIZE';
  if (proof.some((h) => h.length !== 32) || root.length !== 32) return 'BAD_HASH_SIZE';
  return 'ROOT_MISMATCH';
};

/** Runs a case and its probes; returns every probe not rejected with its expected code. */
const inclusionFailures = (c: InclusionCase, allBits: boolean): string[] => {
  const failures: string[] = [];
  const verified = outcomeOf(() => verifyInclusion(c.leaf, c.index, c.size, c.proof, c.root));
  if (verified !== 'ACCEPTED') failures.push(`${c.index}/${c.size} genuine proof: ${verified}`);
  for (const { desc, probe } of corruptInclusion(c, allBits)) {
    const want = expectedInclusionCode(probe);
    const got = outcomeOf(() =>
      verifyInclusion(probe.leaf, probe.index, probe.size, probe.proof, probe.root),
    );
    if (got !== want) failures.push(`${c.index}/${c.size} ${desc}: want ${want}, got ${got}`);
  }
  return failures;
};

type ConsistencyCase = {
  size1: number;
  size2: number;
  proof: readonly Uint8Array[];
  root1: Uint8Array;
  root2: Uint8Array;
};

/** transparency-dev/merkle corruptConsistencyProof, plus every bit, reordering, bad lengths and size +-1. */
const corruptConsistency = (c: ConsistencyCase, allBits: boolean): Probe<ConsistencyCase>[] => {
  const { proof } = c;
  const [first, ...rest] = proof;
  const probes: Probe<ConsistencyCase>[] = [
    { desc: 'size1 - 1', probe: { ...c, size1: c.size1 - 1 } },
    { desc: 'size1 + 1', probe: { ...c, size1: c.size1 + 1 } },
    { desc: 'size1 ^ 2', probe: { ...c, size1: c.size1 ^ 2 } },
    { desc: 'size2 * 2', probe: { ...c, size2: c.size2 * 2 } },
    { desc: 'size2 / 2', probe: { ...c, size2: Math.floor(c.size2 / 2) } },
    {
      desc: 'size1 > size2',
      probe: { ...c, size1: c.size2, size2: c.size1, root1: c.root2, root2: c.root1 },
    },
    { desc: 'wrong root1', probe: { ...c, root1: wrongRoot } },
    { desc: 'wrong root2', probe: { ...c, root2: wrongRoot } },
    { desc: 'swapped roots', probe: { ...c, root1: c.root2, root2: c.root1 } },
    { desc: 'root1 = root2', probe: { ...c, root1: c.root2 } },
    { desc: 'root1 = empty tree hash', probe: { ...c, root1: emptyTreeHash } },
    { desc: 'root2 = random hash', probe: { ...c, root2: someHash } },
    { desc: 'root1 of 31 bytes', probe: { ...c, root1: c.root1.subarray(0, 31) } },
    { desc: 'root2 of 33 bytes', probe: { ...c, root2: Uint8Array.of(...c.root2, 0) } },
    { desc: 'empty proof', probe: { ...c, proof: [] } },
    { desc: 'trailing garbage', probe: { ...c, proof: [...proof, new Uint8Array()] } },
    { desc: 'trailing root1', probe: { ...c, proof: [...proof, c.root1] } },
    { desc: 'trailing root2', probe: { ...c, proof: [...proof, c.root2] } },
    { desc: 'preceding garbage', probe: { ...c, proof: [new Uint8Array(), ...proof] } },
    { desc: 'preceding root1', probe: { ...c, proof: [c.root1, ...proof] } },
    { desc: 'preceding root2', probe: { ...c, proof: [c.root2, ...proof] } },
  ];
  if (first) {
    probes.push({ desc: 'preceding proof[0]', probe: { ...c, proof: [first, ...proof] } });
    probes.push({ desc: 'truncated proof', probe: { ...c, proof: proof.slice(0, -1) } });
    probes.push({ desc: 'removed first component', probe: { ...c, proof: rest } });
    probes.push({ desc: 'inserted component', probe: { ...c, proof: [first, someHash, ...rest] } });
  }
  if (proof.length > 1) probes.push({ desc: 'reversed proof', probe: { ...c, proof: [...proof].reverse() } });
  for (const bit of bitsToFlip(allBits, 4)) {
    probes.push({ desc: `root1 bit ${bit}`, probe: { ...c, root1: flipBit(c.root1, bit) } });
    probes.push({ desc: `root2 bit ${bit}`, probe: { ...c, root2: flipBit(c.root2, bit) } });
    proof.forEach((hash, i) => {
      probes.push({
        desc: `proof[${i}] bit ${bit}`,
        probe: { ...c, proof: replaceAt(proof, i, flipBit(hash, bit)) },
      });
    });
  }
  proof.forEach((hash, i) => {
    probes.push({
      desc: `proof[${i}] = empty tree hash`,
      probe: { ...c, proof: replaceAt(proof, i, emptyTreeHash) },
    });
    probes.push({
      desc: `proof[${i}] of 31 bytes`,
      probe: { ...c, proof: replaceAt(proof, i, hash.subarray(0, 31)) },
    });
    if (i + 1 < proof.length)
      probes.push({ desc: `swapped proof[${i}], proof[${i + 1}]`, probe: { ...c, proof: swapAt(proof, i) } });
  });
  return probes;
};

const expectedConsistencyCode = ({
  size1,
  size2,
  proof,
  root1,
  root2,
}: ConsistencyCase): MerkleProofErrorCode => {
  if (size1 > size2) return 'SIZE_DECREASED';
  if (root1.length !== 32 || root2.length !== 32) return 'BAD_HASH_SIZE';
  if (size1 === 0 || size1 === size2) return proof.length > 0 ? 'WRONG_PROOF_SIZE' : 'ROOT_MISMATCH';
  if (proof.length !== refProofLength(size1, size2)) return 'WRONG_PROOF_SIZE';
  if (proof.some((h) => h.length !== 32)) return 'BAD_HASH_SIZE';
  return 'ROOT_MISMATCH';
};

const consistencyFailures = (c: ConsistencyCase, allBits: boolean): string[] => {
  const failures: string[] = [];
  const verified = outcomeOf(() => verifyConsistency(c.size1, c.size2, c.proof, c.root1, c.root2));
  if (verified !== 'ACCEPTED') failures.push(`${c.size1}->${c.size2} genuine proof: ${verified}`);
  for (const { desc, probe } of corruptConsistency(c, allBits)) {
    const want = expectedConsistencyCode(probe);
    const got = outcomeOf(() =>
      verifyConsistency(probe.size1, probe.size2, probe.proof, probe.root1, probe.root2),
    );
    if (got !== want) failures.push(`${c.size1}->${c.size2} ${desc}: want ${want}, got ${got}`);
  }
  return failures;
};

/** A source that serves only the listed nodes of `tree` and records every read. */
const restrictedSource = (tree: NodeSource, allowed: readonly NodeId[]) => {
  const keys = new Set(allowed.map(({ level, index }) => `${level}/${index}`));
  const reads: NodeId[] = [];
  const source: NodeSource = {
    node(level, index) {
      if (!keys.has(`${level}/${index}`)) throw new Error(`read of unlisted node (${level}, ${index})`);
      reads.push({ level, index });
      return tree.node(level, index);
    },
  };
  return { source, reads };
};

// --- Tests ----------------------------------------------------------------------------------------------------

describe('RFC 6962 hashing (section 2.1)', () => {
  it('matches the known answers of transparency-dev/merkle rfc6962/rfc6962_test.go', () => {
    expect(hex(emptyRootHash())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(rootOf([]))).toBe(hex(emptyRootHash()));
    // The empty leaf is not the empty tree: SHA-256(0x00).
    expect(hex(leafHash(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(hex(leafHash(utf8('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(hex(nodeHash(utf8('N123'), utf8('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('separates leaves from nodes and depends on the order of children', () => {
    const [hello, world] = [leafHash(utf8('Hello')), leafHash(utf8('World'))];
    expect(hex(hello)).not.toBe(hex(world));
    expect(hex(nodeHash(hello, world))).not.toBe(hex(leafHash(Uint8Array.of(...hello, ...world))));
    expect(hex(nodeHash(hello, world))).not.toBe(hex(nodeHash(world, hello)));
    // A leaf longer than any audit entry hashes as the reference does.
    const long = new Uint8Array(5000).fill(7);
    expect(hex(leafHash(long))).toBe(hex(refLeafHash(long)));
  });
});

describe('the RFC 6962 reference tree (transparency-dev/merkle testonly, google/certificate-transparency)', () => {
  it('has the published root at every size 0..8, however the leaves are appended', () => {
    const oneByOne = new InMemoryMerkleTree();
    expect(hex(oneByOne.root())).toBe(kat.rootHashes[0]);
    for (const [i, input] of kat.leafInputs.entries()) {
      expect(oneByOne.append(input)).toBe(i);
      expect(hex(oneByOne.root())).toBe(kat.rootHashes[i + 1]);
    }
    // google/certificate-transparency's third tree: three leaves, then five.
    const inTwoChunks = new InMemoryMerkleTree();
    expect(hex(inTwoChunks.appendAll(kat.leafInputs.slice(0, 3)).root)).toBe(kat.rootHashes[3]);
    expect(hex(inTwoChunks.appendAll(kat.leafInputs.slice(3)).root)).toBe(kat.rootHashes[8]);
    const tree = katTree();
    for (let size = 0; size <= 8; size += 1) {
      expect(hex(tree.rootAt(size))).toBe(kat.rootHashes[size]);
      expect(hex(rootOf(kat.leafInputs.slice(0, size).map(leafHash)))).toBe(kat.rootHashes[size]);
    }
  });

  it('stores exactly the published hash of every perfect subtree, and builds roots from the compact range', () => {
    const tree = katTree();
    kat.nodeHashes.forEach((level, l) => {
      level.forEach((hash, i) => {
        expect(hex(tree.node(l, i))).toBe(hash);
      });
      expect(() => tree.node(l, level.length)).toThrow(RangeError);
    });
    expect(() => tree.node(4, 0)).toThrow(RangeError);
    kat.compactTrees.forEach((ids, size) => {
      expect(rootNodes(size).map(({ level, index }) => [level, index])).toEqual(ids);
    });
  });

  it('produces and verifies the published inclusion proofs', () => {
    const tree = katTree();
    for (const { leaf, size, proof } of kat.inclusionProofs) {
      const index = leaf - 1;
      expect(hexes(tree.inclusionProof(index, size))).toEqual(proof);
      const leafHashValue = leafHash(kat.leafInputs[index] ?? new Uint8Array());
      expect(hex(rootFromInclusionProof(leafHashValue, index, size, proof.map(unhex)))).toBe(
        kat.rootHashes[size],
      );
      verifyInclusion(leafHashValue, index, size, proof.map(unhex), katRoot(size));
    }
  });

  it('produces and verifies the published consistency proofs', () => {
    const tree = katTree();
    for (const { size1, size2, proof } of kat.consistencyProofs) {
      expect(hexes(tree.consistencyProof(size1, size2))).toEqual(proof);
      verifyConsistency(size1, size2, proof.map(unhex), katRoot(size1), katRoot(size2));
    }
  });

  it('rejects every probe of the catalogue on the published proofs, flipping every bit', () => {
    const failures: string[] = [];
    for (const { leaf, size, proof } of kat.inclusionProofs) {
      const index = leaf - 1;
      const leafHashValue = leafHash(kat.leafInputs[index] ?? new Uint8Array());
      const c = { leaf: leafHashValue, index, size, proof: proof.map(unhex), root: katRoot(size) };
      failures.push(...inclusionFailures(c, true));
    }
    for (const { size1, size2, proof } of kat.consistencyProofs) {
      const c = { size1, size2, proof: proof.map(unhex), root1: katRoot(size1), root2: katRoot(size2) };
      // As in transparency-dev, an empty proof (size1 = size2) has no catalogue: there is nothing to corrupt.
      if (proof.length > 0) failures.push(...consistencyFailures(c, true));
    }
    expect(failures).toEqual([]);
  });
});

describe('verification edge cases (transparency-dev/merkle TestVerifyInclusion*, TestVerifyConsistency)', () => {
  it('handles the single-entry tree, whose root is its leaf hash and whose proof is empty', () => {
    const hash = leafHash(utf8('data'));
    verifyInclusion(hash, 0, 1, [], hash);
    expect(outcomeOf(() => verifyInclusion(new Uint8Array(), 0, 1, [], hash))).toBe('BAD_HASH_SIZE');
    expect(outcomeOf(() => verifyInclusion(hash, 0, 1, [], new Uint8Array()))).toBe('BAD_HASH_SIZE');
    expect(outcomeOf(() => verifyInclusion(hash, 0, 1, [], someHash))).toBe('ROOT_MISMATCH');
  });

  it('refuses an index outside the tree, and any inclusion in the empty tree', () => {
    const cases: [index: number, size: number, code: MerkleProofErrorCode][] = [
      [0, 0, 'EMPTY_TREE'],
      [1, 0, 'EMPTY_TREE'],
      [2, 1, 'INDEX_OUT_OF_RANGE'],
      [1, 1, 'INDEX_OUT_OF_RANGE'],
      [-1, 1, 'INDEX_OUT_OF_RANGE'],
      [0.5, 2, 'INDEX_OUT_OF_RANGE'],
      [Number.NaN, 2, 'INDEX_OUT_OF_RANGE'],
    ];
    for (const [index, size, code] of cases) {
      expect(outcomeOf(() => verifyInclusion(someHash, index, size, [], emptyTreeHash))).toBe(code);
      expect(outcomeOf(() => rootFromInclusionProof(someHash, index, size, []))).toBe(code);
    }
  });

  it('refuses sizes that are not non-negative safe integers', () => {
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(outcomeOf(() => verifyInclusion(someHash, 0, size, [], someHash))).toBe('INVALID_SIZE');
      expect(outcomeOf(() => verifyConsistency(size, 8, [], someHash, someHash))).toBe('INVALID_SIZE');
      expect(outcomeOf(() => verifyConsistency(0, size, [], emptyTreeHash, someHash))).toBe('INVALID_SIZE');
    }
  });

  it('accepts the trivially consistent pairs and refuses the rest with their codes', () => {
    const root1 = katRoot(1);
    const root2 = katRoot(2);
    const cases: [
      size1: number,
      size2: number,
      r1: Uint8Array,
      r2: Uint8Array,
      proof: Uint8Array[],
      want: Outcome,
    ][] = [
      // Always consistent: equal sizes with equal roots, or from the empty tree (whose root is the empty hash).
      [0, 0, emptyTreeHash, emptyTreeHash, [], 'ACCEPTED'],
      [0, 1, emptyTreeHash, root1, [], 'ACCEPTED'],
      [1, 1, root1, root1, [], 'ACCEPTED'],
      [8, 8, katRoot(8), katRoot(8), [], 'ACCEPTED'],
      // Roots do not match.
      [1, 1, root1, root2, [], 'ROOT_MISMATCH'],
      [0, 0, emptyTreeHash, root2, [], 'ROOT_MISMATCH'],
      [0, 0, root1, root1, [], 'ROOT_MISMATCH'],
      // Stricter than transparency-dev: the size-0 root must be the empty-tree hash.
      [0, 1, root1, root1, [], 'ROOT_MISMATCH'],
      // Time travel to the past.
      [1, 0, root1, root2, [], 'SIZE_DECREASED'],
      [2, 1, root2, root1, [], 'SIZE_DECREASED'],
      // Empty proof where one is needed.
      [1, 2, root1, root2, [], 'WRONG_PROOF_SIZE'],
      // Roots match but the proof is not empty.
      [0, 0, emptyTreeHash, emptyTreeHash, [emptyTreeHash], 'WRONG_PROOF_SIZE'],
      [0, 1, emptyTreeHash, emptyTreeHash, [emptyTreeHash], 'WRONG_PROOF_SIZE'],
      [1, 1, root1, root1, [emptyTreeHash], 'WRONG_PROOF_SIZE'],
      // transparency-dev's "don't care" roots are not hashes at all.
      [0, 0, utf8("don't care 1"), utf8("don't care 1"), [], 'BAD_HASH_SIZE'],
      [1, 2, root1, utf8("don't care 2"), [leafHash(kat.leafInputs[1] ?? new Uint8Array())], 'BAD_HASH_SIZE'],
    ];
    for (const [size1, size2, r1, r2, proof, want] of cases) {
      expect([size1, size2, outcomeOf(() => verifyConsistency(size1, size2, proof, r1, r2))]).toEqual([
        size1,
        size2,
        want,
      ]);
    }
  });

  it('throws coded MerkleProofErrors and never returns false', () => {
    const error = (() => {
      try {
        verifyInclusion(someHash, 0, 1, [], emptyTreeHash);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MerkleProofError);
    expect(error).toMatchObject({ name: 'MerkleProofError', code: 'ROOT_MISMATCH' });
    expect(verifyInclusion(someHash, 0, 1, [], someHash)).toBeUndefined();
  });
});

describe('the corruption catalogue over every small tree (transparency-dev/merkle verify_test.go)', () => {
  it('rejects every inclusion probe for every leaf of every size 1..40 (all 256 bits up to size 4)', () => {
    const failures: string[] = [];
    let probes = 0;
    for (let size = 1; size <= 40; size += 1) {
      for (let index = 0; index < size; index += 1) {
        const c = {
          leaf: refLeaves[index] ?? new Uint8Array(),
          index,
          size,
          proof: refPath(index, size),
          root: refMth(0, size),
        };
        probes += corruptInclusion(c, size <= 4).length;
        failures.push(...inclusionFailures(c, size <= 4));
      }
    }
    expect(failures).toEqual([]);
    expect(probes).toBeGreaterThan(40_000);
  });

  it('rejects every consistency probe for every pair 1 <= size1 < size2 <= 40 (all 256 bits up to size 4)', () => {
    const failures: string[] = [];
    let probes = 0;
    for (let size2 = 2; size2 <= 40; size2 += 1) {
      for (let size1 = 1; size1 < size2; size1 += 1) {
        const c = {
          size1,
          size2,
          proof: refProof(size1, size2),
          root1: refMth(0, size1),
          root2: refMth(0, size2),
        };
        probes += corruptConsistency(c, size2 <= 4).length;
        failures.push(...consistencyFailures(c, size2 <= 4));
      }
    }
    expect(failures).toEqual([]);
    expect(probes).toBeGreaterThan(40_000);
  });

  it('rejects size +-1 only when it changes the shape of the proof: a root does not commit to its size', () => {
    // RFC 6962 hashes carry no size: a proof for size n also verifies for n +- 1 when the path has the same shape
    // (the same hashes combined on the same sides). That is why transparency-dev probes size * 2 and size / 2, and
    // why a verifier must take the size from the signed checkpoint, which signs size and root together (as RFC 9162's
    // signed tree head does), never from a proof.
    const inclusionShape = (index: number, size: number): string =>
      refPathRanges(index, 0, size)
        .map(([lo]) => (lo > index ? 'R' : 'L'))
        .join('');
    const consistencyShape = (size1: number, size2: number): string => {
      const seeded = (size1 & (size1 - 1)) === 0;
      const sides = refProofRanges(size1, size2)
        .slice(seeded ? 0 : 1)
        .map(([, hi]) => (hi <= size1 ? 'L' : 'R'));
      return `${seeded}:${sides.join('')}`;
    };
    const failures: string[] = [];
    const outcomes = new Map<Outcome, number>();
    const record = (desc: string, want: Outcome, got: Outcome) => {
      outcomes.set(got, (outcomes.get(got) ?? 0) + 1);
      if (got !== want) failures.push(`${desc}: want ${want}, got ${got}`);
    };
    for (let size = 1; size <= 64; size += 1) {
      for (let index = 0; index < size; index += 1) {
        const proof = refPath(index, size);
        for (const probeSize of [size - 1, size + 1]) {
          const want: Outcome =
            probeSize === 0
              ? 'EMPTY_TREE'
              : probeSize <= index
                ? 'INDEX_OUT_OF_RANGE'
                : refPathLength(index, probeSize) !== proof.length
                  ? 'WRONG_PROOF_SIZE'
                  : inclusionShape(index, probeSize) === inclusionShape(index, size)
                    ? 'ACCEPTED'
                    : 'ROOT_MISMATCH';
          const leaf = refLeaves[index] ?? new Uint8Array();
          const got = outcomeOf(() => verifyInclusion(leaf, index, probeSize, proof, refMth(0, size)));
          record(`inclusion ${index}/${size} as size ${probeSize}`, want, got);
        }
      }
      for (let size1 = 1; size1 < size; size1 += 1) {
        const proof = refProof(size1, size);
        for (const probeSize of [size - 1, size + 1]) {
          const want: Outcome =
            probeSize === size1 || refProofLength(size1, probeSize) !== proof.length
              ? 'WRONG_PROOF_SIZE'
              : consistencyShape(size1, probeSize) === consistencyShape(size1, size)
                ? 'ACCEPTED'
                : 'ROOT_MISMATCH';
          const got = outcomeOf(() =>
            verifyConsistency(size1, probeSize, proof, refMth(0, size1), refMth(0, size)),
          );
          record(`consistency ${size1}->${size} as size2 ${probeSize}`, want, got);
        }
      }
    }
    expect(failures).toEqual([]);
    // Both happen: the size is not bound by the hashes alone, and a changed proof length is always caught.
    expect(outcomes.get('ACCEPTED')).toBeGreaterThan(0);
    expect(outcomes.get('WRONG_PROOF_SIZE')).toBeGreaterThan(0);
  });
});

describe('proofs from stored perfect subtrees agree with the RFC 6962 reference model', () => {
  it('gives the reference root at every size 1..300, from stored nodes and from rootOf', () => {
    for (let size = 0; size <= 300; size += 1) {
      expect(hex(refTree.rootAt(size))).toBe(hex(refMth(0, size)));
      expect(hex(rootOf(refLeaves.slice(0, size)))).toBe(hex(refMth(0, size)));
    }
    expect(hex(refTree.root())).toBe(hex(refMth(0, 300)));
  });

  it('stores every perfect subtree with its reference hash, and nothing else', () => {
    for (let level = 0; 2 ** level <= 300; level += 1) {
      const width = 2 ** level;
      for (let index = 0; (index + 1) * width <= 300; index += 1) {
        expect(hex(refTree.node(level, index))).toBe(hex(refMth(index * width, (index + 1) * width)));
      }
      expect(() => refTree.node(level, Math.floor(300 / width))).toThrow(RangeError);
    }
  });

  it('produces the reference inclusion proof (PATH, section 2.1.1) for any leaf of any size <= 300', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1))),
        ([size, index]) => {
          const proof = refTree.inclusionProof(index, size);
          expect(hexes(proof)).toEqual(hexes(refPath(index, size)));
          verifyInclusion(refLeaves[index] ?? new Uint8Array(), index, size, proof, refTree.rootAt(size));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('produces the reference consistency proof (PROOF, section 2.1.2) for any sizes <= 300', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }).chain((size2) => fc.tuple(fc.nat(size2), fc.constant(size2))),
        ([size1, size2]) => {
          const proof = refTree.consistencyProof(size1, size2);
          expect(hexes(proof)).toEqual(hexes(refProof(size1, size2)));
          verifyConsistency(size1, size2, proof, refTree.rootAt(size1), refTree.rootAt(size2));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stores each perfect subtree exactly once and the right root, whatever the batches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }), (batches) => {
        const stored = new Map<string, Uint8Array>();
        const source: NodeSource = {
          node: (level, index) => {
            const hash = stored.get(`${level}/${index}`);
            if (!hash) throw new Error(`missing (${level}, ${index})`);
            return hash;
          },
        };
        let size = 0;
        for (const count of batches) {
          const batch = refLeaves.slice(size, size + count);
          const result = nodesToStore(size, batch, source);
          for (const node of result.nodes) {
            const key = `${node.level}/${node.index}`;
            expect(stored.has(key)).toBe(false);
            stored.set(key, node.hash);
          }
          expect(result.size).toBe(size + batch.length);
          size = result.size;
          expect(hex(result.root)).toBe(hex(refMth(0, size)));
        }
        // Exactly the perfect subtrees of a tree of this size: 2 * size - popCount(size) of them.
        const perfect = [...stored.keys()].length;
        const ones = size.toString(2).replaceAll('0', '').length;
        expect(perfect).toBe(2 * size - ones);
        for (const [key, hash] of stored) {
          const [level, index] = key.split('/').map(Number) as [number, number];
          expect(hex(hash)).toBe(hex(refTree.node(level, index)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('names exactly the nodes a root, an append, an inclusion or a consistency proof reads', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((size) => fc.tuple(fc.nat(size - 1), fc.nat(size), fc.constant(size))),
        ([index, size1, size]) => {
          const sameNodes = (reads: readonly NodeId[], listed: readonly NodeId[]) => {
            expect(reads).toEqual(listed);
            expect(new Set(listed.map(({ level, index: i }) => `${level}/${i}`)).size).toBe(listed.length);
          };
          const root = restrictedSource(refTree, rootNodes(size));
          expect(hex(rootAt(size, root.source))).toBe(hex(refMth(0, size)));
          sameNodes(root.reads, rootNodes(size));

          const append = restrictedSource(refTree, rootNodes(size1));
          const appended = nodesToStore(size1, refLeaves.slice(size1, size), append.source);
          expect(hex(appended.root)).toBe(hex(refMth(0, size)));
          sameNodes(append.reads, rootNodes(size1));

          const inclusion = restrictedSource(refTree, inclusionProofNodes(index, size));
          expect(hexes(inclusionProof(index, size, inclusion.source))).toEqual(hexes(refPath(index, size)));
          sameNodes(inclusion.reads, inclusionProofNodes(index, size));

          const consistency = restrictedSource(refTree, consistencyProofNodes(size1, size));
          expect(hexes(consistencyProof(size1, size, consistency.source))).toEqual(
            hexes(refProof(size1, size)),
          );
          sameNodes(consistency.reads, consistencyProofNodes(size1, size));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps its index arithmetic exact up to 2^53 - 1 leaves', () => {
    const size = fc.oneof(
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 2 ** 32 - 4, max: 2 ** 32 + 4 }),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 52, 2 ** 52 + 1, 2 ** 33 - 1),
    );
    fc.assert(
      fc.property(
        size.chain((n) =>
          fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n })),
        ),
        ([n, index, size1]) => {
          expect(inclusionProofNodes(index, n)).toEqual(refPathRanges(index, 0, n).flatMap(tile));
          expect(consistencyProofNodes(size1, n)).toEqual(refProofRanges(size1, n).flatMap(tile));
          expect(rootNodes(n)).toEqual(tile([0, n]));
        },
      ),
      { numRuns: 300 },
    );
    // A tree whose leaves are all equal has one hash per level, so it can be "stored" at any size: proofs built
    // from it at huge sizes must verify (this checks lengths and levels, not which index of a level is read).
    const perLevel = [leafHash(utf8('same'))];
    for (let level = 1; level <= 53; level += 1) {
      const below = perLevel[level - 1] ?? new Uint8Array();
      perLevel.push(nodeHash(below, below));
    }
    const uniform: NodeSource = { node: (level) => perLevel[level] ?? new Uint8Array() };
    for (const n of [2 ** 32 + 1, 2 ** 40 + 12_345, Number.MAX_SAFE_INTEGER]) {
      const leaf = perLevel[0] ?? new Uint8Array();
      for (const index of [0, 1, 2 ** 31, 2 ** 32, Math.floor(n / 2), n - 2, n - 1]) {
        verifyInclusion(leaf, index, n, inclusionProof(index, n, uniform), rootAt(n, uniform));
      }
      for (const size1 of [1, 3, 2 ** 32 - 1, 2 ** 32 + 1, n - 1]) {
        verifyConsistency(
          size1,
          n,
          consistencyProof(size1, n, uniform),
          rootAt(size1, uniform),
          rootAt(n, uniform),
        );
      }
    }
  });

  it('refuses to build proofs and appends that cannot exist', () => {
    expect(() => refTree.inclusionProof(300, 300)).toThrow(RangeError);
    expect(() => refTree.inclusionProof(-1, 300)).toThrow(RangeError);
    expect(() => refTree.inclusionProof(0, 301)).toThrow(RangeError);
    expect(() => refTree.consistencyProof(5, 4)).toThrow(RangeError);
    expect(() => rootNodes(-1)).toThrow(RangeError);
    expect(refTree.consistencyProof(0, 300)).toEqual([]);
    expect(refTree.consistencyProof(300, 300)).toEqual([]);
    const tree = new InMemoryMerkleTree();
    expect(() => tree.appendLeafHashes([new Uint8Array(31)])).toThrow(TypeError);
    expect(tree.size).toBe(0);
    // A stored node of the wrong length is a storage fault, not a proof failure.
    const corrupt: NodeSource = { node: () => new Uint8Array(31) };
    expect(outcomeOf(() => nodesToStore(1, [], corrupt))).toBe('OTHER ERROR');
    expect(outcomeOf(() => rootAt(1, corrupt))).toBe('OTHER ERROR');
  });
});
