/**
 * Typed, located errors. Every failure the library raises is an {@link RdbtoolError}
 * carrying a stable `code`, the file, the absolute byte offset of the problem, what was
 * expected and what was found. The CLI turns these into one readable line and an exit code.
 */

/** Stable machine-readable error codes (part of the `--json` output contract). */
export type ErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_OPCODE'
  | 'UNKNOWN_TYPE'
  | 'UNVERIFIED_LAYOUT'
  | 'BAD_LENGTH'
  | 'BAD_STRING_ENCODING'
  | 'BAD_VALUE'
  | 'LZF_CORRUPT'
  | 'BLOB_CORRUPT'
  | 'CHECKSUM_MISMATCH'
  | 'TRAILING_DATA'
  | 'TRUNCATED'
  | 'RESP_SYNTAX'
  | 'UNBALANCED_MULTI'
  | 'MANIFEST_INVALID'
  | 'NDJSON_INVALID'
  | 'MISSING_FILE'
  | 'NOT_PERSISTENCE_FILE'
  | 'LIMIT_EXCEEDED'
  | 'IO'
  | 'USAGE'
  | 'UNSAFE_WRITE'
  | 'REPLAY_UNKNOWN_COMMAND'
  | 'REPLAY_ARITY'
  | 'REPLAY_WRONG_TYPE'
  | 'REPLAY_BAD_ARGUMENT'
  | 'REPLAY_BAD_PAYLOAD'
  | 'REPLAY_SCRIPT_ERROR'
  | 'REPLAY_UNBALANCED_MULTI'
  | 'TARGET_CANNOT_HOLD';

/** What the decoder was doing when the error happened (like redis-check-rdb's "doing" state). */
export type Doing =
  | 'read-magic'
  | 'read-type'
  | 'read-expire'
  | 'read-key'
  | 'read-value'
  | 'read-aux'
  | 'read-module-aux'
  | 'read-function'
  | 'read-checksum'
  | 'read-command'
  | 'read-manifest'
  | 'replay-command';

/** Where in the data model an error happened. */
export interface ErrorContext {
  doing?: Doing;
  db?: number;
  /** The key being decoded (raw bytes, copied). */
  key?: Uint8Array;
  /** The raw RDB type byte of the key being decoded. */
  rdbType?: number;
  /** A short human label such as `hash, listpack`. */
  what?: string;
}

/** Fields accepted by every error constructor. */
export interface ErrorInit {
  file?: string;
  /** Absolute byte offset in the file where the problem starts. */
  offset?: number;
  expected?: string;
  found?: string;
  context?: ErrorContext;
  cause?: unknown;
}

/** Base class of every error the library throws on purpose. */
export class RdbtoolError extends Error {
  readonly code: ErrorCode;
  file?: string;
  offset?: number;
  expected?: string;
  found?: string;
  context?: ErrorContext;
  /** The bare problem statement, without location (the `message` adds the location). */
  reason: string;

  constructor(code: ErrorCode, reason: string, init: ErrorInit = {}) {
    super(reason, init.cause === undefined ? undefined : { cause: init.cause });
    // Named explicitly (not from the constructor's name): the CLI bundle shortens class names.
    this.name = (new.target as { errorName?: string }).errorName ?? 'RdbtoolError';
    this.code = code;
    this.reason = reason;
    this.file = init.file;
    this.offset = init.offset;
    this.expected = init.expected;
    this.found = init.found;
    this.context = init.context;
    this.message = formatErrorMessage(this);
  }

  /** Fills in location fields that are still unset and rebuilds the message. */
  locate(loc: { file?: string; offset?: number; context?: ErrorContext }): this {
    if (this.file === undefined && loc.file !== undefined) this.file = loc.file;
    if (this.offset === undefined && loc.offset !== undefined) this.offset = loc.offset;
    if (loc.context) this.context = { ...loc.context, ...this.context };
    this.message = formatErrorMessage(this);
    return this;
  }

  /** Adds a remark to the reason (what was still done or kept, say) and rebuilds the message. */
  note(remark: string): this {
    this.reason = `${this.reason} (${remark})`;
    this.message = formatErrorMessage(this);
    return this;
  }

  /** Plain JSON form used by `--json` outputs. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      file: this.file ?? null,
      offset: this.offset ?? null,
      message: this.reason,
      expected: this.expected ?? null,
      found: this.found ?? null,
      context: this.context ? contextToJSON(this.context) : null,
    };
  }
}

/** The bytes are present but wrong (bad encoding, bad structure, bad checksum). */
export class CorruptDataError extends RdbtoolError {
  static readonly errorName: string = 'CorruptDataError';
}
/** The input ended inside a unit; `offset` is where the incomplete unit starts. */
export class TruncatedError extends RdbtoolError {
  static readonly errorName: string = 'TruncatedError';
  constructor(reason: string, init: ErrorInit = {}) {
    super('TRUNCATED', reason, init);
  }
}
/** A size declared by the input exceeds a configured limit. */
export class LimitError extends RdbtoolError {
  static readonly errorName: string = 'LimitError';
  constructor(reason: string, init: ErrorInit = {}) {
    super('LIMIT_EXCEEDED', reason, init);
  }
}
/** The input or output cannot be opened, read or written. */
export class InputError extends RdbtoolError {
  static readonly errorName: string = 'InputError';
  constructor(reason: string, init: ErrorInit = {}) {
    super('IO', reason, init);
  }
}
/** Bad arguments or API misuse. */
export class UsageError extends RdbtoolError {
  static readonly errorName: string = 'UsageError';
  constructor(reason: string, init: ErrorInit = {}) {
    super('USAGE', reason, init);
  }
}

/** Shorthand for a {@link CorruptDataError}. */
export function corrupt(code: ErrorCode, reason: string, init: ErrorInit = {}): CorruptDataError {
  return new CorruptDataError(code, reason, init);
}

/** Formats a byte value as `0xNN`. */
export function hexByte(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0').toUpperCase();
}

function contextToJSON(c: ErrorContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.doing) out.doing = c.doing;
  if (c.db !== undefined) out.db = c.db;
  if (c.key) out.key = printableKey(c.key);
  if (c.rdbType !== undefined) out.rdbType = c.rdbType;
  if (c.what) out.what = c.what;
  return out;
}

/** A short, terminal-safe rendering of a key for error messages. */
export function printableKey(key: Uint8Array, max = 80): string {
  let s = '';
  const n = Math.min(key.length, max);
  for (let i = 0; i < n; i++) {
    const b = key[i];
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  if (key.length > max) s += `...(${key.length} bytes)`;
  return s;
}

function formatErrorMessage(e: RdbtoolError): string {
  let m = '';
  if (e.file !== undefined) m += e.file + ': ';
  m += e.reason;
  if (e.offset !== undefined) m += ` at byte ${e.offset} (0x${e.offset.toString(16)})`;
  if (e.expected !== undefined) m += `: expected ${e.expected}`;
  if (e.found !== undefined) m += (e.expected !== undefined ? ', found ' : ': found ') + e.found;
  const c = e.context;
  if (c && (c.key || c.db !== undefined || c.doing)) {
    const parts: string[] = [];
    if (c.key) parts.push(`key "${printableKey(c.key)}"`);
    if (c.what) parts.push(`(${c.what})`);
    if (c.db !== undefined) parts.push(`in db ${c.db}`);
    if (c.key || c.what) m += ` (while reading ${parts.join(' ')})`;
    else if (c.doing) m += ` (while doing ${c.doing}${c.db !== undefined ? ` in db ${c.db}` : ''})`;
  }
  return m;
}
