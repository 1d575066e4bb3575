/**
 * An ARRAY value (RDB type 28, Redis 8.8): a sparse array of byte strings by index. The file
 * stores elements in ascending index order and so does the dataset (numbers as the decimal
 * text the decoder renders them in).
 */
import type { ByteString } from './byte-string.js';

/** An array value: indexes ascending, values in step. */
export class ArrayValue {
  readonly indexes: number[] = [];
  readonly values: ByteString[] = [];

  /** The Redis type name. */
  get type(): 'array' {
    return 'array';
  }

  /** Number of elements. */
  get length(): number {
    return this.indexes.length;
  }

  /** The value at `index`, or undefined. */
  get(index: number): ByteString | undefined {
    const i = this.position(index);
    return this.indexes[i] === index ? this.values[i] : undefined;
  }

  /** Sets the value at `index`. */
  set(index: number, value: ByteString): void {
    const i = this.position(index);
    if (this.indexes[i] === index) this.values[i] = value;
    else {
      this.indexes.splice(i, 0, index);
      this.values.splice(i, 0, value);
    }
  }

  /** [index, value] pairs, ascending. */
  *entries(): IterableIterator<[number, ByteString]> {
    for (let i = 0; i < this.indexes.length; i++) yield [this.indexes[i], this.values[i]];
  }

  /** A copy. */
  clone(): ArrayValue {
    const out = new ArrayValue();
    out.indexes.push(...this.indexes);
    out.values.push(...this.values);
    return out;
  }

  /** First position whose index is ≥ `index`. */
  private position(index: number): number {
    const a = this.indexes;
    if (a.length === 0 || a[a.length - 1] < index) return a.length;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
