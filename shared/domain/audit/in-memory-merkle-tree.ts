import {
  type AppendResult,
  consistencyProof,
  emptyRootHash,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  type NodeSource,
  nodesToStore,
  rootAt,
  type StoredNode,
} from './merkle.ts';

/**
 * A Merkle log held in memory, for tests and benchmarks, built only on merkle.ts: it stores what a durable store
 * would (the hash of every perfect subtree, written once) and answers roots and proofs from those hashes alone.
 * Each level is one growing byte array of 32-byte hashes, so a million leaves cost about 64 MiB.
 */
export class InMemoryMerkleTree implements NodeSource {
  readonly #levels: Uint8Array[] = [];
  readonly #counts: number[] = [];
  #size = 0;
  #root: Uint8Array = emptyRootHash();

  get size(): number {
    return this.#size;
  }

  /** The current root (a copy). */
  root(): Uint8Array {
    return new Uint8Array(this.#root);
  }

  /** Appends one entry's bytes as a leaf (RFC 6962 leaf hash) and returns its index. */
  append(data: Uint8Array): number {
    const index = this.#size;
    this.appendLeafHashes([leafHash(data)]);
    return index;
  }

  /** Appends several entries at once: one root computation for the whole batch. */
  appendAll(entries: readonly Uint8Array[]): AppendResult {
    return this.appendLeafHashes(entries.map(leafHash));
  }

  appendLeafHashes(leafHashes: readonly Uint8Array[]): AppendResult {
    const result = nodesToStore(this.#size, leafHashes, this);
    for (const node of result.nodes) this.#store(node);
    this.#size = result.size;
    this.#root = result.root;
    return result;
  }

  /** The stored hash of the perfect subtree (level, index), copied so that callers cannot alter the store. */
  node(level: number, index: number): Uint8Array {
    const bytes = this.#levels[level];
    const count = this.#counts[level] ?? 0;
    if (bytes === undefined || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`no stored node (${level}, ${index})`);
    }
    return bytes.slice(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  rootAt(size: number): Uint8Array {
    this.#requireSize(size);
    return rootAt(size, this);
  }

  inclusionProof(index: number, size: number = this.#size): Uint8Array[] {
    this.#requireSize(size);
    return inclusionProof(index, size, this);
  }

  consistencyProof(size1: number, size2: number = this.#size): Uint8Array[] {
    this.#requireSize(size2);
    return consistencyProof(size1, size2, this);
  }

  /** Bytes held for stored hashes (capacity included). */
  get storedBytes(): number {
    return this.#levels.reduce((sum, level) => sum + level.byteLength, 0);
  }

  #requireSize(size: number): void {
    if (size > this.#size) throw new RangeError(`the tree has ${this.#size} leaves, not ${size}`);
  }

  /** Perfect subtrees complete in index order at each level, so every store is an append to its level. */
  #store({ level, index, hash }: StoredNode): void {
    const count = this.#counts[level] ?? 0;
    if (index !== count) throw new Error(`node (${level}, ${index}) stored out of order`);
    let bytes = this.#levels[level] ?? new Uint8Array(64 * HASH_SIZE);
    if ((count + 1) * HASH_SIZE > bytes.length) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
    }
    bytes.set(hash, count * HASH_SIZE);
    this.#levels[level] = bytes;
    this.#counts[level] = count + 1;
  }
}
