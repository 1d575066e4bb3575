/**
 * Memory by key prefix, in bounded memory: the prefixes of each level (a key's bytes up to
 * and including its first separator, its second, …, down to `depth`) are counted in a table
 * of at most {@link PREFIX_TREE_CAPACITY} entries per level, whatever the number of keys.
 *
 * A full table makes room with the Space-Saving rule (Metwally et al., weighted by bytes): the
 * prefix holding the least memory leaves, and the new prefix starts from the memory and key
 * count the leaver had, recorded as its possible error. Every prefix whose memory exceeds
 * 1/capacity of its level's total is therefore kept; its figures are exact as long as it
 * never had to take a leaver's place (`errorBytes` 0), and are otherwise upper bounds
 * off by at most `errorBytes` and `errorKeys`. Prefixes are counted over all databases.
 *
 * A full level whose prefixes keep changing (a level of unique IDs, `user:<id>:`) replaces an
 * entry at almost every key: some hundreds of nanoseconds each, the cost of going deeper.
 */

/** Prefixes kept per level. */
export const PREFIX_TREE_CAPACITY = 1024;

/** One prefix as reported. Byte strings are copies. */
export interface PrefixStats {
  /** The prefix bytes, separator included. */
  prefix: Uint8Array;
  /** Level: 1 for the part before the first separator. */
  level: number;
  keys: number;
  memoryBytes: number;
  /** How much of `memoryBytes` and `keys` may belong to prefixes that left the table (0: exact). */
  errorBytes: number;
  errorKeys: number;
  /** The biggest key seen under the prefix while it was in the table. */
  biggestKey: { db: number; key: Uint8Array; memoryBytes: number } | null;
  /** The prefixes one level down that were kept, most memory first. */
  children: PrefixStats[];
}

/** The tree of prefixes: level-1 prefixes at the top. */
export interface PrefixTreeReport {
  separator: Uint8Array;
  depth: number;
  /** Prefixes kept per level. */
  capacity: number;
  /** Keys counted, and their memory. */
  keys: number;
  memoryBytes: number;
  /** Keys without the separator (no level-1 prefix), and their memory. */
  unprefixedKeys: number;
  unprefixedBytes: number;
  /** True when some level's table was full and prefixes left it (figures marked by their error). */
  approximate: boolean;
  roots: PrefixStats[];
}

interface Entry {
  /** The prefix bytes are `prefix[0..prefixLen)` (the buffer is reused when the entry is). */
  prefix: Uint8Array;
  prefixLen: number;
  hash: number;
  keys: number;
  memoryBytes: number;
  errorBytes: number;
  errorKeys: number;
  /** The biggest key, `bigKey[0..bigLen)` (-1: none yet). */
  bigDb: number;
  bigKey: Uint8Array;
  bigLen: number;
  bigBytes: number;
  /** Position in the level's heap, and the entry's fixed number (its slot in `pool`). */
  at: number;
  id: number;
}

/**
 * One level's table: entries found through an open-addressing index (linear probing over a
 * power-of-two table at most a quarter full, deletions by backward shift), ordered by a
 * min-heap by memory. Entries and their byte buffers are reused when a prefix leaves, so a
 * level whose prefixes keep changing allocates nothing.
 */
class Level {
  readonly heap: Entry[] = [];
  private readonly pool: Entry[] = [];
  private readonly slots: Int32Array;
  private readonly mask: number;
  evictions = 0;
  /** The entry found last: keys of one prefix often come in runs, or dominate. */
  private last: Entry | null = null;
  /** What the last add changed, to take it back: the entry, and its biggest key before. */
  undoEntry: Entry | null = null;
  private undoBig = new Uint8Array(64);
  private undoBigLen = -1;
  private undoBigBytes = -1;
  private undoBigDb = 0;

  constructor(readonly capacity: number) {
    let size = 16;
    while (size < capacity * 4) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  find(hash: number, key: Uint8Array, len: number): Entry | null {
    const last = this.last;
    if (last !== null && last.hash === hash && last.prefixLen === len && samePrefix(last.prefix, key, len)) return last;
    const slots = this.slots;
    for (let i = hash & this.mask; slots[i] !== 0; i = (i + 1) & this.mask) {
      const e = this.pool[slots[i] - 1];
      if (e.hash === hash && e.prefixLen === len && samePrefix(e.prefix, key, len)) return (this.last = e);
    }
    return null;
  }

  /**
   * Adds the memory of the key `key[0..keyLen)` to its prefix `key[0..len)` (made an entry, or
   * taking the place of the smallest).
   */
  add(hash: number, key: Uint8Array, len: number, keyLen: number, db: number, bytes: number): void {
    let e = this.find(hash, key, len);
    if (e === null) {
      let keys = 0;
      let memory = 0;
      if (this.heap.length >= this.capacity) {
        e = this.heap[0];
        this.unlink(e);
        keys = e.keys;
        memory = e.memoryBytes;
        this.evictions++;
      } else {
        e = { prefix: new Uint8Array(Math.max(16, len)), prefixLen: 0, hash: 0, keys: 0, memoryBytes: 0, errorBytes: 0, errorKeys: 0, bigDb: 0, bigKey: new Uint8Array(Math.max(32, keyLen)), bigLen: -1, bigBytes: -1, at: this.heap.length, id: this.pool.length };
        this.heap.push(e);
        this.pool.push(e);
      }
      if (e.prefix.length < len) e.prefix = new Uint8Array(len * 2);
      for (let i = 0; i < len; i++) e.prefix[i] = key[i];
      e.prefixLen = len;
      e.hash = hash;
      e.keys = keys;
      e.memoryBytes = memory;
      e.errorKeys = keys;
      e.errorBytes = memory;
      e.bigLen = -1;
      e.bigBytes = -1;
      const slots = this.slots;
      let i = hash & this.mask;
      while (slots[i] !== 0) i = (i + 1) & this.mask;
      slots[i] = e.id + 1;
      this.last = e;
    }
    this.undoEntry = e;
    this.undoBigBytes = -2; // the biggest key unchanged
    e.keys++;
    e.memoryBytes += bytes;
    if (bytes > e.bigBytes) {
      this.keepForUndo(e);
      if (e.bigKey.length < keyLen) e.bigKey = new Uint8Array(keyLen * 2);
      for (let i = 0; i < keyLen; i++) e.bigKey[i] = key[i];
      e.bigLen = keyLen;
      e.bigBytes = bytes;
      e.bigDb = db;
    }
    if (2 * e.at + 1 < this.heap.length) this.down(e.at);
  }

  /** Saves an entry's biggest key before it changes. */
  private keepForUndo(e: Entry): void {
    this.undoBigBytes = e.bigBytes;
    this.undoBigDb = e.bigDb;
    this.undoBigLen = e.bigLen;
    if (e.bigLen > 0) {
      if (this.undoBig.length < e.bigLen) this.undoBig = new Uint8Array(e.bigLen * 2);
      this.undoBig.set(e.bigKey.subarray(0, e.bigLen));
    }
  }

  /** Takes back the last add of `bytes` (its entry's figures and biggest key). */
  undo(bytes: number): void {
    const e = this.undoEntry;
    if (e === null) return;
    e.keys--;
    e.memoryBytes -= bytes;
    if (this.undoBigBytes !== -2) {
      e.bigBytes = this.undoBigBytes;
      e.bigDb = this.undoBigDb;
      e.bigLen = this.undoBigLen;
      if (e.bigLen > 0) e.bigKey.set(this.undoBig.subarray(0, e.bigLen));
    }
    this.undoEntry = null;
  }

  /** Takes an entry out of the index (backward-shift deletion keeps every probe chain whole). */
  private unlink(e: Entry): void {
    if (this.last === e) this.last = null;
    const slots = this.slots;
    const mask = this.mask;
    let i = e.hash & mask;
    while (slots[i] !== e.id + 1) i = (i + 1) & mask;
    slots[i] = 0;
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = this.pool[slots[j] - 1].hash & mask;
      // Move the entry at j back to i unless its home lies cyclically within (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      slots[i] = slots[j];
      slots[j] = 0;
      i = j;
    }
  }

  // A min-heap by memory: an entry only ever grows, so it only moves down.
  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].memoryBytes < h[m].memoryBytes) m = l;
      if (r < h.length && h[r].memoryBytes < h[m].memoryBytes) m = r;
      if (m === i) return;
      const t = h[i];
      h[i] = h[m];
      h[m] = t;
      h[i].at = i;
      h[m].at = m;
      i = m;
    }
  }
}

function samePrefix(a: Uint8Array, b: Uint8Array, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Options of {@link PrefixTree}. */
export interface PrefixTreeOptions {
  /** The separator (default `:`); at least one byte. */
  separator?: Uint8Array;
  /** Levels (default 1). */
  depth?: number;
  /** Prefixes kept per level (default {@link PREFIX_TREE_CAPACITY}). */
  capacity?: number;
}

/** Counts keys and memory per prefix (see the module notes). */
export class PrefixTree {
  readonly separator: Uint8Array;
  readonly depth: number;
  readonly capacity: number;
  private readonly levels: Level[] = [];
  private keys = 0;
  private memoryBytes = 0;
  private unprefixedKeys = 0;
  private unprefixedBytes = 0;
  /** The last key's memory (-1: none to take back) and the levels it reached. */
  private lastBytes = -1;
  private lastLevels = 0;

  constructor(opts: PrefixTreeOptions = {}) {
    this.separator = opts.separator ?? new Uint8Array([0x3a]);
    if (this.separator.length === 0) throw new RangeError('the prefix separator is empty');
    this.depth = opts.depth ?? 1;
    this.capacity = opts.capacity ?? PREFIX_TREE_CAPACITY;
    for (let i = 0; i < this.depth; i++) this.levels.push(new Level(this.capacity));
  }

  /** Counts one key (`key[0..keyLen)`, the whole array by default) of `bytes` memory. */
  add(db: number, key: Uint8Array, bytes: number, keyLen = key.length): void {
    this.keys++;
    this.memoryBytes += bytes;
    this.lastBytes = bytes;
    this.lastLevels = 0;
    const sep = this.separator;
    const sl = sep.length;
    let level = 0;
    // FNV-1a over the bytes up to each separator: each prefix's hash extends the last one.
    let h = 0x811c9dc5;
    let hashed = 0;
    let from = 0;
    while (level < this.depth) {
      const at = indexOfSeparator(key, sep, from, keyLen);
      if (at < 0) break;
      const end = at + sl;
      for (let i = hashed; i < end; i++) h = Math.imul(h ^ key[i], 0x01000193);
      hashed = end;
      this.levels[level].add(h >>> 0, key, end, keyLen, db, bytes);
      level++;
      this.lastLevels = level;
      from = end;
    }
    if (level === 0) {
      this.unprefixedKeys++;
      this.unprefixedBytes += bytes;
    }
  }

  /** Takes back the last key counted (once; a key whose record turned out incomplete). */
  undoLast(): void {
    if (this.lastBytes < 0) return;
    const bytes = this.lastBytes;
    this.keys--;
    this.memoryBytes -= bytes;
    if (this.lastLevels === 0) {
      this.unprefixedKeys--;
      this.unprefixedBytes -= bytes;
    }
    for (let i = 0; i < this.lastLevels; i++) this.levels[i].undo(bytes);
    this.lastBytes = -1;
  }

  /** The tree: each level's prefixes under their parent, most memory first. */
  result(): PrefixTreeReport {
    const byLevel = this.levels.map((l, i) =>
      l.heap.map(
        (e): PrefixStats => ({
          prefix: e.prefix.slice(0, e.prefixLen),
          level: i + 1,
          keys: e.keys,
          memoryBytes: e.memoryBytes,
          errorBytes: e.errorBytes,
          errorKeys: e.errorKeys,
          biggestKey: e.bigLen < 0 ? null : { db: e.bigDb, key: e.bigKey.slice(0, e.bigLen), memoryBytes: e.bigBytes },
          children: [],
        }),
      ),
    );
    const order = (a: PrefixStats, b: PrefixStats): number => b.memoryBytes - a.memoryBytes || Buffer.compare(a.prefix, b.prefix);
    for (let i = byLevel.length - 1; i >= 1; i--) {
      const parents = new Map<string, PrefixStats>();
      for (const p of byLevel[i - 1]) parents.set(Buffer.from(p.prefix).toString('latin1'), p);
      for (const c of byLevel[i]) {
        // The parent's prefix ends at the previous separator: the last one before the child's own.
        const cut = lastSeparatorEnd(c.prefix, this.separator);
        const parent = parents.get(Buffer.from(c.prefix.subarray(0, cut)).toString('latin1'));
        if (parent) parent.children.push(c);
      }
    }
    for (const level of byLevel) for (const p of level) p.children.sort(order);
    return {
      separator: this.separator,
      depth: this.depth,
      capacity: this.capacity,
      keys: this.keys,
      memoryBytes: this.memoryBytes,
      unprefixedKeys: this.unprefixedKeys,
      unprefixedBytes: this.unprefixedBytes,
      approximate: this.levels.some((l) => l.evictions > 0),
      roots: (byLevel[0] ?? []).sort(order),
    };
  }
}

/** Where `sep` next occurs in `key[from..keyLen)`, or -1. */
function indexOfSeparator(key: Uint8Array, sep: Uint8Array, from: number, keyLen: number): number {
  const s0 = sep[0];
  const last = keyLen - sep.length;
  for (let at = from; at <= last; at++) {
    if (key[at] !== s0) continue;
    let j = 1;
    while (j < sep.length && key[at + j] === sep[j]) j++;
    if (j === sep.length) return at;
  }
  return -1;
}

/** Where the prefix before `prefix`'s final separator ends (just after the previous separator). */
function lastSeparatorEnd(prefix: Uint8Array, sep: Uint8Array): number {
  const sl = sep.length;
  for (let i = prefix.length - sl - 1; i >= sl - 1; i--) {
    let match = true;
    for (let j = 0; j < sl; j++) if (prefix[i - sl + 1 + j] !== sep[j]) match = false;
    if (match) return i + 1;
  }
  return 0;
}
