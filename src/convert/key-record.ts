/**
 * What every conversion moves: one key at a time, with its value as the dataset holds it.
 * Sources (an RDB read key by key, a replayed dataset, an NDJSON export read back) produce
 * key records; writers (RDB, AOF rewrite, RESP, NDJSON) consume them. A record and its value
 * belong to the writer only for the duration of the call that hands it over: a writer that
 * keeps anything copies it (a source may reuse or drop the value afterwards).
 */
import type { ByteString } from '../dataset/byte-string.js';
import type { Value } from '../dataset/value.js';
import type { DatasetAux, ModuleAuxRecord } from '../dataset/dataset.js';
import type { StreamedValue } from '../rdb/write-dataset.js';

export type { StreamedValue } from '../rdb/write-dataset.js';

/** One key of one database. Hash field TTLs are part of a hash value (`fieldExpire`). */
export interface KeyRecord {
  db: number;
  key: ByteString;
  value: Value;
  /** Absolute expiry in Unix milliseconds, or null. */
  expireAtMs: number | null;
  /** Idle seconds from the source's IDLE opcode, when it has one. */
  lruIdleSec?: number;
  /** LFU counter from the source's FREQ opcode, when it has one. */
  lfuFreq?: number;
}

/** What comes before the keys: AUX fields, function libraries, module AUX records. */
export interface DatasetHeader {
  /** AUX fields of the source, in its order (empty for sources without them). */
  aux: readonly DatasetAux[];
  /** Function library sources (the code FUNCTION LOAD takes), in the source's order. */
  functions: readonly Uint8Array[];
  /** Module AUX records of the source, passed through to RDB targets that know the module. */
  moduleAux: readonly ModuleAuxRecord[];
}

/**
 * A key whose value is too large to hold, handed over before its value: the value follows
 * piece by piece into the {@link StreamedValue} the writer returns (string parts, or list
 * items, set members, sorted-set members with scores, hash fields without TTLs), then `end`.
 * Duplicate members or fields are not checked on this path (that would mean holding them).
 */
export interface StreamedKey {
  db: number;
  key: ByteString;
  type: 'string' | 'list' | 'set' | 'zset' | 'hash';
  /** Elements (the count the source stated), or null when unknown ahead (a list from a quicklist). */
  count: number | null;
  /** A string's length in bytes. */
  bytes?: number;
  expireAtMs: number | null;
  lruIdleSec?: number;
  lfuFreq?: number;
  /**
   * The key's bytes, when the source has them at hand (a view valid during the call): a writer
   * that writes bytes takes these rather than `key`, which a source may then make only when
   * it is read.
   */
  keyBytes?: Uint8Array;
  /**
   * Where the key's bytes are, when the source read them in place: `keyBuf[keyFrom, keyTo)`,
   * valid during the call, for a writer that copies them out without a view.
   */
  keyBuf?: Uint8Array;
  keyFrom?: number;
  keyTo?: number;
}

