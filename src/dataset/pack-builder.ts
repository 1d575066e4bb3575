/**
 * Builds a pack (pack.ts) from bytes as the decoder delivers them, in one reused buffer: a
 * small list, set or hash loaded from an RDB becomes one string, without a string per element
 * first (which cost more time in garbage collection than in decoding).
 */
import { toByteString, type ByteString } from './byte-string.js';
import { PACK_MAX_ITEMS, PACK_MAX_ITEM_BYTES, unpack } from './pack.js';

/** Slots of the duplicate check's table: at least twice the entries a pack holds. */
const DUP_SLOTS = 4 * PACK_MAX_ITEMS;

/** Collects pack entries of at most PACK_MAX_ITEM_BYTES bytes (one-byte headers). */
export class PackBuilder {
  private buf = new Uint8Array(1 << 14);
  private used = 0;
  /** Where each entry starts (its header), for the duplicate check. */
  private readonly starts: number[] = [];
  /** The duplicate check's hash table: entry number + 1, or 0 (free). */
  private readonly slots = new Int32Array(DUP_SLOTS);

  /** Entries so far. */
  get count(): number {
    return this.starts.length;
  }

  /** Starts a new pack. */
  reset(): void {
    this.used = 0;
    // Setting an array's length costs a call even when it is 0 already (most keys are strings).
    if (this.starts.length !== 0) this.starts.length = 0;
  }

  /** Appends an entry; false, appending nothing, when it is too long for a pack. */
  add(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (n > PACK_MAX_ITEM_BYTES) return false;
    if (this.used + 1 + n > this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
    }
    this.starts.push(this.used);
    this.buf[this.used++] = n;
    this.buf.set(bytes, this.used);
    this.used += n;
    return true;
  }

  /** The pack so far. */
  pack(): ByteString {
    return toByteString(this.buf.subarray(0, this.used));
  }

  /** The entries so far, as byte strings. */
  items(): ByteString[] {
    return unpack(this.pack());
  }

  /**
   * An entry that appears twice among entries 0, `step`, 2·`step` … (set members: 1; hash
   * fields: 2), or null.
   */
  duplicate(step: 1 | 2): ByteString | null {
    const s = this.starts;
    const n = s.length;
    if (n / step > 16 && n / step <= DUP_SLOTS / 2) return this.duplicateHashed(step);
    if (n / step > 16) {
      const items = this.items();
      const seen = new Set<ByteString>();
      for (let i = 0; i < items.length; i += step) {
        if (seen.has(items[i])) return items[i];
        seen.add(items[i]);
      }
      return null;
    }
    const b = this.buf;
    for (let i = step; i < n; i += step) {
      for (let j = 0; j < i; j += step) {
        const len = b[s[i]];
        if (b[s[j]] !== len) continue;
        let k = 1;
        while (k <= len && b[s[i] + k] === b[s[j] + k]) k++;
        if (k > len) return toByteString(b.subarray(s[i] + 1, s[i] + 1 + len));
      }
    }
    return null;
  }

  /**
   * {@link duplicate} for more than a few entries: each entry's bytes hashed into a reused
   * open-addressing table, bytes compared only when two land together (no string made).
   */
  private duplicateHashed(step: 1 | 2): ByteString | null {
    const s = this.starts;
    const b = this.buf;
    const slots = this.slots;
    slots.fill(0);
    for (let i = 0; i < s.length; i += step) {
      const at = s[i];
      const len = b[at];
      let h = 0x811c9dc5;
      for (let k = 1; k <= len; k++) h = Math.imul(h ^ b[at + k], 0x01000193);
      h ^= h >>> 15;
      for (let slot = h & (DUP_SLOTS - 1); ; slot = (slot + 1) & (DUP_SLOTS - 1)) {
        const other = slots[slot];
        if (other === 0) {
          slots[slot] = i + 1;
          break;
        }
        const ot = s[other - 1];
        if (b[ot] !== len) continue;
        let k = 1;
        while (k <= len && b[at + k] === b[ot + k]) k++;
        if (k > len) return toByteString(b.subarray(at + 1, at + 1 + len));
      }
    }
    return null;
  }
}
