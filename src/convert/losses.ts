/**
 * What a target cannot hold, sorted in two kinds (README, "Converting"):
 *
 * - data a user would miss — hash field TTLs, function libraries, streams, module values,
 *   values and state newer than the target (ARRAY values before Redis 8.8, GCRA values, a
 *   stream's idempotent-producer state before 8.6 and NACK zones before 8.8; commands carry
 *   none of these) — is refused unless its `--drop-…` flag says to drop it;
 *   with the flag it is dropped (or, for field TTLs, converted: the fields stay, their TTLs go)
 *   and counted;
 * - bookkeeping the target has no notion of and no user would miss (LRU/LFU hints unless kept,
 *   consumer active times before RDB 11, the source's AUX fields) is dropped with a note.
 *
 * Whether a target holds a kind of data is read from the release table `check --target` judges
 * with (analyze/compat.ts `releaseHolds`); the writers' own refusals (rdb/target.ts) agree with it.
 */
import { releaseHolds } from '../analyze/compat.js';
import type { ServerRelease } from '../model/server-releases.js';
import type { Value } from '../dataset/value.js';
import type { StreamValue } from '../dataset/stream.js';
import type { HashValue } from '../dataset/hash.js';
import type { KeyRecord } from './key-record.js';

/** A kind of data a target may not hold. */
export type LossKind = 'field-ttl' | 'functions' | 'streams' | 'modules' | 'newer';

/** The flag that drops each kind knowingly. */
export const LOSS_FLAGS: Readonly<Record<LossKind, string>> = {
  'field-ttl': '--drop-field-ttl',
  functions: '--drop-functions',
  streams: '--drop-streams',
  modules: '--drop-modules',
  newer: '--drop-newer',
};

/** What each kind is, for messages (singular, plural). */
const NOUNS: Readonly<Record<LossKind, readonly [string, string]>> = {
  'field-ttl': ['hash with field TTLs', 'hashes with field TTLs'],
  functions: ['function library', 'function libraries'],
  streams: ['stream', 'streams'],
  modules: ['module value', 'module values'],
  newer: ['value or stream state newer than the target', 'values or stream states newer than the target'],
};

/** What a drop does to what it counts. */
const EFFECTS: Readonly<Record<LossKind, string>> = {
  'field-ttl': 'the fields are kept without their TTLs',
  functions: 'the libraries are left out',
  streams: 'the keys are left out',
  modules: 'the keys are left out',
  newer: 'ARRAY and GCRA keys are left out; a stream keeps its entries and groups without its idempotency state and NACK zones',
};

/** The output forms, as far as losses go. */
export type LossOutput = 'rdb' | 'commands' | 'restore' | 'ndjson';

/** One kind the target cannot hold, with how much of it the input has. */
export interface LossCount {
  kind: LossKind;
  /** Keys (libraries for `functions`). */
  count: number;
  flag: string;
  /** `3 hashes with field TTLs: redis@7.0 cannot hold them (--drop-field-ttl …)`. */
  message: string;
}

/** Counts losses and bookkeeping notes as keys go by, and applies the drops the user allowed. */
export class LossTracker {
  /** Kinds met that the target cannot hold, whether dropped or refused. */
  readonly counts = new Map<LossKind, number>();
  /** Bookkeeping dropped (note → count). */
  readonly notes = new Map<string, number>();
  private readonly holds: Readonly<Record<LossKind, boolean>>;
  /** Which of the `newer` kinds the output holds (RDB 14 on: all but GCRA, in RDB files and DUMP payloads). */
  private readonly newer: Readonly<NewerHolds>;

  constructor(
    readonly release: ServerRelease,
    /** What the output is: RDB bytes, commands (AOF, RESP), RESTORE payloads, or NDJSON (which holds everything). */
    readonly output: LossOutput,
    /** Kinds the user allowed to drop. */
    readonly allowed: ReadonlySet<LossKind>,
    /** The RDB version written (RDB and RESTORE outputs). */
    readonly rdbVersion: number,
    /** Whether LRU/LFU hints are kept (`--keep-lru`). */
    readonly keepLru: boolean,
  ) {
    const all = output === 'ndjson';
    this.holds = {
      'field-ttl': all || releaseHolds(release, 'field-ttl'),
      functions: all || releaseHolds(release, 'functions'),
      streams: all || releaseHolds(release, 'streams'),
      // Commands cannot carry a module value: only its module's own rewrite could.
      modules: all || (output !== 'commands' && releaseHolds(release, 'modules')),
      newer: all,
    };
    // Commands carry none of them (no rewrite form of these is known); an RDB or a DUMP
    // payload of the target's own version carries what its loader knows.
    const rdb = output === 'rdb' || output === 'restore';
    this.newer = {
      arrays: all || (rdb && releaseHolds(release, 'arrays')),
      gcra: all || (rdb && releaseHolds(release, 'gcra')),
      idmp: all || (rdb && releaseHolds(release, 'stream-idmp')),
      nack: all || (rdb && releaseHolds(release, 'stream-nack')),
    };
  }

  /** Set once a kind the user did not allow to drop was counted. */
  private anyRefused = false;

  /** True when some kind was met that the target cannot hold and the user did not allow to drop. */
  get refused(): boolean {
    return this.anyRefused;
  }

  /** The kinds met, refused ones first, each with its count and message. */
  losses(): LossCount[] {
    const out: LossCount[] = [];
    for (const [kind, count] of this.counts) {
      const [one, many] = NOUNS[kind];
      const what = `${count} ${count === 1 ? one : many}`;
      const flag = LOSS_FLAGS[kind];
      const message = this.allowed.has(kind)
        ? `${what} dropped for ${this.release.id} (${flag}: ${EFFECTS[kind]})`
        : `${what}: ${this.release.id} cannot hold ${count === 1 ? 'it' : 'them'} (${flag} drops ${count === 1 ? 'it' : 'them'}: ${EFFECTS[kind]})`;
      out.push({ kind, count, flag, message });
    }
    return out.sort((a, b) => Number(this.allowed.has(a.kind)) - Number(this.allowed.has(b.kind)));
  }

  private count(kind: LossKind, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
    if (!this.allowed.has(kind)) this.anyRefused = true;
  }

  /** Adds `n` to a bookkeeping note. */
  note(text: string, n = 1): void {
    if (n > 0) this.notes.set(text, (this.notes.get(text) ?? 0) + n);
  }

  /** Counts the function libraries; true when they are to be written. */
  functions(n: number): boolean {
    if (n === 0 || this.holds.functions) return true;
    this.count('functions', n);
    return false;
  }

  /**
   * Judges one key: counts what the target cannot hold and, where the user allowed it, drops
   * it from the record (the record's value may be changed). Returns false when the key is to be
   * left out — dropped, or, once something was refused, every key (the conversion only counts
   * from then on).
   */
  key(rec: KeyRecord): boolean {
    const v = rec.value;
    const kind = keyLoss(v, this.holds, this.newer);
    if (kind !== null) {
      this.count(kind);
      if (kind !== 'field-ttl' && !(kind === 'newer' && typeof v !== 'string' && v.type === 'stream')) return false;
      if (!this.allowed.has(kind)) return false;
      if (kind === 'field-ttl') dropFieldTtls(v as HashValue);
      else dropNewerStreamState(v as StreamValue, this.newer);
    }
    this.hints(rec);
    if (typeof v !== 'string' && v.type === 'stream' && v.recordedActiveTimes && this.output !== 'ndjson' && this.rdbVersion < 11 && hasConsumers(v)) {
      this.note(`streams whose consumers' active times RDB ${this.rdbVersion} does not store (set to their seen times on load)`);
    }
    return !this.refused;
  }

  /**
   * Judges a key streamed before its value (a string, list, set, sorted set, or hash without
   * field TTLs: nothing any target lacks): only its LRU/LFU hints are noted. Returns false
   * once something was refused.
   */
  streamedKey(head: Pick<KeyRecord, 'lruIdleSec' | 'lfuFreq'>): boolean {
    this.hints(head);
    return !this.refused;
  }

  private hints(rec: Pick<KeyRecord, 'lruIdleSec' | 'lfuFreq'>): void {
    if (rec.lruIdleSec !== undefined || rec.lfuFreq !== undefined) {
      if (!this.keepLru) this.note('LRU/LFU hints not kept (--keep-lru keeps them)');
      else if (this.output === 'commands') this.note('LRU/LFU hints cannot be carried by commands');
      else if (this.output !== 'ndjson' && this.rdbVersion < 9) this.note(`LRU/LFU hints dropped: RDB ${this.rdbVersion} has no place for them`);
    }
  }
}

/** Which data of the `newer` kind an output holds. */
interface NewerHolds {
  arrays: boolean;
  gcra: boolean;
  /** A stream's idempotent-producer state (stream type 26). */
  idmp: boolean;
  /** NACK zones: pending entries no consumer owns (stream type 27). */
  nack: boolean;
}

/** The loss a key's value brings on a target holding `holds` and `newer`, or null. */
function keyLoss(v: Value, holds: Readonly<Record<LossKind, boolean>>, newer: Readonly<NewerHolds>): LossKind | null {
  if (typeof v === 'string') return null;
  switch (v.type) {
    case 'hash':
      return v.volatileFields > 0 && !holds['field-ttl'] ? 'field-ttl' : null;
    case 'stream':
      if (!holds.streams) return 'streams';
      return (!newer.idmp && hasIdmpState(v)) || (!newer.nack && hasNackState(v)) ? 'newer' : null;
    case 'module':
      return holds.modules ? null : 'modules';
    case 'array':
      return newer.arrays ? null : 'newer';
    case 'gcra':
      return newer.gcra ? null : 'newer';
    default:
      return null;
  }
}

function hasConsumers(s: StreamValue): boolean {
  for (const g of s.groups.values()) if (g.consumers.size > 0) return true;
  return false;
}

/** True when a stream has idempotent-producer state other than the defaults (only stream type 26 on stores it). */
function hasIdmpState(s: StreamValue): boolean {
  const i = s.idmp;
  return i !== null && !(i.producers.length === 0 && i.durationSec === 100 && i.maxEntries === 100 && i.iidsAdded === 0 && i.iidsDuplicates === 0);
}

/** True when a stream has NACK zones or pending entries no consumer owns (only stream type 27 on stores them). */
function hasNackState(s: StreamValue): boolean {
  for (const g of s.groups.values()) {
    if (g.nacked !== null && g.nacked.size > 0) return true;
    for (const p of g.pending.values()) if (p.consumer === null) return true;
  }
  return false;
}

function dropFieldTtls(h: HashValue): void {
  const fields: string[] = [];
  for (const [f] of h.entries()) if (h.fieldExpire(f) !== null) fields.push(f);
  for (const f of fields) h.setFieldExpire(f, null);
}

/** Drops the stream state the output does not hold (and keeps what it does). */
function dropNewerStreamState(s: StreamValue, newer: Readonly<NewerHolds>): void {
  if (!newer.idmp) s.idmp = null;
  if (newer.nack) return;
  for (const g of s.groups.values()) {
    g.nacked = null;
    for (const [id, p] of [...g.pending]) if (p.consumer === null) g.pending.delete(id);
  }
}
