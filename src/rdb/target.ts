/**
 * What an RDB writer emulates for each version it can write: the server release that wrote
 * that version, the record types it uses, how it lays out lists and formats sorted-set scores,
 * and its default encoding limits (FORMATS.md §1.3, §7.1, §7.3, §8). The writer picks, for
 * every value, the encoding that server holds the value in when it builds it from an empty
 * key with its default configuration, and saves it the way that server's `rdbSaveObject` does.
 */
import { UsageError } from '../errors.js';
import type { ByteInput, RdbOutput } from './primitives.js';
import type { Encoding } from '../model/redis-types.js';

/**
 * RDB versions the writer produces: Redis 6–15 (RDB 13–15: Redis 8.6, 8.8, 8.10), and Valkey
 * 80 and 81 (the `VALKEY080` / `VALKEY081` magics of Valkey 9.0–9.1 and 9.2).
 */
export const RDB_WRITE_VERSIONS = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 80, 81] as const;

/** One of {@link RDB_WRITE_VERSIONS}. */
export type RdbWriteVersion = (typeof RDB_WRITE_VERSIONS)[number];

/**
 * How a server lays a list out in its file:
 * - `ziplist-or-linked` (Redis 2.6–3.0, RDB 6): one ziplist (type 10) while small, else a
 *   plain list (type 1);
 * - `quicklist-ziplist` (3.2–6.2, RDB 7–9): quicklist of ziplists (type 14), nodes filled as
 *   its `_quicklistNodeAllowInsert` fills them;
 * - `quicklist-listpack-7.0` (RDB 10): quicklist of listpacks (type 18), 7.0's fill rule;
 * - `quicklist-listpack-7.2` (7.2 on, RDB 11+, Valkey): a list starts as one listpack and
 *   becomes a quicklist when it outgrows it; elements over the node size get PLAIN nodes.
 */
export type ListLayout = 'ziplist-or-linked' | 'quicklist-ziplist' | 'quicklist-listpack-7.0' | 'quicklist-listpack-7.2';

/**
 * How a server turns a sorted-set score into the text it stores in a ziplist/listpack
 * (`d2string`, and `double2ll` before it from 7.0 on):
 * - `6.2` (2.6–6.2): integers below 2^52 as integers, the rest `%.17g`;
 * - `7.0`: integers within ±2^62 as integer entries, the rest `%.17g`;
 * - `7.2` (7.2 on, Valkey): integers within ±2^62 as integer entries, the rest the shortest
 *   text that reads back as the same double (fpconv's layout).
 *
 * A −0 score is the text `-0` in every style (see `scoreElement`).
 */
export type ScoreStyle = '6.2' | '7.0' | '7.2';

/** Field TTLs of hashes: not storable, Redis 7.4's types 24/25, or Valkey's type 22. */
export type HashTtlForm = 'none' | 'redis' | 'valkey';

/** Encoding limits a writer applies (the server's configuration; defaults per release). */
export interface EncodingLimits {
  /** `hash-max-listpack-entries` / `hash-max-ziplist-entries`. */
  hashMaxEntries: number;
  /** `hash-max-listpack-value` / `hash-max-ziplist-value` (bytes). */
  hashMaxValue: number;
  /** `zset-max-listpack-entries` / `zset-max-ziplist-entries`. */
  zsetMaxEntries: number;
  /** `zset-max-listpack-value` / `zset-max-ziplist-value` (bytes). */
  zsetMaxValue: number;
  /** `set-max-intset-entries`. */
  setMaxIntsetEntries: number;
  /** `set-max-listpack-entries` (7.2 on). */
  setMaxListpackEntries: number;
  /** `set-max-listpack-value` (7.2 on, bytes). */
  setMaxListpackValue: number;
  /** `list-max-ziplist-entries` (RDB 6 only: 2.6–3.0). */
  listMaxZiplistEntries: number;
  /** `list-max-ziplist-value` (RDB 6 only, bytes). */
  listMaxZiplistValue: number;
  /** `list-max-listpack-size` / `list-max-ziplist-size` (3.2 on): −1…−5 a node size, > 0 an element count. */
  listMaxSize: number;
  /** `stream-node-max-bytes`. */
  streamNodeMaxBytes: number;
  /** `stream-node-max-entries`. */
  streamNodeMaxEntries: number;
}

/** Redis's compiled-in defaults (FORMATS.md §7.1; unchanged from 2.6 to 8.x where they exist). */
export const DEFAULT_ENCODING_LIMITS: Readonly<EncodingLimits> = {
  hashMaxEntries: 512,
  hashMaxValue: 64,
  zsetMaxEntries: 128,
  zsetMaxValue: 64,
  setMaxIntsetEntries: 512,
  setMaxListpackEntries: 128,
  setMaxListpackValue: 64,
  listMaxZiplistEntries: 512,
  listMaxZiplistValue: 64,
  listMaxSize: -2,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};

/** Everything the writer needs to know about the version it writes. */
export interface RdbTarget {
  version: RdbWriteVersion;
  /** The magic: `REDIS0006` … `REDIS0015`, `VALKEY080`, `VALKEY081`. */
  magic: string;
  /** The release whose writer is emulated, for messages (`Redis 7.0`). */
  server: string;
  /** AUX fields and RESIZEDB (RDB 7 on: older loaders refuse the opcodes). */
  auxAndResize: boolean;
  /** MODULE_2 values (RDB 8 on). */
  modules: boolean;
  /** IDLE/FREQ opcodes and MODULE_AUX (RDB 9 on). */
  idleFreqModuleAux: boolean;
  /** FUNCTION2 records (RDB 10 on). */
  functions: boolean;
  list: ListLayout;
  /** Small hashes and sorted sets: ziplists (up to RDB 9) or listpacks. */
  compact: 'ziplist' | 'listpack';
  /** Large sorted sets: type 3 (text scores, up to RDB 7) or 5 (binary scores). */
  zsetType: 3 | 5;
  scores: ScoreStyle;
  /** Small non-integer sets as a listpack (type 20, RDB 11 on). */
  setListpack: boolean;
  /**
   * Stream type: none before RDB 9, then 15, 19, 21, 26 (RDB 13: idempotent-producer state)
   * and 27 (RDB 14 on: NACK zones). Valkey stays at 21.
   */
  streamType: 0 | 15 | 19 | 21 | 26 | 27;
  hashTtl: HashTtlForm;
  /** ARRAY values (type 28, RDB 14 on). */
  arrays: boolean;
  limits: EncodingLimits;
}

const BASE = { auxAndResize: true, modules: true, idleFreqModuleAux: true, functions: true, setListpack: false, hashTtl: 'none' as HashTtlForm, arrays: false };

// Redis 8.6–8.10 save every type they share with 7.4 as 7.4 does (same encodings, limits and
// layouts; FORMATS.md §7.1, §7.3): only the stream type and ARRAY values are new. Key metadata
// (opcode 243) is never written (rdbtool keeps none), nor hash templates (opcode 242, types
// 29–32: a writer may always use the plain hash types, §2.21).
const REDIS_7_4 = { ...BASE, list: 'quicklist-listpack-7.2', compact: 'listpack', zsetType: 5, scores: '7.2', setListpack: true, streamType: 21, hashTtl: 'redis' } as const;
// Valkey 9.x saves what Redis 7.2 does, with its own HASH_2 for field TTLs; 9.2 (RDB 81) adds
// only PATH_HASH (type 23), which no value rdbtool holds needs.
const VALKEY_9 = { ...BASE, list: 'quicklist-listpack-7.2', compact: 'listpack', zsetType: 5, scores: '7.2', setListpack: true, streamType: 21, hashTtl: 'valkey' } as const;

const TARGETS: Record<RdbWriteVersion, Omit<RdbTarget, 'limits'>> = {
  6: { ...BASE, version: 6, magic: 'REDIS0006', server: 'Redis 3.0', auxAndResize: false, modules: false, idleFreqModuleAux: false, functions: false, list: 'ziplist-or-linked', compact: 'ziplist', zsetType: 3, scores: '6.2', streamType: 0 },
  7: { ...BASE, version: 7, magic: 'REDIS0007', server: 'Redis 3.2', modules: false, idleFreqModuleAux: false, functions: false, list: 'quicklist-ziplist', compact: 'ziplist', zsetType: 3, scores: '6.2', streamType: 0 },
  8: { ...BASE, version: 8, magic: 'REDIS0008', server: 'Redis 4.0', idleFreqModuleAux: false, functions: false, list: 'quicklist-ziplist', compact: 'ziplist', zsetType: 5, scores: '6.2', streamType: 0 },
  9: { ...BASE, version: 9, magic: 'REDIS0009', server: 'Redis 6.2', functions: false, list: 'quicklist-ziplist', compact: 'ziplist', zsetType: 5, scores: '6.2', streamType: 15 },
  10: { ...BASE, version: 10, magic: 'REDIS0010', server: 'Redis 7.0', list: 'quicklist-listpack-7.0', compact: 'listpack', zsetType: 5, scores: '7.0', streamType: 19 },
  11: { ...BASE, version: 11, magic: 'REDIS0011', server: 'Redis 7.2', list: 'quicklist-listpack-7.2', compact: 'listpack', zsetType: 5, scores: '7.2', setListpack: true, streamType: 21 },
  12: { ...REDIS_7_4, version: 12, magic: 'REDIS0012', server: 'Redis 7.4' },
  13: { ...REDIS_7_4, version: 13, magic: 'REDIS0013', server: 'Redis 8.6', streamType: 26 },
  14: { ...REDIS_7_4, version: 14, magic: 'REDIS0014', server: 'Redis 8.8', streamType: 27, arrays: true },
  15: { ...REDIS_7_4, version: 15, magic: 'REDIS0015', server: 'Redis 8.10', streamType: 27, arrays: true },
  80: { ...VALKEY_9, version: 80, magic: 'VALKEY080', server: 'Valkey 9.0' },
  81: { ...VALKEY_9, version: 81, magic: 'VALKEY081', server: 'Valkey 9.2' },
};

/**
 * The target description of an RDB version.
 * @param limits encoding limits that differ from the defaults
 * @throws UsageError for a version the writer does not produce
 */
export function rdbTarget(version: number, limits: Partial<EncodingLimits> = {}): RdbTarget {
  const t = (TARGETS as Record<number, Omit<RdbTarget, 'limits'> | undefined>)[version];
  if (t === undefined) throw new UsageError(`cannot write RDB version ${version}: supported are ${RDB_WRITE_VERSIONS.join(', ')}`);
  return { ...t, limits: { ...DEFAULT_ENCODING_LIMITS, ...limits } };
}

/**
 * A value ready to be written: the type byte the record starts with, the encoding it stands
 * for, and the function that writes the value after the key.
 */
export interface ValueWriter {
  rdbType: number;
  /** The encoding, named as the decoder names it (`int`, `raw`, `quicklist`, `listpack`, …). */
  encoding: Encoding;
  /** Elements written (1 for strings and module values). */
  elements: number;
  write(out: RdbOutput): void;
}

/**
 * A value (or part of one) the target version cannot hold: a stream before RDB 9, field TTLs
 * before RDB 12, a function library before RDB 10, an ARRAY before RDB 14, … The writer refuses it rather than write
 * a file that loses data silently; callers that accept the loss catch this error and leave
 * the key out.
 */
export class UnsupportedValueError extends UsageError {
  static override readonly errorName: string = 'UnsupportedValueError';
}

/** The error for `what` on `target`. */
export function unsupported(what: string, target: RdbTarget): UnsupportedValueError {
  return new UnsupportedValueError(`${what} cannot be written in RDB ${target.version} (${target.server})`);
}

/** Bytes of a {@link ByteInput} as a Uint8Array (a latin1 string is converted; arrays are returned as they are). */
export function toBytes(b: ByteInput): Uint8Array {
  return typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
}

/** Byte order of two byte strings (memcmp, then the shorter first): how Redis's rax orders names and IDs. */
export function compareBytes(a: ByteInput, b: ByteInput): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(toBytes(a), toBytes(b));
}
