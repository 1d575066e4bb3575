/**
 * Finds a set member, sorted-set member or hash field that a value read element by element
 * holds twice — the damage the dataset's loader refuses when it builds the value — without
 * building the value: each element's bytes are copied into one reused buffer and hashed into
 * an open-addressing table of their positions. Memory grows with the value being checked
 * (the caller stops checking past a size) and is kept for the next value.
 */

/** Slots of an empty table; the table doubles when half full. */
const START_SLOTS = 256;

/** The table and buffer sizes kept between values (larger ones are let go at {@link reset}). */
const KEEP_SLOTS = 1 << 16;
const KEEP_BYTES = 1 << 20;

/** The elements of one value seen so far (see the file comment). */
export class MemberCheck {
  private buf = new Uint8Array(1 << 14);
  private used = 0;
  /** Where each element starts in {@link buf}, and its length. */
  private starts = new Int32Array(START_SLOTS / 2);
  private lens = new Int32Array(START_SLOTS / 2);
  private count = 0;
  /** Element number + 1 per slot, or 0 (free). */
  private slots = new Int32Array(START_SLOTS);
  /** The slot of each element. */
  private slotOf = new Int32Array(START_SLOTS / 2);

  /** Starts a new value. */
  reset(): void {
    if (this.count !== 0) {
      if (this.slots.length > KEEP_SLOTS) {
        this.slots = new Int32Array(START_SLOTS);
        this.starts = new Int32Array(START_SLOTS / 2);
        this.lens = new Int32Array(START_SLOTS / 2);
        this.slotOf = new Int32Array(START_SLOTS / 2);
      } else if (this.count * 16 < this.slots.length) {
        // A few elements in a table a large value grew: only their slots are cleared.
        const slots = this.slots;
        const slotOf = this.slotOf;
        for (let e = 0; e < this.count; e++) slots[slotOf[e]] = 0;
      } else this.slots.fill(0);
    }
    if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(1 << 14);
    this.used = 0;
    this.count = 0;
  }

  /** Adds an element's bytes; false (adding nothing) when the value already has it. */
  add(b: Uint8Array): boolean {
    return this.addRange(b, 0, b.length);
  }

  /** {@link add} of the element `src[start, end)`. */
  addRange(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if ((this.count + 1) * 2 > this.slots.length) this.growTable();
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ src[i], 0x01000193);
    h ^= h >>> 15;
    const slots = this.slots;
    const mask = slots.length - 1;
    const buf = this.buf;
    let slot = h & mask;
    for (let other = slots[slot]; other !== 0; other = slots[slot]) {
      if (this.lens[other - 1] === n) {
        const at = this.starts[other - 1];
        let i = 0;
        while (i < n && buf[at + i] === src[start + i]) i++;
        if (i === n) return false;
      }
      slot = (slot + 1) & mask;
    }
    if (this.used + n > buf.length) this.growBytes(this.used + n);
    const to = this.buf;
    for (let i = start, p = this.used; i < end; i++, p++) to[p] = src[i];
    const e = this.count++;
    this.starts[e] = this.used;
    this.lens[e] = n;
    this.used += n;
    slots[slot] = e + 1;
    this.slotOf[e] = slot;
    return true;
  }

  private growBytes(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }

  /** Doubles the table (and the element arrays with it) and puts every element back. */
  private growTable(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    const starts = new Int32Array(size / 2);
    const lens = new Int32Array(size / 2);
    const slotOf = new Int32Array(size / 2);
    starts.set(this.starts);
    lens.set(this.lens);
    const buf = this.buf;
    for (let e = 0; e < this.count; e++) {
      const at = starts[e];
      const end = at + lens[e];
      let h = 0x811c9dc5;
      for (let i = at; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
      h ^= h >>> 15;
      let slot = h & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
      slotOf[e] = slot;
    }
    this.slots = slots;
    this.slotOf = slotOf;
    this.starts = starts;
    this.lens = lens;
  }
}
