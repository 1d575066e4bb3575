/**
 * What each Redis and Valkey release line loads: the RDB versions and magics it accepts, the
 * type and opcode bytes its loader knows, and the AOF forms it reads (FORMATS.md §1.2–§1.4,
 * §2, §5, §8). One table of plain data, read by the compatibility judgement (`analyze/compat`)
 * and meant for the writers that pick what a target can load.
 *
 * Sources, per line: `src/rdb.h` (`RDB_VERSION`, the `RDB_TYPE_*` and `RDB_OPCODE_*` lists),
 * the loop of `rdbLoadRio`/`rdbLoadRioWithLoadingCtx` and `rdbLoadObject` in `src/rdb.c`, and
 * `loadAppendOnlyFile`/`loadSingleAppendOnlyFile` in `src/aof.c`, read on the release branches
 * of redis/redis (2.8 … 8.0) and valkey-io/valkey (7.2, 8.0, and the 9.x `rdb.h`/`rdb.c`).
 * Redis 8.2 … 8.10 and Valkey 8.1 / 9.1 / 9.2 follow FORMATS.md §8 and the release notes and
 * pull requests it cites; where that is all there is, the entry says so in `basis`.
 *
 * Not listed: Redis 2.6 and older (no one runs them), and Redis 8.12, whose RDB version and
 * new encodings (opcode 240, per-member set TTLs, compressed bitmaps) were not verified.
 */

/** The server family. */
export type ServerName = 'redis' | 'valkey';

/** The first bytes of an RDB file: `REDIS` + 4 digits, or `VALKEY` + 3 digits (FORMATS.md §1.2). */
export type RdbMagic = 'REDIS' | 'VALKEY';

/** A range of RDB versions a loader accepts with one magic. */
export interface RdbVersionRange {
  magic: RdbMagic;
  min: number;
  /** Highest accepted version; null when there is no upper bound. */
  max: number | null;
}

/** The AOF forms a release line reads (FORMATS.md §5.4–§5.6). */
export interface AofFeatures {
  /** An RDB at the start of an AOF file, RESP commands after it (Redis 4.0+). */
  rdbPreamble: boolean;
  /** An `appendonlydir/` with a manifest, a base and incr files (Redis 7.0+, every Valkey). */
  multipart: boolean;
  /** `#` lines between commands are skipped (Redis 7.0+); older loaders refuse the file. */
  annotations: boolean;
  /**
   * The first patch release of the line that recognises an RDB with the VALKEY magic at the
   * start of an AOF file, when that came later than the line's first release.
   */
  valkeyMagicInAofSince?: string;
}

/** One release line and what its loader accepts. */
export interface ServerRelease {
  /** `redis@7.0`, `valkey@8.1`: the form `--target` takes. */
  id: string;
  server: ServerName;
  /** `7.0`, `8.10`. */
  line: string;
  /** What its saves write. */
  writes: { magic: RdbMagic; rdbVersion: number };
  /** RDB versions accepted with the default configuration. */
  reads: readonly RdbVersionRange[];
  /** Valkey 8.1+: what `rdb-version-check relaxed` accepts instead; null where there is no such setting. */
  readsRelaxed: readonly RdbVersionRange[] | null;
  /** RDB versions refused even though they are not newer than its own (Valkey 8.1+: 12–79, kept for other formats). */
  foreignVersions: readonly [number, number] | null;
  /**
   * Valkey 9.0+: type or opcode bytes refused on sight in a REDIS-magic file, whatever the
   * version check (they mean other things in Redis 7.4+ files).
   */
  foreignBytesInRedisMagic: readonly [number, number] | null;
  /** Object type bytes the loader knows, by magic (empty for a magic it does not read). */
  types: Readonly<Record<RdbMagic, readonly number[]>>;
  /** Opcode bytes the loader knows, by magic (EOF included). */
  opcodes: Readonly<Record<RdbMagic, readonly number[]>>;
  /** Types that load only while the module that wrote the value is loaded. */
  moduleTypes: readonly number[];
  aof: AofFeatures;
  /** Where the entry comes from, when it is not the line's own source code. */
  basis?: string;
}

/** An RDB object type byte (FORMATS.md §2). */
export interface RdbTypeEntry {
  byte: number;
  /** Which magic gives the byte this meaning (`any`: both). */
  dialect: 'any' | RdbMagic;
  /** The server's macro name. */
  macro: string;
  /** Human label: the value type and encoding as the decoder names them (`set, listpack`). */
  label: string;
  /** The RDB version that introduced it; null when no open-source release writes or reads it. */
  sinceRdb: number | null;
}

/** A non-type byte read where a type is expected (FORMATS.md §1.4). */
export interface RdbOpcodeEntry {
  byte: number;
  dialect: 'any' | RdbMagic | 'enterprise';
  macro: string;
  /** What one occurrence is, singular and plural (`function library`, `function libraries`). */
  noun: readonly [string, string];
  sinceRdb: number | null;
}

// ---------------------------------------------------------------- object types

/** Every type byte a Redis or Valkey release defines, by dialect. */
export const RDB_TYPES: readonly RdbTypeEntry[] = [
  { byte: 0, dialect: 'any', macro: 'RDB_TYPE_STRING', label: 'string', sinceRdb: 1 },
  { byte: 1, dialect: 'any', macro: 'RDB_TYPE_LIST', label: 'list, linkedlist', sinceRdb: 1 },
  { byte: 2, dialect: 'any', macro: 'RDB_TYPE_SET', label: 'set, hashtable', sinceRdb: 1 },
  { byte: 3, dialect: 'any', macro: 'RDB_TYPE_ZSET', label: 'zset, skiplist (text scores)', sinceRdb: 1 },
  { byte: 4, dialect: 'any', macro: 'RDB_TYPE_HASH', label: 'hash, hashtable', sinceRdb: 1 },
  { byte: 5, dialect: 'any', macro: 'RDB_TYPE_ZSET_2', label: 'zset, skiplist', sinceRdb: 8 },
  { byte: 6, dialect: 'any', macro: 'RDB_TYPE_MODULE_PRE_GA', label: 'module (4.0 RC format)', sinceRdb: 8 },
  { byte: 7, dialect: 'any', macro: 'RDB_TYPE_MODULE_2', label: 'module', sinceRdb: 8 },
  { byte: 9, dialect: 'any', macro: 'RDB_TYPE_HASH_ZIPMAP', label: 'hash, zipmap', sinceRdb: 2 },
  { byte: 10, dialect: 'any', macro: 'RDB_TYPE_LIST_ZIPLIST', label: 'list, ziplist', sinceRdb: 2 },
  { byte: 11, dialect: 'any', macro: 'RDB_TYPE_SET_INTSET', label: 'set, intset', sinceRdb: 2 },
  { byte: 12, dialect: 'any', macro: 'RDB_TYPE_ZSET_ZIPLIST', label: 'zset, ziplist', sinceRdb: 2 },
  { byte: 13, dialect: 'any', macro: 'RDB_TYPE_HASH_ZIPLIST', label: 'hash, ziplist', sinceRdb: 4 },
  { byte: 14, dialect: 'any', macro: 'RDB_TYPE_LIST_QUICKLIST', label: 'list, quicklist (ziplist nodes)', sinceRdb: 7 },
  { byte: 15, dialect: 'any', macro: 'RDB_TYPE_STREAM_LISTPACKS', label: 'stream (v1)', sinceRdb: 9 },
  { byte: 16, dialect: 'any', macro: 'RDB_TYPE_HASH_LISTPACK', label: 'hash, listpack', sinceRdb: 10 },
  { byte: 17, dialect: 'any', macro: 'RDB_TYPE_ZSET_LISTPACK', label: 'zset, listpack', sinceRdb: 10 },
  { byte: 18, dialect: 'any', macro: 'RDB_TYPE_LIST_QUICKLIST_2', label: 'list, quicklist (listpack nodes)', sinceRdb: 10 },
  { byte: 19, dialect: 'any', macro: 'RDB_TYPE_STREAM_LISTPACKS_2', label: 'stream (v2)', sinceRdb: 10 },
  { byte: 20, dialect: 'any', macro: 'RDB_TYPE_SET_LISTPACK', label: 'set, listpack', sinceRdb: 11 },
  { byte: 21, dialect: 'any', macro: 'RDB_TYPE_STREAM_LISTPACKS_3', label: 'stream (v3, consumer active time)', sinceRdb: 11 },
  { byte: 22, dialect: 'REDIS', macro: 'RDB_TYPE_HASH_METADATA_PRE_GA', label: 'hash, hashtable (field TTLs, 7.4 RC format)', sinceRdb: 12 },
  { byte: 23, dialect: 'REDIS', macro: 'RDB_TYPE_HASH_LISTPACK_EX_PRE_GA', label: 'hash, listpackex (field TTLs, 7.4 RC format)', sinceRdb: 12 },
  { byte: 22, dialect: 'VALKEY', macro: 'RDB_TYPE_HASH_2', label: 'hash, hashtable (field TTLs, Valkey HASH_2)', sinceRdb: 80 },
  { byte: 23, dialect: 'VALKEY', macro: 'RDB_TYPE_PATH_HASH', label: 'hash (Valkey PATH_HASH)', sinceRdb: 81 },
  { byte: 24, dialect: 'any', macro: 'RDB_TYPE_HASH_METADATA', label: 'hash, hashtable (field TTLs)', sinceRdb: 12 },
  { byte: 25, dialect: 'any', macro: 'RDB_TYPE_HASH_LISTPACK_EX', label: 'hash, listpackex (field TTLs)', sinceRdb: 12 },
  { byte: 26, dialect: 'any', macro: 'RDB_TYPE_STREAM_LISTPACKS_4', label: 'stream (v4, idempotent producers)', sinceRdb: 13 },
  { byte: 27, dialect: 'any', macro: 'RDB_TYPE_STREAM_LISTPACKS_5', label: 'stream (v5, NACK zone)', sinceRdb: 14 },
  { byte: 28, dialect: 'any', macro: 'RDB_TYPE_ARRAY', label: 'array', sinceRdb: 14 },
  { byte: 29, dialect: 'any', macro: 'RDB_TYPE_HASH_TMPL_LP', label: 'hash, template (listpack, self-contained)', sinceRdb: 15 },
  { byte: 30, dialect: 'any', macro: 'RDB_TYPE_HASH_TMPL_LP_REF', label: 'hash, template (listpack)', sinceRdb: 15 },
  { byte: 31, dialect: 'any', macro: 'RDB_TYPE_HASH_TMPL_ARRAY', label: 'hash, template (array, self-contained)', sinceRdb: 15 },
  { byte: 32, dialect: 'any', macro: 'RDB_TYPE_HASH_TMPL_ARRAY_REF', label: 'hash, template (array)', sinceRdb: 15 },
  { byte: 33, dialect: 'any', macro: 'RDB_TYPE_GCRA', label: 'gcra (Redis Enterprise builds only)', sinceRdb: null },
];

// ---------------------------------------------------------------- opcodes

/** Every opcode byte a Redis or Valkey release defines, plus the Redis Enterprise ones seen in files. */
export const RDB_OPCODES: readonly RdbOpcodeEntry[] = [
  { byte: 255, dialect: 'any', macro: 'RDB_OPCODE_EOF', noun: ['end-of-file marker', 'end-of-file markers'], sinceRdb: 1 },
  { byte: 254, dialect: 'any', macro: 'RDB_OPCODE_SELECTDB', noun: ['database selector', 'database selectors'], sinceRdb: 1 },
  { byte: 253, dialect: 'any', macro: 'RDB_OPCODE_EXPIRETIME', noun: ['expire time in seconds', 'expire times in seconds'], sinceRdb: 1 },
  { byte: 252, dialect: 'any', macro: 'RDB_OPCODE_EXPIRETIME_MS', noun: ['expire time in milliseconds', 'expire times in milliseconds'], sinceRdb: 3 },
  { byte: 251, dialect: 'any', macro: 'RDB_OPCODE_RESIZEDB', noun: ['database size hint', 'database size hints'], sinceRdb: 7 },
  { byte: 250, dialect: 'any', macro: 'RDB_OPCODE_AUX', noun: ['AUX field', 'AUX fields'], sinceRdb: 7 },
  { byte: 249, dialect: 'any', macro: 'RDB_OPCODE_FREQ', noun: ['LFU counter', 'LFU counters'], sinceRdb: 9 },
  { byte: 248, dialect: 'any', macro: 'RDB_OPCODE_IDLE', noun: ['LRU idle time', 'LRU idle times'], sinceRdb: 9 },
  { byte: 247, dialect: 'any', macro: 'RDB_OPCODE_MODULE_AUX', noun: ['module AUX record', 'module AUX records'], sinceRdb: 9 },
  {
    byte: 246,
    dialect: 'any',
    macro: 'RDB_OPCODE_FUNCTION_PRE_GA',
    noun: ['function library in the 7.0 RC format', 'function libraries in the 7.0 RC format'],
    sinceRdb: 10,
  },
  { byte: 245, dialect: 'any', macro: 'RDB_OPCODE_FUNCTION2', noun: ['function library', 'function libraries'], sinceRdb: 10 },
  { byte: 244, dialect: 'any', macro: 'RDB_OPCODE_SLOT_INFO', noun: ['cluster slot size record', 'cluster slot size records'], sinceRdb: 12 },
  { byte: 243, dialect: 'REDIS', macro: 'RDB_OPCODE_KEY_META', noun: ['key metadata block', 'key metadata blocks'], sinceRdb: 13 },
  { byte: 243, dialect: 'VALKEY', macro: 'RDB_OPCODE_SLOT_IMPORT', noun: ['slot import record', 'slot import records'], sinceRdb: 80 },
  { byte: 242, dialect: 'REDIS', macro: 'RDB_OPCODE_HASH_TEMPLATE', noun: ['hash template', 'hash templates'], sinceRdb: 15 },
  // Valkey 9.2 sends UPDATE only inside a forkless full sync; no file holds it.
  { byte: 242, dialect: 'VALKEY', macro: 'RDB_OPCODE_UPDATE', noun: ['replication command (UPDATE)', 'replication commands (UPDATE)'], sinceRdb: null },
  // Redis 8.12's BLESS attribute: its RDB version is not verified, so no listed line loads it.
  { byte: 240, dialect: 'REDIS', macro: 'RDB_OPCODE_KEY_NOEVICT', noun: ['no-evict key attribute', 'no-evict key attributes'], sinceRdb: null },
  { byte: 121, dialect: 'enterprise', macro: 'SLOT_NUM (Redis Enterprise)', noun: ['Redis Enterprise slot number', 'Redis Enterprise slot numbers'], sinceRdb: null },
  { byte: 107, dialect: 'enterprise', macro: 'RAM_LRU (Redis Enterprise)', noun: ['Redis Enterprise RAM LRU record', 'Redis Enterprise RAM LRU records'], sinceRdb: null },
  { byte: 102, dialect: 'enterprise', macro: 'GFLAGS (Redis Enterprise)', noun: ['Redis Enterprise GFLAGS record', 'Redis Enterprise GFLAGS records'], sinceRdb: null },
  { byte: 101, dialect: 'enterprise', macro: 'GCAS (Redis Enterprise)', noun: ['Redis Enterprise GCAS record', 'Redis Enterprise GCAS records'], sinceRdb: null },
];

// ---------------------------------------------------------------- what each line knows

// Type bytes, growing line by line (sorted; each list is the whole set the loader takes).
const T_2_8 = [0, 1, 2, 3, 4, 9, 10, 11, 12, 13];
const T_3_2 = [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14];
const T_4_0 = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14];
const T_5_0 = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15];
const T_7_0 = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
// 7.2 refuses type 6 ("Pre-release module format not supported").
const T_7_2 = [0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
const T_7_4 = [...T_7_2, 22, 23, 24, 25];
const T_8_6 = [...T_7_4, 26];
const T_8_8 = [...T_8_6, 27, 28];
const T_8_10 = [...T_8_8, 29, 30, 31, 32];

// Opcode bytes (EOF included).
const O_2_8 = [252, 253, 254, 255];
const O_3_2 = [250, 251, 252, 253, 254, 255];
const O_5_0 = [247, 248, 249, 250, 251, 252, 253, 254, 255];
const O_7_0 = [245, 246, ...O_5_0];
// 7.2 refuses 246 ("Pre-release function format not supported").
const O_7_2 = [245, ...O_5_0];
const O_7_4 = [244, ...O_7_2];
const O_8_6 = [243, ...O_7_4];
const O_8_10 = [242, ...O_8_6];

// Valkey forked Redis 7.2: the same bytes under the REDIS magic, its own above 21 under VALKEY.
const VT_REDIS = T_7_2;
const VT_9_0 = [...T_7_2, 22];
const VT_9_2 = [...T_7_2, 22, 23];
const VO_8_0 = O_7_2;
// 9.0 reads Redis's SLOT_INFO (244) and ignores it; 243 is SLOT_IMPORT only under VALKEY.
const VO_9_0_REDIS = [244, ...O_7_2];
const VO_9_0_VALKEY = [243, 244, ...O_7_2];

const NONE: readonly number[] = [];
const AOF_LEGACY: AofFeatures = { rdbPreamble: false, multipart: false, annotations: false };
const AOF_PREAMBLE: AofFeatures = { rdbPreamble: true, multipart: false, annotations: false };
const AOF_7_0: AofFeatures = { rdbPreamble: true, multipart: true, annotations: true };

/** A Redis line: REDIS magic, versions 1 up to its own, no relaxed mode. */
function redisLine(line: string, rdbVersion: number, types: number[], opcodes: number[], aof: AofFeatures, basis?: string): ServerRelease {
  return {
    id: `redis@${line}`,
    server: 'redis',
    line,
    writes: { magic: 'REDIS', rdbVersion },
    reads: [{ magic: 'REDIS', min: 1, max: rdbVersion }],
    readsRelaxed: null,
    foreignVersions: null,
    foreignBytesInRedisMagic: null,
    types: { REDIS: types, VALKEY: NONE },
    opcodes: { REDIS: opcodes, VALKEY: NONE },
    moduleTypes: types.includes(6) ? [6, 7] : types.includes(7) ? [7] : NONE,
    aof,
    ...(basis ? { basis } : {}),
  };
}

/**
 * A Valkey line from before `rdb-version-check` (7.2, 8.0): it reads and writes what Redis 7.2
 * does (REDIS magic, RDB 1–11).
 */
function valkeyBeforeRelaxed(line: string): ServerRelease {
  return {
    id: `valkey@${line}`,
    server: 'valkey',
    line,
    writes: { magic: 'REDIS', rdbVersion: 11 },
    reads: [{ magic: 'REDIS', min: 1, max: 11 }],
    readsRelaxed: null,
    foreignVersions: null,
    foreignBytesInRedisMagic: null,
    types: { REDIS: VT_REDIS, VALKEY: NONE },
    opcodes: { REDIS: VO_8_0, VALKEY: NONE },
    moduleTypes: [7],
    aof: AOF_7_0,
  };
}

const REDIS_8X_BASIS = 'FORMATS.md §1.3 and §8 (release notes, librdb), not the line\'s own source';

/**
 * Every release line rdbtool judges, oldest first within each server (Redis, then Valkey).
 * Patch releases share their line's entry.
 */
export const SERVER_RELEASES: readonly ServerRelease[] = [
  redisLine('2.8', 6, T_2_8, O_2_8, AOF_LEGACY),
  redisLine('3.0', 6, T_2_8, O_2_8, AOF_LEGACY),
  redisLine('3.2', 7, T_3_2, O_3_2, AOF_LEGACY),
  redisLine('4.0', 8, T_4_0, O_3_2, AOF_PREAMBLE),
  redisLine('5.0', 9, T_5_0, O_5_0, AOF_PREAMBLE),
  redisLine('6.0', 9, T_5_0, O_5_0, AOF_PREAMBLE),
  redisLine('6.2', 9, T_5_0, O_5_0, AOF_PREAMBLE),
  redisLine('7.0', 10, T_7_0, O_7_0, AOF_7_0),
  redisLine('7.2', 11, T_7_2, O_7_2, AOF_7_0),
  redisLine('7.4', 12, T_7_4, O_7_4, AOF_7_0),
  redisLine('8.0', 12, T_7_4, O_7_4, AOF_7_0),
  redisLine('8.2', 12, T_7_4, O_7_4, AOF_7_0, REDIS_8X_BASIS),
  redisLine('8.4', 12, T_7_4, O_7_4, AOF_7_0, REDIS_8X_BASIS),
  redisLine('8.6', 13, T_8_6, O_8_6, AOF_7_0, REDIS_8X_BASIS),
  redisLine('8.8', 14, T_8_8, O_8_6, AOF_7_0, REDIS_8X_BASIS),
  redisLine('8.10', 15, T_8_10, O_8_10, AOF_7_0, REDIS_8X_BASIS),
  valkeyBeforeRelaxed('7.2'),
  valkeyBeforeRelaxed('8.0'),
  {
    // 8.1 added `rdb-version-check`: relaxed lets newer Valkey files (VALKEY magic) in, the
    // loader then stops at any byte it does not know; 12–79 stay refused in both modes.
    id: 'valkey@8.1',
    server: 'valkey',
    line: '8.1',
    writes: { magic: 'REDIS', rdbVersion: 11 },
    reads: [{ magic: 'REDIS', min: 1, max: 11 }],
    readsRelaxed: [
      { magic: 'REDIS', min: 1, max: 11 },
      { magic: 'VALKEY', min: 80, max: null },
    ],
    foreignVersions: [12, 79],
    foreignBytesInRedisMagic: null,
    types: { REDIS: VT_REDIS, VALKEY: VT_REDIS },
    opcodes: { REDIS: VO_8_0, VALKEY: VO_8_0 },
    moduleTypes: [7],
    aof: { ...AOF_7_0, valkeyMagicInAofSince: '8.1.5' },
    basis: 'valkey PR #1604 (relaxed check, 8.1) and issues #2888/#2917 (VALKEY-magic AOF base, fixed in 8.1.5); the 8.1 source itself was not read',
  },
  valkey9('9.0', 80, VT_9_0),
  valkey9('9.1', 80, VT_9_0),
  valkey9('9.2', 81, VT_9_2),
];

/** A Valkey 9 line: REDIS files up to 11, VALKEY files up to its own; relaxed admits Redis 7.4+ files byte-checked. */
function valkey9(line: string, rdbVersion: number, valkeyTypes: number[]): ServerRelease {
  return {
    id: `valkey@${line}`,
    server: 'valkey',
    line,
    writes: { magic: 'VALKEY', rdbVersion },
    reads: [
      { magic: 'REDIS', min: 1, max: 11 },
      { magic: 'VALKEY', min: 80, max: rdbVersion },
    ],
    readsRelaxed: [
      { magic: 'REDIS', min: 1, max: 79 },
      { magic: 'VALKEY', min: 80, max: null },
    ],
    foreignVersions: [12, 79],
    foreignBytesInRedisMagic: [22, 243],
    types: { REDIS: VT_REDIS, VALKEY: valkeyTypes },
    opcodes: { REDIS: VO_9_0_REDIS, VALKEY: VO_9_0_VALKEY },
    moduleTypes: [7],
    aof: AOF_7_0,
    ...(line === '9.0' ? {} : { basis: 'FORMATS.md §8.2 (release notes, the version map in valkey rdb.h); the 9.0-line rdb.c was read' }),
  };
}

/** Lines deliberately left out of {@link SERVER_RELEASES}, and why (for messages). */
export const UNLISTED_RELEASES: Readonly<Record<string, string>> = {
  'redis@8.12': 'Redis 8.12 is not in the table yet: its RDB version and new encodings are not verified',
};

/** The entry of a type byte as read in a file with `magic`; undefined for a byte no release defines. */
export function rdbTypeEntry(byte: number, magic: RdbMagic): RdbTypeEntry | undefined {
  return RDB_TYPES.find((t) => t.byte === byte && (t.dialect === 'any' || t.dialect === magic));
}

/** The entry of an opcode byte as read in a file with `magic`; undefined for a byte no one defines. */
export function rdbOpcodeEntry(byte: number, magic: RdbMagic): RdbOpcodeEntry | undefined {
  return RDB_OPCODES.find((o) => o.byte === byte && (o.dialect === 'any' || o.dialect === magic || o.dialect === 'enterprise'));
}
