/**
 * A Redis set: a {@link ByteSet} of members. Redis keeps small sets of integers as an intset
 * and others as a listpack or hashtable; the dataset holds the members only, since the
 * encoding is the server's choice and changes nothing a command sees.
 */
import { ByteSet } from './byte-map.js';

/** A set value. */
export class SetValue extends ByteSet {
  /** The Redis type name. */
  get type(): 'set' {
    return 'set';
  }

  /** A copy. */
  override clone(): SetValue {
    return this.copyInto(new SetValue(this.perTable));
  }
}
