/**
 * What the RDB decoder reports, as typed callbacks. A consumer implements only the methods it
 * needs. Byte arguments are views into the decoder's buffers, valid only during the call:
 * whatever a consumer keeps, it copies (`slice()`).
 */
import type { Dialect, Encoding, ValueType } from './redis-types.js';

/** A stream ID rendered as `ms-seq` (both parts unsigned 64-bit decimal). */
export type StreamId = string;

/** The file header. */
export interface RdbHeader {
  magic: 'REDIS' | 'VALKEY';
  dialect: Dialect;
  version: number;
}

/**
 * One key. The decoder reuses one object for every key: read it during `keyStart`/`keyEnd`,
 * copy what you keep.
 */
export interface KeyInfo {
  db: number;
  key: Uint8Array;
  /** The raw RDB type byte. */
  rdbType: number;
  valueType: ValueType;
  /** The encoding as stored in the file (strings: `int` when stored int-encoded). */
  encoding: Encoding;
  /** Absolute expiry in Unix ms, or null. */
  expireAtMs: number | null;
  /** IDLE opcode value (seconds), when present. */
  lruIdleSec: number | undefined;
  /** FREQ opcode value (LFU counter), when present. */
  lfuFreq: number | undefined;
  /** Absolute offset where the key's record starts (its first expiry/idle/freq opcode or its type byte). */
  offset: number;
  /**
   * Set at `keyStart` when the record states it before its value: the element count, as
   * `elements` counts them (1 for strings and module values; the count of a plain list, set,
   * sorted set or hash; the count in a ziplist, listpack, intset or zipmap header, in pairs for
   * hashes and sorted sets). Undefined when the file gives no count up front (quicklists,
   * streams, hash templates) or a blob's header leaves it to a walk (65535). A consistent file
   * has `elements` equal to it at `keyEnd`. Lets a writer stream a value it re-encodes.
   */
  declaredElements?: number;
  /**
   * Set at `keyStart` for a value stored as one string: its size in bytes, decompressed — a
   * string value's length, or the size of a ziplist, listpack, intset or zipmap blob.
   * Undefined for values made of several strings (plain collections, quicklists, streams).
   */
  blobBytes?: number;
  /**
   * The key's bytes as a Latin-1 JavaScript string (one char per byte, binary-safe), made
   * straight from the decoder's buffer: for a consumer that keeps bytes as such strings (the
   * in-memory dataset), without the view `key` makes; undefined when the key is longer than
   * the longest JavaScript string (2^29 − 24 units). Absent on key records made elsewhere.
   */
  keyLatin1?(): string | undefined;
  /**
   * Where the key's bytes are — `keyBuf[keyFrom, keyTo)`, valid while `key` would be — for a
   * consumer that copies them out without the view `key` makes. Absent on key records made
   * elsewhere.
   */
  readonly keyBuf?: Uint8Array;
  readonly keyFrom?: number;
  readonly keyTo?: number;
  /** Set at `keyEnd`: elements (list items, set members, zset members, hash fields, live stream entries; 1 for strings). */
  elements: number;
  /** Set at `keyEnd`: bytes the whole record takes in the file. */
  onDiskBytes: number;
  /** Set at `keyEnd`: length in bytes of a string value (decompressed), 0 for other types. */
  valueBytes: number;
  /**
   * Set at `keyEnd` for a module value (type 7): the 9-character module type name, known
   * whether or not the value was asked for. Undefined for every other type.
   */
  moduleName?: string;
}

/** A stream's metadata (fields the file's type does not carry are undefined). */
export interface StreamMeta {
  length: number;
  lastGeneratedId: StreamId;
  recordedFirstEntryId?: StreamId;
  maxDeletedEntryId?: StreamId;
  entriesAdded?: number;
  /** Listpack nodes in the file. */
  listpacks: number;
  /** Deleted (tombstone) entries still present in the listpacks. */
  deletedEntries: number;
  /** Live entries counted in the listpacks (equal to `length` in a consistent file). */
  liveEntries: number;
}

/** A group's pending entry. */
export interface StreamPending {
  id: StreamId;
  consumer?: Uint8Array;
  deliveryTimeMs: number;
  deliveryCount: number;
}

/** A consumer of a group. */
export interface StreamConsumer {
  name: Uint8Array;
  seenTimeMs: number;
  activeTimeMs?: number;
  pending: StreamPending[];
}

/** A consumer group, whole (names are copies, safe to keep). */
export interface StreamGroup {
  name: Uint8Array;
  lastDeliveredId: StreamId;
  /** Absent before type 19; -1 when the file says "unknown". */
  entriesRead?: number;
  pending: StreamPending[];
  consumers: StreamConsumer[];
  /** Type 27: IDs in the NACK zone. */
  nacked?: StreamId[];
}

/** Idempotent-producer state of a type-26/27 stream. */
export interface StreamIdmp {
  durationSec: number;
  maxEntries: number;
  producers: { pid: Uint8Array; entries: { iid: Uint8Array; id: StreamId }[] }[];
  iidsAdded: number;
  iidsDuplicates: number;
}

/** A module value or module AUX payload, undecoded. */
export interface ModuleBlob {
  /** The 9-character module type name. */
  moduleName: string;
  encver: number;
  /** The 64-bit module type id as a decimal string. */
  moduleId: string;
  /** The payload: the opcode stream up to and including its EOF opcode. */
  raw: Uint8Array;
}

/** Checksum verdict. */
export type ChecksumStatus = 'ok' | 'mismatch' | 'disabled' | 'absent';

/** The end of an RDB. */
export interface RdbEnd {
  checksum: ChecksumStatus;
  /** Stored trailer, hex, when present. */
  storedChecksum: string | null;
  /** Computed CRC-64, hex, when computed. */
  computedChecksum: string | null;
  /** Absolute offset of the EOF opcode. */
  eofOffset: number;
  /** Absolute offset just after the trailer: where a hybrid AOF's RESP tail starts. */
  endOffset: number;
}

/** Callbacks of the RDB decoder. All are optional. */
export interface RdbHandler {
  header?(h: RdbHeader, offset: number): void;
  aux?(name: Uint8Array, value: Uint8Array, offset: number): void;
  selectDb?(db: number, offset: number): void;
  resizeDb?(keys: number, expires: number, offset: number): void;
  slotInfo?(slot: number, keys: number, expires: number, offset: number): void;
  /**
   * Every byte read where a type is expected that is not an object type (FORMATS.md §1.4):
   * once per opcode, at its offset, before its payload is read. EOF (255) is not reported
   * (`end` is). An unknown opcode is reported just before the decoder refuses it.
   */
  opcode?(opcode: number, offset: number): void;
  /**
   * A function library (FUNCTION2, opcode 245): its source as `FUNCTION LOAD` takes it. A
   * library in the 7.0 RC layout (opcode 246) is delivered as Redis 7.0 rebuilds it,
   * `#!<engine> name=<name>\n<code>` (its description dropped).
   */
  function?(code: Uint8Array, offset: number): void;
  moduleAux?(m: ModuleBlob & { when: number }, offset: number): void;
  /** Valkey SLOT_IMPORT (opcode 243 in VALKEY files). */
  slotImport?(jobName: Uint8Array, ranges: [number, number][], offset: number): void;
  /** Redis HASH_TEMPLATE (opcode 242, RDB 15). */
  hashTemplate?(id: number, fields: Uint8Array[], offset: number): void;
  /**
   * A key starts. Return true to receive its value callbacks; otherwise the value is walked
   * (and validated as configured) without materialising it.
   */
  keyStart?(k: KeyInfo): boolean;
  /** A string value (whole), or one part of a large one (see `stringPart`). */
  stringValue?(value: Uint8Array): void;
  /**
   * A whole string value (RDB type 0) as a Latin-1 JavaScript string (one char per byte,
   * binary-safe), called instead of `stringValue` when present, for a consumer that keeps
   * bytes as such strings: the decoder makes it straight from its buffer, without a view.
   * Strings delivered in parts (`stringPart`) and those longer than the longest JavaScript
   * string still go to `stringValue`.
   */
  stringLatin1?(value: string): void;
  /**
   * A whole string value (RDB type 0) as `buf[start, end)` — the decoder's window, or where it
   * was decompressed or rendered, valid during the call — called instead of `stringValue` (and
   * `stringLatin1`) when present, for a consumer that copies the bytes out at once: no view is
   * made. Strings delivered in parts (`stringPart`) still go there.
   */
  stringRange?(buf: Uint8Array, start: number, end: number): void;
  /**
   * With `stringRange`: a place for a small whole string value stored LZF-compressed, asked for
   * before it is decompressed. Return true after setting `out.buf` and `out.at` to where its
   * `length` bytes may be written (they are written there, then `stringRange` follows with
   * that range); false to have it decompressed as usual. For a consumer that would copy the
   * bytes into a buffer of its own anyway.
   */
  stringTarget?(length: number, out: { buf: Uint8Array; at: number }): boolean;
  /** Part of a string larger than `limits.maxInlineValueBytes`; `last` on the final part. */
  stringPart?(part: Uint8Array, last: boolean, totalBytes: number): void;
  /**
   * A value stored as one blob (RDB types 9–13, 16, 17 and 20: a zipmap, ziplist, intset or
   * listpack; not a listpack with field TTLs), or one packed node of a quicklist (types 14 and
   * 18, each node in turn, among the plain nodes' `item` calls), whose key's values go to the
   * handler, in a deep pass: the RDB type, the blob (decompressed, a view valid only during the
   * call) and the absolute offset of its string. The decoder calls it once it has walked the
   * blob as a deep pass does, without element callbacks (so its structure is sound and its
   * elements counted). Return true to take the blob whole: no element callback follows for it.
   * Return false to have its elements delivered as usual (the blob is walked again). A damaged
   * blob is never offered: its elements go to the callbacks up to the damage, as they would
   * without this one.
   */
  blobValue?(rdbType: number, blob: Uint8Array, offset: number): boolean;
  /**
   * One node of a quicklist (types 14 and 18) or of a stream (types 15, 19, 21, 26 and 27), once
   * it has been read (after its elements' callbacks, when they are wanted). Called for every
   * key, its values wanted or not: the decoder reads these sizes anyway. `container` is 1 for a
   * PLAIN quicklist node, 2 for a packed one (a ziplist or listpack; every stream node); `bytes`
   * the node's size, decompressed (a blob's, or a PLAIN node's element's length); `nodeKey` a
   * stream node's 16-byte master entry ID (a view valid only during the call), null for
   * quicklists. Lets a consumer size what a server allocates for the value without its elements.
   */
  valueNode?(container: number, bytes: number, nodeKey: Uint8Array | null): void;
  /** A list element or set member. */
  item?(value: Uint8Array): void;
  /**
   * The range forms of `item`, `field` (a field without TTL) and `member`: the bytes as
   * `buf[start, end)` — where the decoder read them (its window, a blob, where a string was
   * decompressed, an integer's text), valid during the call — for a consumer that copies them
   * out at once: no view is made per element. A handler that has one has the plain form too:
   * the decoder uses the range form where it has one (plain encodings, ziplists, listpacks,
   * intsets, quicklists) and the plain form elsewhere (zipmaps, fields with TTLs, newer types).
   */
  itemRange?(buf: Uint8Array, start: number, end: number): void;
  fieldRange?(fieldBuf: Uint8Array, fieldStart: number, fieldEnd: number, valueBuf: Uint8Array, valueStart: number, valueEnd: number): void;
  memberRange?(buf: Uint8Array, start: number, end: number, score: number): void;
  /** A hash field; `expireAtMs` is the field TTL (absolute ms) or null. */
  field?(field: Uint8Array, value: Uint8Array, expireAtMs: number | null): void;
  /** A sorted-set member. */
  member?(member: Uint8Array, score: number): void;
  /** A stream entry (`fields` is [f1, v1, f2, v2, ...]); deleted entries come with `deleted` true. */
  streamEntry?(id: StreamId, fields: Uint8Array[], deleted: boolean): void;
  streamMeta?(meta: StreamMeta): void;
  streamGroup?(group: StreamGroup): void;
  streamIdmp?(idmp: StreamIdmp): void;
  /** An array element (type 28): index and value (numbers rendered as decimal text). */
  arrayElement?(index: number, value: Uint8Array): void;
  moduleValue?(m: ModuleBlob): void;
  /** The key's record ended; `elements`, `onDiskBytes` and `valueBytes` are set. */
  keyEnd?(k: KeyInfo): void;
  end?(e: RdbEnd): void;
}
