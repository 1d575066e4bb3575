/**
 * Redis data types and the encodings a file stores them in, and the mapping from an RDB type
 * byte to both (FORMATS.md §2). Names are Redis's own (`OBJECT ENCODING` vocabulary).
 */

/** A Redis data type, as `TYPE` names it. */
export type ValueType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'module' | 'array' | 'gcra';

/** An on-disk encoding, named as Redis names encodings. */
export type Encoding =
  | 'int'
  | 'raw'
  | 'linkedlist'
  | 'ziplist'
  | 'zipmap'
  | 'intset'
  | 'listpack'
  | 'listpackex'
  | 'quicklist'
  | 'hashtable'
  | 'skiplist'
  | 'stream'
  | 'module'
  | 'array'
  | 'template';

/** The file dialect, decided by the magic: it changes the meaning of types 22/23 and opcodes 242/243. */
export type Dialect = 'redis' | 'valkey';

/** What an RDB type byte stands for. */
export interface TypeInfo {
  valueType: ValueType;
  /** Encoding as stored (strings are refined to `int` per value by the decoder). */
  encoding: Encoding;
  /** Redis's macro name, for messages (`hash-listpack`). */
  label: string;
}

const COMMON: Record<number, TypeInfo> = {
  0: { valueType: 'string', encoding: 'raw', label: 'string' },
  1: { valueType: 'list', encoding: 'linkedlist', label: 'list-linked' },
  2: { valueType: 'set', encoding: 'hashtable', label: 'set-hashtable' },
  3: { valueType: 'zset', encoding: 'skiplist', label: 'zset-v1' },
  4: { valueType: 'hash', encoding: 'hashtable', label: 'hash-hashtable' },
  5: { valueType: 'zset', encoding: 'skiplist', label: 'zset-v2' },
  6: { valueType: 'module', encoding: 'module', label: 'module-pre-release' },
  7: { valueType: 'module', encoding: 'module', label: 'module-value' },
  9: { valueType: 'hash', encoding: 'zipmap', label: 'hash-zipmap' },
  10: { valueType: 'list', encoding: 'ziplist', label: 'list-ziplist' },
  11: { valueType: 'set', encoding: 'intset', label: 'set-intset' },
  12: { valueType: 'zset', encoding: 'ziplist', label: 'zset-ziplist' },
  13: { valueType: 'hash', encoding: 'ziplist', label: 'hash-ziplist' },
  14: { valueType: 'list', encoding: 'quicklist', label: 'list-quicklist' },
  15: { valueType: 'stream', encoding: 'stream', label: 'stream' },
  16: { valueType: 'hash', encoding: 'listpack', label: 'hash-listpack' },
  17: { valueType: 'zset', encoding: 'listpack', label: 'zset-listpack' },
  18: { valueType: 'list', encoding: 'quicklist', label: 'list-quicklist-v2' },
  19: { valueType: 'stream', encoding: 'stream', label: 'stream-v2' },
  20: { valueType: 'set', encoding: 'listpack', label: 'set-listpack' },
  21: { valueType: 'stream', encoding: 'stream', label: 'stream-v3' },
  24: { valueType: 'hash', encoding: 'hashtable', label: 'hash-hashtable-md' },
  25: { valueType: 'hash', encoding: 'listpackex', label: 'hash-listpack-md' },
  26: { valueType: 'stream', encoding: 'stream', label: 'stream-v4' },
  27: { valueType: 'stream', encoding: 'stream', label: 'stream-v5' },
  28: { valueType: 'array', encoding: 'array', label: 'array' },
  29: { valueType: 'hash', encoding: 'template', label: 'hash-template-listpack' },
  30: { valueType: 'hash', encoding: 'template', label: 'hash-template-listpack-ref' },
  31: { valueType: 'hash', encoding: 'template', label: 'hash-template-array' },
  32: { valueType: 'hash', encoding: 'template', label: 'hash-template-array-ref' },
  33: { valueType: 'gcra', encoding: 'raw', label: 'gcra' },
};

const REDIS_ONLY: Record<number, TypeInfo> = {
  22: { valueType: 'hash', encoding: 'hashtable', label: 'hash-hashtable-md-pre-ga' },
  23: { valueType: 'hash', encoding: 'listpackex', label: 'hash-listpack-md-pre-ga' },
};

const VALKEY_ONLY: Record<number, TypeInfo> = {
  22: { valueType: 'hash', encoding: 'hashtable', label: 'hash-2' },
  23: { valueType: 'hash', encoding: 'hashtable', label: 'path-hash' },
};

/** Looks up a type byte in the dialect of the file; `undefined` for unknown bytes. */
export function typeInfo(rdbType: number, dialect: Dialect): TypeInfo | undefined {
  return COMMON[rdbType] ?? (dialect === 'valkey' ? VALKEY_ONLY[rdbType] : REDIS_ONLY[rdbType]);
}
