/**
 * RDB → NDJSON (or one JSON array): one object per key, in file order, in the export schema
 * documented in the README:
 *
 *   {"db":0,"key":K,"type":T,"encoding":E,"expireAtMs":X,"value":V}
 *   + "lfuFreq":N, "lruIdleSec":N, "fieldExpireAtMs":[[field,ms],...] only when the file has them
 *
 * Output is built as UTF-8 bytes straight into a 1 MiB buffer ({@link JsonByteWriter}) that
 * goes to the sink whole: no JS string per key or per element. The fixed parts of a record
 * (`{"db":N,"key":`, `,"type":…,"encoding":…,"expireAtMs":`, …) are encoded once and copied;
 * byte strings are checked and copied (or base64-encoded) byte to byte.
 *
 * Whole records only: {@link exportRdb} writes through a `RecordSink` (io/record-sink.ts),
 * which the exporter tells where each record ends. Only whole records reach the sink; when the
 * input fails, the unfinished record is dropped and the JSON array is closed
 * ({@link NdjsonExporter.abandon}). A record larger than the sink's bound (4 MiB) waits in a
 * temporary file until it is whole.
 *
 * Memory: what is built is handed on at the latest between input chunks (the `drain` of
 * {@link exportRdb}), where the sink's backpressure is awaited. Two things can be held per
 * key:
 * - A string value delivered in parts (`stringPart`, values above
 *   `limits.maxInlineValueBytes`). Whether it is written as text or base64 depends on all its
 *   bytes, so nothing of it can be written before its last part. When the input is a regular
 *   file (`inputFile`), nothing is held: the parts are only checked (and hashed) as they
 *   arrive, and at the end of the record the value is read back from the file in pieces and
 *   written straight into the output buffer (see {@link FileValue}). Otherwise (stdin, memory)
 *   its bytes are kept as copies while it can still be text, and encoded part by part once it
 *   cannot (see {@link PartedBytesJson}): at most the value's bytes, once.
 *   Either way the whole value is produced within one decoder callback; past the record
 *   sink's bound it goes to its temporary file, and is copied out at the next `drain` with
 *   the destination's backpressure.
 * - The `fieldExpireAtMs` pairs of a hash, which come after the value in the record (kept as
 *   encoded JSON).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError, RdbtoolError } from '../errors.js';
import type { ChecksumStatus, KeyInfo, ModuleBlob, RdbHandler, StreamGroup, StreamIdmp, StreamMeta, StreamPending } from '../model/events.js';
import type { Encoding, ValueType } from '../model/redis-types.js';
import type { ByteSource } from '../io/source.js';
import type { Limits } from '../limits.js';
import { OutputClosedError, type ByteSink } from '../io/byte-sink.js';
import { RecordSink, type RecordOutput, type RecordSinkOptions } from '../io/record-sink.js';
import { scanRdb, type ScanProgress } from '../pipeline/scan.js';
import { createKeyFilter, type KeyFilterOptions, type KeyPredicate } from '../pipeline/filters.js';
import {
  B64_JSON_CLOSE,
  B64_JSON_OPEN,
  JsonByteWriter,
  jsonBytesText,
  jsonFragment,
  PartedBytesJson,
  PartedTextCheck,
  releaseScanBuffers,
  type ChunkOutput,
  type JsonFragment,
} from '../format/json.js';

/** Output layout: one object per line, or one JSON array of the same objects. */
export type ExportFormat = 'ndjson' | 'json';

/**
 * Where an {@link NdjsonExporter} writes: a function receiving the text (UTF-8 sequences are
 * never split between calls), or anything with `write(bytes, done)`, such as a
 * {@link ByteSink}: it gets large chunks and may keep them; once it calls `done` for a chunk,
 * the chunk's buffer is reused.
 */
export type ExportOutput = ((text: string) => void) | { write(chunk: Uint8Array, done?: () => void): void } | RecordOutput;

/** Options of {@link NdjsonExporter}. */
export interface ExporterOptions {
  format?: ExportFormat;
  /** Keys to export (others are skipped without decoding their values). */
  filter?: KeyPredicate | null;
  /**
   * Size of the output pieces: text is handed over when this many bytes are built (and on
   * `flush`). Default 1 MiB for a byte output, 64 KiB for a text function.
   */
  chunkBytes?: number;
  /**
   * The input's path, when the input is that file (what {@link exportRdb} passes for a file
   * source). String values delivered in parts are then read back from the file at the end
   * of their record instead of being kept in memory; a hash of what the decoder delivered
   * is compared with what was read back.
   */
  inputFile?: string;
  /**
   * Leave out what has expired at this Unix time in ms, as a server would on access: keys
   * whose expiry is before it, and hash fields whose TTL is before it (a hash left without
   * fields is left out whole). Needs an output that is told where records end (a
   * {@link RecordOutput}) to drop such a hash. Default: nothing is left out.
   */
  dropExpiredAt?: number;
}

/** How the value of the current key opens and closes. */
const enum Shape {
  Scalar,
  Array,
  Stream,
}

function shapeOf(t: ValueType): Shape {
  switch (t) {
    case 'list':
    case 'set':
    case 'zset':
    case 'hash':
    case 'array':
      return Shape.Array;
    case 'stream':
      return Shape.Stream;
    default:
      return Shape.Scalar;
  }
}


/** The encoded fixed parts of a record for one (type, encoding). */
interface RecordHead {
  valueType: ValueType;
  encoding: Encoding;
  shape: Shape;
  /** `,"type":T,"encoding":E,"expireAtMs":null,"value":` and the value's opening. */
  noExpiry: JsonFragment;
  /** `,"type":T,"encoding":E,"expireAtMs":` (the expiry follows). */
  beforeExpiry: JsonFragment;
  /** `,"value":` and the value's opening (after the expiry). */
  afterExpiry: JsonFragment;
}

function recordHead(valueType: ValueType, encoding: Encoding): RecordHead {
  const shape = shapeOf(valueType);
  const head = ',"type":' + JSON.stringify(valueType) + ',"encoding":' + JSON.stringify(encoding) + ',"expireAtMs":';
  const open = ',"value":' + (shape === Shape.Array ? '[' : shape === Shape.Stream ? '{"entries":[' : '');
  return { valueType, encoding, shape, noExpiry: jsonFragment(head + 'null' + open), beforeExpiry: jsonFragment(head), afterExpiry: jsonFragment(open) };
}

const CLOSE_ARRAY = jsonFragment(']');
const CLOSE_STREAM = jsonFragment(']}');
const NULL_VALUE = jsonFragment('null');
const LFU_FREQ = jsonFragment(',"lfuFreq":');
const LRU_IDLE = jsonFragment(',"lruIdleSec":');
const FIELD_TTLS = jsonFragment(',"fieldExpireAtMs":[');
const ENTRY_ID = jsonFragment('{"id":"');
const ENTRY_FIELDS = jsonFragment('","fields":[');
const END_NDJSON = jsonFragment('}\n');
const FIRST_JSON = jsonFragment('\n');
const NEXT_JSON = jsonFragment(',\n');

const q = (s: string): string => JSON.stringify(s);

function pendingText(p: StreamPending, withConsumer: boolean): string {
  let s = '{"id":' + q(p.id);
  if (withConsumer && p.consumer !== undefined) s += ',"consumer":' + jsonBytesText(p.consumer);
  return s + ',"deliveryTimeMs":' + p.deliveryTimeMs + ',"deliveryCount":' + p.deliveryCount + '}';
}

/** A consumer group in the export schema (`entriesRead` -1, "unknown", is written as null). */
function groupText(g: StreamGroup): string {
  let s = '{"name":' + jsonBytesText(g.name) + ',"lastDeliveredId":' + q(g.lastDeliveredId);
  if (g.entriesRead !== undefined) s += ',"entriesRead":' + (g.entriesRead < 0 ? 'null' : g.entriesRead);
  s += ',"pending":[' + g.pending.map((p) => pendingText(p, true)).join(',') + ']';
  s += ',"consumers":[';
  s += g.consumers
    .map((c) => {
      let cs = '{"name":' + jsonBytesText(c.name) + ',"seenTimeMs":' + c.seenTimeMs;
      if (c.activeTimeMs !== undefined) cs += ',"activeTimeMs":' + c.activeTimeMs;
      return cs + ',"pending":[' + c.pending.map((p) => pendingText(p, false)).join(',') + ']}';
    })
    .join(',');
  s += ']';
  // Type 27 (RDB 14) only: IDs in the group's NACK zone.
  if (g.nacked !== undefined) s += ',"nacked":[' + g.nacked.map(q).join(',') + ']';
  return s + '}';
}

/** Stream metadata; fields the file's stream type does not carry are left out. */
function metaText(m: StreamMeta): string {
  let s = '],"length":' + m.length + ',"lastGeneratedId":' + q(m.lastGeneratedId);
  if (m.maxDeletedEntryId !== undefined) s += ',"maxDeletedEntryId":' + q(m.maxDeletedEntryId);
  if (m.entriesAdded !== undefined) s += ',"entriesAdded":' + m.entriesAdded;
  if (m.recordedFirstEntryId !== undefined) s += ',"recordedFirstEntryId":' + q(m.recordedFirstEntryId);
  return s + ',"groups":[';
}

/** Idempotent-producer state (stream types 26 and 27, RDB 13+). */
function idmpText(x: StreamIdmp): string {
  const producers = x.producers.map(
    (p) => '{"pid":' + jsonBytesText(p.pid) + ',"entries":[' + p.entries.map((e) => '{"iid":' + jsonBytesText(e.iid) + ',"id":' + q(e.id) + '}').join(',') + ']}',
  );
  return (
    ',"idmp":{"durationSec":' + x.durationSec + ',"maxEntries":' + x.maxEntries + ',"producers":[' + producers.join(',') + '],"iidsAdded":' + x.iidsAdded + ',"iidsDuplicates":' + x.iidsDuplicates + '}'
  );
}

/** A byte output for a text function: UTF-8 sequences cut between chunks are joined. */
function textOutput(write: (text: string) => void): ChunkOutput {
  const decoder = new StringDecoder('utf8');
  return (chunk, release) => {
    const s = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    release();
    if (s.length > 0) write(s);
  };
}

/** Pieces a value is read back in: a multiple of 3, so base64 needs no carry between them. */
const REREAD_PIECE_BYTES = 3 << 18;

/**
 * A string value delivered in parts, from a file input: checked and hashed as the parts
 * arrive (nothing kept), then read back from the file at the end of its record and written.
 * The parts path is taken only for raw (not compressed) strings, whose bytes are the last
 * `valueBytes` bytes of the record on disk.
 */
class FileValue {
  private readonly check = new PartedTextCheck();
  private hash: Hash | null = null;
  private bytes = 0;

  constructor(readonly path: string) {}

  start(): void {
    this.check.reset();
    this.hash = createHash('sha256');
    this.bytes = 0;
  }

  push(part: Uint8Array): void {
    this.check.push(part);
    this.hash!.update(part);
    this.bytes += part.length;
  }

  /**
   * Reads the value of `k`'s record back and writes it as a byte string.
   * @throws InputError when the file cannot be read or no longer holds the same bytes.
   */
  write(w: JsonByteWriter, k: KeyInfo): void {
    const delivered = this.hash!.digest();
    this.hash = null;
    const n = this.bytes;
    const text = this.check.end();
    const start = k.offset + k.onDiskBytes - k.valueBytes;
    if (k.valueBytes !== n || start < k.offset) {
      throw new InputError(`cannot locate a ${n}-byte string value in the record at byte ${k.offset}`, { file: this.path, offset: k.offset });
    }
    writeReadBack(w, { path: this.path, file: this.path, start, bytes: n, text, escape: this.check.escapes !== 0, digest: delivered, what: 'the string value' });
  }
}

/** Where {@link writeReadBack} finds the bytes, and what they must be. */
export interface ReadBack {
  /** The file to read (a Buffer for a name that is not UTF-8). */
  path: string | Buffer;
  /** Its name in errors. */
  file: string;
  /** Absolute offset of the first byte. */
  start: number;
  bytes: number;
  /** Write them as a JSON string (else as `{"b64": …}`). */
  text: boolean;
  /** When text: some bytes need escaping (else they are copied as they are). */
  escape: boolean;
  /** SHA-256 of the bytes the decoder delivered. */
  digest: Buffer;
  /** What the bytes are, for messages (`the string value`, `an argument`). */
  what: string;
}

/**
 * Writes bytes of the input file as a JSON byte string, reading them back in pieces (a large
 * value is checked as it streams past, then copied from the file, so it is never held), and
 * checks that they are the bytes the decoder delivered.
 * @throws InputError when the file cannot be read or no longer holds the same bytes.
 */
export function writeReadBack(w: JsonByteWriter, rb: ReadBack): void {
  const { file, start, bytes: n, text } = rb;
  const again = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(rb.path, 'r');
  } catch (e) {
    throw new InputError(`cannot read ${rb.what} back: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file, offset: start, cause: e });
  }
  const readAt = (buf: Uint8Array, off: number, len: number, at: number): void => {
    for (let got = 0; got < len; ) {
      const r = readSync(fd, buf, off + got, len - got, at + got);
      if (r === 0) throw new InputError(`the file changed while being read: it is shorter than ${rb.what} read from it`, { file, offset: at + got });
      got += r;
    }
    again.update(buf.subarray(off, off + len));
  };
  try {
    if (text && !rb.escape) {
      // The common case: the bytes go from the file straight into the output buffer.
      w.byte(0x22);
      let at = start;
      w.fill(n, (buf, off, len) => {
        readAt(buf, off, len, at);
        at += len;
      });
      w.byte(0x22);
    } else {
      const scratch = Buffer.allocUnsafe(Math.min(n, REREAD_PIECE_BYTES));
      if (text) w.byte(0x22);
      else w.raw(B64_JSON_OPEN);
      for (let done = 0; done < n; ) {
        const len = Math.min(n - done, scratch.length);
        readAt(scratch, 0, len, start + done);
        if (text) w.escaped(scratch, 0, len, true);
        else w.base64(scratch, 0, len);
        done += len;
      }
      if (text) w.byte(0x22);
      else w.raw(B64_JSON_CLOSE);
    }
  } finally {
    closeSync(fd);
  }
  if (!again.digest().equals(rb.digest)) {
    throw new InputError(`the file changed while being read: ${rb.what} read back from it differs from what was decoded`, { file, offset: start });
  }
}

/**
 * The decoder handler that writes the export schema. Call {@link begin} before the scan and
 * {@link finish} after it (or {@link abandon} when the scan failed); the output receives the
 * text in order. Give it a `RecordSink` (io/record-sink.ts) for output that is always whole:
 * it is told where each record ends.
 */
export class NdjsonExporter implements RdbHandler {
  private readonly w: JsonByteWriter;
  /** The output, when it lets only whole records out (it is told where each one ends). */
  private readonly records: RecordOutput | null;
  private readonly json: boolean;
  private readonly filter: KeyPredicate | null;
  /** Records written whole so far. */
  keys = 0;
  private active = false;
  private shape = Shape.Scalar;
  private first = true;
  private valueWritten = false;
  private metaWritten = false;
  private lfuFreq: number | undefined = undefined;
  private lruIdleSec: number | undefined = undefined;
  private idmp = '';
  /** Encoded `[field,ms]` pairs of the current hash, comma-separated. */
  private ttlChunks: Uint8Array[] = [];
  private ttlWriter: JsonByteWriter | null = null;
  private ttlCount = 0;
  private readonly parted: PartedBytesJson;
  /** Reads large values back from the input file; null when the input is not a file. */
  private fileValue: FileValue | null = null;
  /** Whether `inputFile` is a regular file (checked on the first large value). */
  private inputIsFile: boolean | undefined = undefined;
  /** A value's parts have started arriving (reset per key). */
  private partsStarted = false;
  /** The current value's parts go to {@link fileValue}. */
  private partsFromFile = false;
  /** The value is to be read back from the file at `keyEnd`. */
  private filePending = false;
  private head: RecordHead | null = null;
  private readonly heads = new Map<ValueType, Map<Encoding, RecordHead>>();
  private db = -1;
  private dbPrefix: JsonFragment = jsonFragment('');
  private readonly dropAt: number | null;
  /** Fields of the current hash written, and left out as expired. */
  private fieldsKept = 0;
  private fieldsDropped = 0;
  /** What `dropExpiredAt` left out: keys (hashes emptied by it included) and fields of hashes that stayed. */
  readonly expired = { keys: 0, fields: 0 };

  constructor(out: ExportOutput, opts: ExporterOptions = {}) {
    const write: ChunkOutput = typeof out === 'function' ? textOutput(out) : (chunk, release) => out.write(chunk, release);
    this.w = new JsonByteWriter(write, opts.chunkBytes ?? (typeof out === 'function' ? 64 * 1024 : 1 << 20));
    this.records = typeof out !== 'function' && 'commit' in out ? out : null;
    this.parted = new PartedBytesJson(this.w);
    if (opts.inputFile !== undefined) this.fileValue = new FileValue(opts.inputFile);
    this.json = opts.format === 'json';
    this.filter = opts.filter ?? null;
    this.dropAt = opts.dropExpiredAt ?? null;
  }

  /** Writes what comes before the first record (`[` for the JSON format). */
  begin(): void {
    if (this.json) this.w.byte(0x5b);
    this.commit();
  }

  /** Writes what comes after the last record and flushes. */
  finish(): void {
    if (this.json) this.w.ascii(this.keys > 0 ? '\n]\n' : ']\n');
    this.commit();
    this.w.flush();
  }

  /**
   * Ends the output after the input failed: the record being written is dropped, the JSON
   * array is closed after the last whole record, and everything is flushed. Only an output
   * that is told where records end (a {@link RecordOutput}) can drop the unfinished record;
   * for any other output this only flushes.
   */
  abandon(): void {
    this.w.flush();
    const r = this.records;
    if (r === null) return;
    r.abandon();
    this.active = false;
    this.finish();
  }

  /** Tells a record output that everything built so far is whole. */
  private commit(): void {
    const r = this.records;
    if (r !== null) r.commit(r.received + this.w.pending);
  }

  /** Hands the text built so far to the output (call before awaiting the sink, between input chunks). */
  flush(): void {
    this.w.flush();
    releaseScanBuffers();
  }

  keyStart(k: KeyInfo): boolean {
    if (this.filter !== null && !this.filter(k)) {
      this.active = false;
      return false;
    }
    if (this.dropAt !== null && k.expireAtMs !== null && k.expireAtMs < this.dropAt) {
      this.expired.keys++;
      this.active = false;
      return false;
    }
    this.fieldsKept = 0;
    this.fieldsDropped = 0;
    const w = this.w;
    let head = this.head;
    if (head === null || head.valueType !== k.valueType || head.encoding !== k.encoding) head = this.headOf(k.valueType, k.encoding);
    if (k.db !== this.db) {
      this.db = k.db;
      this.dbPrefix = jsonFragment('{"db":' + k.db + ',"key":');
    }
    this.active = true;
    this.shape = head.shape;
    this.first = true;
    this.valueWritten = false;
    this.metaWritten = false;
    this.idmp = '';
    this.lfuFreq = k.lfuFreq;
    this.lruIdleSec = k.lruIdleSec;
    if (this.partsStarted) {
      this.partsStarted = false;
      this.partsFromFile = false;
      this.filePending = false;
      this.parted.reset();
    }
    if (this.json) w.fragment(this.keys > 0 ? NEXT_JSON : FIRST_JSON);
    w.fragment(this.dbPrefix);
    // The key from where the decoder read it when it says (no view made).
    if (k.keyBuf !== undefined) w.bytesRange(k.keyBuf, k.keyFrom!, k.keyTo!);
    else w.bytes(k.key);
    if (k.expireAtMs === null) w.fragment(head.noExpiry);
    else {
      w.fragment(head.beforeExpiry);
      w.number(k.expireAtMs);
      w.fragment(head.afterExpiry);
    }
    return true;
  }

  private headOf(valueType: ValueType, encoding: Encoding): RecordHead {
    let byEncoding = this.heads.get(valueType);
    if (byEncoding === undefined) this.heads.set(valueType, (byEncoding = new Map()));
    let head = byEncoding.get(encoding);
    if (head === undefined) byEncoding.set(encoding, (head = recordHead(valueType, encoding)));
    this.head = head;
    return head;
  }

  private sep(): void {
    if (this.first) this.first = false;
    else this.w.byte(0x2c);
  }

  stringValue(v: Uint8Array): void {
    this.w.bytes(v);
    this.valueWritten = true;
  }

  // The range forms of the value callbacks: bytes read where the decoder has them, a short
  // printable string copied from there without a view (see `JsonByteWriter.bytesRange`).
  stringRange(buf: Uint8Array, start: number, end: number): void {
    this.w.bytesRange(buf, start, end);
    this.valueWritten = true;
  }

  itemRange(buf: Uint8Array, start: number, end: number): void {
    this.sep();
    this.w.bytesRange(buf, start, end);
  }

  memberRange(buf: Uint8Array, start: number, end: number, score: number): void {
    const w = this.w;
    this.sep();
    w.byte(0x5b);
    w.bytesRange(buf, start, end);
    w.byte(0x2c);
    w.score(score);
    w.byte(0x5d);
  }

  /** A field without TTL (fields with one come to {@link field}). */
  fieldRange(fb: Uint8Array, fs: number, fe: number, vb: Uint8Array, vs: number, ve: number): void {
    this.fieldsKept++;
    const w = this.w;
    this.sep();
    w.byte(0x5b);
    w.bytesRange(fb, fs, fe);
    w.byte(0x2c);
    w.bytesRange(vb, vs, ve);
    w.byte(0x5d);
  }

  stringPart(part: Uint8Array, last: boolean): void {
    if (!this.partsStarted) {
      this.partsStarted = true;
      this.partsFromFile = this.fileValue !== null && this.canReread();
      if (this.partsFromFile) this.fileValue!.start();
    }
    if (this.partsFromFile) {
      this.fileValue!.push(part);
      if (last) this.filePending = true;
    } else this.parted.push(part, last);
    if (last) this.valueWritten = true;
  }

  /** True when `inputFile` is a regular file, which can be read again (not a pipe). */
  private canReread(): boolean {
    if (this.inputIsFile === undefined) {
      try {
        this.inputIsFile = statSync(this.fileValue!.path).isFile();
      } catch {
        this.inputIsFile = false;
      }
    }
    return this.inputIsFile;
  }

  item(v: Uint8Array): void {
    this.sep();
    this.w.bytes(v);
  }

  member(m: Uint8Array, score: number): void {
    const w = this.w;
    this.sep();
    w.byte(0x5b);
    w.bytes(m);
    w.byte(0x2c);
    w.score(score);
    w.byte(0x5d);
  }

  field(f: Uint8Array, v: Uint8Array, expireAtMs: number | null): void {
    if (this.dropAt !== null && expireAtMs !== null && expireAtMs < this.dropAt) {
      this.fieldsDropped++;
      return;
    }
    this.fieldsKept++;
    const w = this.w;
    this.sep();
    w.byte(0x5b);
    w.bytes(f);
    w.byte(0x2c);
    w.bytes(v);
    w.byte(0x5d);
    if (expireAtMs !== null) {
      let t = this.ttlWriter;
      if (t === null) t = this.ttlWriter = new JsonByteWriter((c) => this.ttlChunks.push(c), 4096);
      if (this.ttlCount++ > 0) t.byte(0x2c);
      t.byte(0x5b);
      t.bytes(f);
      t.byte(0x2c);
      t.number(expireAtMs);
      t.byte(0x5d);
    }
  }

  arrayElement(index: number, v: Uint8Array): void {
    const w = this.w;
    this.sep();
    w.byte(0x5b);
    w.number(index);
    w.byte(0x2c);
    w.bytes(v);
    w.byte(0x5d);
  }

  streamEntry(id: string, fields: Uint8Array[], deleted: boolean): void {
    if (deleted) return;
    const w = this.w;
    this.sep();
    // Stream IDs are digits and a dash: nothing to escape.
    w.fragment(ENTRY_ID);
    w.ascii(id);
    w.fragment(ENTRY_FIELDS);
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (i > 0) w.byte(0x2c);
      w.byte(0x5b);
      w.bytes(fields[i]);
      w.byte(0x2c);
      w.bytes(fields[i + 1]);
      w.byte(0x5d);
    }
    w.fragment(CLOSE_STREAM);
  }

  streamMeta(m: StreamMeta): void {
    this.w.text(metaText(m));
    this.metaWritten = true;
    this.first = true;
  }

  streamGroup(g: StreamGroup): void {
    this.sep();
    this.w.text(groupText(g));
  }

  streamIdmp(x: StreamIdmp): void {
    this.idmp = idmpText(x);
  }

  moduleValue(m: ModuleBlob): void {
    const w = this.w;
    w.text('{"module":' + q(m.moduleName) + ',"encver":' + m.encver + ',"raw":{"b64":"');
    w.base64(m.raw, 0, m.raw.length);
    w.ascii('"}}');
    this.valueWritten = true;
  }

  keyEnd(k: KeyInfo): void {
    if (!this.active) return;
    this.active = false;
    const w = this.w;
    if (this.fieldsDropped > 0) {
      if (this.fieldsKept === 0 && this.records !== null) {
        // Every field expired: Redis deletes the hash, so its record goes unwritten.
        w.flush();
        this.records.abandon();
        this.ttlChunks = [];
        this.ttlCount = 0;
        this.expired.keys++;
        return;
      }
      this.expired.fields += this.fieldsDropped;
    }
    if (this.filePending) {
      this.filePending = false;
      this.fileValue!.write(w, k);
    }
    switch (this.shape) {
      case Shape.Array:
        w.fragment(CLOSE_ARRAY);
        break;
      case Shape.Stream:
        if (this.metaWritten) {
          w.fragment(CLOSE_ARRAY);
          w.text(this.idmp);
          w.byte(0x7d);
        } else w.fragment(CLOSE_STREAM);
        break;
      default:
        if (!this.valueWritten) w.fragment(NULL_VALUE);
    }
    if (this.lfuFreq !== undefined) {
      w.fragment(LFU_FREQ);
      w.number(this.lfuFreq);
    }
    if (this.lruIdleSec !== undefined) {
      w.fragment(LRU_IDLE);
      w.number(this.lruIdleSec);
    }
    if (this.ttlCount > 0) {
      this.ttlWriter!.flush();
      w.fragment(FIELD_TTLS);
      for (const c of this.ttlChunks) w.raw(c);
      w.byte(0x5d);
      this.ttlChunks = [];
      this.ttlCount = 0;
    }
    if (this.json) w.byte(0x7d);
    else w.fragment(END_NDJSON);
    this.keys++;
    const r = this.records;
    if (r !== null) r.commit(r.received + w.pending);
  }
}

/** Options of {@link exportRdb}. */
export interface ExportOptions extends RecordSinkOptions {
  /** Default `ndjson`. */
  format?: ExportFormat;
  /** Keys to export. */
  filter?: KeyFilterOptions;
  limits?: Partial<Limits>;
  /** Decoder verification of skipped values (default `shallow`: exported values are always fully decoded). */
  verify?: 'deep' | 'shallow';
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
  /** Leave out what has expired at this Unix time in ms (see ExporterOptions.dropExpiredAt). */
  dropExpiredAt?: number;
}

/** Outcome of {@link exportRdb}. */
export interface ExportResult {
  /** Records written (each one whole). */
  keys: number;
  bytesRead: number;
  elapsedMs: number;
  /** Checksum verdict (a mismatch throws CHECKSUM_MISMATCH after the last record). */
  checksum: ChecksumStatus | null;
  /** True when the reader of the output went away (`| head`): the export stopped early. */
  outputClosed: boolean;
  /** Bytes after the RDB's checksum trailer (a hybrid AOF's commands, or junk): not exported. */
  trailingBytes: number;
  /** What `dropExpiredAt` left out: keys, and fields of hashes that were written. */
  expired: { keys: number; fields: number };
}

/**
 * Exports an RDB source to `sink` in the export schema. The sink is flushed, not closed.
 *
 * The output is always whole: NDJSON lines that each hold one complete record, or (format
 * `json`) one closed array. A record reaches the sink only once its key has been read to the
 * end; when the input fails, the record of the key it failed in is dropped, the array is
 * closed, and the error is thrown. A record larger than `spillBytes` is kept in a temporary
 * file in `spillDir` until it is complete (see `io/record-sink.ts`), so memory stays flat
 * however large one value is; the file is removed in every case.
 * @throws RdbtoolError when the input is corrupt, truncated, unreadable, or its checksum
 * does not match (every whole record read before the problem has been written; the message
 * says how many); InputError when the output or the temporary file fails.
 */
export async function exportRdb(source: ByteSource, sink: ByteSink, opts: ExportOptions = {}): Promise<ExportResult> {
  const records = new RecordSink(sink, { spillBytes: opts.spillBytes, spillDir: opts.spillDir });
  const exporter = new NdjsonExporter(records, {
    format: opts.format,
    inputFile: source.path,
    filter: opts.filter ? createKeyFilter(opts.filter) : null,
    dropExpiredAt: opts.dropExpiredAt,
  });
  const started = performance.now();
  try {
    exporter.begin();
    const res = await scanRdb(source, exporter, {
      verify: opts.verify ?? 'shallow',
      limits: opts.limits,
      onProgress: opts.onProgress,
      signal: opts.signal,
      drain: () => {
        exporter.flush();
        return records.drain();
      },
    });
    exporter.finish();
    await records.end();
    return { keys: exporter.keys, bytesRead: res.bytesRead, elapsedMs: res.elapsedMs, checksum: res.end?.checksum ?? null, outputClosed: false, trailingBytes: res.trailingBytes, expired: exporter.expired };
  } catch (e) {
    if (e instanceof OutputClosedError) {
      return { keys: exporter.keys, bytesRead: 0, elapsedMs: performance.now() - started, checksum: null, outputClosed: true, trailingBytes: 0, expired: exporter.expired };
    }
    await records.endAfterFailure(() => exporter.abandon());
    if (e instanceof RdbtoolError) e.note(`${exporter.keys} key(s) exported`);
    throw e;
  } finally {
    records.dispose();
  }
}

