/**
 * How many nodes a rax (rax.c) of 16-byte stream IDs has — what `MEMORY USAGE` counts for a
 * stream's listpack index and its pending-entry lists (`streamRadixTreeMemoryUsage`: 4 + 240
 * bytes per node, 16 per element).
 *
 * Keys arrive in ascending order (a stream's nodes and a PEL are saved in ID order), so each
 * new key leaves the path of the previous one at their common prefix and only that path is
 * kept: the simulation follows `raxGenericInsert` — a compressed node split where the keys
 * part (a trimmed head and a postfix node as needed, and a one-child split node), a new child
 * there, and the rest of the key as one compressed node ending in an empty leaf — in O(16)
 * per key and constant memory. A key out of order is placed the same way against the
 * previous key, an approximation.
 *
 * It also adds up what the nodes allocate (`raxAllocSize`, which Valkey 8.1's `MEMORY USAGE`
 * counts): a node is a 4-byte header, its characters padded to 8 bytes, a child pointer (a
 * compressed node) or one per character, and a value pointer for a key (the 16-byte leaf
 * ending each ID); the path's nodes are the only ones that still change.
 */
import type { StructSizes } from './server-spec.js';

const KEY_BYTES = 16;
/** `sizeof(rax)` (8.1: head, element and node counts, allocation size). */
const RAX_BYTES = 32;
/** A leaf holding a key's value pointer. */
const LEAF_BYTES = 16;

/** The bytes of a rax node: compressed with `size` characters, or a branch of `size` children. */
function nodeBytes(compressed: boolean, size: number): number {
  return ((4 + size + 7) & ~7) + (compressed ? 8 : 8 * size);
}

/** One simulated rax of 16-byte keys; reusable (see {@link RaxSim.reset}). */
export class RaxSim {
  nodes = 1;
  elements = 0;
  /** The path of the last key: each node's first depth, length and whether it is compressed. */
  private readonly start = new Int32Array(KEY_BYTES + 1);
  private readonly len = new Int32Array(KEY_BYTES + 1);
  private readonly compressed = new Uint8Array(KEY_BYTES + 1);
  /** Each path node's size: characters (compressed) or children (a branch). */
  private readonly size = new Int32Array(KEY_BYTES + 1);
  /** What the nodes and the rax structure allocate (`raxAllocSize`), with `alloc`'s sizes. */
  realBytes = 0;
  private readonly alloc: (n: number) => number;
  private pathLen = 0;
  private readonly last = new Uint8Array(KEY_BYTES);
  /** What `MEMORY USAGE` counts per node and per element. */
  private readonly nodeBytes: number;
  private readonly elementBytes: number;

  constructor(
    sizes: Pick<StructSizes, 'raxNode' | 'raxElement'>,
    alloc: (n: number) => number = (n) => n,
    private readonly countsAllocations = false,
  ) {
    this.nodeBytes = sizes.raxNode;
    this.elementBytes = sizes.raxElement;
    this.alloc = alloc;
    this.realBytes = alloc(RAX_BYTES) + alloc(nodeBytes(false, 0));
  }

  /** An empty rax: the root node alone. */
  reset(): void {
    this.nodes = 1;
    this.elements = 0;
    this.pathLen = 0;
    this.realBytes = this.alloc(RAX_BYTES) + this.alloc(nodeBytes(false, 0));
  }

  /**
   * What `MEMORY USAGE` counts for this rax: `streamRadixTreeMemoryUsage` (flat sizes per node
   * and element), or with `countsAllocations` (Valkey 8.1) its allocations.
   */
  get accountedBytes(): number {
    return this.countsAllocations ? this.realBytes : this.nodes * this.nodeBytes + this.elements * this.elementBytes;
  }

  /** Inserts a 16-byte key (`key[at..at+16)`). */
  insert(key: Uint8Array, at = 0): void {
    if (this.elements === 0) {
      // The empty root becomes a compressed node of the whole key, with the leaf after it.
      this.nodes += 1;
      this.realBytes += this.alloc(nodeBytes(true, KEY_BYTES)) - this.alloc(nodeBytes(false, 0)) + this.alloc(LEAF_BYTES);
      this.setPath(0, 0, KEY_BYTES, true);
      this.pathLen = 1;
      this.elements = 1;
      this.last.set(key.subarray(at, at + KEY_BYTES));
      return;
    }
    let p = 0;
    while (p < KEY_BYTES && key[at + p] === this.last[p]) p++;
    if (p === KEY_BYTES) return; // already there
    let j = 0;
    while (j < this.pathLen - 1 && p >= this.start[j] + this.len[j]) j++;
    const A = this.alloc;
    if (this.compressed[j]) {
      const off = p - this.start[j];
      const postfix = this.len[j] - off - 1;
      this.realBytes -= A(nodeBytes(true, this.len[j]));
      if (postfix > 0) {
        this.nodes++;
        this.realBytes += A(nodeBytes(postfix > 1, postfix > 1 ? postfix : 1));
      }
      if (off > 0) {
        // The head of the compressed node stays; a one-child split node follows it.
        this.nodes++;
        this.realBytes += A(nodeBytes(off > 1, off > 1 ? off : 1));
        this.setPath(j, this.start[j], off, off > 1);
        j++;
      }
      this.realBytes += A(nodeBytes(false, 1));
      this.setPath(j, p, 1, false);
    }
    // The branch at depth p gets a child.
    this.realBytes += A(nodeBytes(false, this.size[j] + 1)) - A(nodeBytes(false, this.size[j]));
    this.size[j]++;
    this.pathLen = j + 1;
    // The new child at depth p, then the rest of the key.
    this.nodes++;
    const rest = KEY_BYTES - p - 1;
    if (rest > 0) {
      this.nodes++;
      this.realBytes += A(nodeBytes(rest > 1, rest > 1 ? rest : 1)) + A(LEAF_BYTES);
      this.setPath(this.pathLen, p + 1, rest, rest > 1);
      this.pathLen++;
    } else this.realBytes += A(LEAF_BYTES);
    this.elements++;
    this.last.set(key.subarray(at, at + KEY_BYTES));
  }

  private setPath(i: number, start: number, len: number, compressed: boolean): void {
    this.start[i] = start;
    this.len[i] = len;
    this.compressed[i] = compressed ? 1 : 0;
    this.size[i] = compressed ? len : 1;
  }
}

/**
 * Writes a stream ID given as `ms-seq` text as its 16 rax bytes (both parts big-endian
 * 64-bit) into `out[0..16)`. Text that is not such an ID leaves zeros.
 */
export function streamIdBytes(id: string, out: Uint8Array): void {
  out.fill(0);
  const dash = id.indexOf('-');
  if (dash <= 0) return;
  writeU64Decimal(id, 0, dash, out, 0);
  writeU64Decimal(id, dash + 1, id.length, out, 8);
}

/** Decimal digits `s[from..to)` as a big-endian unsigned 64-bit integer at `out[at..at+8)` (no BigInt). */
function writeU64Decimal(s: string, from: number, to: number, out: Uint8Array, at: number): void {
  let hi = 0;
  let lo = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return;
    lo = lo * 10 + d;
    const carry = Math.floor(lo / 0x100000000);
    lo -= carry * 0x100000000;
    hi = (hi * 10 + carry) % 0x100000000;
  }
  for (let i = 3; i >= 0; i--) {
    out[at + i] = hi & 255;
    hi = Math.floor(hi / 256);
    out[at + 4 + i] = lo & 255;
    lo = Math.floor(lo / 256);
  }
}
