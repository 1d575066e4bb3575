/**
 * A dataset read out as the RDB decoder's events: the same {@link RdbHandler} callbacks a file
 * gives (AUX fields, function libraries, then per key `keyStart`, its value, `keyEnd`), so that
 * every consumer of RDB events — the exporter, the summaries — works on a dataset too, such as
 * the one a replayed AOF produced, without a second code path.
 *
 * What the events say beyond the data is what a server holding this dataset would write in an
 * RDB: each key's `encoding` and `rdbType` are those Redis picks for the value when it loads
 * it, with the default limits (see {@link loadEncoding}); `onDiskBytes` is 0 (nothing was
 * read from a disk). Values come in the order Redis holds them where that order is fixed: an
 * intset's members ascending, listpacks in insertion order; a hash table's order is Redis's
 * own and cannot be known, so the dataset's (insertion) order stands for it.
 *
 * Byte views handed to the handler are valid only during the call, as with the decoder.
 */
import type { KeyInfo, RdbHandler, StreamGroup, StreamPending } from '../model/events.js';
import type { Encoding, ValueType } from '../model/redis-types.js';
import { RdbType } from '../rdb/constants.js';
import type { ByteString } from './byte-string.js';
import type { Dataset } from './dataset.js';
import type { Value } from './value.js';
import { valueType, valueLength } from './value.js';
import type { SetValue } from './set.js';
import type { ZSetValue } from './zset.js';
import type { HashValue } from './hash.js';
import type { StreamValue, StreamGroupState } from './stream.js';
import { streamIdText } from './stream-id.js';

/** Redis's default encoding limits (the compiled-in defaults of Redis 7.0: hash 512 entries, zset 128). */
export const DEFAULT_ENCODING_LIMITS = {
  /** `set-max-intset-entries`. */
  setMaxIntsetEntries: 512,
  /** `hash-max-listpack-entries` / `-value`. */
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  /** `zset-max-listpack-entries` / `-value`. */
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
} as const;

/** The encoding and RDB type Redis gives a value when it loads it. */
export interface LoadEncoding {
  encoding: Encoding;
  rdbType: number;
}

const INT64_TEXT = /^(0|-?[1-9][0-9]{0,18})$/;

/** True when a string is the canonical decimal text of a 64-bit integer (what an intset holds). */
function isInt64Text(s: ByteString): boolean {
  if (!INT64_TEXT.test(s)) return false;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n;
}

/** True when a string is stored int-encoded in an RDB (canonical decimal, within 32 bits). */
function isRdbInt(s: ByteString): boolean {
  if (s.length > 11 || !INT64_TEXT.test(s)) return false;
  const v = Number(s);
  return v >= -(2 ** 31) && v < 2 ** 31;
}

/** The encoding and RDB type Redis 7.0 with default limits gives `v` after loading it. */
export function loadEncoding(v: Value): LoadEncoding {
  const L = DEFAULT_ENCODING_LIMITS;
  if (typeof v === 'string') return { encoding: isRdbInt(v) ? 'int' : 'raw', rdbType: RdbType.String };
  switch (v.type) {
    case 'list':
      return { encoding: 'quicklist', rdbType: RdbType.ListQuicklist2 };
    case 'set': {
      if (v.size <= L.setMaxIntsetEntries && everyMember(v, isInt64Text)) return { encoding: 'intset', rdbType: RdbType.SetIntset };
      return { encoding: 'hashtable', rdbType: RdbType.Set };
    }
    case 'zset': {
      if (v.size <= L.zsetMaxListpackEntries && zsetFits(v, L.zsetMaxListpackValue)) return { encoding: 'listpack', rdbType: RdbType.ZsetListpack };
      return { encoding: 'skiplist', rdbType: RdbType.Zset2 };
    }
    case 'hash': {
      const small = v.size <= L.hashMaxListpackEntries && hashFits(v, L.hashMaxListpackValue);
      if (v.volatileFields > 0) return small ? { encoding: 'listpackex', rdbType: RdbType.HashListpackEx } : { encoding: 'hashtable', rdbType: RdbType.HashMetadata };
      return small ? { encoding: 'listpack', rdbType: RdbType.HashListpack } : { encoding: 'hashtable', rdbType: RdbType.Hash };
    }
    case 'stream':
      return { encoding: 'stream', rdbType: streamType(v) };
    case 'module':
      return { encoding: 'module', rdbType: RdbType.Module2 };
    case 'array':
      return { encoding: 'array', rdbType: RdbType.Array };
    case 'gcra':
      return { encoding: 'raw', rdbType: RdbType.Gcra };
  }
}

function everyMember(s: SetValue, test: (m: ByteString) => boolean): boolean {
  for (const m of s) if (!test(m)) return false;
  return true;
}

function zsetFits(z: ZSetValue, max: number): boolean {
  for (const [m] of z.entries()) if (m.length > max) return false;
  return true;
}

function hashFits(h: HashValue, max: number): boolean {
  for (const [f, v] of h.entries()) if (f.length > max || v.length > max) return false;
  return true;
}

/** The stream type whose layout carries what the stream records. */
function streamType(s: StreamValue): number {
  if (s.idmp !== null) return RdbType.StreamListpacks4;
  if (!s.recordedMeta) return RdbType.StreamListpacks;
  return s.recordedActiveTimes ? RdbType.StreamListpacks3 : RdbType.StreamListpacks2;
}

/** Options of {@link emitDataset}. */
export interface EmitOptions {
  /** Keys to emit (others are left out entirely); default all. */
  filter?: (db: number, key: Uint8Array, type: ValueType) => boolean;
  /** Awaited every `batchElements` elements or so (backpressure from a writer). */
  drain?: () => Promise<void> | void;
  batchElements?: number;
  /** Checked at every drain. */
  signal?: AbortSignal;
  /**
   * Set each key's `onDiskBytes` to the bytes of its data — the key, and the value's strings
   * (a score counts 8 bytes, a stream ID 16) — a size to rank keys by, as an RDB's record
   * sizes are; default false (0: nothing was read from a disk).
   */
  sizes?: boolean;
}

/** A growing scratch buffer the byte views of one callback are written into. */
class Scratch {
  private buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  view(s: ByteString): Uint8Array {
    const n = s.length;
    if (this.used + n > this.buf.length) {
      // Views already handed out in this callback keep the old buffer alive; new ones go to a fresh one.
      this.buf = Buffer.allocUnsafe(Math.max(this.buf.length * 2, n));
      this.used = 0;
    }
    const at = this.used;
    if (n > 0) this.buf.write(s, at, n, 'latin1');
    this.used += n;
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + at, n);
  }
}

/**
 * Walks the dataset — AUX fields, function libraries, then databases ascending and keys in
 * byte order — calling `handler` as the RDB decoder would.
 * @returns the number of keys emitted. Whatever the handler throws passes through.
 */
export async function emitDataset(ds: Dataset, handler: RdbHandler, opts: EmitOptions = {}): Promise<number> {
  const scratch = new Scratch();
  const batch = opts.batchElements ?? 64 * 1024;
  let sinceDrain = 0;
  const pause = async () => {
    sinceDrain = 0;
    opts.signal?.throwIfAborted();
    await opts.drain?.();
  };
  if (ds.source && handler.header) handler.header({ ...ds.source }, 0);
  for (const a of ds.aux) {
    scratch.reset();
    handler.aux?.(scratch.view(a.name), scratch.view(a.value), 0);
  }
  for (const [, code] of ds.functions.entries()) handler.function?.(code, 0);
  let keys = 0;
  const emitter = new KeyEmitter(handler, opts.sizes ?? false, scratch);
  for (const index of ds.dbIndexes()) {
    handler.selectDb?.(index, 0);
    const d = ds.peekDb(index)!;
    for (const key of d.sortedKeys()) {
      const value = d.get(key)!;
      if (opts.filter) {
        scratch.reset();
        if (!opts.filter(index, scratch.view(key), valueType(value))) continue;
      }
      const elements = emitter.key(index, key, value, d.expireAt(key), d.lruIdleSec(key), d.lfuFreq(key));
      keys++;
      sinceDrain += 1 + elements;
      if (sinceDrain >= batch) await pause();
    }
  }
  return keys;
}

/**
 * Emits single keys as the RDB decoder would deliver them (keyStart, the value's events,
 * keyEnd), for writers fed one key at a time. The byte views are valid during each call.
 */
export class KeyEmitter {
  private readonly info: KeyInfo = {
    db: 0,
    key: new Uint8Array(0),
    rdbType: 0,
    valueType: 'string',
    encoding: 'raw',
    expireAtMs: null,
    lruIdleSec: undefined,
    lfuFreq: undefined,
    offset: 0,
    elements: 0,
    onDiskBytes: 0,
    valueBytes: 0,
  };

  constructor(
    private readonly handler: RdbHandler,
    /** Set `onDiskBytes` to the bytes of the key's data (see {@link EmitOptions.sizes}). */
    private readonly sizes = false,
    private readonly scratch = new Scratch(),
  ) {}

  /** The key's bytes, apart from the value's (which reuse `scratch`): valid until keyEnd. */
  private readonly keyScratch = new Scratch();

  /** Emits one key; returns the elements emitted (0 when the handler did not want the value). */
  key(db: number, key: ByteString, value: Value, expireAtMs: number | null, lruIdleSec?: number, lfuFreq?: number): number {
    const { handler, scratch, info } = this;
    scratch.reset();
    const type = valueType(value);
    const enc = loadEncoding(value);
    info.db = db;
    this.keyScratch.reset();
    info.key = this.keyScratch.view(key);
    info.rdbType = enc.rdbType;
    info.valueType = type;
    info.encoding = enc.encoding;
    info.expireAtMs = expireAtMs;
    info.lruIdleSec = lruIdleSec;
    info.lfuFreq = lfuFreq;
    info.elements = type === 'stream' ? (value as StreamValue).entryCount : valueLength(value);
    info.valueBytes = typeof value === 'string' ? value.length : 0;
    info.moduleName = type === 'module' ? (value as { moduleName: string }).moduleName : undefined;
    info.onDiskBytes = this.sizes ? key.length + dataBytes(value) : 0;
    const wants = handler.keyStart?.(info) ?? false;
    if (wants) emitValue(value, enc, handler, scratch);
    handler.keyEnd?.(info);
    return wants ? info.elements : 0;
  }
}

function emitValue(v: Value, enc: LoadEncoding, h: RdbHandler, scratch: Scratch): void {
  if (typeof v === 'string') {
    h.stringValue?.(scratch.view(v));
    return;
  }
  switch (v.type) {
    case 'list':
      for (const item of v) {
        scratch.reset();
        h.item?.(scratch.view(item));
      }
      return;
    case 'set': {
      let members: Iterable<ByteString> = v;
      if (enc.encoding === 'intset') members = [...v].sort((a, b) => cmpBig(BigInt(a), BigInt(b)));
      for (const m of members) {
        scratch.reset();
        h.item?.(scratch.view(m));
      }
      return;
    }
    case 'zset':
      for (const [m, score] of v.ascending()) {
        scratch.reset();
        h.member?.(scratch.view(m), score);
      }
      return;
    case 'hash':
      for (const [f, val] of v.entries()) {
        scratch.reset();
        h.field?.(scratch.view(f), scratch.view(val), v.fieldExpire(f));
      }
      return;
    case 'stream':
      emitStream(v, enc.rdbType, h, scratch);
      return;
    case 'module':
      h.moduleValue?.({ moduleName: v.moduleName, encver: v.encver, moduleId: v.moduleId, raw: v.raw });
      return;
    case 'array':
      for (const [i, val] of v.entries()) {
        scratch.reset();
        h.arrayElement?.(i, scratch.view(val));
      }
      return;
    case 'gcra':
      h.stringValue?.(scratch.view(v.tat));
      return;
  }
}

/** The bytes of a value's data (see EmitOptions.sizes). */
export function dataBytes(v: Value): number {
  if (typeof v === 'string') return v.length;
  let n = 0;
  switch (v.type) {
    case 'list':
    case 'set':
      for (const m of v) n += m.length;
      return n;
    case 'zset':
      for (const [m] of v.entries()) n += m.length + 8;
      return n;
    case 'hash':
      for (const [f, val] of v.entries()) n += f.length + val.length;
      return n;
    case 'stream':
      for (let i = 0; i < v.entryCount; i++) {
        n += 16;
        for (const f of v.entryAt(i)![1]) n += f.length;
      }
      return n;
    case 'module':
      return v.raw.length;
    case 'array':
      for (const [, val] of v.entries()) n += 8 + val.length;
      return n;
    case 'gcra':
      return v.tat.length;
  }
}

const cmpBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

function emitStream(s: StreamValue, rdbType: number, h: RdbHandler, scratch: Scratch): void {
  for (let i = 0; i < s.entryCount; i++) {
    const [id, pack] = s.entryAt(i)!;
    scratch.reset();
    h.streamEntry?.(streamIdText(id), pack.map((f) => scratch.view(f)), false);
  }
  const meta = rdbType !== RdbType.StreamListpacks;
  h.streamMeta?.({
    length: s.length,
    lastGeneratedId: streamIdText(s.lastId),
    recordedFirstEntryId: meta ? streamIdText(s.firstId) : undefined,
    maxDeletedEntryId: meta ? streamIdText(s.maxDeletedId) : undefined,
    entriesAdded: meta ? s.entriesAdded : undefined,
    listpacks: 0,
    deletedEntries: 0,
    liveEntries: s.entryCount,
  });
  const active = rdbType === RdbType.StreamListpacks3 || rdbType === RdbType.StreamListpacks4;
  // Redis keeps groups and consumers in radix trees: in byte order of their names.
  for (const name of [...s.groups.keys()].sort()) h.streamGroup?.(groupEvent(s.groups.get(name)!, meta, active));
  if (s.idmp !== null) {
    const x = s.idmp;
    h.streamIdmp?.({
      durationSec: x.durationSec,
      maxEntries: x.maxEntries,
      producers: x.producers.map((p) => ({ pid: bytes(p.pid), entries: p.entries.map((e) => ({ iid: bytes(e.iid), id: streamIdText(e.id) })) })),
      iidsAdded: x.iidsAdded,
      iidsDuplicates: x.iidsDuplicates,
    });
  }
}

const bytes = (s: ByteString) => Uint8Array.from(Buffer.from(s, 'latin1'));

function groupEvent(g: StreamGroupState, meta: boolean, active: boolean): StreamGroup {
  const pending: StreamPending[] = [];
  const byConsumer = new Map<ByteString, StreamPending[]>();
  for (const [id, p] of g.pendingInOrder()) {
    const idText = streamIdText(id);
    pending.push({ id: idText, consumer: p.consumer === null ? undefined : bytes(p.consumer), deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount });
    if (p.consumer !== null) {
      let list = byConsumer.get(p.consumer);
      if (list === undefined) byConsumer.set(p.consumer, (list = []));
      list.push({ id: idText, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount });
    }
  }
  const out: StreamGroup = {
    name: bytes(g.name),
    lastDeliveredId: streamIdText(g.lastDeliveredId),
    pending,
    consumers: [...g.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => ({
      name: bytes(c.name),
      seenTimeMs: c.seenTimeMs,
      activeTimeMs: active ? c.activeTimeMs : undefined,
      pending: byConsumer.get(c.name) ?? [],
    })),
  };
  if (meta) out.entriesRead = g.entriesRead;
  if (g.nacked !== undefined && g.nacked !== null) out.nacked = [...g.nacked].sort().map(streamIdText);
  return out;
}
