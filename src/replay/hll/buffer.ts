/**
 * A HyperLogLog being changed: the value's bytes copied into a reusable buffer, edited in
 * place as hyperloglog.c edits its string, and turned back into a byte string once the
 * command is done. The byte after the value is kept zero, as Redis's string terminator is:
 * a damaged sparse value whose last opcode is a cut XZERO reads it, as Redis does.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { HLL_DENSE, HLL_DENSE_SIZE, HLL_ENCODING_AT, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, HLL_SPARSE_XZERO_MAX_LEN } from './layout.js';

/** A mutable HyperLogLog value. */
export class HllBuffer {
  /** The bytes; `bytes[length]` is 0 and room follows. */
  bytes: Buffer;
  /** Length of the value. */
  length = 0;
  /** A second buffer, the dense value being built while the sparse one is read. */
  private spare: Buffer;

  constructor(capacity = HLL_DENSE_SIZE + 1) {
    this.bytes = Buffer.alloc(capacity);
    this.spare = Buffer.alloc(HLL_DENSE_SIZE + 1);
  }

  /** The encoding byte. */
  get encoding(): number {
    return this.bytes[HLL_ENCODING_AT];
  }

  /** Loads a value (already checked with `isHllString`). */
  load(s: ByteString): this {
    this.reserve(s.length + 1);
    this.bytes.write(s, 0, 'latin1');
    this.length = s.length;
    this.bytes[s.length] = 0;
    return this;
  }

  /**
   * Loads the value of a new HyperLogLog (`createHLLObject`): sparse, every register zero in
   * XZERO opcodes of 16384, the cached cardinality 0.
   */
  loadEmpty(): this {
    const b = this.bytes;
    b.fill(0, 0, HLL_HDR_SIZE);
    b.write('HYLL', 0, 'latin1');
    b[HLL_ENCODING_AT] = HLL_SPARSE;
    let p = HLL_HDR_SIZE;
    for (let left = HLL_REGISTERS; left > 0; ) {
      const run = Math.min(left, HLL_SPARSE_XZERO_MAX_LEN);
      b[p++] = ((run - 1) >>> 8) | 0x40;
      b[p++] = (run - 1) & 0xff;
      left -= run;
    }
    this.length = p;
    b[p] = 0;
    return this;
  }

  /** Makes room for a value of `n` bytes and its terminator, keeping the bytes held. */
  reserve(n: number): void {
    if (this.bytes.length >= n + 1) return;
    const grown = Buffer.alloc(Math.max(n + 1, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length + 1);
    this.bytes = grown;
  }

  /** Sets the length (after an edit), writing the terminator. */
  setLength(n: number): void {
    this.length = n;
    this.bytes[n] = 0;
  }

  /**
   * A zeroed dense value with this value's header (magic, cache) and the dense encoding, in
   * the spare buffer; {@link adoptSpare} makes it the value.
   */
  startDense(): Buffer {
    const d = this.spare;
    d.fill(0, HLL_HDR_SIZE, HLL_DENSE_SIZE + 1);
    this.bytes.copy(d, 0, 0, HLL_HDR_SIZE);
    d[HLL_ENCODING_AT] = HLL_DENSE;
    return d;
  }

  /** Makes the dense value built in the spare buffer the value. */
  adoptSpare(): void {
    const old = this.bytes;
    this.bytes = this.spare;
    this.spare = old.length >= HLL_DENSE_SIZE + 1 ? old : Buffer.alloc(HLL_DENSE_SIZE + 1);
    this.length = HLL_DENSE_SIZE;
  }

  /** The value as a byte string. */
  toByteString(): ByteString {
    return this.bytes.toString('latin1', 0, this.length);
  }
}
