/**
 * What `check` learns about each file beyond "is it intact", gathered in the same single read
 * by decoder callbacks: the facts the server-compatibility judgement needs (magic, version,
 * the object types, opcodes and module types the file uses), and the facts the backup policy
 * rules need (when the file was written, the biggest and the longest key, the last `#TS`
 * annotation). Values are never decoded for this: key records are measured as they pass.
 */
import type { RdbHandler } from '../model/events.js';
import type { AofHandler } from '../model/aof-events.js';
import type { RdbFacts } from './compat.js';

export type { RdbFacts };

/** One key, as the policy report names it. */
export interface KeyMark {
  db: number;
  /** The key's bytes (a copy). */
  key: Uint8Array;
  /** `hash, listpack` and the like. */
  what: string;
  /** Bytes the record takes in the file. */
  bytes: number;
  elements: number;
}

/** Size thresholds the collector counts keys against (the policy's, when given). */
export interface FactThresholds {
  maxKeyBytes?: number;
  maxElements?: number;
}

/** Everything gathered about one file. */
export interface FileFacts {
  rdb: RdbFacts | null;
  /** The RDB's `ctime` AUX field (Unix seconds), when present. */
  ctimeSec: number | null;
  /** `redis-ver` / `valkey-ver` AUX, when present. */
  serverVersion: string | null;
  /** The key whose record is largest in the file. */
  biggestKey: KeyMark | null;
  /** The key with the most elements. */
  longestKey: KeyMark | null;
  /** Keys whose record is larger than `thresholds.maxKeyBytes`. */
  keysOverBytes: number;
  /** Keys with more elements than `thresholds.maxElements`. */
  keysOverElements: number;
  /** `#` annotation lines in the RESP part. */
  annotations: number;
  /** The last `#TS:` annotation's time (Unix seconds), when there is one. */
  lastTimestampSec: number | null;
}

/** A fresh, empty set of facts. */
export function emptyFacts(): FileFacts {
  return {
    rdb: null,
    ctimeSec: null,
    serverVersion: null,
    biggestKey: null,
    longestKey: null,
    keysOverBytes: 0,
    keysOverElements: 0,
    annotations: 0,
    lastTimestampSec: null,
  };
}

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b.subarray(0, 256));

/** A decimal AUX value (RDB int-encoded strings reach handlers as decimal text). */
function auxNumber(b: Uint8Array): number | null {
  const s = latin1(b);
  return /^-?\d{1,16}$/.test(s) ? Number(s) : null;
}

const bump = (m: Record<string, number>, k: number | string) => {
  m[k] = (m[k] ?? 0) + 1;
};

/**
 * Decoder callbacks that fill `facts` as a file is read. They ask for no values
 * (`keyStart` returns false), so they cost nothing on the values' bytes.
 */
export function factHandlers(facts: () => FileFacts, thresholds: FactThresholds = {}): { rdb: RdbHandler; aof: AofHandler } {
  const maxBytes = thresholds.maxKeyBytes ?? Infinity;
  const maxElements = thresholds.maxElements ?? Infinity;
  const rdb: RdbHandler = {
    header(h) {
      facts().rdb = { magic: h.magic, version: h.version, types: {}, opcodes: {}, modules: {} };
    },
    aux(name, value) {
      const f = facts();
      switch (latin1(name)) {
        case 'ctime':
          f.ctimeSec = auxNumber(value);
          break;
        case 'redis-ver':
          f.serverVersion ??= latin1(value);
          break;
        case 'valkey-ver':
          f.serverVersion = latin1(value);
          break;
      }
    },
    opcode(op) {
      const r = facts().rdb;
      if (r) bump(r.opcodes, op);
    },
    keyStart(k) {
      const r = facts().rdb;
      if (r) bump(r.types, k.rdbType);
      return false;
    },
    keyEnd(k) {
      const f = facts();
      if (k.moduleName !== undefined && f.rdb) bump(f.rdb.modules, k.moduleName);
      if (k.onDiskBytes > maxBytes) f.keysOverBytes++;
      if (k.elements > maxElements) f.keysOverElements++;
      if (f.biggestKey === null || k.onDiskBytes > f.biggestKey.bytes) f.biggestKey = mark(k);
      if (f.longestKey === null || k.elements > f.longestKey.elements) f.longestKey = mark(k);
    },
  };
  const aof: AofHandler = {
    annotation(a) {
      const f = facts();
      f.annotations++;
      if (a.timestampSec !== undefined) f.lastTimestampSec = a.timestampSec;
    },
  };
  return { rdb, aof };
}

function mark(k: Parameters<NonNullable<RdbHandler['keyEnd']>>[0]): KeyMark {
  return { db: k.db, key: k.key.slice(), what: `${k.valueType}, ${k.encoding}`, bytes: k.onDiskBytes, elements: k.elements };
}
