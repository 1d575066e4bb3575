/**
 * A double-ended queue over a ring buffer: O(1) pushes and pops at both ends, O(1) access by
 * index, and inserts or removals in the middle that move only the shorter side. Lists use it
 * for their elements (LPUSH/RPUSH/LPOP/RPOP/LINDEX/LSET cost O(1), LINSERT/LREM O(n) as in
 * Redis) and streams for their entries (XADD at the tail, trimming at the head).
 */

const MIN_CAPACITY = 4;

/** A ring-buffer deque of `T` (never holding `undefined` as an element). */
export class Deque<T> {
  protected buf: (T | undefined)[];
  protected head = 0;
  protected len = 0;
  protected mask: number;

  /** @param capacity initial room (rounded up to a power of two). */
  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  /** Number of elements. */
  get length(): number {
    return this.len;
  }

  /** The element at `index` (0 = head), or undefined outside 0 … length−1. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.len) return undefined;
    return this.buf[(this.head + index) & this.mask];
  }

  /** Replaces the element at `index`; false when `index` is outside the deque. */
  setAt(index: number, value: T): boolean {
    if (index < 0 || index >= this.len) return false;
    this.buf[(this.head + index) & this.mask] = value;
    return true;
  }

  /** Appends at the tail. */
  pushBack(value: T): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = value;
    this.len++;
  }

  /** Prepends at the head. */
  pushFront(value: T): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = value;
    this.len++;
  }

  /** Removes and returns the head element. */
  popFront(): T | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Removes and returns the tail element. */
  popBack(): T | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Inserts `value` so that it ends up at `index` (0 … length); moves the shorter side. */
  insertAt(index: number, value: T): void {
    if (index < 0 || index > this.len) throw new RangeError(`index ${index} outside 0…${this.len}`);
    if (index === 0) return this.pushFront(value);
    if (index === this.len) return this.pushBack(value);
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    const b = this.buf;
    const m = this.mask;
    if (index < this.len / 2) {
      // Shift the first `index` elements one place towards the head.
      this.head = (this.head - 1) & m;
      for (let i = 0; i < index; i++) b[(this.head + i) & m] = b[(this.head + i + 1) & m];
    } else {
      for (let i = this.len; i > index; i--) b[(this.head + i) & m] = b[(this.head + i - 1) & m];
    }
    b[(this.head + index) & m] = value;
    this.len++;
  }

  /** Removes and returns the element at `index`; moves the shorter side. */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.len) return undefined;
    const b = this.buf;
    const m = this.mask;
    const v = b[(this.head + index) & m];
    if (index < this.len / 2) {
      for (let i = index; i > 0; i--) b[(this.head + i) & m] = b[(this.head + i - 1) & m];
      b[this.head] = undefined;
      this.head = (this.head + 1) & m;
    } else {
      for (let i = index; i < this.len - 1; i++) b[(this.head + i) & m] = b[(this.head + i + 1) & m];
      b[(this.head + this.len - 1) & m] = undefined;
    }
    this.len--;
    this.maybeShrink();
    return v;
  }

  /**
   * Removes up to `limit` elements that `match` accepts, scanning from the head (or from the
   * tail with `fromTail`), in one pass. Returns how many were removed.
   */
  removeWhere(match: (v: T) => boolean, limit = Infinity, fromTail = false): number {
    const b = this.buf;
    const m = this.mask;
    const n = this.len;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const v = b[(this.head + r) & m] as T;
        if (removed < limit && match(v)) removed++;
        else b[(this.head + w++) & m] = v;
      }
      for (let i = w; i < n; i++) b[(this.head + i) & m] = undefined;
    } else {
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const v = b[(this.head + r) & m] as T;
        if (removed < limit && match(v)) removed++;
        else b[(this.head + w--) & m] = v;
      }
      for (let i = 0; i <= w; i++) b[(this.head + i) & m] = undefined;
      this.head = (this.head + removed) & m;
    }
    this.len -= removed;
    this.maybeShrink();
    return removed;
  }

  /** Keeps only the elements at `start` … `end` (inclusive, already within 0 … length−1); empties the deque when start > end. */
  keepRange(start: number, end: number): void {
    if (start > end || start >= this.len || end < 0) return this.clear();
    const dropTail = this.len - 1 - end;
    for (let i = 0; i < dropTail; i++) {
      this.buf[(this.head + this.len - 1) & this.mask] = undefined;
      this.len--;
    }
    for (let i = 0; i < start; i++) {
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
      this.len--;
    }
    this.maybeShrink();
  }

  /** Removes every element. */
  clear(): void {
    this.buf = new Array<T | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
  }

  /** Elements from `start` (inclusive) to `end` (exclusive), head to tail. */
  *range(start = 0, end = this.len): IterableIterator<T> {
    const s = Math.max(0, start);
    const e = Math.min(this.len, end);
    for (let i = s; i < e; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.range();
  }

  /** The elements as a plain array, head to tail. */
  toArray(): T[] {
    const out = new Array<T>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.head + i) & this.mask] as T;
    return out;
  }

  /** Copies this deque's elements into `out` (which must be empty). */
  protected copyInto<D extends Deque<T>>(out: D): D {
    let cap = MIN_CAPACITY;
    while (cap < this.len) cap *= 2;
    out.buf = new Array<T | undefined>(cap);
    for (let i = 0; i < this.len; i++) out.buf[i] = this.buf[(this.head + i) & this.mask];
    out.mask = cap - 1;
    out.head = 0;
    out.len = this.len;
    return out;
  }

  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > 64 && this.len < cap / 4) this.resize(cap / 2);
  }

  private resize(cap: number): void {
    const next = new Array<T | undefined>(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
  }
}
