/**
 * Per-key digests for comparing two datasets (the same data loaded from differently encoded
 * files, or an RDB against the replay of an AOF). A digest depends on what a client can see —
 * type, value, expiry — and not on how the data was stored or in which order it was added:
 *
 * - set members, hash fields and the consumer groups, PELs and consumers of a stream are
 *   combined order-free (each element hashed on its own, the element digests summed lane by
 *   lane), so a listpack hash and a hashtable hash of the same fields agree;
 * - lists are hashed in list order, sorted sets by (member, score) pairs — their order follows
 *   from the scores, as Redis orders them — and stream entries in ID order;
 * - encodings, LRU/LFU hints and how the source recorded a stream do not count: values an
 *   older stream type does not record are hashed as Redis derives them (see `StreamValue`), an
 *   empty NACK zone is no NACK zone, and never-configured IDMP state is no IDMP state.
 *
 * Digests are MurmurHash3 x86_128 (hash128.ts) over a framing of lengths and tags, written as
 * 32 hex digits.
 */
import type { ByteString } from './byte-string.js';
import type { Dataset } from './dataset.js';
import { Hash128, LANE_SEEDS, addLanes, lanesHex, type Lanes } from './hash128.js';
import type { StreamGroupState, StreamIdmpState, StreamValue } from './stream.js';
import type { Value } from './value.js';

/** What a digest covers beyond type and value. */
export interface DigestOptions {
  /** The key's expiry and the hash field TTLs (default true). */
  expiry?: boolean;
  /**
   * Stream consumers' seen and active times (default true). A replay sets them to its own
   * clock, so a comparison of an RDB with the replay of an AOF leaves them out.
   */
  consumerTimes?: boolean;
}

/** One tag byte per type, fed first. */
const TAG = { string: 1, list: 2, set: 3, zset: 4, hash: 5, stream: 6, module: 7, array: 8, gcra: 9 } as const;

const SEED = LANE_SEEDS as Lanes;

/** Hashers by nesting depth (digests are computed synchronously, one at a time). */
const VALUE = new Hash128();
const GROUP = new Hash128();
const ELEMENT = new Hash128();
const OUTER = new Hash128();

/** The digest of one key's value and expiry, as 32 hex digits. */
export function keyDigest(value: Value, expireAtMs: number | null, opts: DigestOptions = {}): string {
  return lanesHex(keyLanes(value, expireAtMs, opts));
}

/**
 * The digest of a whole dataset: every key with its database and name, and the function
 * libraries, combined order-free (no sorting).
 */
export function datasetDigest(ds: Dataset, opts: DigestOptions = {}): string {
  const keys: Lanes = [0, 0, 0, 0];
  let count = 0;
  for (const index of ds.dbIndexes()) {
    const db = ds.peekDb(index)!;
    for (const [key, value] of db.values) {
      const kl = keyLanes(value, db.expireAt(key), opts);
      addLanes(keys, OUTER.reset(SEED).u32(index).framed(key).lanes(kl).digest());
      count++;
    }
  }
  const libs: Lanes = [0, 0, 0, 0];
  for (const [name, code] of ds.functions.entries()) addLanes(libs, OUTER.reset(SEED).framed(name).u32(code.length).bytes(code).digest());
  return lanesHex(OUTER.reset(SEED).u32(count).lanes(keys).u32(ds.functions.size).lanes(libs).digest());
}

function keyLanes(value: Value, expireAtMs: number | null, opts: DigestOptions): Lanes {
  const h = VALUE.reset(SEED);
  if (typeof value === 'string') h.byte(TAG.string).framed(value);
  else {
    h.byte(TAG[value.type]);
    switch (value.type) {
      case 'list':
        h.u32(value.length);
        for (const item of value) h.framed(item);
        break;
      case 'set': {
        const sum: Lanes = [0, 0, 0, 0];
        for (const m of value) addLanes(sum, ELEMENT.reset(SEED).framed(m).digest());
        h.u32(value.size).lanes(sum);
        break;
      }
      case 'zset': {
        const sum: Lanes = [0, 0, 0, 0];
        for (const [m, score] of value) addLanes(sum, ELEMENT.reset(SEED).framed(m).f64(score).digest());
        h.u32(value.size).lanes(sum);
        break;
      }
      case 'hash': {
        const sum: Lanes = [0, 0, 0, 0];
        const ttls = opts.expiry !== false && value.volatileFields > 0;
        for (const [f, v] of value) {
          const e = ELEMENT.reset(SEED).framed(f).framed(v);
          if (ttls) optionalNumber(e, value.fieldExpire(f));
          addLanes(sum, e.digest());
        }
        h.u32(value.size).lanes(sum);
        break;
      }
      case 'stream':
        streamInto(h, value, opts.consumerTimes !== false);
        break;
      case 'module':
        h.framed(value.moduleName).u32(value.encver).u32(value.raw.length).bytes(value.raw);
        break;
      case 'array':
        h.u32(value.length);
        for (const [i, v] of value.entries()) h.f64(i).framed(v);
        break;
      case 'gcra':
        h.framed(value.tat);
        break;
    }
  }
  if (opts.expiry !== false) optionalNumber(h, expireAtMs);
  return h.digest();
}

/** A number that may be absent: a presence byte, then the number. */
function optionalNumber(h: Hash128, n: number | null): void {
  if (n === null) h.byte(0);
  else h.byte(1).f64(n);
}

function streamInto(h: Hash128, s: StreamValue, consumerTimes: boolean): void {
  h.u32(s.length);
  for (const [id, fields] of s.entries()) {
    h.chars(id).u32(fields.length);
    for (const f of fields) h.framed(f);
  }
  h.chars(s.lastId).chars(s.firstId).chars(s.maxDeletedId).f64(s.entriesAdded);
  const groups: Lanes = [0, 0, 0, 0];
  for (const g of s.groups.values()) addLanes(groups, groupLanes(g, consumerTimes));
  h.u32(s.groups.size).lanes(groups);
  addIdmpState(h, s.idmp);
}

/**
 * Adds a stream's idempotent-producer state to `h`: a 0 byte for none (or the state of a stream
 * never configured), else its settings, counts and producers (order-free).
 */
export function addIdmpState(h: Hash128, idmp: StreamIdmpState | null): void {
  if (idmp === null || isIdmpDefault(idmp)) {
    h.byte(0);
    return;
  }
  h.byte(1).f64(idmp.durationSec).f64(idmp.maxEntries).f64(idmp.iidsAdded).f64(idmp.iidsDuplicates);
  const producers: Lanes = [0, 0, 0, 0];
  for (const p of idmp.producers) {
    const e = ELEMENT.reset(SEED).framed(p.pid).u32(p.entries.length);
    for (const x of p.entries) e.framed(x.iid).chars(x.id);
    addLanes(producers, e.digest());
  }
  h.u32(idmp.producers.length).lanes(producers);
}

/**
 * The digest lanes of one consumer group: its name, last-delivered ID, entries-read, pending
 * entries, consumers (with their seen and active times when `consumerTimes`) and NACK zone.
 */
export function groupLanes(g: StreamGroupState, consumerTimes: boolean): Lanes {
  const pel: Lanes = [0, 0, 0, 0];
  for (const [id, p] of g.pending) {
    const e = ELEMENT.reset(SEED).chars(id);
    optionalString(e, p.consumer);
    addLanes(pel, e.f64(p.deliveryTimeMs).f64(p.deliveryCount).digest());
  }
  const consumers: Lanes = [0, 0, 0, 0];
  for (const c of g.consumers.values()) {
    const e = ELEMENT.reset(SEED).framed(c.name);
    if (consumerTimes) e.f64(c.seenTimeMs).f64(c.activeTimeMs);
    addLanes(consumers, e.digest());
  }
  const nacked: Lanes = [0, 0, 0, 0];
  if (g.nacked !== null) for (const id of g.nacked) addLanes(nacked, ELEMENT.reset(SEED).chars(id).digest());
  const h = GROUP.reset(SEED).framed(g.name).chars(g.lastDeliveredId).f64(g.entriesRead);
  h.u32(g.pending.size).lanes(pel).u32(g.consumers.size).lanes(consumers);
  if (g.nacked === null || g.nacked.size === 0) h.byte(0);
  else h.byte(1).u32(g.nacked.size).lanes(nacked);
  return h.digest();
}

/**
 * IDMP state that says nothing: the settings of a stream never configured (100 s, 100 entries),
 * no producers, no counts — what a type-26 file writes for every stream. It digests as no state,
 * like a stream from an older file.
 */
function isIdmpDefault(i: StreamIdmpState): boolean {
  return i.producers.length === 0 && i.durationSec === 100 && i.maxEntries === 100 && i.iidsAdded === 0 && i.iidsDuplicates === 0;
}

function optionalString(h: Hash128, s: ByteString | null): void {
  if (s === null) h.byte(0);
  else h.byte(1).framed(s);
}
