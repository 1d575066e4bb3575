/**
 * Streams, types 15, 19, 21, 26 and 27 (FORMATS.md §2.15, §3.6, §3.7): listpack nodes of
 * entries, then metadata, consumer groups with their PELs and consumers, the NACK zone (27)
 * and the idempotent-producer block (26, 27). Read for every type; written as types 15, 19,
 * 21, 26 and 27 (the last type of each release: 21 up to Redis 8.4 and in Valkey 9, 26 in
 * Redis 8.6, 27 from 8.8 on).
 */
import type { RdbDecoder } from '../decoder.js';
import { QuicklistContainer, RdbType, StreamItemFlag } from '../constants.js';
import { encodeListpack, listpackEntryBytes, LISTPACK_EMPTY_BYTES, walkListpack } from '../blobs/listpack.js';
import { intToBytes } from '../../binary/int-text.js';
import { copyBytes } from '../../io/bytes.js';
import { UsageError } from '../../errors.js';
import { rawStreamId, readU64beBig, readI64le, type ByteInput, type RdbOutput } from '../primitives.js';
import { compareBytes, toBytes, unsupported, type RdbTarget, type ValueWriter } from '../target.js';
import type { StreamConsumer, StreamGroup, StreamPending, StreamIdmp } from '../../model/events.js';

type Step<T = void> = Generator<void, T, void>;
type Element = Uint8Array | number | bigint;

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Reads one stream value for type `t`; the key header was already read. */
export function* readStream(d: RdbDecoder, t: number): Step {
  const h = d.h;
  const want = d.want;
  let nodes;
  while ((nodes = d.tryCount('stream listpack count')) < 0) yield;
  let live = 0;
  let deleted = 0;
  const nodeKeyCopy = new Uint8Array(16);
  for (let i = 0; i < nodes; i++) {
    const keyAt = d.offset;
    let nodeKey;
    while ((nodeKey = d.tryString()) === null) yield;
    if (nodeKey.length !== 16) throw d.bad('BAD_VALUE', 'stream node key is not a 16-byte ID', keyAt, '16 bytes', `${nodeKey.length} bytes`);
    const masterMs = readU64beBig(nodeKey, 0);
    const masterSeq = readU64beBig(nodeKey, 8);
    // The view may not outlive the read of the listpack: the handler gets a copy.
    if (h.valueNode) nodeKeyCopy.set(nodeKey);
    let lpAt = d.offset;
    let lp;
    while ((lp = d.tryString()) === null) yield;
    lpAt = d.blobAt(lpAt);
    if (!want && !d.deep) {
      // Only the live count is needed: it is the first listpack element.
      const first = firstListpackInt(d, lp, lpAt);
      live += first;
      if (h.valueNode) d.reportNode(QuicklistContainer.Packed, lp.length, nodeKeyCopy);
      continue;
    }
    const els: Element[] = [];
    walkListpack(lp, { file: d.file, offset: lpAt }, (s, n) => {
      els.push(s ?? n);
    });
    const res = parseStreamListpack(d, els, masterMs, masterSeq, lpAt, want && h.streamEntry !== undefined);
    live += res.live;
    deleted += res.deleted;
    if (h.valueNode) d.reportNode(QuicklistContainer.Packed, lp.length, nodeKeyCopy);
  }
  d.count = live;

  let length;
  while ((length = d.tryPlainLength()) < 0) yield;
  const lastId = yield* readIdPair(d);
  const meta: Parameters<NonNullable<typeof h.streamMeta>>[0] = { length, lastGeneratedId: lastId, listpacks: nodes, deletedEntries: deleted, liveEntries: live };
  const v2 = t >= RdbType.StreamListpacks2;
  if (v2) {
    meta.recordedFirstEntryId = yield* readIdPair(d);
    meta.maxDeletedEntryId = yield* readIdPair(d);
    let added;
    while ((added = d.tryPlainLength()) < 0) yield;
    meta.entriesAdded = added;
  }
  // Redis 8.10 refuses a stream whose length differs from its live entries; older servers
  // load it (corpus: a Redis 6 file with length 120 and 118 live entries). The file is
  // evidence: report both and let a checker judge.

  if (want) {
    d.inHandler = true;
    h.streamMeta?.(meta);
    d.inHandler = false;
  }

  let groups;
  while ((groups = d.tryCount('consumer group count')) < 0) yield;
  for (let g = 0; g < groups; g++) {
    const group = yield* readGroup(d, t);
    if (want) {
      d.inHandler = true;
      h.streamGroup?.(group);
      d.inHandler = false;
    }
  }
  if (t >= RdbType.StreamListpacks4) {
    const idmp = yield* readIdmp(d);
    if (want) {
      d.inHandler = true;
      h.streamIdmp?.(idmp);
      d.inHandler = false;
    }
  }
}

function firstListpackInt(d: RdbDecoder, lp: Uint8Array, at: number): number {
  let first = -1;
  let seen = false;
  // A shallow look: the walk stops being useful after the first element, but listpacks in
  // streams are small (stream-node-max-bytes, 4 KiB by default).
  walkListpack(lp, { file: d.file, offset: at }, (s, n) => {
    if (!seen) {
      seen = true;
      first = s === null && typeof n === 'number' ? n : -1;
    }
  });
  if (first <= 0) throw d.bad('BLOB_CORRUPT', 'stream listpack does not start with a positive entry count', at, 'a positive integer', String(first));
  return first;
}

/** Interprets the elements of one stream listpack (FORMATS.md §3.6). */
function parseStreamListpack(d: RdbDecoder, els: Element[], masterMs: bigint, masterSeq: bigint, at: number, emit: boolean): { live: number; deleted: number } {
  let i = 0;
  const int = (what: string): number => {
    const v = els[i];
    if (i >= els.length || typeof v !== 'number') {
      throw d.bad('BLOB_CORRUPT', `stream listpack: ${what} is not an integer (element ${i})`, at, 'an integer element', i >= els.length ? 'end of listpack' : typeof v === 'bigint' ? v.toString() : 'a string');
    }
    i++;
    return v;
  };
  const bigint = (what: string): bigint => {
    const v = els[i];
    if (i >= els.length || v instanceof Uint8Array) {
      throw d.bad('BLOB_CORRUPT', `stream listpack: ${what} is not an integer (element ${i})`, at, 'an integer element', i >= els.length ? 'end of listpack' : 'a string');
    }
    i++;
    return BigInt(v);
  };
  const bytes = (what: string): Uint8Array => {
    if (i >= els.length) throw d.bad('BLOB_CORRUPT', `stream listpack ends before ${what}`, at, what, 'end of listpack');
    const v = els[i++];
    return v instanceof Uint8Array ? v : intToBytes(v);
  };
  const count = int('entry count');
  const delCount = int('deleted count');
  if (count <= 0 && delCount <= 0) throw d.bad('BLOB_CORRUPT', 'empty stream listpack', at, 'at least one entry', '0');
  const nFields = int('master field count');
  const master: Uint8Array[] = [];
  for (let f = 0; f < nFields; f++) master.push(bytes('a master field'));
  if (int('master terminator') !== 0) throw d.bad('BLOB_CORRUPT', 'stream listpack master entry not terminated by 0', at, '0', 'another value');
  let live = 0;
  let dead = 0;
  while (i < els.length) {
    const entryStart = i;
    const flags = int('entry flags');
    const ms = U64(masterMs + bigint('ms delta'));
    const seq = U64(masterSeq + bigint('seq delta'));
    const fields: Uint8Array[] = [];
    if (flags & StreamItemFlag.SameFields) {
      for (let f = 0; f < nFields; f++) {
        fields.push(master[f]);
        fields.push(bytes('a field value'));
      }
    } else {
      const k = int('field count');
      for (let f = 0; f < k; f++) {
        fields.push(bytes('a field name'));
        fields.push(bytes('a field value'));
      }
    }
    const lpCount = int('entry element count');
    if (lpCount !== i - entryStart - 1) {
      throw d.bad('BLOB_CORRUPT', 'stream entry element count does not match', at, String(i - entryStart - 1), String(lpCount));
    }
    const isDeleted = (flags & StreamItemFlag.Deleted) !== 0;
    if (isDeleted) dead++;
    else live++;
    if (emit) {
      const id = `${ms}-${seq}`;
      d.inHandler = true;
      d.h.streamEntry!(id, fields, isDeleted);
      d.inHandler = false;
    }
  }
  if (live !== count || dead !== delCount) {
    throw d.bad('BLOB_CORRUPT', 'stream listpack entry counts do not match its header', at, `${count} live + ${delCount} deleted`, `${live} live + ${dead} deleted`);
  }
  return { live, deleted: dead };
}

function* readIdPair(d: RdbDecoder): Step<string> {
  while (d.tryPlainLength() < 0) yield;
  const ms = d.lastLengthBig();
  while (d.tryPlainLength() < 0) yield;
  return `${ms}-${d.lastLengthBig()}`;
}

function* readGroup(d: RdbDecoder, t: number): Step<StreamGroup> {
  let name;
  while ((name = d.tryString()) === null) yield;
  name = copyBytes(name);
  const lastDeliveredId = yield* readIdPair(d);
  const group: StreamGroup = { name, lastDeliveredId, pending: [], consumers: [] };
  if (t >= RdbType.StreamListpacks2) {
    while (d.tryPlainLength() < 0) yield;
    const big = d.lastLengthBig();
    group.entriesRead = big === 0xffffffffffffffffn ? -1 : Number(big);
  }
  let pel;
  while ((pel = d.tryCount('group PEL size')) < 0) yield;
  const byId = new Map<string, StreamPending>();
  for (let i = 0; i < pel; i++) {
    let raw;
    while ((raw = d.tryBytes(16 + 8)) === null) yield;
    let count;
    while ((count = d.tryPlainLength()) < 0) yield;
    const p: StreamPending = { id: rawStreamId(raw, 0), deliveryTimeMs: readI64le(raw, 16), deliveryCount: count };
    group.pending.push(p);
    byId.set(p.id, p);
  }
  let consumers;
  while ((consumers = d.tryCount('consumer count')) < 0) yield;
  for (let c = 0; c < consumers; c++) {
    let cname;
    while ((cname = d.tryString()) === null) yield;
    cname = copyBytes(cname);
    let seen;
    while (Number.isNaN((seen = d.tryI64le()))) yield;
    const consumer: StreamConsumer = { name: cname, seenTimeMs: seen, pending: [] };
    if (t >= RdbType.StreamListpacks3) {
      let active;
      while (Number.isNaN((active = d.tryI64le()))) yield;
      consumer.activeTimeMs = active;
    }
    let n;
    while ((n = d.tryCount('consumer PEL size')) < 0) yield;
    for (let i = 0; i < n; i++) {
      const at = d.offset;
      let raw;
      while ((raw = d.tryBytes(16)) === null) yield;
      const id = rawStreamId(raw, 0);
      const p = byId.get(id);
      if (!p) throw d.bad('BAD_VALUE', 'consumer pending entry missing from the group PEL', at, 'an ID of the group PEL', id);
      if (p.consumer) throw d.bad('BAD_VALUE', 'pending entry owned by two consumers', at, 'an unowned ID', id);
      p.consumer = cname;
      consumer.pending.push({ id, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount });
    }
    group.consumers.push(consumer);
  }
  if (t >= RdbType.StreamListpacks5) {
    let n;
    while ((n = d.tryCount('NACK zone size')) < 0) yield;
    group.nacked = [];
    for (let i = 0; i < n; i++) {
      let raw;
      while ((raw = d.tryBytes(16)) === null) yield;
      group.nacked.push(rawStreamId(raw, 0));
    }
  }
  return group;
}

function* readIdmp(d: RdbDecoder): Step<StreamIdmp> {
  let duration, maxEntries, producers;
  while ((duration = d.tryPlainLength()) < 0) yield;
  while ((maxEntries = d.tryPlainLength()) < 0) yield;
  while ((producers = d.tryCount('IDMP producer count')) < 0) yield;
  const idmp: StreamIdmp = { durationSec: duration, maxEntries, producers: [], iidsAdded: 0, iidsDuplicates: 0 };
  for (let p = 0; p < producers; p++) {
    let pid, n;
    while ((pid = d.tryString()) === null) yield;
    pid = copyBytes(pid);
    while ((n = d.tryCount('IDMP entry count')) < 0) yield;
    const entries: { iid: Uint8Array; id: string }[] = [];
    for (let i = 0; i < n; i++) {
      let iid;
      while ((iid = d.tryString()) === null) yield;
      iid = copyBytes(iid);
      const id = yield* readIdPair(d);
      entries.push({ iid, id });
    }
    idmp.producers.push({ pid, entries });
  }
  while ((idmp.iidsAdded = d.tryPlainLength()) < 0) yield;
  while ((idmp.iidsDuplicates = d.tryPlainLength()) < 0) yield;
  return idmp;
}

// ---------------------------------------------------------------- the save side

/** A stream entry to write: its ID (16 bytes: ms, seq, both big-endian) and [f1, v1, f2, v2, …]. */
export interface StreamEntryInput {
  id: ByteInput;
  fields: readonly ByteInput[];
}

/** A pending entry of a group. */
export interface StreamPendingInput {
  id: ByteInput;
  /** The owning consumer (must be one of the group's), or null for an entry nobody owns (type 27's NACK zone). */
  consumer: ByteInput | null;
  deliveryTimeMs: number;
  deliveryCount: number;
}

/** A consumer of a group (its pending entries are those of the group it owns). */
export interface StreamConsumerInput {
  name: ByteInput;
  seenTimeMs: number;
  /** Last successful read (written from RDB 11 on). */
  activeTimeMs: number;
}

/** A consumer group. */
export interface StreamGroupInput {
  name: ByteInput;
  lastDeliveredId: ByteInput;
  /** Entries read, or −1 for "unknown" (written from RDB 10 on). */
  entriesRead: number;
  pending: Iterable<StreamPendingInput>;
  consumers: Iterable<StreamConsumerInput>;
  /**
   * IDs of the group's NACK zone (type 27), checked from type 27 on: each must be a pending
   * entry no consumer owns. The zone written is every pending entry no consumer owns.
   */
  nacked?: Iterable<ByteInput>;
}

/** A stream's idempotent-producer state (type 26 on); IDs are 16 bytes as elsewhere. */
export interface StreamIdmpInput {
  /** Seconds an IID is remembered (`stream-idmp-duration`, 1–86400). */
  durationSec: number;
  /** IIDs remembered per producer (`stream-idmp-maxsize`, 1–10000). */
  maxEntries: number;
  /** Producers, each with its IIDs oldest first. */
  producers: Iterable<{ pid: ByteInput; entries: Iterable<{ iid: ByteInput; id: ByteInput }> }>;
  iidsAdded: number;
  iidsDuplicates: number;
}

/** What Redis 8.6 writes for a stream never configured with XCFGSET: 100 s, 100 entries, nothing recorded (FORMATS.md §2.15). */
export const IDMP_DEFAULTS: Readonly<StreamIdmpInput> = { durationSec: 100, maxEntries: 100, producers: [], iidsAdded: 0, iidsDuplicates: 0 };

/** A stream to write. IDs are 16 bytes (ms, seq, big-endian), the form the PEL stores them in. */
export interface StreamInput {
  /** Live entries in ascending ID order. */
  entries: Iterable<StreamEntryInput>;
  /** The stream's length as XLEN counts it. */
  length: number;
  lastId: ByteInput;
  firstId: ByteInput;
  maxDeletedId: ByteInput;
  entriesAdded: number;
  groups: Iterable<StreamGroupInput>;
  /**
   * True when the stream carries idempotent-producer state worth keeping (configured
   * settings, producers, counters): only type 26 on stores it, and a writer of an older type
   * refuses the stream.
   */
  idmpState?: boolean;
  /** That state, written from type 26 on ({@link IDMP_DEFAULTS} when absent). */
  idmp?: StreamIdmpInput | null;
}

/** Largest listpack a stream node may grow to, whatever `stream-node-max-bytes` says (STREAM_LISTPACK_MAX_SIZE). */
const STREAM_LISTPACK_MAX_SIZE = 1 << 30;

/** The two halves of a 16-byte big-endian ID. */
function idParts(id: ByteInput): [bigint, bigint] {
  const b = toBytes(id);
  if (b.length !== 16) throw new UsageError(`a stream ID must be 16 bytes, got ${b.length}`);
  return [readU64beBig(b, 0), readU64beBig(b, 8)];
}

/** A signed 64-bit delta as a listpack integer input. */
function delta(a: bigint, b: bigint): number | bigint {
  const d = BigInt.asIntN(64, a - b);
  const n = Number(d);
  return Number.isSafeInteger(n) ? n : d;
}

interface StreamNode {
  key: Uint8Array;
  masterMs: bigint;
  masterSeq: bigint;
  masterFields: Uint8Array[];
  /** Elements after the live count (deleted count, master fields, entries). */
  rest: (Uint8Array | number | bigint)[];
  /** Bytes of the listpack without its live-count element. */
  restBytes: number;
  count: number;
}

/**
 * Lays the entries out in listpack nodes as `streamAppendItem` does when they are added one
 * by one to an empty stream (FORMATS.md §3.6): a node takes entries until its listpack plus
 * the new entry's field and value bytes reach `stream-node-max-bytes`, or it holds
 * `stream-node-max-entries` entries; a new node's master fields are its first entry's fields,
 * and an entry with exactly those fields is stored with SAMEFIELDS (values only).
 */
function planStreamNodes(entries: Iterable<StreamEntryInput>, maxBytes: number, maxEntries: number): StreamNode[] {
  const nodeMax = maxBytes === 0 || maxBytes > STREAM_LISTPACK_MAX_SIZE ? STREAM_LISTPACK_MAX_SIZE : maxBytes;
  const nodes: StreamNode[] = [];
  let node: StreamNode | null = null;
  const push = (n: StreamNode, e: Uint8Array | number | bigint): void => {
    n.rest.push(e);
    n.restBytes += listpackEntryBytes(e);
  };
  for (const entry of entries) {
    const [ms, seq] = idParts(entry.id);
    const fields = entry.fields.map(toBytes);
    if (fields.length % 2 !== 0) throw new UsageError('a stream entry needs field, value pairs');
    const numFields = fields.length / 2;
    let total = 0;
    for (const f of fields) total += f.length;
    if (node !== null) {
      const lpBytes = node.restBytes + listpackEntryBytes(node.count);
      if (lpBytes + total >= nodeMax || (maxEntries > 0 && node.count >= maxEntries)) node = null;
    }
    let same = false;
    if (node === null) {
      node = { key: toBytes(entry.id).slice(), masterMs: ms, masterSeq: seq, masterFields: [], rest: [], restBytes: LISTPACK_EMPTY_BYTES, count: 0 };
      nodes.push(node);
      push(node, 0); // deleted entries
      push(node, numFields);
      for (let i = 0; i < numFields; i++) {
        node.masterFields.push(fields[2 * i]);
        push(node, fields[2 * i]);
      }
      push(node, 0); // the master entry's terminator
      same = true;
    } else if (numFields === node.masterFields.length) {
      same = true;
      for (let i = 0; i < numFields && same; i++) same = Buffer.compare(fields[2 * i], node.masterFields[i]) === 0;
    }
    node.count++;
    push(node, same ? StreamItemFlag.SameFields : 0);
    push(node, delta(ms, node.masterMs));
    push(node, delta(seq, node.masterSeq));
    if (!same) push(node, numFields);
    for (let i = 0; i < numFields; i++) {
      if (!same) push(node, fields[2 * i]);
      push(node, fields[2 * i + 1]);
    }
    push(node, same ? numFields + 3 : 2 * numFields + 4);
  }
  return nodes;
}

/**
 * The record of a stream for the target's stream type (15, 19, 21, 26 or 27; FORMATS.md
 * §2.15): the listpack nodes (see {@link planStreamNodes}), the length and last ID, from type
 * 19 the first ID, largest deleted ID and entries added, then the groups in name order, each
 * with its PEL in ID order (raw IDs, delivery time and count), from type 19 its entries-read,
 * its consumers in name order (seen time, from type 21 active time, and the IDs they own),
 * from type 27 its NACK zone (the pending IDs no consumer owns, in ID order); from type 26 the
 * idempotent-producer block (settings, producers in pid byte order with their IIDs, counters).
 * @throws UnsupportedValueError before RDB 9, for IDMP state before type 26, and for pending entries no consumer owns before type 27
 */
export function streamWriter(s: StreamInput, target: RdbTarget): ValueWriter {
  const t = target.streamType;
  if (t === 0) throw unsupported('streams', target);
  if (s.idmpState && t < RdbType.StreamListpacks4) throw unsupported('stream idempotent-producer (IDMP) state', target);
  const idmp = t >= RdbType.StreamListpacks4 ? planIdmp(s.idmp ?? IDMP_DEFAULTS) : null;
  const L = target.limits;
  const nodes = planStreamNodes(s.entries, L.streamNodeMaxBytes, L.streamNodeMaxEntries);
  const groups = [...s.groups].sort((a, b) => compareBytes(a.name, b.name));
  const plans = groups.map((g) => {
    const pel = [...g.pending].sort((a, b) => compareBytes(a.id, b.id));
    const consumers = [...g.consumers].sort((a, b) => compareBytes(a.name, b.name));
    const owned = new Map<string, StreamPendingInput[]>();
    for (const c of consumers) owned.set(latin1(c.name), []);
    // The NACK zone: every pending entry no consumer owns (the loader wants each one there).
    const nacked: Uint8Array[] = [];
    for (const p of pel) {
      if (p.consumer === null) {
        if (t < RdbType.StreamListpacks5) throw unsupported('pending stream entries without a consumer (a NACK zone)', target);
        nacked.push(toBytes(p.id));
        continue;
      }
      const list = owned.get(latin1(p.consumer));
      if (list === undefined) throw new UsageError('a pending stream entry names a consumer its group does not have');
      list.push(p);
    }
    if (g.nacked !== undefined && t >= RdbType.StreamListpacks5) {
      // The loader refuses a NACK zone ID that some consumer owns or that is not pending.
      const unowned = new Set(nacked.map(latin1));
      for (const id of g.nacked) {
        if (!unowned.has(latin1(id))) throw new UsageError('a NACK zone ID is not a pending entry without a consumer');
      }
    }
    return { g, pel, consumers, owned, nacked };
  });
  return {
    rdbType: t,
    encoding: 'stream',
    elements: s.length,
    write: (out) => {
      out.writeLength(nodes.length);
      for (const n of nodes) {
        out.writeString(n.key);
        out.writeString(encodeListpack([n.count, ...n.rest]));
      }
      out.writeLength(s.length);
      writeIdPair(out, s.lastId);
      if (t >= RdbType.StreamListpacks2) {
        writeIdPair(out, s.firstId);
        writeIdPair(out, s.maxDeletedId);
        out.writeLength(s.entriesAdded);
      }
      out.writeLength(plans.length);
      for (const { g, pel, consumers, owned, nacked } of plans) {
        out.writeString(g.name);
        writeIdPair(out, g.lastDeliveredId);
        if (t >= RdbType.StreamListpacks2) out.writeLength(g.entriesRead < 0 ? 0xffffffffffffffffn : g.entriesRead);
        out.writeLength(pel.length);
        for (const p of pel) {
          out.writeRaw(p.id);
          out.writeMillis(p.deliveryTimeMs);
          out.writeLength(p.deliveryCount);
        }
        out.writeLength(consumers.length);
        for (const c of consumers) {
          out.writeString(c.name);
          out.writeMillis(c.seenTimeMs);
          if (t >= RdbType.StreamListpacks3) out.writeMillis(c.activeTimeMs);
          const mine = owned.get(latin1(c.name))!;
          out.writeLength(mine.length);
          for (const p of mine) out.writeRaw(p.id);
        }
        if (t >= RdbType.StreamListpacks5) {
          out.writeLength(nacked.length);
          for (const id of nacked) out.writeRaw(id);
        }
      }
      if (idmp !== null) writeIdmp(out, idmp);
    },
  };
}

interface IdmpPlan {
  state: StreamIdmpInput;
  producers: { pid: ByteInput; entries: { iid: ByteInput; id: ByteInput }[] }[];
}

/** The IDMP block's producers in pid byte order (as Redis's rax keeps them), checked. */
function planIdmp(state: StreamIdmpInput): IdmpPlan {
  for (const [what, n] of [['duration', state.durationSec], ['max entries', state.maxEntries], ['IIDs added', state.iidsAdded], ['IID duplicates', state.iidsDuplicates]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`stream IDMP ${what} must be a non-negative integer, got ${n}`);
  }
  const producers = [...state.producers].map((p) => ({ pid: p.pid, entries: [...p.entries] })).sort((a, b) => compareBytes(a.pid, b.pid));
  for (const p of producers) for (const e of p.entries) idParts(e.id);
  return { state, producers };
}

/** The IDMP block (type 26 on): settings, producers with their IIDs and IDs, counters. */
function writeIdmp(out: RdbOutput, { state, producers }: IdmpPlan): void {
  out.writeLength(state.durationSec);
  out.writeLength(state.maxEntries);
  out.writeLength(producers.length);
  for (const p of producers) {
    out.writeString(p.pid);
    out.writeLength(p.entries.length);
    for (const e of p.entries) {
      out.writeString(e.iid);
      writeIdPair(out, e.id);
    }
  }
  out.writeLength(state.iidsAdded);
  out.writeLength(state.iidsDuplicates);
}

function writeIdPair(out: RdbOutput, id: ByteInput): void {
  const [ms, seq] = idParts(id);
  out.writeLength(ms);
  out.writeLength(seq);
}

function latin1(b: ByteInput): string {
  return typeof b === 'string' ? b : Buffer.from(b).toString('latin1');
}
