/**
 * A GCRA rate-limiter value (RDB type 33, experimental, FORMATS.md §2.22): one non-negative
 * integer, the theoretical arrival time, kept as the decimal text the decoder renders it in.
 */
import type { ByteString } from './byte-string.js';

/** A GCRA value. */
export class GcraValue {
  constructor(
    /** The theoretical arrival time, decimal. */
    public tat: ByteString,
  ) {}

  /** The Redis type name. */
  get type(): 'gcra' {
    return 'gcra';
  }

  /** A copy. */
  clone(): GcraValue {
    return new GcraValue(this.tat);
  }
}
