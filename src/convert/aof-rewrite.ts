/**
 * Key records as the commands of an AOF rewrite (FORMATS.md §6.1): what Redis's
 * `rewriteAppendOnlyFileRio` writes into a base file with `aof-use-rdb-preamble no`, in the
 * forms of the release the file is for.
 *
 * ```
 * [#TS:<sec>]                                   (only when asked; 7.0+ loaders skip it)
 * FUNCTION LOAD <code>                          per library (7.0+)
 * SELECT <db>                                   before the first key of each database
 * SET k v | RPUSH k e… | SADD k m… | ZADD k s m… | HMSET k f v…    at most 64 items each
 * HMSET k f v [HPEXPIREAT k ms FIELDS 1 f]      per field, for a hash with field TTLs (7.4+)
 * XADD k id f v… (or XADD k MAXLEN 0 0-1 x y) · XSETID · XGROUP CREATE · XCLAIM · XGROUP CREATECONSUMER
 * PEXPIREAT k ms                                after a key with an expiry
 * ```
 *
 * What a target release cannot be given as commands — field TTLs before 7.4, streams before
 * 5.0, libraries before 7.0, module values (only a module's own rewrite callback can rebuild
 * them), ARRAY and GCRA values, a stream's idempotent-producer state and NACK zones (their
 * commands were not verified) — is refused with an {@link UnsupportedValueError}, or left out
 * and listed with `unsupported: 'skip'`. What Redis's own rewrite loses too (consumers without
 * pending entries before 6.2, pending entries whose stream entry was deleted: XCLAIM drops
 * them on load) is written as Redis writes it and counted in the result's `notes`.
 *
 * Commands go into a {@link SlabSink} (a `ByteSink`) in large slabs, never one write per command.
 */
import { parseTarget } from '../analyze/compat.js';
import { encodeTimestamp } from '../aof/resp-encoder.js';
import { formatG } from '../binary/double-text.js';
import { digitCount, writeLowDigits } from '../binary/int-text.js';
import { putWordText, wordText, type WordText } from '../io/bytes.js';
import type { ByteString } from '../dataset/byte-string.js';
import type { Dataset } from '../dataset/dataset.js';
import type { HashValue } from '../dataset/hash.js';
import type { ListValue } from '../dataset/list.js';
import type { SetValue } from '../dataset/set.js';
import type { StreamGroupState, StreamValue } from '../dataset/stream.js';
import { MIN_STREAM_ID, streamIdText } from '../dataset/stream-id.js';
import type { Value } from '../dataset/value.js';
import type { ZSetValue } from '../dataset/zset.js';
import { RdbtoolError, UsageError } from '../errors.js';
import type { ServerRelease } from '../model/server-releases.js';
import type { SlabSink } from '../rdb/primitives.js';
import { UnsupportedValueError } from '../rdb/target.js';
import { formatShortest } from '../rdb/values/score.js';
import type { DatasetSink, SkippedItem } from '../rdb/write-dataset.js';
import type { DatasetHeader, KeyRecord, StreamedKey, StreamedValue } from './key-record.js';
import { CommandBatch } from './command-batch.js';

/** `AOF_REWRITE_ITEMS_PER_CMD`: elements, members, pairs per variadic command (2.6 and later). */
export const AOF_REWRITE_ITEMS_PER_CMD = 64;

/** The release an AOF is written for when none is named. */
export const DEFAULT_AOF_TARGET = 'redis@7.0';

/** Bytes between two awaits of the sink's drain. */
const DRAIN_EVERY_BYTES = 1 << 20;

/** The longest string value a writer takes in place (`reserveString`). */
const RESERVE_MAX_BYTES = 4096;

/** `*3` and the name of the commands of a string key, written at once, a word at a time. */
const SET_HEAD = wordText('*3\r\n$3\r\nSET\r\n');
const PEXPIREAT_HEAD = wordText('*3\r\n$9\r\nPEXPIREAT\r\n');

/** Arguments up to this size go into the slab with their header in one write. */
const SMALL_ARG = 256;

/** Arguments up to this size are copied byte by byte (cheaper than a view and a native copy). */
const LOOP_COPY = 64;

// ---------------------------------------------------------------- what each release writes

/**
 * The rewrite forms of one release line, as its `aof.c` writes them (Redis 5.0, 6.0, 6.2,
 * 7.0, 7.2, 7.4 read; Valkey lines as the Redis line they were forked from).
 */
export interface AofStyle {
  release: ServerRelease;
  /** Major × 100 + minor of the line (`7.0` → 700, `8.10` → 810). */
  version: number;
  /** `FUNCTION LOAD` per library (Redis 7.0+, Valkey). */
  functions: boolean;
  /** Stream commands at all (Redis 5.0+). */
  streams: boolean;
  /** `XSETID … ENTRIESADDED n MAXDELETEDID id` and `XGROUP CREATE … ENTRIESREAD n` (Redis 7.0+, Valkey). */
  streamMeta: boolean;
  /** `XGROUP CREATECONSUMER` for consumers without pending entries (Redis 6.2+; before, they are not written). */
  createConsumer: boolean;
  /** An empty stream is made with `XADD k MAXLEN 0 <last-id> x y` (Redis 5.0) rather than `… 0-1 x y`. */
  emptyStreamAtLastId: boolean;
  /**
   * ZADD scores: `%.17g` (up to Redis 7.0) or the shortest round-trip text (`fpconv_dtoa`,
   * Redis 7.2+, Valkey) as the release's rewrite writes them; or `roundtrip`, any exact text
   * (JavaScript's shortest), for commands sent to a server rather than kept as its AOF.
   */
  scores: 'g17' | 'shortest' | 'roundtrip';
  /** Hash field TTLs as `HPEXPIREAT k ms FIELDS 1 f` after each field's HMSET (Redis 7.4+, Valkey 9.0+). */
  fieldTtl: boolean;
  /** `#` annotation lines are skipped by the loader (Redis 7.0+, Valkey). */
  annotations: boolean;
}

/**
 * The rewrite forms for a release line (`redis@6.2`, or a release from the table).
 * @throws UsageError for an unknown line
 */
export function aofStyle(target: ServerRelease | string = DEFAULT_AOF_TARGET): AofStyle {
  const release = typeof target === 'string' ? parseTarget(target) : target;
  const [major, minor] = release.line.split('.').map(Number);
  const version = major * 100 + minor;
  const annotations = release.aof.annotations;
  if (release.server === 'valkey') {
    // Every Valkey line comes from Redis 7.2; field TTLs arrived in 9.0 (their rewrite form
    // was not read in Valkey's source: HPEXPIREAT, which 9.0 takes, is written).
    return { release, version, functions: true, streams: true, streamMeta: true, createConsumer: true, emptyStreamAtLastId: false, scores: 'shortest', fieldTtl: version >= 900, annotations };
  }
  return {
    release,
    version,
    functions: version >= 700,
    streams: version >= 500,
    streamMeta: version >= 700,
    createConsumer: version >= 602,
    emptyStreamAtLastId: version < 600,
    scores: version >= 702 ? 'shortest' : 'g17',
    fieldTtl: version >= 704,
    annotations,
  };
}

/**
 * A sorted-set score as the ZADD of a rewrite writes it: `%.17g` (glibc's digits) up to
 * Redis 7.0, the shortest text that reads back as the same double from 7.2 on; with
 * `roundtrip`, JavaScript's shortest text (as exact, cheaper to make); `inf`, `-inf`, `-0` in all.
 */
export function rewriteScoreText(score: number, style: AofStyle['scores']): string {
  if (style === 'g17') return formatG(score, 17);
  if (score === 0) return Object.is(score, -0) ? '-0' : '0';
  if (score === Infinity) return 'inf';
  if (score === -Infinity) return '-inf';
  // JavaScript's shortest text reads back as the same double (strtod takes its exponent form).
  return style === 'roundtrip' ? String(score) : formatShortest(score);
}

/**
 * Why `value` cannot be written as commands for the release of `style`, or null when it can.
 * Checked before any byte of a key is written.
 */
export function rewriteRefusal(value: Value, style: AofStyle): string | null {
  if (typeof value === 'string') return null;
  switch (value.type) {
    case 'list':
    case 'set':
    case 'zset':
      return null;
    case 'hash':
      return value.volatileFields > 0 && !style.fieldTtl ? 'hash field TTLs' : null;
    case 'stream':
      if (!style.streams) return 'streams';
      return streamRefusal(value);
    case 'module':
      return `module values (${value.moduleName}: only the module's own AOF rewrite rebuilds them)`;
    case 'array':
      return 'ARRAY values';
    case 'gcra':
      return 'GCRA values';
  }
}

/** What of a stream no verified command restores: non-default IDMP state, NACK zones. */
function streamRefusal(s: StreamValue): string | null {
  const i = s.idmp;
  if (i !== null && !(i.producers.length === 0 && i.durationSec === 100 && i.maxEntries === 100 && i.iidsAdded === 0 && i.iidsDuplicates === 0)) {
    return 'stream idempotent-producer (IDMP) state';
  }
  for (const g of s.groups.values()) {
    if (g.nacked !== null && g.nacked.size > 0) return 'stream NACK zones';
    for (const p of g.pending.values()) if (p.consumer === null) return 'stream NACK zones';
  }
  return null;
}

/** The error for `what` on the release of `style`. */
export function cannotWrite(what: string, style: AofStyle): UnsupportedValueError {
  return new UnsupportedValueError(`${what} cannot be written as commands for ${style.release.id}`);
}

// ---------------------------------------------------------------- RESP framing into slabs

/**
 * RESP multi-bulk commands (FORMATS.md §5.1) written into slabs handed to a {@link SlabSink}:
 * `*<argc>\r\n`, then `$<len>\r\n<bytes>\r\n` per argument. Arguments are byte strings (one
 * char per byte), byte arrays, or integers (their decimal text). Large arguments pass
 * through without a copy (byte arrays of 64 KiB or more: do not change them afterwards).
 */
export class RespOutput {
  private readonly slabBytes: number;
  private slab: Buffer;
  /** The slab, for writing 32-bit words. */
  private view: DataView;
  private pos = 0;
  private flushed = 0;
  private readonly spare: Buffer[] = [];
  /** Commands written. */
  commands = 0;
  /** The database commands go to (−1 until the first {@link select}). */
  db = -1;

  /** @param slabBytes slab size (default 1 MiB, at least 1 KiB: a short argument is always framed within one slab) */
  constructor(
    private readonly sink: SlabSink,
    slabBytes = 1 << 20,
  ) {
    this.slabBytes = Math.max(1024, slabBytes);
    this.slab = Buffer.allocUnsafe(this.slabBytes);
    this.view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.length);
  }

  /** Bytes written so far. */
  get offset(): number {
    return this.flushed + this.pos;
  }

  /** Starts a command of `argc` arguments (the name counts). */
  array(argc: number): void {
    this.commands++;
    if (argc >= 1000 || this.pos + 6 > this.slabBytes) {
      this.latin1(`*${argc}\r\n`);
      return;
    }
    const b = this.slab;
    let p = this.pos;
    b[p++] = 0x2a;
    if (argc >= 100) b[p++] = 0x30 + ((argc / 100) | 0);
    if (argc >= 10) b[p++] = 0x30 + (((argc / 10) | 0) % 10);
    b[p++] = 0x30 + (argc % 10);
    b[p++] = 0x0d;
    b[p++] = 0x0a;
    this.pos = p;
  }

  /**
   * Writes `$<n>\r\n` of a short argument (n < SMALL_ARG, so at most three digits) into the
   * slab, first handing the slab on when the whole argument would not fit; returns where the
   * argument's bytes go (the caller writes them and the closing CRLF, and sets `pos`).
   */
  private smallHead(n: number): number {
    if (this.pos + n + 8 > this.slabBytes) this.flush();
    const b = this.slab;
    let p = this.pos;
    b[p++] = 0x24;
    if (n >= 100) b[p++] = 0x30 + ((n / 100) | 0);
    if (n >= 10) b[p++] = 0x30 + (((n / 10) | 0) % 10);
    b[p++] = 0x30 + (n % 10);
    b[p++] = 0x0d;
    b[p++] = 0x0a;
    return p;
  }

  /** One argument given as a byte string. */
  bulk(s: ByteString): void {
    const n = s.length;
    if (n < SMALL_ARG) {
      // `$<n>\r\n<bytes>\r\n` byte by byte: cheaper than a native write for short arguments.
      let p = this.smallHead(n);
      const b = this.slab;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      b[p++] = 0x0d;
      b[p++] = 0x0a;
      this.pos = p;
      return;
    }
    this.bulkHead(n);
    this.latin1(s);
    this.bulkEnd();
  }

  /** The header of an argument of `n` bytes whose bytes follow through {@link bytes}, then {@link bulkEnd}. */
  bulkHead(n: number): void {
    this.latin1(`$${n}\r\n`);
  }

  /** Ends an argument begun with {@link bulkHead}. */
  bulkEnd(): void {
    this.latin1('\r\n');
  }

  /** One argument given as bytes. */
  bulkBytes(b: Uint8Array): void {
    const n = b.length;
    if (n < SMALL_ARG) {
      this.bulkRange(b, 0, n);
      return;
    }
    this.bulkHead(n);
    this.bytes(b);
    this.bulkEnd();
  }

  /**
   * One argument given as `src[start, end)`, copied (never passed through: the caller may
   * reuse `src`).
   */
  bulkRange(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n < SMALL_ARG) {
      let p = this.smallHead(n);
      const slab = this.slab;
      if (n <= LOOP_COPY) for (let i = start; i < end; i++) slab[p++] = src[i];
      else {
        slab.set(src.subarray(start, end), p);
        p += n;
      }
      slab[p++] = 0x0d;
      slab[p++] = 0x0a;
      this.pos = p;
      return;
    }
    this.bulkHead(n);
    this.copyBytes(src.subarray(start, end));
    this.bulkEnd();
  }

  /**
   * `$<n>\r\n` of an argument whose `n` bytes the caller writes into {@link currentSlab} at the
   * returned position, then {@link endReserved}; nothing else may be written in between. The
   * whole argument fits in the slab (`n` is small).
   */
  reserveBulk(n: number): number {
    if (this.pos + n + 24 > this.slabBytes) this.flush();
    const slab = this.slab;
    let p = this.pos;
    slab[p++] = 0x24;
    const digits = digitCount(n);
    p += digits;
    writeLowDigits(n, slab, p, digits);
    slab[p++] = 0x0d;
    slab[p++] = 0x0a;
    this.reservedEnd = p + n;
    return p;
  }

  /** The slab being filled (for {@link reserveBulk}'s caller). */
  get currentSlab(): Uint8Array {
    return this.slab;
  }

  /** Ends the argument begun with {@link reserveBulk}, its bytes written. */
  endReserved(): void {
    let p = this.reservedEnd;
    const slab = this.slab;
    slab[p++] = 0x0d;
    slab[p++] = 0x0a;
    this.pos = p;
  }

  private reservedEnd = 0;

  /** The start of a command, written before (`*<argc>\r\n` and the name's argument): counted as a command. */
  fixed(head: WordText): void {
    this.commands++;
    if (this.pos + head.bytes.length > this.slabBytes) this.flush();
    this.pos = putWordText(this.view, this.slab, this.pos, head);
  }


  /**
   * One argument that is the decimal text of the safe integer `n` (an expiry, say), its digits
   * written into the slab without a string.
   */
  bulkDecimal(n: number): void {
    const m = n < 0 ? -n : n;
    const digits = digitCount(m);
    let p = this.smallHead(digits + (n < 0 ? 1 : 0));
    const slab = this.slab;
    if (n < 0) slab[p++] = 0x2d;
    p += digits;
    writeLowDigits(m, slab, p, digits);
    slab[p++] = 0x0d;
    slab[p++] = 0x0a;
    this.pos = p;
  }

  /** One integer argument (its decimal text). */
  bulkInt(n: number): void {
    if (!Number.isSafeInteger(n)) throw new UsageError(`a command argument must be an integer, got ${n}`);
    this.bulk(String(n));
  }

  /** A whole command of byte-string arguments. */
  command(...args: ByteString[]): void {
    this.array(args.length);
    for (const a of args) this.bulk(a);
  }

  /** `SELECT <db>` when `db` is not the current database. */
  select(db: number): void {
    if (db === this.db) return;
    if (!Number.isSafeInteger(db) || db < 0) throw new UsageError(`a database index must be a non-negative integer, got ${db}`);
    this.command('SELECT', String(db));
    this.db = db;
  }

  /** Bytes as they are (an annotation line). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n >= 1 << 16 || n > this.slabBytes) {
      this.flush();
      this.flushed += n;
      this.sink.write(b);
      return;
    }
    if (this.pos + n > this.slabBytes) this.flush();
    this.slab.set(b, this.pos);
    this.pos += n;
  }

  /**
   * Copies `b` into the output through the slab, in pieces (never passed through, never a new
   * array): for bytes the caller reuses, such as the parts of a string read from a file.
   */
  copyBytes(b: Uint8Array): void {
    for (let at = 0; at < b.length; ) {
      if (this.pos === this.slabBytes) this.flush();
      const take = Math.min(b.length - at, this.slabBytes - this.pos);
      this.slab.set(take === b.length ? b : b.subarray(at, at + take), this.pos);
      this.pos += take;
      at += take;
    }
  }

  /** Hands the filled part of the slab to the sink (call before awaiting the sink's drain). */
  flush(): void {
    const n = this.pos;
    if (n === 0) return;
    const full = this.slab;
    this.flushed += n;
    const slab = (this.slab = this.spare.pop() ?? Buffer.allocUnsafe(this.slabBytes));
    this.view = new DataView(slab.buffer, slab.byteOffset, slab.length);
    this.pos = 0;
    this.sink.write(full.subarray(0, n), () => {
      if (this.spare.length < 2) this.spare.push(full);
    });
  }

  private latin1(s: string): void {
    const n = s.length;
    if (this.pos + n > this.slabBytes) {
      this.flush();
      if (n > this.slabBytes) {
        this.flushed += n;
        this.sink.write(Buffer.from(s, 'latin1'));
        return;
      }
    }
    this.pos += this.slab.write(s, this.pos, 'latin1');
  }
}

// ---------------------------------------------------------------- one key's commands

/** What Redis's own rewrite loses too, counted (note → count). */
export type RewriteNotes = Record<string, number>;

/** Note: consumers without pending entries, before `XGROUP CREATECONSUMER` existed. */
export const NOTE_IDLE_CONSUMERS = 'stream consumers without pending entries (the target has no XGROUP CREATECONSUMER; its own rewrite drops them too)';
/** Note: pending entries whose stream entry is gone. */
export const NOTE_DELETED_PENDING = 'pending entries of deleted stream entries (XCLAIM drops them on load, as after the server’s own rewrite)';
/** Note: consumers whose every pending entry is gone (XCLAIM is all that would create them). */
export const NOTE_LOST_CONSUMERS = 'stream consumers whose every pending entry was deleted (not created on load, as after the server’s own rewrite)';

function note(notes: RewriteNotes, text: string, n = 1): void {
  notes[text] = (notes[text] ?? 0) + n;
}

/**
 * Writes the commands that rebuild one key (its value, then its expiry), as the rewrite of
 * `style` writes them. The caller has checked {@link rewriteRefusal} and the database.
 * @returns false when nothing was written (an empty list, set, sorted set or hash: Redis holds none)
 */
export function writeKeyCommands(out: RespOutput, key: ByteString, value: Value, expireAtMs: number | null, style: AofStyle, notes: RewriteNotes): boolean {
  if (typeof value === 'string') {
    out.command('SET', key, value);
  } else {
    switch (value.type) {
      case 'list':
        if (!batches(out, 'RPUSH', key, (value as ListValue).toArray(), 1)) return false;
        break;
      case 'set':
        if (!batches(out, 'SADD', key, (value as SetValue).toArray(), 1)) return false;
        break;
      case 'zset': {
        const scoreStyle = style.scores;
        const { members, scores } = (value as ZSetValue).toArrays();
        for (let i = 0; i < members.length; i += AOF_REWRITE_ITEMS_PER_CMD) {
          const end = Math.min(members.length, i + AOF_REWRITE_ITEMS_PER_CMD);
          out.array(2 + 2 * (end - i));
          out.bulk('ZADD');
          out.bulk(key);
          for (let k = i; k < end; k++) {
            out.bulk(rewriteScoreText(scores[k], scoreStyle));
            out.bulk(members[k]);
          }
        }
        if (members.length === 0) return false;
        break;
      }
      case 'hash':
        if (!writeHash(out, key, value, style)) return false;
        break;
      case 'stream':
        writeStream(out, key, value, style, notes);
        break;
      default:
        throw new UsageError(`no commands rebuild a ${value.type} value`);
    }
  }
  if (expireAtMs !== null) {
    out.command('PEXPIREAT', key, String(expireAtMs));
  }
  return true;
}

/**
 * `NAME key a… ` commands of at most 64 items each (`width` arguments per item, all in one
 * array), head to tail. Returns false when there was no item.
 */
function batches(out: RespOutput, name: string, key: ByteString, args: readonly ByteString[], width: number): boolean {
  const per = AOF_REWRITE_ITEMS_PER_CMD * width;
  for (let i = 0; i < args.length; i += per) {
    const end = Math.min(args.length, i + per);
    out.array(2 + end - i);
    out.bulk(name);
    out.bulk(key);
    for (let k = i; k < end; k++) out.bulk(args[k]);
  }
  return args.length > 0;
}

function writeHash(out: RespOutput, key: ByteString, h: HashValue, style: AofStyle): boolean {
  if (h.volatileFields === 0 || !style.fieldTtl) return batches(out, 'HMSET', key, h.toFlatArray(), 2);
  // Redis 7.4: one HMSET per field, each followed by its HPEXPIREAT when it has a TTL.
  let any = false;
  for (const [f, v] of h.entries()) {
    out.command('HMSET', key, f, v);
    const at = h.fieldExpire(f);
    if (at !== null) out.command('HPEXPIREAT', key, String(at), 'FIELDS', '1', f);
    any = true;
  }
  return any;
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function writeStream(out: RespOutput, key: ByteString, s: StreamValue, style: AofStyle, notes: RewriteNotes): void {
  if (s.entryCount > 0) {
    for (const [id, fields] of s.entries()) {
      out.array(3 + fields.length);
      out.bulk('XADD');
      out.bulk(key);
      out.bulk(streamIdText(id));
      for (const f of fields) out.bulk(f);
    }
  } else {
    // An XADD trimmed to nothing makes the empty stream (5.0 used the stream's last ID).
    const id = style.emptyStreamAtLastId && s.lastId !== MIN_STREAM_ID ? streamIdText(s.lastId) : '0-1';
    out.command('XADD', key, 'MAXLEN', '0', id, 'x', 'y');
  }
  if (style.streamMeta) {
    out.command('XSETID', key, streamIdText(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', streamIdText(s.maxDeletedId));
  } else {
    out.command('XSETID', key, streamIdText(s.lastId));
  }
  // Groups, consumers and pending entries in Redis's rax order: by bytes, by ID.
  const groups = [...s.groups.values()].sort((a, b) => byBytes(a.name, b.name));
  for (const g of groups) {
    if (style.streamMeta) out.command('XGROUP', 'CREATE', key, g.name, streamIdText(g.lastDeliveredId), 'ENTRIESREAD', String(g.entriesRead));
    else out.command('XGROUP', 'CREATE', key, g.name, streamIdText(g.lastDeliveredId));
    writeConsumers(out, key, s, g, style, notes);
  }
}

function writeConsumers(out: RespOutput, key: ByteString, s: StreamValue, g: StreamGroupState, style: AofStyle, notes: RewriteNotes): void {
  const consumers = [...g.consumers.values()].sort((a, b) => byBytes(a.name, b.name));
  for (const c of consumers) {
    if (c.pending.size === 0) {
      if (style.createConsumer) out.command('XGROUP', 'CREATECONSUMER', key, g.name, c.name);
      else note(notes, NOTE_IDLE_CONSUMERS);
      continue;
    }
    let live = 0;
    for (const id of [...c.pending].sort(byBytes)) {
      const p = g.pending.get(id);
      if (p === undefined) continue; // kept in step by the dataset; nothing to claim
      if (s.indexOf(id) < 0) note(notes, NOTE_DELETED_PENDING);
      else live++;
      out.array(12);
      out.bulk('XCLAIM');
      out.bulk(key);
      out.bulk(g.name);
      out.bulk(c.name);
      out.bulk('0');
      out.bulk(streamIdText(id));
      out.bulk('TIME');
      out.bulkInt(p.deliveryTimeMs);
      out.bulk('RETRYCOUNT');
      out.bulkInt(p.deliveryCount);
      out.bulk('JUSTID');
      out.bulk('FORCE');
    }
    if (live === 0) note(notes, NOTE_LOST_CONSUMERS);
  }
}

// ---------------------------------------------------------------- the writer

function notHere(): never {
  throw new UsageError('a streamed value got a piece of another type');
}

/** Options of {@link AofRewriteWriter}. */
export interface AofRewriteOptions {
  /** The release the AOF is for (`redis@7.0`, `valkey@8.0`, or a release of the table). Default redis@7.0. */
  target?: ServerRelease | string;
  /**
   * What to do with what the release cannot be given as commands: `error` (default; the key's
   * commands are not written, the output so far stays) or `skip` (left out and listed).
   */
  unsupported?: 'error' | 'skip';
  /** Start with the annotation `#TS:<timestampSec>` (as Redis 7.0+ starts a rewrite with `aof-timestamp-enabled`). */
  timestampSec?: number;
  /** Slab size in bytes (default 1 MiB, at least 1 KiB). */
  slabBytes?: number;
  /** Checked between keys by {@link AofRewriteWriter.maybeDrain}. */
  signal?: AbortSignal;
  /** ZADD scores in this form rather than the release's (see {@link AofStyle.scores}). */
  scores?: AofStyle['scores'];
}

/** What an AOF rewrite wrote. */
export interface AofRewriteResult {
  /** Bytes written. */
  bytes: number;
  /** Keys written. */
  keys: number;
  /** Function libraries written. */
  functions: number;
  /** Commands written (SELECTs included). */
  commands: number;
  /** What was left out (`unsupported: 'skip'`) and why. */
  skipped: SkippedItem[];
  /** What the target's own rewrite loses too, written as it writes it (note → count). */
  notes: RewriteNotes;
}

/**
 * Writes key records as an AOF rewrite: {@link begin} (the annotation, function libraries),
 * {@link key} for every key, database by database, then {@link end}. `SELECT` is written
 * before the first key of each database.
 */
export class AofRewriteWriter {
  readonly result: AofRewriteResult = { bytes: 0, keys: 0, functions: 0, commands: 0, skipped: [], notes: {} };
  /** The forms written. */
  readonly style: AofStyle;
  protected readonly out: RespOutput;
  private readonly skip: boolean;
  private drained = 0;

  constructor(
    protected readonly sink: DatasetSink,
    protected readonly opts: AofRewriteOptions = {},
  ) {
    const style = aofStyle(opts.target);
    this.style = opts.scores === undefined ? style : { ...style, scores: opts.scores };
    this.out = new RespOutput(sink, opts.slabBytes);
    this.skip = opts.unsupported === 'skip';
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.out.offset;
  }

  /**
   * What comes before the keys: the `#TS` annotation when asked for, then one `FUNCTION LOAD`
   * per library. AUX fields and module AUX records have no command form and are not written.
   * @throws UsageError for a timestamp on a release whose loader refuses annotations
   * @throws UnsupportedValueError for libraries before 7.0 (unless skipped)
   */
  begin(h: DatasetHeader): void {
    const ts = this.opts.timestampSec;
    if (ts !== undefined) {
      if (!this.style.annotations) throw new UsageError(`${this.style.release.id} does not load an AOF with annotations (#TS lines); leave the timestamp out`);
      this.out.bytes(encodeTimestamp(ts));
    }
    this.functions(h.functions);
  }

  /** Same as {@link begin}. */
  header(h: DatasetHeader): void {
    this.begin(h);
  }

  /** One `FUNCTION LOAD` per library. */
  protected functions(codes: readonly Uint8Array[]): void {
    for (const code of codes) {
      if (!this.style.functions) {
        this.refuse(cannotWrite('function libraries', this.style), null, null);
        continue;
      }
      this.writeFunction(code);
      this.result.functions++;
    }
  }

  /** The command that loads one library. */
  protected writeFunction(code: Uint8Array): void {
    this.out.array(3);
    this.out.bulk('FUNCTION');
    this.out.bulk('LOAD');
    this.out.bulkBytes(code);
  }

  /** Nothing to write: `SELECT` goes before the first key written in the database. */
  selectDb(_db: number, _sizes?: { keys: number; expires: number }): void {}

  /**
   * Writes the commands of one key. Returns false when the key was left out (skipped, or an
   * empty collection, which Redis never holds).
   * @throws UnsupportedValueError (located at the key) for what the release cannot be given, unless skipped
   * @throws UsageError for an expiry that is not an integer
   */
  key(rec: KeyRecord): boolean {
    const why = rewriteRefusal(rec.value, this.style);
    if (why !== null) {
      this.refuse(cannotWrite(why, this.style), rec.db, rec.key);
      return false;
    }
    if (rec.expireAtMs !== null && !Number.isSafeInteger(rec.expireAtMs)) {
      throw new UsageError(`expiry must be an integer number of milliseconds, got ${rec.expireAtMs}`, { context: { db: rec.db, key: Buffer.from(rec.key, 'latin1') } });
    }
    this.out.select(rec.db);
    const written = this.writeKey(rec);
    if (written) this.result.keys++;
    else this.result.skipped.push({ db: rec.db, key: rec.key, reason: 'an empty collection (Redis holds none)' });
    return written;
  }

  /**
   * Starts one key whose value arrives piece by piece (a value too large to hold, or any
   * collection of an RDB input: see rdb-keys.ts `streamsEvery`): a string as
   * `SET key <value>` framed with its length up front and its parts copied through, a list,
   * set, sorted set or hash as RPUSH, SADD, ZADD or HMSET commands of 64 items each as the
   * elements come — the commands the rewrite writes for the value held whole — then its
   * `PEXPIREAT`. A hash streamed has no field TTLs (the caller keeps those on the whole path).
   * @throws UsageError for an expiry that is not an integer
   */
  streamKey(head: StreamedKey): StreamedValue | null {
    const at = head.expireAtMs;
    if (at !== null && !Number.isSafeInteger(at)) {
      throw new UsageError(`expiry must be an integer number of milliseconds, got ${at}`, { context: { db: head.db, key: Buffer.from(head.key, 'latin1') } });
    }
    const out = this.out;
    out.select(head.db);
    if (this.writesBeforeKey()) this.beforeKey(head.key);
    const finish = (): void => this.endKey(head);
    if (head.type === 'string') {
      const total = head.bytes ?? 0;
      let written = 0;
      out.fixed(SET_HEAD);
      keyArgument(out, head);
      out.bulkHead(total);
      return {
        part: (b) => {
          written += b.length;
          if (written > total) throw new UsageError(`string parts longer than the ${total} bytes announced`);
          // Copied through the output's slab: the caller's bytes may be reused.
          if (typeof b === 'string') out.bytes(Buffer.from(b, 'latin1'));
          else out.copyBytes(b);
        },
        item: notHere,
        field: notHere,
        member: notHere,
        end: () => {
          if (written !== total) throw new UsageError(`${written} string bytes written where ${total} were announced`);
          out.bulkEnd();
          finish();
        },
      };
    }
    const name = head.type === 'list' ? 'RPUSH' : head.type === 'set' ? 'SADD' : head.type === 'zset' ? 'ZADD' : 'HMSET';
    // The elements are framed into the batch as they come (copied: the caller's views are
    // valid only during its call), and written 64 to a command.
    const batch = this.batch;
    batch.reset();
    let items = 0;
    const emit = (): void => {
      out.array(2 + batch.args);
      out.bulk(name);
      keyArgument(out, head);
      out.copyBytes(batch.framed());
      batch.reset();
      items = 0;
    };
    const scores = this.style.scores;
    return {
      part: notHere,
      item: (v) => {
        if (typeof v === 'string') batch.text(v);
        else batch.bytes(v);
        if (++items === AOF_REWRITE_ITEMS_PER_CMD) emit();
      },
      field: (f, v) => {
        if (typeof f === 'string') batch.text(f);
        else batch.bytes(f);
        if (typeof v === 'string') batch.text(v);
        else batch.bytes(v);
        if (++items === AOF_REWRITE_ITEMS_PER_CMD) emit();
      },
      member: (m, score) => {
        if (scores === 'roundtrip') batch.score(score);
        else batch.text(rewriteScoreText(score, scores));
        if (typeof m === 'string') batch.text(m);
        else batch.bytes(m);
        if (++items === AOF_REWRITE_ITEMS_PER_CMD) emit();
      },
      itemRange: (buf, start, end) => {
        batch.range(buf, start, end);
        if (++items === AOF_REWRITE_ITEMS_PER_CMD) emit();
      },
      fieldRange: (fb, fs, fe, vb, vs, ve) => {
        batch.range(fb, fs, fe);
        batch.range(vb, vs, ve);
        if (++items === AOF_REWRITE_ITEMS_PER_CMD) emit();
      },
      memberRange: (buf, start, end, score) => {
        if (scores === 'roundtrip') batch.score(score);
        else batch.text(rewriteScoreText(score, scores));
        batch.range(buf, start, end);
        if (++items === AOF_REWRITE_ITEMS_PER_CMD) emit();
      },
      end: () => {
        if (items > 0) emit();
        finish();
      },
    };
  }

  /** The arguments of the command a streamed value's elements are gathered into. */
  private readonly batch = new CommandBatch();

  /**
   * Writes a string key given as the range `buf[start, end)` it was read into: `SET key
   * value`, then its `PEXPIREAT`.
   * @throws UsageError for an expiry that is not an integer
   */
  stringKey(head: StreamedKey, buf: Uint8Array, start: number, end: number): boolean {
    const at = head.expireAtMs;
    if (at !== null && !Number.isSafeInteger(at)) {
      throw new UsageError(`expiry must be an integer number of milliseconds, got ${at}`, { context: { db: head.db, key: Buffer.from(head.key, 'latin1') } });
    }
    this.startSet(head);
    this.out.bulkRange(buf, start, end);
    this.endKey(head);
    return true;
  }

  /** `SET key` of a string key written as it is read (after its database and anything before the key). */
  private startSet(head: StreamedKey): void {
    const out = this.out;
    out.select(head.db);
    if (this.writesBeforeKey()) this.beforeKey(head.key);
    out.fixed(SET_HEAD);
    keyArgument(out, head);
  }

  /** Ends a key written as it is read: its `PEXPIREAT`, when it has an expiry, and the count. */
  private endKey(head: StreamedKey): void {
    const at = head.expireAtMs;
    if (at !== null) {
      const out = this.out;
      out.fixed(PEXPIREAT_HEAD);
      keyArgument(out, head);
      out.bulkDecimal(at);
    }
    this.result.keys++;
  }

  /**
   * A small string key whose value the source writes in place: `SET key`, then room for the
   * value's `length` bytes in the output's slab, given in `out`; {@link finishString} ends it.
   * False, having written nothing, for a value too long for that or an expiry that is not an
   * integer (the {@link stringKey} path says what is wrong with it).
   */
  reserveString(head: StreamedKey, length: number, out: { buf: Uint8Array; at: number }): boolean {
    const at = head.expireAtMs;
    if (length > RESERVE_MAX_BYTES || (at !== null && !Number.isSafeInteger(at))) return false;
    this.startSet(head);
    out.at = this.out.reserveBulk(length);
    out.buf = this.out.currentSlab;
    return true;
  }

  /** Ends a key begun with {@link reserveString}: the value's closing CRLF, its `PEXPIREAT`. */
  finishString(head: StreamedKey): void {
    this.out.endReserved();
    this.endKey(head);
  }

  /** What goes before a key's commands (nothing here). */
  protected beforeKey(_key: ByteString): void {}

  /** Whether {@link beforeKey} writes anything (a string key's text is made only then). */
  protected writesBeforeKey(): boolean {
    return false;
  }

  /** The commands of one key that passed the checks. */
  protected writeKey(rec: KeyRecord): boolean {
    return writeKeyCommands(this.out, rec.key, rec.value, rec.expireAtMs, this.style, this.result.notes);
  }

  /** Refuses or records something the release cannot hold. */
  protected refuse(e: UnsupportedValueError, db: number | null, key: ByteString | null): void {
    if (!this.skip) {
      if (key !== null) e.locate({ context: { db: db ?? undefined, key: Buffer.from(key, 'latin1') } });
      throw e;
    }
    this.result.skipped.push({ db, key, reason: e.reason });
  }

  /** Awaits the sink's drain once a megabyte or more was written since the last time (and checks the abort signal). */
  async maybeDrain(): Promise<void> {
    if (this.out.offset - this.drained < DRAIN_EVERY_BYTES) return;
    this.drained = this.out.offset;
    this.opts.signal?.throwIfAborted();
    this.out.flush();
    if (this.sink.drain) await this.sink.drain();
  }

  /** Hands the last slab to the sink and drains it (the sink is not closed). */
  async end(_h?: DatasetHeader): Promise<AofRewriteResult> {
    this.out.flush();
    if (this.sink.drain) await this.sink.drain();
    this.result.bytes = this.out.offset;
    this.result.commands = this.out.commands;
    return this.result;
  }
}

/**
 * The key as an argument: from where the source read it, or from its bytes, when the source
 * has them (its text is then never made).
 */
function keyArgument(out: RespOutput, head: StreamedKey): void {
  const buf = head.keyBuf;
  if (buf !== undefined) out.bulkRange(buf, head.keyFrom!, head.keyTo!);
  else if (head.keyBytes !== undefined) out.bulkRange(head.keyBytes, 0, head.keyBytes.length);
  else out.bulk(head.key);
}

/** Options of {@link writeDatasetAof}. */
export interface WriteDatasetAofOptions extends AofRewriteOptions {
  /** Key order within a database: `insertion` (default) or `sorted` (byte order, stable output). */
  keyOrder?: 'insertion' | 'sorted';
}

/**
 * Writes a whole dataset as an AOF rewrite into `sink` (not closed): function libraries, then
 * every database in index order.
 * @throws UnsupportedValueError as {@link AofRewriteWriter.key}; whatever the sink's drain throws
 */
export async function writeDatasetAof(ds: Dataset, sink: DatasetSink, opts: WriteDatasetAofOptions = {}): Promise<AofRewriteResult> {
  const w = new AofRewriteWriter(sink, opts);
  await writeDatasetKeys(ds, w, opts.keyOrder);
  return w.end();
}

/** Feeds `ds` to a writer of key records: header, then each database's keys in index order. */
export async function writeDatasetKeys(
  ds: Dataset,
  w: Pick<AofRewriteWriter, 'begin' | 'selectDb' | 'key' | 'maybeDrain'>,
  keyOrder: 'insertion' | 'sorted' = 'insertion',
): Promise<void> {
  w.begin({ aux: ds.aux, functions: [...ds.functions.entries()].map(([, code]) => code), moduleAux: ds.moduleAux });
  for (const index of ds.dbIndexes()) {
    const db = ds.peekDb(index);
    if (db === undefined || db.size === 0) continue;
    w.selectDb(index, { keys: db.size, expires: db.volatileKeys });
    for (const key of keyOrder === 'sorted' ? db.sortedKeys() : db.keys()) {
      const rec: KeyRecord = { db: index, key, value: db.get(key)!, expireAtMs: db.expireAt(key) };
      const idle = db.lruIdleSec(key);
      if (idle !== undefined) rec.lruIdleSec = idle;
      const freq = db.lfuFreq(key);
      if (freq !== undefined) rec.lfuFreq = freq;
      try {
        w.key(rec);
      } catch (e) {
        if (e instanceof RdbtoolError) e.locate({ context: { db: index, key: Buffer.from(key, 'latin1') } });
        throw e;
      }
      await w.maybeDrain();
    }
  }
}
