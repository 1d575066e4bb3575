/**
 * RDB opcodes, object types and string encodings, named after Redis's macros
 * (FORMATS.md §1.4, §1.6, §2). Bytes 242/243 and types 22/23 mean different things in
 * Redis and Valkey files: the dialect is chosen by the magic.
 */

/** Opcodes: one byte read where a type is expected (FORMATS.md §1.4). */
export const RdbOpcode = {
  /** RDB_OPCODE_KEY_NOEVICT (Redis 8.12 BLESS attribute; version UNVERIFIED) */
  KeyNoEvict: 240,
  /** Redis RDB_OPCODE_HASH_TEMPLATE (RDB 15) / Valkey UPDATE (replication stream only) */
  HashTemplate: 242,
  /** Redis RDB_OPCODE_KEY_META (RDB 13) / Valkey RDB_OPCODE_SLOT_IMPORT (RDB 80) */
  KeyMeta: 243,
  /** RDB_OPCODE_SLOT_INFO (RDB 12) */
  SlotInfo: 244,
  /** RDB_OPCODE_FUNCTION2 (RDB 10) */
  Function2: 245,
  /** RDB_OPCODE_FUNCTION_PRE_GA (7.0 release candidates; Redis 7.0 loads it, 7.2+ refuse it) */
  FunctionPreGa: 246,
  /** RDB_OPCODE_MODULE_AUX (RDB 9) */
  ModuleAux: 247,
  /** RDB_OPCODE_IDLE (RDB 9) */
  Idle: 248,
  /** RDB_OPCODE_FREQ (RDB 9) */
  Freq: 249,
  /** RDB_OPCODE_AUX (RDB 7) */
  Aux: 250,
  /** RDB_OPCODE_RESIZEDB (RDB 7) */
  ResizeDb: 251,
  /** RDB_OPCODE_EXPIRETIME_MS (RDB 3) */
  ExpireTimeMs: 252,
  /** RDB_OPCODE_EXPIRETIME (seconds, RDB 1) */
  ExpireTime: 253,
  /** RDB_OPCODE_SELECTDB */
  SelectDb: 254,
  /** RDB_OPCODE_EOF */
  Eof: 255,
} as const;

/** Object types (FORMATS.md §2). */
export const RdbType = {
  String: 0, // RDB_TYPE_STRING
  List: 1, // RDB_TYPE_LIST
  Set: 2, // RDB_TYPE_SET
  Zset: 3, // RDB_TYPE_ZSET
  Hash: 4, // RDB_TYPE_HASH
  Zset2: 5, // RDB_TYPE_ZSET_2
  ModulePreGa: 6, // RDB_TYPE_MODULE_PRE_GA
  Module2: 7, // RDB_TYPE_MODULE_2
  HashZipmap: 9, // RDB_TYPE_HASH_ZIPMAP
  ListZiplist: 10, // RDB_TYPE_LIST_ZIPLIST
  SetIntset: 11, // RDB_TYPE_SET_INTSET
  ZsetZiplist: 12, // RDB_TYPE_ZSET_ZIPLIST
  HashZiplist: 13, // RDB_TYPE_HASH_ZIPLIST
  ListQuicklist: 14, // RDB_TYPE_LIST_QUICKLIST
  StreamListpacks: 15, // RDB_TYPE_STREAM_LISTPACKS
  HashListpack: 16, // RDB_TYPE_HASH_LISTPACK
  ZsetListpack: 17, // RDB_TYPE_ZSET_LISTPACK
  ListQuicklist2: 18, // RDB_TYPE_LIST_QUICKLIST_2
  StreamListpacks2: 19, // RDB_TYPE_STREAM_LISTPACKS_2
  SetListpack: 20, // RDB_TYPE_SET_LISTPACK
  StreamListpacks3: 21, // RDB_TYPE_STREAM_LISTPACKS_3
  /** Redis: RDB_TYPE_HASH_METADATA_PRE_GA (7.4 RCs). Valkey (RDB ≥ 80): HASH_2. */
  HashMetadataPreGa: 22,
  /** Redis: RDB_TYPE_HASH_LISTPACK_EX_PRE_GA (7.4 RCs). Valkey (RDB 81): PATH_HASH (layout UNVERIFIED). */
  HashListpackExPreGa: 23,
  HashMetadata: 24, // RDB_TYPE_HASH_METADATA
  HashListpackEx: 25, // RDB_TYPE_HASH_LISTPACK_EX
  StreamListpacks4: 26, // RDB_TYPE_STREAM_LISTPACKS_4
  StreamListpacks5: 27, // RDB_TYPE_STREAM_LISTPACKS_5
  Array: 28, // RDB_TYPE_ARRAY
  HashTmplLp: 29, // RDB_TYPE_HASH_TMPL_LP
  HashTmplLpRef: 30, // RDB_TYPE_HASH_TMPL_LP_REF
  HashTmplArray: 31, // RDB_TYPE_HASH_TMPL_ARRAY
  HashTmplArrayRef: 32, // RDB_TYPE_HASH_TMPL_ARRAY_REF
  Gcra: 33, // RDB_TYPE_GCRA (Enterprise only; not parsed)
} as const;

/** Special string encodings: the 6 low bits of a `11xxxxxx` length byte (FORMATS.md §1.6). */
export const RdbEnc = {
  Int8: 0, // RDB_ENC_INT8
  Int16: 1, // RDB_ENC_INT16
  Int32: 2, // RDB_ENC_INT32
  Lzf: 3, // RDB_ENC_LZF
} as const;

/** Module value opcodes (FORMATS.md §3.8). */
export const RdbModuleOpcode = {
  Eof: 0, // RDB_MODULE_OPCODE_EOF
  Sint: 1, // RDB_MODULE_OPCODE_SINT
  Uint: 2, // RDB_MODULE_OPCODE_UINT
  Float: 3, // RDB_MODULE_OPCODE_FLOAT
  Double: 4, // RDB_MODULE_OPCODE_DOUBLE
  String: 5, // RDB_MODULE_OPCODE_STRING
} as const;

/** Quicklist v2 node containers (FORMATS.md §2.14). */
export const QuicklistContainer = {
  Plain: 1, // QUICKLIST_NODE_CONTAINER_PLAIN
  Packed: 2, // QUICKLIST_NODE_CONTAINER_PACKED
} as const;

/** Stream listpack entry flags (FORMATS.md §3.6). */
export const StreamItemFlag = {
  Deleted: 1, // STREAM_ITEM_FLAG_DELETED
  SameFields: 2, // STREAM_ITEM_FLAG_SAMEFIELDS
} as const;

/** Highest RDB version this decoder reads with the REDIS magic. */
export const MAX_REDIS_RDB_VERSION = 15;
/** RDB versions this decoder reads with the VALKEY magic. */
export const VALKEY_RDB_VERSIONS: readonly number[] = [80, 81];

/** Largest field-expiry time Redis accepts (EB_EXPIRE_TIME_MAX, FORMATS.md §2.16). */
export const EB_EXPIRE_TIME_MAX = 0xffffffffffff;
