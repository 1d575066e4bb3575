/**
 * Key-level analysis: one {@link KeySummary} per key, folded by {@link KeyAnalyzer}s. The
 * decoder's `keyEnd` callback already carries everything a summary needs (element count,
 * on-disk size, value size), so analyzers that only need per-key facts never ask for
 * values, and the decoder can skip them.
 */
import { copyBytes } from '../io/bytes.js';
import type { KeyInfo, RdbHandler } from '../model/events.js';
import type { Encoding, ValueType } from '../model/redis-types.js';

/** What is known about one key once its record has been read. Safe to keep (the key is a copy). */
export interface KeySummary {
  db: number;
  /** The key bytes (a copy). */
  key: Uint8Array;
  rdbType: number;
  valueType: ValueType;
  encoding: Encoding;
  /** Absolute expiry in Unix ms, or null. */
  expireAtMs: number | null;
  lruIdleSec: number | undefined;
  lfuFreq: number | undefined;
  /** Elements (list items, set/zset members, hash fields, live stream entries; 1 for strings). */
  elements: number;
  /** Bytes the whole record takes in the file (expiry and other prefixes included). */
  onDiskBytes: number;
  /** Length of a string value in bytes (0 for other types). */
  valueBytes: number;
  /** Absolute offset where the record starts. */
  offset: number;
}

/**
 * A consumer of finished keys. `onKey` receives the decoder's reused {@link KeyInfo}: read
 * it during the call and copy what you keep (see {@link toKeySummary}).
 */
export interface KeyAnalyzer<R> {
  onKey(k: Readonly<KeyInfo>): void;
  /** The analysis so far, as plain data. */
  result(): R;
}

/** Copies a key record into a {@link KeySummary} (the key bytes are copied). */
export function toKeySummary(k: Readonly<KeyInfo>): KeySummary {
  return {
    db: k.db,
    key: copyBytes(k.key),
    rdbType: k.rdbType,
    valueType: k.valueType,
    encoding: k.encoding,
    expireAtMs: k.expireAtMs,
    lruIdleSec: k.lruIdleSec,
    lfuFreq: k.lfuFreq,
    elements: k.elements,
    onDiskBytes: k.onDiskBytes,
    valueBytes: k.valueBytes,
    offset: k.offset,
  };
}

/**
 * Adapts key analyzers to the decoder: `keyEnd` feeds every analyzer. `keyStart` is left to
 * the caller (merge this object with a handler that decides which values to receive).
 */
export function keyAnalyzersHandler(analyzers: readonly KeyAnalyzer<unknown>[]): Pick<RdbHandler, 'keyEnd'> {
  return {
    keyEnd(k) {
      for (let i = 0; i < analyzers.length; i++) analyzers[i].onKey(k);
    },
  };
}
