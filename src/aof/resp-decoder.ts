/**
 * The streaming RESP decoder for AOF files and for the RESP tail of a hybrid file
 * (FORMATS.md §5.1–§5.8): a synchronous push state machine, like the RDB decoder.
 *
 * `push(chunk)` appends bytes and runs the decoding generator until it needs more input;
 * `end()` says the input is over and returns the verdict. Reads are all-or-nothing: a header
 * (`*<n>\r\n`, `$<n>\r\n`) or an inline argument is consumed only once all of its bytes are
 * there, so a retry never emits twice. Arguments longer than `limits.maxInlineValueBytes` are
 * not buffered: they pass through `argPart` as the bytes arrive, so memory stays flat however
 * large they are.
 *
 * Damage is judged with redis-check-aof's rules (FORMATS.md §5.8): units are annotations
 * (`#` … `\n`) and commands (`*`); any other first byte is a format error; each header and
 * each argument must end with CRLF; a MULTI inside MULTI or an EXEC without MULTI is an
 * error, detected as soon as argument 0 is read; `okUpTo` is where the last complete unit
 * outside MULTI ends. Where this decoder differs from redis-check-aof, on purpose:
 * - lengths must be plain decimal digits (redis-check-aof uses `strtol`, which also takes a
 *   sign or leading blanks), and the argument count must be ≥ 1 as the server requires
 *   (FORMATS.md §5.7; redis-check-aof lets `*0` through);
 * - errors point at the bad byte itself; redis-check-aof prints the start of the line or of
 *   the argument holding it;
 * - a byte that can never be valid is corruption even when the input ends right after it;
 *   truncation means that every byte present is a valid prefix of a command;
 * - MULTI/EXEC compare the whole argument (redis-check-aof's `strcasecmp` stops at a NUL).
 *
 * Lines: `line` fields are physical lines (every `\n`, also inside arguments and
 * annotations). redis-check-aof's `ok_up_to_line` is another count, 1 + the protocol CRLFs it
 * consumed, kept apart as `redisCheckAofLine` (checked against real redis-check-aof output in
 * the tests). Both start at 1 where the RESP section starts, also after an RDB preamble.
 */
import { Reader } from '../io/reader.js';
import { latin1Text } from '../io/bytes.js';
import { CorruptDataError, LimitError, RdbtoolError, TruncatedError, UsageError, hexByte, type ErrorContext } from '../errors.js';
import { LIMIT_OPTION, resolveLimits, type Limits } from '../limits.js';
import type { AofArgPart, AofCommand, AofControl, AofHandler, AofProblem, AofVerdict } from '../model/aof-events.js';

/** The bytes RESP framing is made of (FORMATS.md §5.1, §5.4). */
export const RespByte = {
  /** `*`: an array header, `*<argc>\r\n` (one command). */
  Array: 0x2a,
  /** `$`: a bulk string header, `$<len>\r\n`. */
  Bulk: 0x24,
  /** `#`: an annotation line, only at a command boundary (AOF only, §5.4). */
  Annotation: 0x23,
  /** CR, first byte of every line end. */
  Cr: 0x0d,
  /** LF, second byte of every line end (and what ends an annotation). */
  Lf: 0x0a,
} as const;

/**
 * Longest annotation line Redis reads in one piece, terminator included: it reads lines with
 * `fgets` into a buffer of AOF_ANNOTATION_LINE_MAX_LEN (1024) bytes, one of them the NUL
 * (FORMATS.md §5.4). A longer line is cut there and its rest parsed as the next unit.
 */
export const ANNOTATION_LINE_MAX_BYTES = 1023;

/** Options of {@link RespDecoder}. */
export interface RespDecoderOptions {
  /** Name used in errors (the path). */
  file?: string;
  /** Size limits for untrusted lengths (`maxArgs`, `maxStringBytes`, `maxInlineValueBytes`). */
  limits?: Partial<Limits>;
  /**
   * A reader to continue on, shared with the decoder that read the bytes before (the RDB
   * decoder of a hybrid file, once it is done). Decoding starts at its current position;
   * bytes already in it are decoded on the next `push` (an empty chunk will do) or `end`.
   */
  reader?: Reader;
  /** Absolute offset of the first byte pushed (without `reader`). Default 0. */
  startOffset?: number;
  /**
   * Line number of the first byte. Default 1: like redis-check-aof, lines are counted from
   * the start of the RESP section, also after an RDB preamble.
   */
  startLine?: number;
  /**
   * Starting value of {@link AofVerdict.redisCheckAofLine}. Default 1. redis-check-aof never
   * resets its counter between the files of a multi-part AOF: pass the previous file's final
   * `redisCheckAofLine` to reproduce the `ok_up_to_line` it prints for the next one.
   */
  startRedisCheckAofLine?: number;
  /**
   * `throw` (default): damage throws a typed error from `push`/`end` (CorruptDataError with
   * RESP_SYNTAX or UNBALANCED_MULTI, TruncatedError, LimitError). `report`: decoding stops at
   * the first problem without throwing and `end()` returns the verdict.
   */
  onDamage?: 'throw' | 'report';
  /**
   * Count physical lines (default true). Counting them means looking at every byte, the
   * largest cost of a check-only pass; with `false` every physical `line` field of the
   * verdict and its problem is 0 (a caller that can re-read the input counts them only when
   * it needs them). `redisCheckAofLine` is exact either way.
   */
  countLines?: boolean;
  /**
   * Arguments kept per command in {@link AofCommand.argv} (default: all). A consumer that
   * looks only at the first few passes a small number: a command of millions of arguments
   * then costs no memory ({@link AofCommand.argc} still gives the count).
   */
  keepArgs?: number;
  /**
   * `check` (default): an EXEC without MULTI or a MULTI inside MULTI is damage
   * (UNBALANCED_MULTI), as redis-check-aof judges it. `pass`: both are delivered as commands
   * like any other, for a consumer that judges them itself — a loading server runs them and
   * ignores the error replies, so a replay does the same. A nested MULTI then leaves the open
   * block open, an EXEC without MULTI changes nothing.
   */
  transactions?: 'check' | 'pass';
}

type Step = Generator<void, void, void>;

const EMPTY = new Uint8Array(0);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Streaming RESP (AOF) decoder. Feed it with `push`, finish with `end`; the handler is called
 * synchronously, with byte views valid only during each call.
 */
export class RespDecoder {
  /** The byte window (shared when passed in the options). */
  readonly r: Reader;
  /** Name used in errors. */
  readonly file: string | undefined;
  /** The limits in force. */
  readonly limits: Limits;
  /** Absolute offset where the RESP section starts. */
  readonly startOffset: number;

  /** Physical line (1-based) of the next unread byte. Read only. */
  line: number;
  /** Database selected by the last SELECT (0 before any). Read only. */
  db = 0;
  /** True between a MULTI and its EXEC. Read only. */
  inMulti = false;
  /** Complete commands delivered. Read only. */
  commands = 0;
  /** Annotation lines delivered. Read only. */
  annotations = 0;

  private readonly h: AofHandler;
  private readonly report: boolean;
  private readonly inlineMax: number;
  private readonly gen: Step;
  /** True when no handler takes commands or argument parts: the fast path may run. */
  private readonly fast: boolean;
  /** False when physical lines are not wanted (see {@link RespDecoderOptions.countLines}). */
  private readonly countLines: boolean;
  /** Arguments kept per command (see {@link RespDecoderOptions.keepArgs}). */
  private readonly keepArgs: number;
  /** Arguments go to the handler as Latin-1 text (AofHandler.argsLatin1). */
  private readonly latin1: boolean;
  /** False when MULTI/EXEC out of order is passed on (see {@link RespDecoderOptions.transactions}). */
  private readonly checkTransactions: boolean;
  /** redis-check-aof's line counter: 1 + protocol CRLFs consumed (FORMATS.md §5.8). */
  private checkLine = 1;
  private okUpTo: number;
  private okUpToLine: number;
  private okCommands = 0;
  /** End of the last complete command, in or out of MULTI (0 before the first). */
  private lastCommandEnd = 0;
  /** `lastCommandEnd` when the last MULTI was read. */
  private commandEndBeforeMulti = 0;
  private multiOffset = -1;
  private multiCount = 0;
  /** Offset of the unit being read, -1 at a boundary. */
  private unitStart = -1;
  private inAnnotation = false;
  /** Bytes of a streamed argument still to come (for the truncation message). */
  private streamLeft = 0;
  private eof = false;
  private ended = false;
  private finished = false;
  private problem: AofProblem | null = null;
  /** The damage error this decoder raised (to tell it from errors thrown by the handler). */
  private damageError: RdbtoolError | null = null;
  private failed: unknown = null;
  /** Bytes received after decoding stopped on damage (report mode): counted, not kept. */
  private ignored = 0;

  constructor(handler: AofHandler, opts: RespDecoderOptions = {}) {
    this.h = handler;
    this.file = opts.file;
    this.limits = resolveLimits(opts.limits);
    this.inlineMax = this.limits.maxInlineValueBytes;
    this.report = opts.onDamage === 'report';
    if (opts.reader) {
      if (opts.startOffset !== undefined && opts.startOffset !== opts.reader.offset) {
        throw new UsageError(`startOffset ${opts.startOffset} disagrees with the shared reader, which is at ${opts.reader.offset}`);
      }
      this.r = opts.reader;
      // The previous decoder's last "need n bytes" must not hold back the first push.
      this.r.wanted = 0;
    } else {
      this.r = new Reader();
      this.r.base = opts.startOffset ?? 0;
    }
    this.startOffset = this.r.offset;
    this.line = opts.startLine ?? 1;
    this.checkLine = opts.startRedisCheckAofLine ?? 1;
    this.okUpTo = this.startOffset;
    this.okUpToLine = this.line;
    this.countLines = opts.countLines ?? true;
    this.keepArgs = opts.keepArgs ?? Infinity;
    this.checkTransactions = opts.transactions !== 'pass';
    this.latin1 = handler.argsLatin1 === true;
    this.fast = handler.command === undefined && handler.argPart === undefined && handler.multi === undefined && handler.exec === undefined;
    // The fast path holds no view across an append (the exact path, which it falls back to,
    // uses each view before it waits for more bytes), so the window's buffers can be reused.
    if (this.fast) this.r.recycle = true;
    this.gen = this.run();
  }

  /**
   * True once decoding stopped on damage in `report` mode ({@link RespDecoder.error} is then
   * the damage's typed error). Anything `push` or `end` throw in that mode came from the
   * handler (or is a usage error), never from the input.
   */
  get damaged(): boolean {
    return this.problem !== null;
  }

  /**
   * Appends a chunk and decodes as far as it goes. An empty chunk decodes what a shared
   * reader already holds.
   * @throws CorruptDataError (RESP_SYNTAX, UNBALANCED_MULTI) or LimitError in `throw` mode;
   *   the decoder cannot be used afterwards (but {@link RespDecoder.result} still works).
   * @throws UsageError after `end()`.
   */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    if (this.ended) throw new UsageError('RespDecoder.push() called after end()');
    if (this.problem) {
      this.ignored += chunk.length;
      return;
    }
    const r = this.r;
    r.append(chunk);
    if (this.finished || r.available() < r.wanted) return;
    this.resume();
  }

  /**
   * Ends the input and returns the verdict. An annotation line still open is completed (Redis
   * accepts a last line without `\n`).
   * @throws TruncatedError in `throw` mode when the input ends inside a command or a MULTI
   *   block (offset: where the incomplete command or the open MULTI starts).
   * @throws the earlier damage error, if `push` threw one.
   */
  end(): AofVerdict {
    if (this.failed) throw this.failed;
    if (!this.ended) {
      this.ended = true;
      if (!this.problem && !this.finished) {
        this.eof = true;
        this.resume();
      }
    }
    const v = this.result();
    if (!this.report && v.status === 'truncated') {
      const err = this.error()!;
      this.failed = err;
      throw err;
    }
    return v;
  }

  /**
   * The typed error for the verdict's problem, as `throw` mode raises it: the CorruptDataError
   * or LimitError found, or a TruncatedError located at the incomplete command or open MULTI;
   * null when there is no problem. Never throws.
   */
  error(): RdbtoolError | null {
    if (this.damageError) return this.damageError;
    const p = this.result().problem;
    if (!p) return null;
    return new TruncatedError(p.reason, { file: this.file, offset: p.unitOffset, expected: p.expected, found: p.found, context: this.context() });
  }

  /**
   * The verdict. After `end()` (or after damage) it is final; before, it describes the input
   * received so far as if it ended there (an annotation line still open is not counted yet).
   * Never throws.
   */
  result(): AofVerdict {
    const r = this.r;
    const endOffset = r.base + r.end + r.skipLeft + this.ignored;
    const v: AofVerdict = {
      status: 'ok',
      okUpTo: this.okUpTo,
      okUpToLine: this.okUpToLine,
      okCommands: this.okCommands,
      pendingMulti: this.inMulti,
      commands: this.commands,
      annotations: this.annotations,
      bytes: endOffset - this.startOffset,
      startOffset: this.startOffset,
      endOffset,
      db: this.db,
      redisCheckAofLine: this.checkLine,
      lastCommandEnd: this.lastCommandEnd,
      lastCommandEndBeforeMulti: this.commandEndBeforeMulti,
    };
    if (this.inMulti) v.multiOffset = this.multiOffset;
    let p = this.problem;
    if (p === null && this.unitStart >= 0 && !this.inAnnotation) {
      const missing = this.streamLeft > 0 ? this.streamLeft + 2 : Math.max(1, r.wanted - r.available());
      p = {
        code: 'TRUNCATED',
        reason: 'the input ends inside a command',
        offset: endOffset,
        line: this.line + countLf(r.buf, r.pos, r.end),
        unitOffset: this.unitStart,
        expected: `at least ${missing} more byte(s)`,
        found: 'end of input',
      };
    } else if (p === null && this.inMulti) {
      p = {
        code: 'TRUNCATED',
        reason: 'the input ends inside a MULTI block',
        offset: endOffset,
        line: this.line + countLf(r.buf, r.pos, r.end),
        unitOffset: this.multiOffset,
        expected: 'EXEC',
        found: 'end of input',
      };
    }
    if (p !== null) {
      v.status = p.code === 'TRUNCATED' ? 'truncated' : 'corrupt';
      v.problem = { ...p };
      v.firstBadOffset = p.offset;
      v.firstBadLine = p.line;
    } else if (this.startOffset === 0 && endOffset === 0) {
      v.status = 'empty';
    }
    if (!this.countLines) {
      v.okUpToLine = 0;
      if (v.problem) v.problem.line = v.firstBadLine = 0;
    }
    return v;
  }

  // ---------------------------------------------------------------- driving

  private resume(): void {
    try {
      if (this.gen.next().done) this.finished = true;
    } catch (e) {
      if (e === this.damageError && this.report) return;
      this.failed = e;
      throw e;
    }
  }

  private context(): ErrorContext {
    return { doing: 'read-command', db: this.db };
  }

  // ---------------------------------------------------------------- main loop

  private *run(): Step {
    const r = this.r;
    const h = this.h;
    for (;;) {
      // A unit boundary: redis-check-aof records `ok_up_to` here unless inside MULTI (§5.8).
      this.unitStart = -1;
      if (!this.inMulti) {
        this.okUpTo = r.base + r.pos;
        this.okUpToLine = this.line;
        this.okCommands = this.commands;
      }
      while (r.pos >= r.end) {
        if (this.eof) return;
        r.wanted = 1;
        yield;
      }
      // Check-only decoding (nobody takes the commands): whole commands straight off the
      // window, no views, no objects. Anything unusual falls through to the exact path below.
      if (this.fast && this.fastUnits()) continue;
      const at = r.base + r.pos;
      this.unitStart = at;
      const b0 = r.buf[r.pos];
      if (b0 === RespByte.Annotation) {
        this.inAnnotation = true;
        yield* this.readAnnotation(at);
        this.inAnnotation = false;
        continue;
      }
      if (b0 !== RespByte.Array) {
        this.syntax('format error: a unit must be a command or an annotation', r.pos, at, "'*' or '#'", describeByte(b0));
      }

      // *<argc>\r\n then argc × ($<len>\r\n <len bytes> \r\n)   (§5.1)
      const line0 = this.line;
      let argc: number;
      while ((argc = this.tryHeader(RespByte.Array, at)) < 0) yield;
      // Without a command handler nothing but the first two arguments is looked at, so none
      // is kept: a command of millions of tiny arguments costs no memory.
      const keep = this.fast ? 0 : this.keepArgs;
      const argv: Uint8Array[] = [];
      // The arguments as text instead, for a handler that asks for them so (no view each).
      const text: string[] | undefined = this.latin1 ? [] : undefined;
      let parted: number[] | null = null;
      let control: AofControl | null = null;
      // SELECT's database, when argument 1 is a plain index (−1: not one, or not read inline).
      let db1 = -1;
      for (let i = 0; i < argc; i++) {
        let len: number;
        while ((len = this.tryHeader(RespByte.Bulk, at)) < 0) yield;
        let s = -1;
        if (len > this.inlineMax) {
          yield* this.streamArg(at, i, len);
          if (i < keep) {
            if (text !== undefined) text.push('');
            else argv.push(EMPTY);
          }
          (parted ??= []).push(i);
        } else {
          while (!this.tryBulk(len, at)) yield;
          // Its bytes: the `len` before the CRLF just consumed.
          s = r.pos - len - 2;
          if (i < keep) {
            if (text !== undefined) text.push(latin1Text(r.buf, s, s + len));
            else argv.push(r.buf.subarray(s, s + len));
          }
        }
        if (i === 0) {
          // Checked as soon as the name is read, as redis-check-aof does (§5.8).
          control = s >= 0 ? controlAt(r.buf, s, len) : null;
          if (!this.checkTransactions) {
            // passed on as they are
          } else if (control === 'multi' && this.inMulti) {
            this.unbalanced('MULTI inside MULTI', at, line0, 'EXEC before another MULTI', 'MULTI');
          } else if (control === 'exec' && !this.inMulti) {
            this.unbalanced('EXEC without MULTI', at, line0, 'MULTI before EXEC', 'EXEC');
          }
        } else if (i === 1 && control === 'select' && s >= 0) {
          db1 = parseDbIndexAt(r.buf, s, len);
        }
      }

      this.commands++;
      // Out of order and passed on (transactions 'pass'): an ordinary command for the state.
      const effect = (control === 'multi' && this.inMulti) || (control === 'exec' && !this.inMulti) ? null : control;
      if (effect === 'multi') this.commandEndBeforeMulti = this.lastCommandEnd;
      this.lastCommandEnd = r.base + r.pos;
      const db0 = this.db;
      const inMulti0 = this.inMulti;
      if (effect === 'multi') {
        this.inMulti = true;
        this.multiOffset = at;
        this.multiCount = 0;
      } else if (effect === 'exec') {
        this.inMulti = false;
        this.multiOffset = -1;
      } else {
        if (this.inMulti) this.multiCount++;
        if (control === 'select' && argc === 2 && db1 >= 0) this.db = db1;
      }
      if (h.command) {
        h.command({
          argv,
          argvLatin1: text,
          argc,
          partedArgs: parted,
          offset: at,
          byteLength: r.base + r.pos - at,
          line: line0,
          db: db0,
          inMulti: inMulti0 || control === 'multi',
          control,
        });
      }
      if (effect === 'multi') h.multi?.(at, line0);
      else if (effect === 'exec') h.exec?.(at, line0, this.multiCount);
    }
  }

  /**
   * The fast path for check-only decoding (no `command` or `argPart` handler): consumes as
   * many complete, well-formed commands as the window holds, keeping the counters the exact
   * path keeps. Returns false when it consumed nothing: the unit at `pos` is then an
   * annotation, incomplete, over a limit, streamed, or damaged, and the exact path reads it
   * (and reports any damage precisely). Physical lines are counted once, in bulk, on exit.
   */
  private fastUnits(): boolean {
    const r = this.r;
    const buf = r.buf;
    const end = r.end;
    const maxArgs = this.limits.maxArgs;
    const inlineMax = this.inlineMax;
    const start = r.pos;
    let p = start;
    let okPos = -1;
    for (;;) {
      // A unit boundary (the first one was recorded by the caller).
      if (p !== start && !this.inMulti) {
        okPos = p;
        this.okCommands = this.commands;
      }
      if (p >= end || buf[p] !== RespByte.Array) break;
      const unit = p;
      // *<argc>\r\n
      let q = p + 1;
      let argc = 0;
      let c = 0;
      while (q < end && (c = buf[q]) >= 0x30 && c <= 0x39 && argc <= maxArgs) {
        argc = argc * 10 + (c - 0x30);
        q++;
      }
      if (q === p + 1 || q + 1 >= end || c !== RespByte.Cr || buf[q + 1] !== RespByte.Lf || argc < 1 || argc > maxArgs) break;
      q += 2;
      let control: AofControl | null = null;
      let selectDb = -1;
      let ok = true;
      for (let i = 0; i < argc; i++) {
        if (q >= end || buf[q] !== RespByte.Bulk) {
          ok = false;
          break;
        }
        let k = q + 1;
        let len = 0;
        while (k < end && (c = buf[k]) >= 0x30 && c <= 0x39 && len <= inlineMax) {
          len = len * 10 + (c - 0x30);
          k++;
        }
        if (k === q + 1 || k + 1 >= end || c !== RespByte.Cr || buf[k + 1] !== RespByte.Lf || len > inlineMax) {
          ok = false;
          break;
        }
        const v = k + 2;
        const after = v + len;
        if (after + 1 >= end || buf[after] !== RespByte.Cr || buf[after + 1] !== RespByte.Lf) {
          ok = false;
          break;
        }
        if (i === 0) {
          control = controlAt(buf, v, len);
          if (this.checkTransactions && ((control === 'multi' && this.inMulti) || (control === 'exec' && !this.inMulti))) {
            ok = false;
            break;
          }
        } else if (i === 1 && control === 'select' && argc === 2) {
          selectDb = parseDbIndexAt(buf, v, len);
        }
        q = after + 2;
      }
      if (!ok) break;
      this.commands++;
      this.checkLine += 1 + 2 * argc;
      p = q;
      // Out of order and passed on (transactions 'pass'): an ordinary command for the state.
      if ((control === 'multi' && this.inMulti) || (control === 'exec' && !this.inMulti)) control = null;
      if (control === 'multi') this.commandEndBeforeMulti = this.lastCommandEnd;
      this.lastCommandEnd = r.base + q;
      if (control === 'multi') {
        this.inMulti = true;
        this.multiOffset = r.base + unit;
        this.multiCount = 0;
      } else if (control === 'exec') {
        this.inMulti = false;
        this.multiOffset = -1;
      } else {
        if (this.inMulti) this.multiCount++;
        if (selectDb >= 0) this.db = selectDb;
      }
    }
    if (p === start) return false;
    if (okPos >= 0) this.okUpTo = r.base + okPos;
    if (this.countLines) {
      if (okPos >= 0) {
        this.okUpToLine = this.line + countLf(buf, start, okPos);
        this.line = this.okUpToLine + countLf(buf, okPos, p);
      } else {
        this.line += countLf(buf, start, p);
      }
    }
    r.pos = p;
    return true;
  }

  /**
   * Reads `#` … `\n` (§5.4). Like Redis's `fgets`, at most 1023 bytes are one line; a line
   * without `\n` at the end of the input is accepted.
   */
  private *readAnnotation(at: number): Step {
    const r = this.r;
    let scanned = 0;
    let len = 0;
    let terminated = false;
    for (;;) {
      const avail = r.end - r.pos;
      const lim = Math.min(avail, ANNOTATION_LINE_MAX_BYTES);
      const buf = r.buf;
      for (let k = r.pos + scanned, e = r.pos + lim; k < e; k++) {
        if (buf[k] === RespByte.Lf) {
          len = k - r.pos + 1;
          terminated = true;
          break;
        }
      }
      if (terminated) break;
      scanned = lim;
      if (lim === ANNOTATION_LINE_MAX_BYTES) {
        len = lim;
        break;
      }
      if (this.eof) {
        len = avail;
        break;
      }
      r.wanted = avail + 1;
      yield;
    }
    const buf = r.buf;
    const p = r.pos;
    let bodyEnd = p + len;
    let crlf = false;
    if (terminated) {
      bodyEnd--;
      if (bodyEnd > p && buf[bodyEnd - 1] === RespByte.Cr) {
        bodyEnd--;
        crlf = true;
      }
    }
    const raw = buf.subarray(p, bodyEnd);
    const line = this.line;
    r.pos = p + len;
    if (terminated) this.line++;
    this.annotations++;
    this.h.annotation?.({
      text: utf8.decode(raw),
      raw,
      offset: at,
      line,
      byteLength: len,
      timestampSec: crlf ? parseTimestamp(raw) : undefined,
      terminated,
    });
  }

  /** Passes an argument larger than `maxInlineValueBytes` through `argPart`, then its CRLF. */
  private *streamArg(commandOffset: number, argIndex: number, argBytes: number): Step {
    const r = this.r;
    let left = argBytes;
    this.streamLeft = left;
    while (left > 0) {
      while (r.pos >= r.end) {
        r.wanted = 1;
        yield;
      }
      const n = Math.min(left, r.end - r.pos);
      const offset = r.base + r.pos;
      const part = r.buf.subarray(r.pos, r.pos + n);
      this.line += countLf(r.buf, r.pos, r.pos + n);
      r.pos += n;
      left -= n;
      this.streamLeft = left;
      const where: AofArgPart = { commandOffset, argIndex, argBytes, offset, last: left === 0 };
      this.h.argPart?.(part, where);
    }
    for (;;) {
      const p = r.pos;
      const avail = r.end - p;
      if (avail >= 1 && r.buf[p] !== RespByte.Cr) this.badTrailer(p, argBytes, commandOffset);
      if (avail >= 2) {
        if (r.buf[p + 1] !== RespByte.Lf) this.badTrailer(p + 1, argBytes, commandOffset);
        r.pos = p + 2;
        this.line++;
        this.checkLine++;
        break;
      }
      r.wanted = 2;
      yield;
    }
  }

  // ---------------------------------------------------------------- all-or-nothing reads

  /**
   * Reads `<prefix><digits>\r\n` and returns the number, or -1 when bytes are missing (then
   * `wanted` is set and nothing is consumed). The number is checked against its limit digit
   * by digit, so a hostile length is refused before anything waits for it.
   */
  private tryHeader(prefix: number, unitOffset: number): number {
    const r = this.r;
    const buf = r.buf;
    const p0 = r.pos;
    const end = r.end;
    if (p0 >= end) return this.need(1);
    if (buf[p0] !== prefix) {
      const what = prefix === RespByte.Array ? 'a command' : 'an argument';
      this.syntax(`${what} must start with '${String.fromCharCode(prefix)}'`, p0, unitOffset, `'${String.fromCharCode(prefix)}'`, describeByte(buf[p0]));
    }
    const isCount = prefix === RespByte.Array;
    const max = isCount ? this.limits.maxArgs : this.limits.maxStringBytes;
    let p = p0 + 1;
    let v = 0;
    for (; p < end; p++) {
      const c = buf[p];
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      if (v > max) this.overLimit(isCount, v, max, p0, unitOffset);
      if (v > MAX_SAFE) this.syntax('length out of range', p0 + 1, unitOffset, `at most ${MAX_SAFE}`, `a ${p - p0}-digit number`);
    }
    if (p >= end) return this.need(p - p0 + 1);
    const c = buf[p];
    if (p === p0 + 1) {
      this.syntax(isCount ? 'bad argument count' : 'bad argument length', p, unitOffset, 'a decimal digit', describeByte(c));
    }
    if (c !== RespByte.Cr) {
      this.syntax(isCount ? 'bad argument count' : 'bad argument length', p, unitOffset, "a decimal digit or '\\r'", describeByte(c));
    }
    if (p + 1 >= end) return this.need(p - p0 + 2);
    if (buf[p + 1] !== RespByte.Lf) this.syntax('header line not ended by CRLF', p + 1, unitOffset, "'\\n'", describeByte(buf[p + 1]));
    if (isCount && v < 1) this.syntax('a command needs at least one argument', p0 + 1, unitOffset, 'an argument count of at least 1', String(v));
    r.pos = p + 2;
    this.line++;
    this.checkLine++;
    return v;
  }

  /**
   * Consumes `len` bytes and their CRLF (they end 2 bytes before the new `pos`); false when
   * bytes are missing. A wrong byte where the CR belongs is reported as soon as it is visible.
   */
  private tryBulk(len: number, unitOffset: number): boolean {
    const r = this.r;
    const p = r.pos;
    const avail = r.end - p;
    const buf = r.buf;
    if (avail < len + 2) {
      if (avail > len && buf[p + len] !== RespByte.Cr) this.badTrailer(p + len, len, unitOffset);
      r.wanted = len + 2;
      return false;
    }
    if (buf[p + len] !== RespByte.Cr) this.badTrailer(p + len, len, unitOffset);
    if (buf[p + len + 1] !== RespByte.Lf) this.badTrailer(p + len + 1, len, unitOffset);
    this.line += countLf(buf, p, p + len) + 1;
    this.checkLine++;
    r.pos = p + len + 2;
    return true;
  }

  private need(n: number): -1 {
    this.r.wanted = n;
    return -1;
  }

  // ---------------------------------------------------------------- damage

  private syntax(reason: string, pos: number, unitOffset: number, expected: string, found: string): never {
    this.damage(new CorruptDataError('RESP_SYNTAX', reason, this.init(pos, expected, found)), pos, unitOffset);
  }

  private badTrailer(pos: number, len: number, unitOffset: number): never {
    this.syntax('argument not ended by CRLF', pos, unitOffset, `'\\r\\n' after the ${len}-byte argument`, describeByte(this.r.buf[pos]));
  }

  private unbalanced(reason: string, at: number, line: number, expected: string, found: string): never {
    const err = new CorruptDataError('UNBALANCED_MULTI', reason, { file: this.file, offset: at, expected, found, context: this.context() });
    this.record(err, at, line, at);
  }

  private overLimit(isCount: boolean, v: number, max: number, pos: number, unitOffset: number): never {
    const key: keyof Limits = isCount ? 'maxArgs' : 'maxStringBytes';
    const what = isCount ? `a command of at least ${v} arguments` : `an argument of at least ${v} bytes`;
    const err = new LimitError(`${what} exceeds the limit of ${max} (raise it with ${LIMIT_OPTION[key]})`, {
      file: this.file,
      offset: this.r.base + pos,
      context: this.context(),
    });
    this.damage(err, pos, unitOffset);
  }

  private init(pos: number, expected: string, found: string) {
    return { file: this.file, offset: this.r.base + pos, expected, found, context: this.context() };
  }

  /** Records and throws damage found at window position `pos` (its line counted from `r.pos`). */
  private damage(err: RdbtoolError, pos: number, unitOffset: number): never {
    const r = this.r;
    this.record(err, r.base + pos, this.line + countLf(r.buf, r.pos, pos), unitOffset);
  }

  private record(err: RdbtoolError, offset: number, line: number, unitOffset: number): never {
    this.problem = {
      code: err.code as AofProblem['code'],
      reason: err.reason,
      offset,
      line,
      unitOffset,
      expected: err.expected,
      found: err.found,
    };
    this.damageError = err;
    throw err;
  }
}

/**
 * Decodes a whole RESP buffer in one go (tests, small files).
 * @throws as {@link RespDecoder.push} and {@link RespDecoder.end} in `throw` mode.
 */
export function decodeResp(bytes: Uint8Array, handler: AofHandler, opts: RespDecoderOptions = {}): AofVerdict {
  const d = new RespDecoder(handler, opts);
  d.push(bytes);
  return d.end();
}

// ---------------------------------------------------------------- helpers

/**
 * Counts `\n` bytes in `buf[from, to)`. Native `indexOf` is fastest where line ends are rare
 * (binary values), a plain loop where they are dense: short ranges and dense stretches use the
 * loop, 4 KiB at a time.
 */
function countLf(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  if (to - from < 64) {
    for (let k = from; k < to; k++) if (buf[k] === RespByte.Lf) n++;
    return n;
  }
  let i = from;
  while (i < to) {
    const j = buf.indexOf(RespByte.Lf, i);
    if (j < 0 || j >= to) break;
    n++;
    if (j - i < 32) {
      const e = Math.min(to, j + 4096);
      for (let k = j + 1; k < e; k++) if (buf[k] === RespByte.Lf) n++;
      i = e;
    } else {
      i = j + 1;
    }
  }
  return n;
}

/**
 * MULTI, EXEC or SELECT in the `len` bytes at `b[i]`, compared without case (byte | 0x20 folds
 * only ASCII letters onto themselves), or null.
 */
function controlAt(b: Uint8Array, i: number, len: number): AofControl | null {
  switch (len) {
    case 4: // exec
      return (b[i] | 0x20) === 0x65 && (b[i + 1] | 0x20) === 0x78 && (b[i + 2] | 0x20) === 0x65 && (b[i + 3] | 0x20) === 0x63 ? 'exec' : null;
    case 5: // multi
      return (b[i] | 0x20) === 0x6d && (b[i + 1] | 0x20) === 0x75 && (b[i + 2] | 0x20) === 0x6c && (b[i + 3] | 0x20) === 0x74 && (b[i + 4] | 0x20) === 0x69
        ? 'multi'
        : null;
    case 6: // select
      return (b[i] | 0x20) === 0x73 &&
        (b[i + 1] | 0x20) === 0x65 &&
        (b[i + 2] | 0x20) === 0x6c &&
        (b[i + 3] | 0x20) === 0x65 &&
        (b[i + 4] | 0x20) === 0x63 &&
        (b[i + 5] | 0x20) === 0x74
        ? 'select'
        : null;
    default:
      return null;
  }
}

/** The `len` bytes at `b[i]` as a SELECT database index (plain decimal, at most 9 digits), or -1. */
function parseDbIndexAt(b: Uint8Array, i: number, len: number): number {
  if (len === 0 || len > 9) return -1;
  let v = 0;
  for (let k = i; k < i + len; k++) {
    const c = b[k];
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** The seconds of `#TS:<digits>` (at most 15 digits), or undefined. */
function parseTimestamp(raw: Uint8Array): number | undefined {
  if (raw.length < 5 || raw.length > 19) return undefined;
  if (raw[0] !== 0x23 || raw[1] !== 0x54 || raw[2] !== 0x53 || raw[3] !== 0x3a) return undefined;
  let v = 0;
  for (let i = 4; i < raw.length; i++) {
    const c = raw[i];
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** A byte for messages: `'x'` when printable, `'\r'`-style escapes, else `0xNN`. */
export function describeByte(b: number): string {
  if (b >= 0x20 && b < 0x7f) return b === 0x27 ? `"'"` : `'${String.fromCharCode(b)}'`;
  if (b === 0x0d) return "'\\r'";
  if (b === 0x0a) return "'\\n'";
  if (b === 0x09) return "'\\t'";
  if (b === 0x00) return "'\\0'";
  return hexByte(b);
}
