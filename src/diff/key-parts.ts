/**
 * What `diff` keeps of a key: its parts, each digested on its own so that a difference can be
 * named — the type, the value (64-bit digest), the expiry, and one 64-bit "meta" digest whose
 * meaning follows the type: the field TTLs of a hash, the consumer groups of a stream (absent
 * when the hash has no field TTL or the stream no group) — plus the encoding, compared only
 * when asked.
 *
 * Every digest depends only on what a client sees, never on the encoding: members of sets,
 * fields of hashes and members of sorted sets are combined order-free (each element digested
 * on its own, the digests added lane by lane), lists in order, a sorted set's member with its
 * score. The RDB event digests (rdb-digests.ts) and the dataset digests (value-parts.ts)
 * compute the same numbers for the same data; the seeds below keep the kinds apart.
 */
import type { Encoding, ValueType } from '../model/redis-types.js';

/** Type codes, one byte in a digest record (0: none). */
export const TYPE_CODE: Readonly<Record<ValueType, number>> = { string: 1, list: 2, set: 3, zset: 4, hash: 5, stream: 6, module: 7, array: 8, gcra: 9 };

/** The type of each code. */
export const TYPE_OF_CODE: readonly (ValueType | undefined)[] = [undefined, 'string', 'list', 'set', 'zset', 'hash', 'stream', 'module', 'array', 'gcra'];

/** Every encoding name, by code (0: not recorded). */
export const ENCODING_OF_CODE: readonly (Encoding | undefined)[] = [
  undefined,
  'int',
  'raw',
  'linkedlist',
  'ziplist',
  'zipmap',
  'intset',
  'listpack',
  'listpackex',
  'quicklist',
  'hashtable',
  'skiplist',
  'stream',
  'module',
  'array',
  'template',
];

/** The code of each encoding. */
export const ENCODING_CODE: Readonly<Record<Encoding, number>> = Object.fromEntries(ENCODING_OF_CODE.map((e, i) => [e, i]).filter(([e]) => e !== undefined)) as Record<Encoding, number>;

/**
 * Seed pairs of the digests, one per kind of thing digested (arbitrary distinct constants):
 * a string value, a list item, a set member, a hash field and a hash value, a sorted-set
 * member, the element combinations, and the finished digest of each type.
 */
export const SEED = {
  string: [0x5bd1e995, 0x1b873593],
  item: [0x85ebca6b, 0xc2b2ae35],
  member: [0x27d4eb2f, 0x165667b1],
  field: [0x9e3779b1, 0x7f4a7c15],
  fieldValue: [0xd6e8feb8, 0x6d2b79f5],
  zmember: [0x2545f491, 0x4f6cdd1d],
  pair: [0xa54ff53a, 0x510e527f],
  fieldTtl: [0x1f83d9ab, 0x5be0cd19],
  scored: [0xcbbb9d5d, 0x629a292a],
  list: [0x9159015a, 0x152fecd8],
  set: [0x67332667, 0x8eb44a87],
  zset: [0xdb0c2e0d, 0x47b5481d],
  hash: [0x3c6ef372, 0xa54ff53b],
  fieldTtls: [0x510e527e, 0x9b05688c],
} as const satisfies Record<string, readonly [number, number]>;

/** The parts of one key (reused: one object per digester). */
export class KeyParts {
  /** {@link TYPE_CODE} of the type. */
  type = 0;
  /** {@link ENCODING_CODE} of the encoding, or 0 when not recorded. */
  encoding = 0;
  /** The value digest, low and high 32 bits. */
  v1 = 0;
  v2 = 0;
  /** Absolute expiry in Unix ms, or null. */
  expireAtMs: number | null = null;
  /** True when the meta digest is present (a hash with field TTLs, a stream with groups). */
  hasMeta = false;
  m1 = 0;
  m2 = 0;
}

/** A running order-free sum of 64-bit digests (lane by lane, modulo 2^32), with a count. */
export class DigestSum {
  lo = 0;
  hi = 0;
  count = 0;

  reset(): void {
    this.lo = this.hi = this.count = 0;
  }

  add(lo: number, hi: number): void {
    this.lo = (this.lo + lo) | 0;
    this.hi = (this.hi + hi) | 0;
    this.count++;
  }
}
