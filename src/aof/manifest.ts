/**
 * The multi-part AOF manifest (`appendonly.aof.manifest`, Redis 7.0+, formats.md §5.6):
 * parsing it exactly the way Redis's loader does, writing it byte for byte the way Redis
 * writes it, and the order in which a loader replays the files it lists.
 *
 * The parser reproduces the loader's behaviour, quirks included, because a manifest that
 * Redis refuses must be refused here too, and vice versa:
 *
 * - The text is consumed in pieces of at most {@link MANIFEST_MAX_LINE} bytes ending at a
 *   `\n` (the loader reads with a fixed buffer). Each piece counts as a line. A piece that
 *   starts with `#` is a comment and skipped, so a comment longer than the limit spills
 *   its remainder into the next "line", which is then parsed as an entry.
 * - Any other piece must end with `\n`: too long lines, a last line without a newline and
 *   lines holding a NUL byte are all fatal.
 * - A line is trimmed of spaces, tabs, CR and LF; if nothing is left it is fatal.
 * - Tokens are split like redis-cli arguments (double quotes with `\xHH`, `\n`, `\r`,
 *   `\t`, `\b`, `\a` and `\<any>` escapes; single quotes with `\'`). A token is then used
 *   as a C string: it ends at its first NUL byte.
 * - The token count must be even and at least 6. Keys `file`, `seq` and `type` are matched
 *   without regard to ASCII case, in any order, the last occurrence winning; other pairs
 *   are ignored. `file` must not contain `/` or `\` (checked as soon as the pair is seen),
 *   `seq` is read like C `atoll` and must not be 0, `type` is the first byte of its value.
 * - Type `b`: at most one. `h`: kept as history. `i`: the seq must be greater than that of
 *   every earlier incr entry (and so greater than 0). Any other byte is fatal.
 * - Input with no bytes at all is fatal; a manifest holding only comments is not.
 *
 * Every failure is a {@link ManifestError} (a `CorruptDataError` with code
 * `MANIFEST_INVALID`) pointing at the byte offset where the offending line starts.
 */
import { CorruptDataError, printableKey, UsageError, type ErrorInit } from '../errors.js';

/**
 * Longest manifest line in bytes, counting its `\n` (`MANIFEST_MAX_LINE`, formats.md §5.6).
 * The loader's buffer holds this many bytes plus the C string terminator.
 */
export const MANIFEST_MAX_LINE = 1024;

/** Values of the `type` field (`AOF_FILE_TYPE_BASE/HIST/INCR`, formats.md §5.6). */
export const ManifestFileType = {
  /** `AOF_FILE_TYPE_BASE`: the snapshot the incr files apply on top of (RDB or RESP). */
  Base: 'b',
  /** `AOF_FILE_TYPE_HIST`: a file replaced by a rewrite, waiting to be deleted; never loaded. */
  History: 'h',
  /** `AOF_FILE_TYPE_INCR`: commands logged since the base was written. */
  Incr: 'i',
} as const;

/** One of `'b'`, `'h'`, `'i'`. */
export type ManifestFileType = (typeof ManifestFileType)[keyof typeof ManifestFileType];

/** One file listed by a manifest. */
export interface ManifestEntry {
  /**
   * The file name, decoded as UTF-8 (invalid sequences become U+FFFD). It never holds `/`
   * or `\`. Use {@link ManifestEntry.nameBytes} to open files whose names are not UTF-8.
   */
  name: string;
  /** The exact bytes of the name (after unquoting), as Redis uses them to open the file. */
  nameBytes: Uint8Array;
  /**
   * Sequence number, as C `atoll` read it: signed 64-bit, clamped on overflow, never 0.
   * Base and incr numbers are independent counters.
   */
  seq: bigint;
  type: ManifestFileType;
  /** 1-based line number, counted the way the loader counts (comments included). */
  line: number;
  /** Absolute byte offset of the start of the line in the manifest. */
  offset: number;
}

/** The base entry of a manifest. */
export type ManifestBaseEntry = ManifestEntry & { type: 'b' };

/** One line of the manifest as the loader saw it. */
export interface ManifestLine {
  /** `comment` for a line starting with `#` (skipped), `entry` for a file line. */
  kind: 'comment' | 'entry';
  /** 1-based line number. */
  line: number;
  /** Absolute byte offset of the first byte of the line. */
  offset: number;
  /** Length of the line in bytes, including its `\n` when it has one. */
  byteLength: number;
  /** For `entry` lines: the file the line describes. */
  entry?: ManifestEntry;
  /**
   * For `entry` lines: key/value pairs other than `file`, `seq` and `type`, in line order
   * (ignored by Redis; kept for forward compatibility). Decoded as UTF-8.
   */
  extra?: [key: string, value: string][];
}

/** A parsed manifest. */
export interface Manifest {
  /** The file name given to {@link parseManifest}, if any. */
  file?: string;
  /** The base file, when the manifest lists one. */
  base?: ManifestBaseEntry;
  /** History entries in manifest order (never loaded). */
  history: ManifestEntry[];
  /** Incr entries in manifest order; their seqs strictly increase. */
  incrs: ManifestEntry[];
  /** Every line read, comments included, in order. */
  lines: ManifestLine[];
}

/**
 * A manifest problem. Always has code `MANIFEST_INVALID`, the file (when known), the
 * offset of the offending line, and `expected`/`found`.
 */
export class ManifestError extends CorruptDataError {
  static override readonly errorName: string = 'ManifestError';
  /** 1-based line number of the offending line (the loader's count). */
  readonly line: number;
  /** The error text Redis's loader prints for the same input (useful for comparisons). */
  readonly redisError: string;

  constructor(reason: string, line: number, redisError: string, init: ErrorInit) {
    super('MANIFEST_INVALID', `manifest line ${line}: ${reason}`, { ...init, context: { doing: 'read-manifest' } });
    this.line = line;
    this.redisError = redisError;
  }
}

// The loader's own error texts, kept verbatim for ManifestError.redisError.
const REDIS_EMPTY = 'Found an empty AOF manifest';
const REDIS_TOO_LONG = 'The AOF manifest file contains too long line';
const REDIS_FORMAT = 'Invalid AOF manifest file format';
const REDIS_PATH = "File can't be a path, just a filename";
const REDIS_DUP_BASE = 'Found duplicate base file information';
const REDIS_NON_MONOTONIC = 'Found a non-monotonic sequence number';
const REDIS_UNKNOWN_TYPE = 'Unknown AOF file type';

const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** C `isspace` in the C locale: space, `\t`, `\n`, `\v`, `\f`, `\r`. */
const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);
/** C `isprint` in the C locale (Redis leaves LC_CTYPE alone): 0x20 … 0x7E. */
const isPrint = (b: number): boolean => b >= 0x20 && b <= 0x7e;
const isHexDigit = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
const hexValue = (b: number): number => (b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10);

/** The bytes up to the first NUL: how C code sees a token that an `\x00` escape put a NUL into. */
function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** ASCII-only case-insensitive comparison against a lower-case ASCII word (`strcasecmp`). */
function equalsIgnoreCase(bytes: Uint8Array, lowerWord: string): boolean {
  if (bytes.length !== lowerWord.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const folded = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
    if (folded !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * C `atoll` as glibc implements it (`strtoll(s, NULL, 10)`): leading white space, an
 * optional sign, then decimal digits up to the first other byte; no digits gives 0, and
 * values outside the signed 64-bit range are clamped to its ends.
 */
export function atoll(bytes: Uint8Array): bigint {
  let i = 0;
  while (i < bytes.length && isSpace(bytes[i])) i++;
  let negative = false;
  if (i < bytes.length && (bytes[i] === 0x2b || bytes[i] === 0x2d)) negative = bytes[i++] === 0x2d;
  let magnitude = 0n;
  const limit = negative ? -INT64_MIN : INT64_MAX;
  for (; i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) {
    // Stop growing once clamped; the remaining digits are still consumed by strtoll.
    if (magnitude <= limit) magnitude = magnitude * 10n + BigInt(bytes[i] - 0x30);
  }
  if (magnitude > limit) magnitude = limit;
  return negative ? -magnitude : magnitude;
}

/**
 * Splits a line into tokens the way redis-cli splits what you type (`sdssplitargs`).
 *
 * Outside quotes a token ends at space, `\t`, `\n`, `\r` or the end of the line (other
 * white space such as `\v` is part of the token, although it is skipped between tokens).
 * A `"` or `'` may open a quoted part anywhere in a token; the closing quote must be
 * followed by white space or the end of the line.
 *
 * @returns the tokens, or `null` for an unterminated quote or a closing quote followed by
 *   something other than white space.
 */
export function splitArgs(line: Uint8Array): Uint8Array[] | null {
  const tokens: Uint8Array[] = [];
  const n = line.length;
  // Reads past the end behave like the C string terminator.
  const at = (i: number): number => (i < n ? line[i] : 0);
  let p = 0;
  for (;;) {
    while (p < n && at(p) !== 0 && isSpace(at(p))) p++;
    if (p >= n || at(p) === 0) return tokens;
    const current: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === BACKSLASH && at(p + 1) === 0x78 && isHexDigit(at(p + 2)) && isHexDigit(at(p + 3))) {
          current.push(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (c === BACKSLASH && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          current.push(e === 0x6e ? LF : e === 0x72 ? CR : e === 0x74 ? 0x09 : e === 0x62 ? 0x08 : e === 0x61 ? 0x07 : e);
        } else if (c === DQUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current.push(c);
        }
      } else if (inSingle) {
        if (c === BACKSLASH && at(p + 1) === SQUOTE) {
          p++;
          current.push(SQUOTE);
        } else if (c === SQUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current.push(c);
        }
      } else if (c === 0x20 || c === LF || c === CR || c === 0x09 || c === 0) {
        done = true;
      } else if (c === DQUOTE) {
        inDouble = true;
      } else if (c === SQUOTE) {
        inSingle = true;
      } else {
        current.push(c);
      }
      if (at(p) !== 0) p++;
    }
    tokens.push(Uint8Array.from(current));
  }
}

/** Escapes a line or token for an error message (printable ASCII kept, the rest `\xHH`). */
function show(bytes: Uint8Array, max = 120): string {
  return `"${printableKey(bytes, max)}"`;
}

/** The bytes of one line without its leading and trailing spaces, tabs, CRs and LFs. */
function trim(bytes: Uint8Array): Uint8Array {
  const strip = (b: number): boolean => b === 0x20 || b === 0x09 || b === CR || b === LF;
  let start = 0;
  let end = bytes.length;
  while (start < end && strip(bytes[start])) start++;
  while (end > start && strip(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

/**
 * Parses a manifest exactly as Redis's loader does (see the module comment for the rules).
 *
 * @param text The manifest: raw bytes, or a string (encoded as UTF-8 first).
 * @param file File name used in errors and kept in the result.
 * @returns base, history and incr entries in manifest order, plus every line read.
 * @throws {ManifestError} (code `MANIFEST_INVALID`) on the first line Redis would refuse,
 *   with `offset` = the byte offset of that line and its number in the message and `line`.
 */
export function parseManifest(text: Uint8Array | string, file?: string): Manifest {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const manifest: Manifest = { history: [], incrs: [], lines: [] };
  if (file !== undefined) manifest.file = file;
  const fail = (reason: string, line: number, offset: number, redisError: string, expected: string, found: string): ManifestError =>
    new ManifestError(reason, line, redisError, { file, offset, expected, found });

  if (bytes.length === 0) {
    throw fail('empty manifest', 1, 0, REDIS_EMPTY, 'at least one line', 'no bytes at all');
  }

  let maxIncrSeq = 0n;
  let lineNumber = 0;
  let start = 0;
  while (start < bytes.length) {
    // Cut the next piece: up to and including a '\n', at most MANIFEST_MAX_LINE bytes.
    const windowEnd = Math.min(start + MANIFEST_MAX_LINE, bytes.length);
    const nl = bytes.subarray(start, windowEnd).indexOf(LF);
    const end = nl >= 0 ? start + nl + 1 : windowEnd;
    const piece = bytes.subarray(start, end);
    const offset = start;
    lineNumber++;
    start = end;

    if (piece[0] === HASH) {
      manifest.lines.push({ kind: 'comment', line: lineNumber, offset, byteLength: piece.length });
      continue;
    }

    // The loader looks for the '\n' with strchr, which stops at a NUL byte.
    const nul = piece.indexOf(0);
    if (nl < 0 || nul >= 0) {
      if (nul >= 0) {
        throw fail('manifest line contains a NUL byte', lineNumber, offset, REDIS_TOO_LONG, 'a text line without NUL bytes', `a NUL byte at offset ${offset + nul}`);
      } else if (piece.length === MANIFEST_MAX_LINE) {
        throw fail(
          'manifest line too long',
          lineNumber,
          offset,
          REDIS_TOO_LONG,
          `at most ${MANIFEST_MAX_LINE} bytes including the newline`,
          `${MANIFEST_MAX_LINE} bytes without a newline`,
        );
      } else {
        throw fail('last manifest line has no newline', lineNumber, offset, REDIS_TOO_LONG, 'a line ending with "\\n"', `end of file after ${show(piece)}`);
      }
    }

    const content = trim(piece);
    if (content.length === 0) {
      throw fail('empty manifest line', lineNumber, offset, REDIS_FORMAT, 'file <name> seq <n> type <b|h|i>', 'an empty line');
    }

    const tokens = splitArgs(content);
    if (tokens === null) {
      throw fail(
        'unbalanced quotes in manifest line',
        lineNumber,
        offset,
        REDIS_FORMAT,
        'closed quotes, each followed by white space or the end of the line',
        show(content),
      );
    }
    if (tokens.length < 6 || tokens.length % 2 !== 0) {
      throw fail('wrong number of tokens in manifest line', lineNumber, offset, REDIS_FORMAT, 'an even number of tokens, at least 6', `${tokens.length} in ${show(content)}`);
    }

    let name: Uint8Array | null = null;
    let seq = 0n;
    let typeByte = 0;
    const extra: [string, string][] = [];
    for (let i = 0; i < tokens.length; i += 2) {
      const key = cString(tokens[i]);
      const value = cString(tokens[i + 1]);
      if (equalsIgnoreCase(key, 'file')) {
        if (value.includes(SLASH) || value.includes(BACKSLASH)) {
          throw fail('manifest file name is a path', lineNumber, offset, REDIS_PATH, 'a file name without "/" or "\\"', show(value));
        }
        name = value;
      } else if (equalsIgnoreCase(key, 'seq')) {
        seq = atoll(value);
      } else if (equalsIgnoreCase(key, 'type')) {
        typeByte = value.length > 0 ? value[0] : 0;
      } else {
        extra.push([utf8.decode(tokens[i]), utf8.decode(tokens[i + 1])]);
      }
    }

    if (name === null || seq === 0n || typeByte === 0) {
      const missing = [name === null ? 'file' : '', seq === 0n ? 'seq' : '', typeByte === 0 ? 'type' : ''].filter(Boolean);
      throw fail(
        'incomplete manifest line',
        lineNumber,
        offset,
        REDIS_FORMAT,
        'file, a non-zero seq and a non-empty type',
        `no usable ${missing.join(', ')} in ${show(content)}`,
      );
    }

    const type = String.fromCharCode(typeByte);
    const entry: ManifestEntry = {
      name: utf8.decode(name),
      nameBytes: Uint8Array.from(name),
      seq,
      type: type as ManifestFileType,
      line: lineNumber,
      offset,
    };
    if (type === ManifestFileType.Base) {
      if (manifest.base) {
        throw fail(
          'second base file in manifest',
          lineNumber,
          offset,
          REDIS_DUP_BASE,
          'at most one entry of type b',
          `another one after line ${manifest.base.line} (${show(manifest.base.nameBytes)})`,
        );
      }
      manifest.base = entry as ManifestBaseEntry;
    } else if (type === ManifestFileType.History) {
      manifest.history.push(entry);
    } else if (type === ManifestFileType.Incr) {
      if (seq <= maxIncrSeq) {
        throw fail('incr seq does not increase', lineNumber, offset, REDIS_NON_MONOTONIC, `an incr seq greater than ${maxIncrSeq}`, `seq ${seq}`);
      }
      maxIncrSeq = seq;
      manifest.incrs.push(entry);
    } else {
      throw fail('unknown manifest file type', lineNumber, offset, REDIS_UNKNOWN_TYPE, 'type b, h or i', show(Uint8Array.of(typeByte)));
    }
    const record: ManifestLine = { kind: 'entry', line: lineNumber, offset, byteLength: piece.length, entry };
    if (extra.length > 0) record.extra = extra;
    manifest.lines.push(record);
  }
  return manifest;
}

/** What {@link formatManifest} needs of one entry. */
export interface ManifestEntryInput {
  /** File name; encoded as UTF-8 unless `nameBytes` is given. */
  name: string;
  /** Exact name bytes; take precedence over `name`. */
  nameBytes?: Uint8Array;
  /** Sequence number (an integer within the signed 64-bit range, not 0). */
  seq: bigint | number;
}

/** What {@link formatManifest} writes: the type of each entry comes from the list holding it. */
export interface ManifestInput {
  base?: ManifestEntryInput;
  history: readonly ManifestEntryInput[];
  incrs: readonly ManifestEntryInput[];
}

/** True when Redis writes the name quoted (`sdsneedsrepr`). */
function needsQuoting(name: Uint8Array): boolean {
  for (const b of name) {
    if (b === BACKSLASH || b === DQUOTE || !isPrint(b) || isSpace(b)) return true;
  }
  return false;
}

/** A name in double quotes with Redis's escapes (`sdscatrepr`); the result is ASCII. */
function quoteName(name: Uint8Array): string {
  let s = '"';
  for (const b of name) {
    if (b === BACKSLASH) s += '\\\\';
    else if (b === DQUOTE) s += '\\"';
    else if (b === LF) s += '\\n';
    else if (b === CR) s += '\\r';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x07) s += '\\a';
    else if (b === 0x08) s += '\\b';
    else if (isPrint(b)) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + '"';
}

function formatEntry(entry: ManifestEntryInput, type: ManifestFileType): string {
  const name = entry.nameBytes ?? encoder.encode(entry.name);
  if (name.includes(0)) throw new UsageError('manifest file name contains a NUL byte', { found: show(name) });
  if (name.includes(SLASH) || name.includes(BACKSLASH)) {
    throw new UsageError('manifest file name is a path', { expected: 'a file name without "/" or "\\"', found: show(name) });
  }
  if (typeof entry.seq === 'number' && !Number.isSafeInteger(entry.seq)) {
    throw new UsageError('manifest seq is not a safe integer', { found: String(entry.seq) });
  }
  const seq = BigInt(entry.seq);
  if (seq === 0n || seq > INT64_MAX || seq < INT64_MIN) {
    throw new UsageError('manifest seq out of range', { expected: 'a non-zero signed 64-bit integer', found: String(seq) });
  }
  // Printable names are written as they are, bytes >= 0x80 make the name quoted, so
  // the latin1 reading of a raw name is its exact text.
  const shown = needsQuoting(name) ? quoteName(name) : String.fromCharCode(...name);
  return `file ${shown} seq ${seq} type ${type}\n`;
}

/**
 * Writes a manifest the way Redis does: the base first, then history entries, then incr
 * entries, one `file <name> seq <seq> type <b|h|i>\n` line each. A name is written raw
 * unless it holds a space or other white space, `\`, `"` or a byte outside printable
 * ASCII; then it is double-quoted with `\\ \" \n \r \t \a \b` and `\xHH` escapes.
 *
 * As in Redis, a raw name containing `'` is written as it is, and Redis's own loader (and
 * {@link parseManifest}) then refuses the line.
 *
 * @returns ASCII text.
 * @throws {UsageError} for a name containing NUL, `/` or `\`, or a seq that is 0, not an
 *   integer, or outside the signed 64-bit range (Redis can never write those).
 */
export function formatManifest(m: ManifestInput): string {
  let out = '';
  if (m.base) out += formatEntry(m.base, ManifestFileType.Base);
  for (const h of m.history) out += formatEntry(h, ManifestFileType.History);
  for (const i of m.incrs) out += formatEntry(i, ManifestFileType.Incr);
  return out;
}

/**
 * The files a loader replays, in order: the base (if any), then every incr entry in
 * manifest order. History entries are never loaded.
 */
export function loadOrder(m: Pick<Manifest, 'base' | 'incrs'>): ManifestEntry[] {
  return m.base ? [m.base, ...m.incrs] : [...m.incrs];
}
