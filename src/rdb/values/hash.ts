/**
 * Hashes, the save side (FORMATS.md §2.5, §2.11, §2.13, §2.16, §2.18, §2.19; the decoder
 * reads them in `decoder.ts`): a ziplist (up to RDB 9) or listpack (RDB 10 on) of field,
 * value pairs in insertion order while the hash is small, else the plain hash. Field TTLs
 * need RDB 12 (Redis 7.4: a listpack of field, value, TTL triplets behind the smallest expiry,
 * type 25, or the plain form with TTLs relative to it, type 24) or Valkey 80 (type 22: every
 * field with its expiry, −1 for none; Valkey never keeps TTLs in a listpack).
 */
import { RdbType, EB_EXPIRE_TIME_MAX } from '../constants.js';
import { encodeListpack, type ListpackInput } from '../blobs/listpack.js';
import { encodeZiplist } from '../blobs/ziplist.js';
import type { ByteInput } from '../primitives.js';
import { toBytes, unsupported, type RdbTarget, type ValueWriter } from '../target.js';
import { UsageError } from '../../errors.js';

/** A field, its value, and its TTL (absolute Unix ms) or null. */
export type HashEntryInput = readonly [ByteInput, ByteInput, number | null];

/**
 * The record of a hash of `size` distinct fields (in insertion order), `volatileFields` of
 * which have a TTL. `entries` is read once when the size alone rules out the compact
 * encodings, else up to twice.
 * @throws UnsupportedValueError for field TTLs the target cannot store
 * @throws UsageError for a TTL outside 0 … 2^48 − 1
 */
export function hashWriter(entries: Iterable<HashEntryInput>, size: number, volatileFields: number, target: RdbTarget): ValueWriter {
  const L = target.limits;
  if (volatileFields > 0 && target.hashTtl === 'none') throw unsupported('hash field TTLs', target);
  let small = size <= L.hashMaxEntries;
  if (small) {
    const all = [...entries];
    small = all.every(([f, v]) => f.length <= L.hashMaxValue && v.length <= L.hashMaxValue);
    entries = all;
  }
  if (volatileFields > 0) {
    const all = [...entries];
    let min = Infinity;
    for (const [, , ttl] of all) {
      if (ttl === null) continue;
      if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > EB_EXPIRE_TIME_MAX) throw new UsageError(`hash field TTL out of range: ${ttl}`);
      if (ttl < min) min = ttl;
    }
    if (target.hashTtl === 'valkey') return valkeyHash2(all);
    return small ? listpackEx(all, min) : hashMetadata(all, min);
  }
  if (small) {
    const elements: ListpackInput[] = [];
    for (const [f, v] of entries) elements.push(toBytes(f), toBytes(v));
    if (target.compact === 'ziplist') {
      const blob = encodeZiplist(elements);
      return { rdbType: RdbType.HashZiplist, encoding: 'ziplist', elements: size, write: (out) => out.writeString(blob) };
    }
    const blob = encodeListpack(elements);
    return { rdbType: RdbType.HashListpack, encoding: 'listpack', elements: size, write: (out) => out.writeString(blob) };
  }
  return {
    rdbType: RdbType.Hash,
    encoding: 'hashtable',
    elements: size,
    write: (out) => {
      out.writeLength(size);
      for (const [f, v] of entries) {
        out.writeString(f);
        out.writeString(v);
      }
    },
  };
}

/**
 * Type 25: the smallest TTL (8 bytes LE), then a listpack of field, value, TTL triplets —
 * those with a TTL first, ascending (ties in insertion order), then those without (TTL 0) in
 * insertion order.
 */
function listpackEx(all: HashEntryInput[], min: number): ValueWriter {
  const withTtl = all.filter((e) => e[2] !== null).sort((a, b) => a[2]! - b[2]!);
  const without = all.filter((e) => e[2] === null);
  const elements: ListpackInput[] = [];
  for (const [f, v, ttl] of [...withTtl, ...without]) elements.push(toBytes(f), toBytes(v), ttl ?? 0);
  const blob = encodeListpack(elements);
  return {
    rdbType: RdbType.HashListpackEx,
    encoding: 'listpackex',
    elements: all.length,
    write: (out) => {
      out.writeMillis(min);
      out.writeString(blob);
    },
  };
}

/** Type 24: the smallest TTL, the count, then per field its TTL relative to it (+1; 0 for none), field and value. */
function hashMetadata(all: HashEntryInput[], min: number): ValueWriter {
  return {
    rdbType: RdbType.HashMetadata,
    encoding: 'hashtable',
    elements: all.length,
    write: (out) => {
      out.writeMillis(min);
      out.writeLength(all.length);
      for (const [f, v, ttl] of all) {
        out.writeLength(ttl === null ? 0 : ttl - min + 1);
        out.writeString(f);
        out.writeString(v);
      }
    },
  };
}

/** Valkey type 22 (HASH_2): the count, then per field the field, the value and its expiry (int64 LE, −1 for none). */
function valkeyHash2(all: HashEntryInput[]): ValueWriter {
  return {
    rdbType: RdbType.HashMetadataPreGa,
    encoding: 'hashtable',
    elements: all.length,
    write: (out) => {
      out.writeLength(all.length);
      for (const [f, v, ttl] of all) {
        out.writeString(f);
        out.writeString(v);
        out.writeMillis(ttl ?? -1);
      }
    },
  };
}
