/**
 * The N biggest keys by on-disk size and by element count, kept in two bounded min-heaps:
 * memory stays O(N) whatever the file size, and a key's bytes are copied only when it
 * enters a heap.
 */
import { copyBytes } from '../io/bytes.js';
import type { KeyInfo } from '../model/events.js';
import type { Encoding, ValueType } from '../model/redis-types.js';
import type { KeyAnalyzer } from './key-summary.js';

/** One entry of a top-N list. */
export interface BigKey {
  db: number;
  /** The key bytes (a copy). */
  key: Uint8Array;
  valueType: ValueType;
  encoding: Encoding;
  /** Bytes the record takes in the file. */
  onDiskBytes: number;
  /**
   * What the key would take in a Redis 7.0 server's memory once loaded, as estimated from the
   * record alone (see analyze/memory/quick-estimate.ts); undefined when not estimated.
   */
  memoryBytes?: number;
  elements: number;
  expireAtMs: number | null;
  /** Absolute offset of the record. */
  offset: number;
}

/** Result of {@link BiggestKeys}: each list sorted biggest first, ties in file order. */
export interface BiggestKeysResult {
  bySize: BigKey[];
  byElements: BigKey[];
}

/** A bounded min-heap keeping the `limit` largest items by `metric` (first seen wins ties). */
export class TopN<T> {
  private readonly heap: { v: number; seq: number; item: T }[] = [];
  private seq = 0;

  constructor(
    readonly limit: number,
  ) {}

  /** True when an item with metric `v` would enter the heap (check before building it). */
  accepts(v: number): boolean {
    if (this.limit <= 0) return false;
    return this.heap.length < this.limit || v > this.heap[0].v;
  }

  /** Offers an item; call only when {@link accepts} said yes. */
  push(v: number, item: T): void {
    const h = this.heap;
    const e = { v, seq: this.seq++, item };
    if (h.length < this.limit) {
      h.push(e);
      this.up(h.length - 1);
    } else {
      h[0] = e;
      this.down(0);
    }
  }

  /** The items, largest first, ties in insertion order. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => b.v - a.v || a.seq - b.seq).map((e) => e.item);
  }

  // Heap order: smaller v first; on equal v the later insertion is "smaller" (evicted first).
  private less(i: number, j: number): boolean {
    const a = this.heap[i];
    const b = this.heap[j];
    return a.v < b.v || (a.v === b.v && a.seq > b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(l, m)) m = l;
      if (r < h.length && this.less(r, m)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

/**
 * Tracks the `limit` (default 10) biggest keys by on-disk size and by element count. Each list
 * holds one key more than it shows, so that one key can be taken back (see {@link result})
 * and the lists stay exact.
 */
export class BiggestKeys implements KeyAnalyzer<BiggestKeysResult> {
  private readonly bySize: TopN<BigKey>;
  private readonly byElements: TopN<BigKey>;

  /**
   * @param memoryOf estimates a key's memory when it enters a list (called during `onKey`, with
   *   the same record); without it, `memoryBytes` is left out
   */
  constructor(
    readonly limit = 10,
    private readonly memoryOf?: (k: Readonly<KeyInfo>) => number,
  ) {
    const kept = limit > 0 ? limit + 1 : 0;
    this.bySize = new TopN(kept);
    this.byElements = new TopN(kept);
  }

  onKey(k: Readonly<KeyInfo>): void {
    const size = this.bySize.accepts(k.onDiskBytes);
    const count = this.byElements.accepts(k.elements);
    if (!size && !count) return;
    const entry: BigKey = {
      db: k.db,
      key: copyBytes(k.key),
      valueType: k.valueType,
      encoding: k.encoding,
      onDiskBytes: k.onDiskBytes,
      elements: k.elements,
      expireAtMs: k.expireAtMs,
      offset: k.offset,
    };
    if (this.memoryOf !== undefined) entry.memoryBytes = Math.round(this.memoryOf(k));
    if (size) this.bySize.push(k.onDiskBytes, entry);
    if (count) this.byElements.push(k.elements, entry);
  }

  /**
   * The two lists, biggest first. `withoutOffset` takes back the key whose record starts
   * there (a key counted before its record turned out to be incomplete).
   */
  result(withoutOffset?: number): BiggestKeysResult {
    const list = (t: TopN<BigKey>): BigKey[] => t.sorted().filter((k) => k.offset !== withoutOffset).slice(0, this.limit);
    return { bySize: list(this.bySize), byElements: list(this.byElements) };
  }
}
