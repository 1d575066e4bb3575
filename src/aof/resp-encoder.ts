/**
 * Writes exact AOF RESP bytes (FORMATS.md §5.1–§5.4): multi-bulk commands
 * (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument, decimal lengths without sign or
 * padding), SELECT, MULTI/EXEC in Redis's upper-case form, and `#` annotation lines.
 *
 * Pure functions return one `Uint8Array` per unit; {@link RespWriter} collects units in
 * memory and remembers where each one starts, which tests use as an independent map of the
 * file. Large values can be written without copying them through
 * {@link encodeArrayHeader} / {@link encodeBulkHeader} / {@link CRLF}.
 */
import { UsageError } from '../errors.js';
import { ANNOTATION_LINE_MAX_BYTES } from './resp-decoder.js';

/** One argument: bytes as they are, strings as UTF-8, integers as their decimal text. */
export type RespArg = Uint8Array | string | number | bigint;

/** `\r\n`. Do not modify. */
export const CRLF: Uint8Array = Uint8Array.of(0x0d, 0x0a);

const utf8 = new TextEncoder();

/**
 * The bytes of one argument.
 * @throws UsageError for a number that is not a safe integer (format doubles yourself: Redis
 *   writes them with its own shortest round-trip formatter, FORMATS.md §5.1).
 */
export function argBytes(a: RespArg): Uint8Array {
  if (a instanceof Uint8Array) return a;
  if (typeof a === 'string') return utf8.encode(a);
  if (typeof a === 'bigint') return utf8.encode(a.toString(10));
  if (!Number.isSafeInteger(a)) throw new UsageError(`RESP argument ${a} is not a safe integer; pass doubles as formatted text`);
  return utf8.encode(String(a));
}

/**
 * `*<argc>\r\n`.
 * @throws UsageError when argc is not an integer ≥ 1 (an AOF command has at least a name, §5.7).
 */
export function encodeArrayHeader(argc: number): Uint8Array {
  if (!Number.isSafeInteger(argc) || argc < 1) throw new UsageError(`a RESP command needs at least one argument (got ${argc})`);
  return utf8.encode(`*${argc}\r\n`);
}

/**
 * `$<byteLength>\r\n`; the caller writes the bytes and {@link CRLF} after it.
 * @throws UsageError for a negative or non-integer length.
 */
export function encodeBulkHeader(byteLength: number): Uint8Array {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) throw new UsageError(`bad RESP bulk length ${byteLength}`);
  return utf8.encode(`$${byteLength}\r\n`);
}

/**
 * One command as RESP multi-bulk bytes, e.g. `encodeCommand(['SET', 'k', 'v'])` →
 * `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`.
 * @throws UsageError for an empty argument list or a non-integer number.
 */
export function encodeCommand(args: readonly RespArg[]): Uint8Array {
  if (args.length === 0) throw new UsageError('a RESP command needs at least one argument');
  const bytes = args.map(argBytes);
  const heads = bytes.map((b) => `$${b.length}\r\n`);
  const head = `*${args.length}\r\n`;
  let total = head.length;
  for (let i = 0; i < bytes.length; i++) total += heads[i].length + bytes[i].length + 2;
  const out = new Uint8Array(total);
  let p = writeAscii(out, 0, head);
  for (let i = 0; i < bytes.length; i++) {
    p = writeAscii(out, p, heads[i]);
    out.set(bytes[i], p);
    p += bytes[i].length;
    out[p++] = 0x0d;
    out[p++] = 0x0a;
  }
  return out;
}

/**
 * An annotation line: `text` (which must start with `#`) followed by `\r\n` (§5.4).
 * @throws UsageError when the text does not start with `#`, holds a CR or LF, or would make a
 *   line longer than the 1023 bytes Redis reads as one line.
 */
export function encodeAnnotation(text: string): Uint8Array {
  if (!text.startsWith('#')) throw new UsageError(`an AOF annotation must start with '#' (got ${JSON.stringify(text.slice(0, 20))})`);
  if (/[\r\n]/.test(text)) throw new UsageError('an AOF annotation cannot contain CR or LF');
  const out = utf8.encode(text + '\r\n');
  if (out.length > ANNOTATION_LINE_MAX_BYTES) throw new UsageError(`an AOF annotation line is at most ${ANNOTATION_LINE_MAX_BYTES} bytes (got ${out.length})`);
  return out;
}

/**
 * The timestamp annotation `#TS:<unix seconds>\r\n` Redis writes with `aof-timestamp-enabled`
 * (§5.4).
 * @throws UsageError for a negative or non-integer time.
 */
export function encodeTimestamp(unixSec: number): Uint8Array {
  if (!Number.isSafeInteger(unixSec) || unixSec < 0) throw new UsageError(`bad AOF timestamp ${unixSec}`);
  return encodeAnnotation(`#TS:${unixSec}`);
}

/** What {@link RespWriter} wrote, unit by unit. */
export interface RespUnit {
  kind: 'command' | 'annotation' | 'raw';
  /** Offset of the unit in the writer's output (plus the writer's `startOffset`). */
  offset: number;
  /** Bytes of the unit. */
  byteLength: number;
}

/**
 * Collects RESP units in memory: `new RespWriter().select(0).command('SET', 'a', 'b').toBytes()`.
 * Every method returns the writer; `units` lists what was written where.
 */
export class RespWriter {
  private readonly parts: Uint8Array[] = [];
  /** Units written so far, in order. */
  readonly units: RespUnit[] = [];
  private size = 0;

  /** @param startOffset offset the first byte will have in the file (for `units`). Default 0. */
  constructor(private readonly startOffset = 0) {}

  /** Bytes written so far. */
  get byteLength(): number {
    return this.size;
  }

  /** Appends one command. @throws UsageError as {@link encodeCommand}. */
  command(...args: RespArg[]): this {
    return this.add('command', encodeCommand(args));
  }

  /** `SELECT <db>` as Redis writes it (§5.2). */
  select(db: number): this {
    return this.command('SELECT', db);
  }

  /** `MULTI` (upper case, as Redis writes it, §5.3). */
  multi(): this {
    return this.command('MULTI');
  }

  /** `EXEC` (upper case, as Redis writes it, §5.3). */
  exec(): this {
    return this.command('EXEC');
  }

  /** An annotation line. @throws UsageError as {@link encodeAnnotation}. */
  annotation(text: string): this {
    return this.add('annotation', encodeAnnotation(text));
  }

  /** `#TS:<unixSec>`. @throws UsageError as {@link encodeTimestamp}. */
  timestamp(unixSec: number): this {
    return this.add('annotation', encodeTimestamp(unixSec));
  }

  /** Arbitrary bytes, unchecked (to build damaged inputs in tests). */
  raw(bytes: Uint8Array | string): this {
    return this.add('raw', typeof bytes === 'string' ? utf8.encode(bytes) : bytes);
  }

  /** Everything written, as one buffer. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const part of this.parts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }

  private add(kind: RespUnit['kind'], bytes: Uint8Array): this {
    this.units.push({ kind, offset: this.startOffset + this.size, byteLength: bytes.length });
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }
}

function writeAscii(out: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
  return p;
}
