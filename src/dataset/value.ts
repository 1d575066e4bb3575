/**
 * What a key holds. A string value is the {@link ByteString} itself (no wrapper: most keys
 * are small strings, and a bare string costs nothing beyond its bytes); every other type is
 * an object of its class, which names its Redis type in `type`.
 */
import type { ValueType } from '../model/redis-types.js';
import type { ByteString } from './byte-string.js';
import type { ListValue } from './list.js';
import type { SetValue } from './set.js';
import type { ZSetValue } from './zset.js';
import type { HashValue } from './hash.js';
import type { StreamValue } from './stream.js';
import type { ModuleValue } from './module.js';
import type { ArrayValue } from './array.js';
import type { GcraValue } from './gcra.js';

/** A value of any type. */
export type Value = ByteString | ListValue | SetValue | ZSetValue | HashValue | StreamValue | ModuleValue | ArrayValue | GcraValue;

/** The Redis type of a value. */
export function valueType(v: Value): ValueType {
  return typeof v === 'string' ? 'string' : v.type;
}

/** A deep copy of a value (COPY); strings are immutable and returned as they are. */
export function cloneValue<V extends Value>(v: V): V {
  return (typeof v === 'string' ? v : v.clone()) as V;
}

/** Elements of a value: 1 for a string; members, fields, items or entries for the others. */
export function valueLength(v: Value): number {
  if (typeof v === 'string') return 1;
  switch (v.type) {
    case 'list':
    case 'stream':
    case 'array':
      return v.length;
    case 'set':
    case 'zset':
    case 'hash':
      return v.size;
    default:
      return 1;
  }
}
