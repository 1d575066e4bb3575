/**
 * A Redis stream as the server holds it: the live entries in ID order, the metadata (last,
 * first and max-deleted IDs, entries added), the consumer groups with their pending entries
 * (PEL), consumers and NACK zone, and the idempotent-producer (IDMP) state of Redis 8.6+.
 *
 * Entries sit in two parallel {@link Deque}s — IDs, and field lists each held as one pack
 * (pack.ts: about 60 bytes less per entry than an array of strings) — XADD appends at the
 * tail, trimming pops at the head, and a lookup by ID is a binary search (IDs only grow). Deleted
 * entries are simply gone; what a file kept of them as tombstones is summed up by
 * `maxDeletedId` and `entriesAdded`, as in Redis.
 *
 * Fields an older file does not record (stream type 15: first and max-deleted IDs, entries
 * added and the groups' entries-read; types below 21: consumers' active times) hold what
 * Redis derives when it loads such a file, and `recordedMeta` / `recordedActiveTimes` say that
 * they were derived (the export schema leaves them out then).
 */
import { UsageError } from '../errors.js';
import type { ByteString } from './byte-string.js';
import { Deque } from './deque.js';
import { MIN_STREAM_ID, type StreamIdKey } from './stream-id.js';
import { packOf, unpack } from './pack.js';

/** Redis's "entries read is unknown" (SCG_INVALID_ENTRIES_READ). */
export const UNKNOWN_ENTRIES_READ = -1;

/** One pending entry of a group. */
export interface PendingEntry {
  /** The owning consumer; null for an entry in the NACK zone (type 27) that no consumer owns. */
  consumer: ByteString | null;
  /** Last delivery, Unix ms. */
  deliveryTimeMs: number;
  deliveryCount: number;
}

/** A consumer of a group. */
export interface StreamConsumerState {
  name: ByteString;
  seenTimeMs: number;
  /** Last successful read; equal to `seenTimeMs` when the source did not record it. */
  activeTimeMs: number;
  /** IDs of the pending entries it owns (kept in step by {@link StreamGroupState}). */
  readonly pending: Set<StreamIdKey>;
}

/** The idempotent-producer state of a stream (type 26/27 files, Redis 8.6+). */
export interface StreamIdmpState {
  durationSec: number;
  maxEntries: number;
  /** Producers in the order the file lists them, each with its entries oldest first. */
  producers: { pid: ByteString; entries: { iid: ByteString; id: StreamIdKey }[] }[];
  iidsAdded: number;
  iidsDuplicates: number;
}

/** A consumer group: its position, its PEL, its consumers and (type 27) its NACK zone. */
export class StreamGroupState {
  /** Pending entries by ID (in the order they were added; {@link pendingInOrder} sorts). */
  readonly pending = new Map<StreamIdKey, PendingEntry>();
  /** Consumers by name. */
  readonly consumers = new Map<ByteString, StreamConsumerState>();
  /** IDs in the NACK zone (type 27 files), or null when the source has none. */
  nacked: Set<StreamIdKey> | null = null;

  constructor(
    readonly name: ByteString,
    /** The last ID delivered to the group. */
    public lastDeliveredId: StreamIdKey,
    /** Entries the group has read, or {@link UNKNOWN_ENTRIES_READ}. */
    public entriesRead: number,
  ) {}

  /** Adds a consumer (replacing none: returns the existing one when the name is taken). */
  addConsumer(name: ByteString, seenTimeMs: number, activeTimeMs = seenTimeMs): StreamConsumerState {
    let c = this.consumers.get(name);
    if (c === undefined) {
      c = { name, seenTimeMs, activeTimeMs, pending: new Set() };
      this.consumers.set(name, c);
    }
    return c;
  }

  /**
   * Removes a consumer and the pending entries it owns (as XGROUP DELCONSUMER does); returns
   * how many pending entries went with it, or −1 when there is no such consumer.
   */
  deleteConsumer(name: ByteString): number {
    const c = this.consumers.get(name);
    if (c === undefined) return -1;
    for (const id of c.pending) this.pending.delete(id);
    this.consumers.delete(name);
    return c.pending.size;
  }

  /**
   * Records a pending entry owned by `consumer` (which must exist), or by no consumer (null);
   * an entry already pending changes owner, delivery time and count.
   * @throws UsageError when the consumer does not exist.
   */
  setPending(id: StreamIdKey, consumer: ByteString | null, deliveryTimeMs: number, deliveryCount: number): PendingEntry {
    const owner = consumer === null ? null : this.consumers.get(consumer);
    if (owner === undefined) throw new UsageError('pending entry for a consumer the group does not have');
    let p = this.pending.get(id);
    if (p === undefined) {
      p = { consumer, deliveryTimeMs, deliveryCount };
      this.pending.set(id, p);
    } else {
      if (p.consumer !== null && p.consumer !== consumer) this.consumers.get(p.consumer)?.pending.delete(id);
      p.consumer = consumer;
      p.deliveryTimeMs = deliveryTimeMs;
      p.deliveryCount = deliveryCount;
    }
    owner?.pending.add(id);
    return p;
  }

  /** Removes a pending entry (from its owner and the NACK zone too); true when it was pending. */
  deletePending(id: StreamIdKey): boolean {
    const p = this.pending.get(id);
    if (p === undefined) return false;
    if (p.consumer !== null) this.consumers.get(p.consumer)?.pending.delete(id);
    this.pending.delete(id);
    this.nacked?.delete(id);
    return true;
  }

  /** Pending entries in ID order, as [id, entry]. */
  pendingInOrder(): [StreamIdKey, PendingEntry][] {
    return [...this.pending].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** A deep copy. */
  clone(): StreamGroupState {
    const out = new StreamGroupState(this.name, this.lastDeliveredId, this.entriesRead);
    for (const [name, c] of this.consumers) out.consumers.set(name, { ...c, pending: new Set(c.pending) });
    for (const [id, p] of this.pending) out.pending.set(id, { ...p });
    out.nacked = this.nacked === null ? null : new Set(this.nacked);
    return out;
  }
}

/** A stream value. */
export class StreamValue {
  /** Entry IDs, ascending. */
  private readonly ids = new Deque<StreamIdKey>();
  /** Entry fields ([f1, v1, f2, v2, …]) as packs, in step with `ids`. */
  private readonly values = new Deque<ByteString>();
  /** The last ID ever generated (XADD, XSETID). */
  lastId: StreamIdKey = MIN_STREAM_ID;
  /** The first entry's ID as Redis records it (0-0 for a stream that never had entries). */
  firstId: StreamIdKey = MIN_STREAM_ID;
  /** The largest ID ever deleted (0-0 when none). */
  maxDeletedId: StreamIdKey = MIN_STREAM_ID;
  /** Entries ever added. */
  entriesAdded = 0;
  /** Groups by name. */
  readonly groups = new Map<ByteString, StreamGroupState>();
  /**
   * The stream's length as Redis counts it (XLEN): one more per entry appended, one less per
   * entry removed. It equals the number of entries unless the source file said otherwise (Redis
   * up to 8.x keeps the count a file records even when its entries disagree).
   */
  length = 0;
  /** Idempotent-producer state, or null when the source has none. */
  idmp: StreamIdmpState | null = null;
  /** False when `firstId`, `maxDeletedId`, `entriesAdded` and the groups' `entriesRead` were derived (not in the source). */
  recordedMeta = true;
  /** False when the consumers' `activeTimeMs` were derived from their seen times (not in the source). */
  recordedActiveTimes = true;

  /** The Redis type name. */
  get type(): 'stream' {
    return 'stream';
  }

  /** Number of entries held (see `length`). */
  get entryCount(): number {
    return this.ids.length;
  }

  /**
   * Appends an entry whose ID is greater than every entry's and counts it in `length` (the
   * caller checks the ID against `lastId` and updates `lastId` / `entriesAdded` as the command
   * does).
   * @throws UsageError when the ID is not greater than the last entry's.
   */
  append(id: StreamIdKey, fields: ByteString[]): void {
    this.appendPacked(id, packOf(fields));
  }

  /**
   * {@link append} with the entry's fields and values already as a pack (pack.ts: `packOf`
   * or `packOfBytes` of [f1, v1, f2, v2, …]).
   * @throws UsageError when the ID is not greater than the last entry's.
   */
  appendPacked(id: StreamIdKey, fields: ByteString): void {
    const last = this.ids.at(this.ids.length - 1);
    if (last !== undefined && !(id > last)) throw new UsageError('stream entries must be added in ascending ID order');
    this.ids.pushBack(id);
    this.values.pushBack(fields);
    this.length++;
  }

  /** Index of the entry with this ID, or −1. */
  indexOf(id: StreamIdKey): number {
    const i = this.lowerBound(id);
    return i < this.ids.length && this.ids.at(i) === id ? i : -1;
  }

  /** Index of the first entry whose ID is ≥ `id` (`length` when none). */
  lowerBound(id: StreamIdKey): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids.at(mid)! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The fields of the entry with this ID, or undefined. */
  get(id: StreamIdKey): ByteString[] | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : unpack(this.values.at(i)!);
  }

  /** The ID of the entry at `index` (0 = oldest), or undefined. */
  idAt(index: number): StreamIdKey | undefined {
    return this.ids.at(index);
  }

  /** The entry at `index` as [id, fields], or undefined. */
  entryAt(index: number): [StreamIdKey, ByteString[]] | undefined {
    const id = this.ids.at(index);
    return id === undefined ? undefined : [id, unpack(this.values.at(index)!)];
  }

  /** Removes the entry with this ID and counts it out of `length` (the other metadata is the caller's); true when it was there. */
  delete(id: StreamIdKey): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.ids.removeAt(i);
    this.values.removeAt(i);
    this.length--;
    return true;
  }

  /** Removes the oldest entry, counts it out of `length` and returns its ID (the other metadata is the caller's). */
  shift(): StreamIdKey | undefined {
    if (this.ids.length === 0) return undefined;
    this.values.popFront();
    this.length--;
    return this.ids.popFront();
  }

  /** Entries as [id, fields], oldest first, from index `from`. */
  *entries(from = 0): IterableIterator<[StreamIdKey, ByteString[]]> {
    for (let i = Math.max(0, from); i < this.ids.length; i++) yield [this.ids.at(i)!, unpack(this.values.at(i)!)];
  }

  /** Adds a group (or returns the one of that name). */
  addGroup(name: ByteString, lastDeliveredId: StreamIdKey, entriesRead: number): StreamGroupState {
    let g = this.groups.get(name);
    if (g === undefined) this.groups.set(name, (g = new StreamGroupState(name, lastDeliveredId, entriesRead)));
    return g;
  }

  /**
   * What Redis estimates a group's entries-read to be when it points at `id`
   * (`streamEstimateDistanceFromFirstEverEntry`): exact at the stream's ends and when no
   * deletion lies ahead of `id`, otherwise {@link UNKNOWN_ENTRIES_READ}.
   */
  estimateEntriesRead(id: StreamIdKey): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id !== MIN_STREAM_ID && id < this.maxDeletedId) return UNKNOWN_ENTRIES_READ;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return UNKNOWN_ENTRIES_READ;
    if (this.maxDeletedId === MIN_STREAM_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return UNKNOWN_ENTRIES_READ;
  }

  /** A deep copy (the entries' packs are immutable strings, shared). */
  clone(): StreamValue {
    const out = new StreamValue();
    for (let i = 0; i < this.ids.length; i++) {
      out.ids.pushBack(this.ids.at(i)!);
      out.values.pushBack(this.values.at(i)!);
    }
    out.length = this.length;
    out.lastId = this.lastId;
    out.firstId = this.firstId;
    out.maxDeletedId = this.maxDeletedId;
    out.entriesAdded = this.entriesAdded;
    out.recordedMeta = this.recordedMeta;
    out.recordedActiveTimes = this.recordedActiveTimes;
    for (const [name, g] of this.groups) out.groups.set(name, g.clone());
    out.idmp = this.idmp === null ? null : { ...this.idmp, producers: this.idmp.producers.map((p) => ({ pid: p.pid, entries: p.entries.map((e) => ({ ...e })) })) };
    return out;
  }
}
