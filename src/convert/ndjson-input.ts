/**
 * The export schema as an input: NDJSON (one record per line, as `rdbtool export` writes it
 * and `jq -c` keeps it) or one JSON array of the same records (`export --format json`), read
 * back into key records — so a dataset can be exported, edited and written out again.
 *
 * {@link NdjsonReader} is a synchronous `push(chunk)` / `end()` reader: it cuts the input into
 * records, parses each one and hands its key to `onKey` as soon as the record is complete;
 * {@link readNdjson} runs it over a source (async only between chunks), and {@link loadNdjson}
 * fills a dataset with it. Records are built by {@link RecordBuilder} (ndjson-value.ts).
 *
 * The input is untrusted:
 * - a record (line, or array element) longer than `limits.maxLineBytes` is refused as soon as
 *   that many bytes of it have arrived, before it is parsed (LIMIT_EXCEEDED);
 * - a line that is not UTF-8 or not one JSON object, or a record that breaks the schema, is
 *   NDJSON_INVALID; a `type` the reader does not build is UNKNOWN_TYPE; a key given twice in
 *   one database, or a member, field, group, consumer or pending entry given twice in one
 *   value, is BAD_VALUE; input that ends inside a record or before a JSON array's `]` is
 *   TRUNCATED. Every error names the file, the line, the byte offset where the record starts
 *   and what was expected there.
 *
 * Layout rules:
 * - NDJSON: records are separated by `\n` (a `\r` before it is allowed); lines holding only
 *   spaces or tabs are skipped, anywhere; the last line needs no `\n`.
 * - JSON: one array of record objects, with any JSON whitespace between and inside them (a
 *   pretty-printed array is fine); only whitespace may follow the closing `]`. Records are cut
 *   out of the stream one at a time, so the array is never held whole.
 * - A UTF-8 byte order mark at the very start is skipped. Which of the two layouts a file has
 *   is told by its first byte that is not whitespace (`{` or `[`), unless the caller says.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { InputError, RdbtoolError, UsageError, type ErrorCode } from '../errors.js';
import { LIMIT_OPTION, resolveLimits, type Limits } from '../limits.js';
import type { ByteSource } from '../io/source.js';
import { ByteSet } from '../dataset/byte-map.js';
import { fromByteString, MAX_BYTE_STRING } from '../dataset/byte-string.js';
import { Dataset } from '../dataset/dataset.js';
import type { ScanProgress } from '../pipeline/scan-driver.js';
import type { KeyRecord } from './key-record.js';
import { NdjsonError, NdjsonLimitError, RecordBuilder, type RecordBuilderOptions, type RecordPlace } from './ndjson-value.js';

export { NdjsonError, NdjsonLimitError, MAX_DATABASES, type RecordPlace } from './ndjson-value.js';

/** Receives each key, with where its record is; the record is its own only during the call. */
export type OnKey = (rec: KeyRecord, at: Readonly<RecordPlace>) => void;

/** The two layouts of the export schema; `auto` decides by the first byte that is not whitespace. */
export type NdjsonFormat = 'ndjson' | 'json' | 'auto';

/** Options of {@link NdjsonReader}. */
export interface NdjsonReaderOptions extends RecordBuilderOptions {
  /** Default `auto`. */
  format?: NdjsonFormat;
  /** `maxLineBytes` bounds one record. */
  limits?: Partial<Limits>;
  /**
   * Refuse a key given twice in one database (default true). The reader then keeps every
   * key's name; {@link loadNdjson} leaves this to the dataset.
   */
  checkDuplicateKeys?: boolean;
}

/** What a reader read. */
export interface NdjsonSummary {
  /** The layout found (`empty`: nothing but whitespace). */
  format: 'ndjson' | 'json' | 'empty';
  /** Keys handed to `onKey`. */
  keys: number;
  /** Records read (keys, empty collections and filtered keys). */
  records: number;
  /** Lines in the input (a last line without `\n` counts). */
  lines: number;
  /** Blank NDJSON lines skipped. */
  blankLines: number;
  /** Empty lists, sets, sorted sets and hashes left out, as Redis leaves them out. */
  emptyKeysSkipped: number;
  /** Records the filter left out. */
  filtered: number;
  bytesRead: number;
}

const enum State {
  /** Before the first byte that is not whitespace. */
  Start,
  Ndjson,
  /** JSON: before an element (`first`: or the closing bracket). */
  BeforeElement,
  InElement,
  /** JSON: after an element, before `,` or `]`. */
  AfterElement,
  /** JSON: after the closing bracket. */
  Done,
  Failed,
}

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const BOM = [0xef, 0xbb, 0xbf];
/** The buffer of records cut between chunks is kept up to this size between records. */
const PENDING_KEEP_BYTES = 1 << 20;

const isSpace = (b: number): boolean => b === SPACE || b === TAB || b === NL || b === CR;

/** A byte for messages. */
function byteShown(b: number): string {
  return b >= 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Reads the export schema pushed to it chunk by chunk, handing each key to `onKey` as soon as
 * its record is complete. Chunks may be cut anywhere (inside a UTF-8 sequence too); the
 * reader keeps only the unfinished record. After an error it refuses more input.
 */
export class NdjsonReader {
  private readonly builder: RecordBuilder;
  private readonly file: string | undefined;
  private readonly maxLineBytes: number;
  private readonly format: NdjsonFormat;
  /** Keys seen, per database (when duplicates are checked). */
  private readonly seen: Map<number, ByteSet> | null;
  private state = State.Start;
  /** JSON: no element read yet (a `]` may close the array). */
  private first = true;
  /** Bytes of the unfinished record kept from earlier chunks. */
  private pending: Uint8Array = new Uint8Array(0);
  private pendingLen = 0;
  /** Absolute offset of the next byte pushed. */
  private offset = 0;
  /** Lines begun so far (the current one included). */
  private line = 1;
  /** Where the unfinished record starts, and its line. */
  private recordStart = 0;
  private recordLine = 1;
  /** JSON element scan: nesting depth, inside a string, after a backslash. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private bomAt = 0;
  /** Where the current line starts (NDJSON records are located by their line). */
  private lineStart = 0;
  /** The last byte pushed was a newline (for counting lines). */
  private endsWithNewline = false;
  private error: RdbtoolError | null = null;
  private ended = false;
  private readonly stats: NdjsonSummary = { format: 'empty', keys: 0, records: 0, lines: 0, blankLines: 0, emptyKeysSkipped: 0, filtered: 0, bytesRead: 0 };

  /**
   * @throws UsageError when `limits.maxLineBytes` is beyond what a JavaScript string holds
   */
  constructor(
    private readonly onKey: OnKey,
    opts: NdjsonReaderOptions = {},
  ) {
    this.file = opts.file;
    this.format = opts.format ?? 'auto';
    const limits = resolveLimits(opts.limits);
    if (!(limits.maxLineBytes >= 1 && limits.maxLineBytes <= MAX_BYTE_STRING)) {
      throw new UsageError(`${LIMIT_OPTION.maxLineBytes} must be from 1 to ${MAX_BYTE_STRING} (the longest string the JavaScript engine holds)`, { found: String(limits.maxLineBytes) });
    }
    this.maxLineBytes = limits.maxLineBytes;
    this.seen = opts.checkDuplicateKeys === false ? null : new Map();
    this.builder = new RecordBuilder(opts);
  }

  /** What was read so far. */
  get summary(): Readonly<NdjsonSummary> {
    return this.stats;
  }

  /**
   * Reads a chunk (which may be reused once this returns).
   * @throws NdjsonError, NdjsonLimitError on a bad record (keys before it were handed over);
   *   whatever `onKey` throws, unchanged
   */
  push(chunk: Uint8Array): void {
    this.usable();
    if (chunk.length === 0) return;
    try {
      this.scan(chunk);
      this.endsWithNewline = chunk[chunk.length - 1] === NL;
    } catch (e) {
      this.state = State.Failed;
      if (e instanceof RdbtoolError) this.error = e;
      throw e;
    } finally {
      this.stats.bytesRead = this.offset;
    }
  }

  /**
   * Reads what is left (a last line without `\n`) and checks that the input is complete.
   * @throws NdjsonError TRUNCATED when the input ends inside a record or before a JSON array's `]`; as {@link push}
   */
  end(): NdjsonSummary {
    this.usable();
    try {
      this.finish();
    } catch (e) {
      this.state = State.Failed;
      if (e instanceof RdbtoolError) this.error = e;
      throw e;
    }
    this.ended = true;
    return this.stats;
  }

  private usable(): void {
    if (this.ended) throw new UsageError('the NDJSON reader was already ended');
    if (this.state === State.Failed) throw new UsageError('the NDJSON reader stopped at an error and cannot read on', { cause: this.error ?? undefined });
  }

  private scan(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Start:
          i = this.start(chunk, i);
          break;
        case State.Ndjson:
          i = this.lines(chunk, i);
          break;
        case State.BeforeElement:
        case State.AfterElement:
        case State.Done:
          i = this.between(chunk, i);
          break;
        case State.InElement:
          i = this.element(chunk, i);
          break;
        default:
          return;
      }
    }
  }

  /** Skips a BOM and whitespace, then decides the layout. */
  private start(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    for (; i < n; i++) {
      const b = chunk[i];
      const abs = this.offset;
      if (this.bomAt === abs && abs < 3 && b === BOM[abs]) {
        this.bomAt++;
        this.offset++;
        this.lineStart = this.offset;
        continue;
      }
      if (this.bomAt > 0 && this.bomAt < 3) this.syntax('the input starts with an incomplete byte order mark', abs, 'a UTF-8 byte order mark (EF BB BF), or none', byteShown(b));
      if (isSpace(b)) {
        this.offset++;
        if (b === NL) {
          this.newline();
          this.lineStart = this.offset;
          this.stats.blankLines++;
        }
        continue;
      }
      const json = b === OPEN_BRACKET;
      if (!json && b !== OPEN_BRACE) {
        this.syntax('the input is not the export schema', abs, this.format === 'json' ? '"[" (a JSON array of records)' : this.format === 'ndjson' ? '"{" (a record)' : '"{" (an NDJSON record) or "[" (a JSON array of records)', byteShown(b));
      }
      if (json && this.format === 'ndjson') {
        this.syntax('the input is a JSON array, not NDJSON', abs, '"{" (NDJSON: one record per line); read a JSON array with format json', byteShown(b));
      }
      if (!json && this.format === 'json') {
        this.syntax('the input is not a JSON array', abs, '"[" (a JSON array of records); read NDJSON with format ndjson', byteShown(b));
      }
      this.stats.format = json ? 'json' : 'ndjson';
      if (json) {
        this.stats.blankLines = 0;
        this.offset++;
        this.state = State.BeforeElement;
        return i + 1;
      }
      // The line's leading whitespace is not kept (the record is located by its line's start).
      this.state = State.Ndjson;
      this.recordStart = this.lineStart;
      this.recordLine = this.line;
      return i;
    }
    return i;
  }

  private newline(): void {
    this.line++;
  }

  /** NDJSON: cuts the chunk into lines from `i`. */
  private lines(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, n);
    while (i < n) {
      const nl = buf.indexOf(NL, i);
      if (nl < 0) {
        this.keep(chunk, i, n);
        this.offset += n - i;
        return n;
      }
      let bytes: Uint8Array;
      if (this.pendingLen > 0) {
        this.keep(chunk, i, nl);
        bytes = this.pending.subarray(0, this.pendingLen);
      } else {
        if (nl - i > this.maxLineBytes) this.tooLong(nl - i);
        bytes = chunk.subarray(i, nl);
      }
      this.offset += nl + 1 - i;
      this.pendingLen = 0;
      this.record(bytes, true);
      this.release();
      this.newline();
      this.recordStart = this.offset;
      this.recordLine = this.line;
      i = nl + 1;
    }
    return i;
  }

  /** JSON: whitespace, commas and brackets between elements. */
  private between(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    for (; i < n; i++) {
      const b = chunk[i];
      const abs = this.offset;
      if (isSpace(b)) {
        this.offset++;
        if (b === NL) this.newline();
        continue;
      }
      if (this.state === State.Done) this.syntax('the input goes on after the JSON array', abs, 'nothing but whitespace after the closing "]"', byteShown(b));
      if (this.state === State.AfterElement) {
        if (b === COMMA) {
          this.state = State.BeforeElement;
          this.offset++;
          continue;
        }
        if (b === CLOSE_BRACKET) {
          this.state = State.Done;
          this.offset++;
          continue;
        }
        this.syntax('the JSON array has something else than a comma or its end after a record', abs, '"," or "]"', byteShown(b));
      }
      // Before an element.
      if (b === CLOSE_BRACKET && this.first) {
        this.state = State.Done;
        this.offset++;
        continue;
      }
      if (b !== OPEN_BRACE) this.syntax('the JSON array holds something else than a record', abs, this.first ? '"{" (a record) or "]"' : '"{" (a record; no comma before "]")', byteShown(b));
      this.state = State.InElement;
      this.recordStart = abs;
      this.recordLine = this.line;
      this.depth = 0;
      this.inString = false;
      this.escaped = false;
      return i;
    }
    return i;
  }

  /** JSON: finds where the element that started at `recordStart` ends. */
  private element(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const from = i;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let lines = 0;
    let end = -1;
    for (; i < n; i++) {
      const b = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        else if (b === NL) lines++;
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--depth === 0) {
          end = i + 1;
          break;
        }
      } else if (b === NL) lines++;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    const stop = end < 0 ? n : end;
    if (end < 0) {
      this.keep(chunk, from, stop);
    } else {
      let bytes: Uint8Array;
      if (this.pendingLen > 0) {
        this.keep(chunk, from, stop);
        bytes = this.pending.subarray(0, this.pendingLen);
      } else {
        if (stop - from > this.maxLineBytes) this.tooLong(stop - from);
        bytes = chunk.subarray(from, stop);
      }
      this.offset += stop - from;
      this.pendingLen = 0;
      this.record(bytes, true);
      this.release();
      this.line += lines;
      this.state = State.AfterElement;
      this.first = false;
      return stop;
    }
    this.offset += stop - from;
    this.line += lines;
    return stop;
  }

  /** Lets go of a large record's buffer once the record was read (small ones are reused). */
  private release(): void {
    if (this.pending.length > PENDING_KEEP_BYTES) this.pending = new Uint8Array(0);
  }

  /** Keeps `chunk[from, to)` as part of the unfinished record. */
  private keep(chunk: Uint8Array, from: number, to: number): void {
    const add = to - from;
    if (add === 0) return;
    const need = this.pendingLen + add;
    if (need > this.maxLineBytes) this.tooLong(need);
    if (need > this.pending.length) {
      const grown = new Uint8Array(Math.min(Math.max(need, this.pending.length * 2, 4096), this.maxLineBytes));
      grown.set(this.pending.subarray(0, this.pendingLen));
      this.pending = grown;
    }
    this.pending.set(chunk.subarray(from, to), this.pendingLen);
    this.pendingLen = need;
  }

  private finish(): void {
    switch (this.state) {
      case State.Ndjson:
        if (this.pendingLen > 0) {
          const bytes = this.pending.subarray(0, this.pendingLen);
          this.pendingLen = 0;
          this.record(bytes, false);
        }
        break;
      case State.Start:
        // Whitespace only, or nothing.
        if (this.bomAt > 0 && this.bomAt < 3) this.syntax('the input is an incomplete byte order mark', 0, 'a UTF-8 byte order mark (EF BB BF), or none', 'the end of the input');
        break;
      case State.Done:
        break;
      case State.InElement:
        throw this.err('TRUNCATED', 'the input ends inside a record', this.recordLine, this.recordStart, 'the rest of the record and the closing "]"', `the end of the input after ${this.pendingLen} bytes of the record`);
      default:
        throw this.err('TRUNCATED', 'the input ends before the JSON array is closed', this.line, this.offset, this.first && this.state === State.BeforeElement ? 'a record or "]"' : '"]"', 'the end of the input');
    }
    // Lines: one per newline, and a last one without it.
    this.stats.lines = this.offset === 0 ? 0 : this.line - (this.endsWithNewline ? 1 : 0);
    this.pending = new Uint8Array(0);
  }

  /** Parses one record and hands its key on. `terminated`: its line ended with `\n` (NDJSON). */
  private record(bytes: Uint8Array, terminated: boolean): void {
    const place = { file: this.file, line: this.recordLine, offset: this.recordStart };
    let k = 0;
    while (k < bytes.length && isSpace(bytes[k])) k++;
    if (k === bytes.length) {
      this.stats.blankLines++;
      return;
    }
    if (!isUtf8(bytes)) {
      throw this.err('NDJSON_INVALID', 'the record is not valid UTF-8', place.line, place.offset, 'UTF-8 text (bytes that are not UTF-8 go in {"b64": …})', `a byte that is not UTF-8 at byte ${firstNonUtf8(bytes)} of the record`);
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      // A last line cut short (no newline, and a string, object or array left open) is a truncated file.
      if (!terminated && leftOpen(bytes)) {
        throw this.err('TRUNCATED', 'the input ends inside a record', place.line, place.offset, 'the rest of the record', `the end of the input after ${bytes.length} bytes of it`);
      }
      throw this.err('NDJSON_INVALID', 'the record is not valid JSON', place.line, place.offset, 'one JSON object per line', why.length > 200 ? `${why.slice(0, 200)}…` : why);
    }
    this.stats.records++;
    const res = this.builder.build(obj, place);
    if (res.kind === 'filtered') {
      this.stats.filtered++;
      return;
    }
    if (res.kind === 'empty') {
      this.stats.emptyKeysSkipped++;
      return;
    }
    const rec = res.record;
    if (this.seen !== null) {
      let keys = this.seen.get(rec.db);
      if (keys === undefined) this.seen.set(rec.db, (keys = new ByteSet()));
      if (!keys.add(rec.key)) throw duplicateKey(rec, place.line, place.offset, this.file);
    }
    this.stats.keys++;
    this.onKey(rec, place);
  }

  private tooLong(n: number): never {
    throw new NdjsonLimitError(`the record is ${n > this.maxLineBytes ? `longer than ${this.maxLineBytes} bytes` : `${n} bytes`}, over the limit of ${this.maxLineBytes} (raise it with ${LIMIT_OPTION.maxLineBytes})`, this.recordLine, {
      file: this.file,
      offset: this.recordStart,
      expected: `a record of at most ${this.maxLineBytes} bytes`,
      found: `more than ${this.maxLineBytes} bytes`,
    });
  }

  private syntax(reason: string, offset: number, expected: string, found: string): never {
    throw this.err('NDJSON_INVALID', reason, this.line, offset, expected, found);
  }

  private err(code: ErrorCode, reason: string, line: number, offset: number, expected: string, found: string): NdjsonError {
    return new NdjsonError(code, reason, line, { file: this.file, offset, expected, found });
  }
}

/** Whether JSON text ends inside a string, an object or an array. */
function leftOpen(bytes: Uint8Array): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return inString || depth > 0;
}

/**
 * Where the first byte sequence that is not UTF-8 starts (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1.
 */
export function firstNonUtf8(b: Uint8Array): number {
  const n = b.length;
  for (let i = 0; i < n; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + more >= n) return i;
    const second = b[i + 1];
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= more; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return -1;
}

/** The error for a key given twice in a database. */
function duplicateKey(rec: KeyRecord, line: number, offset: number, file: string | undefined): NdjsonError {
  return new NdjsonError('BAD_VALUE', 'the key is given twice in its database', line, {
    file,
    offset,
    expected: 'each key once per database',
    found: `${JSON.stringify(rec.key.slice(0, 64))} again`,
    context: { doing: 'read-key', db: rec.db, key: fromByteString(rec.key.slice(0, 256)) },
  });
}

/** Options of {@link readNdjson}. */
export interface ReadNdjsonOptions extends Omit<NdjsonReaderOptions, 'file'> {
  onProgress?: (p: ScanProgress) => void;
  /** Checked once per chunk. */
  signal?: AbortSignal;
  /** Awaited between chunks when it returns a promise (backpressure from a writer). */
  drain?: () => Promise<void> | void;
}

/**
 * Reads a source in the export schema, handing every key to `onKey` as its record completes
 * (within the chunk that completes it; the record belongs to `onKey` only during the call).
 * @throws NdjsonError, NdjsonLimitError on a bad record (the keys before it were handed over);
 *   InputError when the source cannot be read or the read is aborted; whatever `onKey` throws
 */
export async function readNdjson(source: ByteSource, onKey: OnKey, opts: ReadNdjsonOptions = {}): Promise<NdjsonSummary> {
  const reader = new NdjsonReader(onKey, { ...opts, file: source.name });
  let bytes = 0;
  for await (const chunk of source.chunks()) {
    bytes += chunk.length;
    reader.push(chunk);
    if (opts.signal?.aborted) throw new InputError('aborted', { file: source.name, offset: bytes });
    if (opts.drain) await opts.drain();
    opts.onProgress?.({ bytesRead: bytes, totalBytes: source.size });
  }
  return reader.end();
}

/** Options of {@link loadNdjson}. */
export interface LoadNdjsonOptions extends Omit<ReadNdjsonOptions, 'checkDuplicateKeys'> {
  /** The dataset to fill (default a new one); a key it holds already is refused as given twice. */
  dataset?: Dataset;
}

/**
 * Loads a source in the export schema into a dataset (its function libraries, AUX fields and
 * RDB header stay empty: the schema has none).
 * @throws as {@link readNdjson}; NdjsonError BAD_VALUE for a key given twice in a database
 */
export async function loadNdjson(source: ByteSource, opts: LoadNdjsonOptions = {}): Promise<Dataset> {
  const ds = opts.dataset ?? new Dataset();
  const { dataset: _, ...rest } = opts;
  // The dataset finds keys given twice: the reader need not keep a second set of names.
  await readNdjson(
    source,
    (rec, at) => {
      const db = ds.db(rec.db);
      if (!db.add(rec.key, rec.value, rec.expireAtMs)) throw duplicateKey(rec, at.line, at.offset, source.name);
      if (rec.lruIdleSec !== undefined || rec.lfuFreq !== undefined) db.setHints(rec.key, rec.lruIdleSec, rec.lfuFreq);
    },
    { ...rest, checkDuplicateKeys: false },
  );
  return ds;
}
