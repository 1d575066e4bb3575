/**
 * What the RESP (AOF) decoder reports, as typed callbacks, and the verdict it gives at the end
 * (FORMATS.md §5). Byte arguments are views into the decoder's buffers, valid only during the
 * call: whatever a consumer keeps, it copies.
 *
 * Offsets are absolute byte offsets in the file (a hybrid file's RESP tail starts after the
 * RDB preamble, so its first offset is not 0). Line numbers are 1-based physical lines: every
 * `\n` byte of the RESP section ends one, including `\n`s inside binary arguments.
 */

/** The commands the decoder tracks state for (case-insensitive argument 0, FORMATS.md §5.2–§5.3). */
export type AofControl = 'multi' | 'exec' | 'select';

/** One complete RESP command (`*<argc>` then argc bulk strings, FORMATS.md §5.1). */
export interface AofCommand {
  /**
   * The arguments, argument 0 being the command name as written (any case). An argument
   * delivered through `argPart` (longer than `limits.maxInlineValueBytes`) is an empty array
   * here; its index is listed in {@link AofCommand.partedArgs}.
   */
  argv: Uint8Array[];
  /**
   * For a handler with `argsLatin1`: the arguments as Latin-1 JavaScript strings (one char per
   * byte, binary-safe), made straight from the decoder's buffer, in place of `argv` (which is
   * then empty); an argument delivered through `argPart` is '' here. Undefined otherwise.
   */
  argvLatin1?: string[];
  /**
   * The number of arguments of the command. Equals `argv.length` unless the decoder was told
   * to keep fewer (`keepArgs`).
   */
  argc: number;
  /** Indexes of the arguments delivered through `argPart`, or null when there are none. */
  partedArgs: number[] | null;
  /** Absolute offset of the command's `*`. */
  offset: number;
  /** Bytes the command takes in the file, from `*` to the CRLF after its last argument. */
  byteLength: number;
  /** Physical line (1-based) of the `*`. */
  line: number;
  /** The database in effect when the command runs (for SELECT: the one before it). Starts at 0. */
  db: number;
  /** True for MULTI, the commands after it and the EXEC that closes it. */
  inMulti: boolean;
  /** Set when argument 0 is MULTI, EXEC or SELECT (case-insensitive). */
  control: AofControl | null;
}

/** Where a part of a large argument belongs (see {@link AofHandler.argPart}). */
export interface AofArgPart {
  /** Absolute offset of the `*` of the command this argument belongs to. */
  commandOffset: number;
  /** Index of the argument in argv. */
  argIndex: number;
  /** Declared length of the whole argument, in bytes. */
  argBytes: number;
  /** Absolute offset of the first byte of this part. */
  offset: number;
  /** True on the final part of the argument. */
  last: boolean;
}

/** One `#` line (FORMATS.md §5.4). */
export interface AofAnnotation {
  /** The line as text (UTF-8, lenient), from the `#` up to but excluding the `\r\n` / `\n`. */
  text: string;
  /** The same bytes, raw (a view). */
  raw: Uint8Array;
  /** Absolute offset of the `#`. */
  offset: number;
  /** Physical line (1-based) of the `#`. */
  line: number;
  /** Bytes the line takes in the file, terminator included. */
  byteLength: number;
  /** The Unix time of a `#TS:<digits>\r\n` annotation, in seconds; undefined for any other line. */
  timestampSec: number | undefined;
  /**
   * False when the line has no `\n`: it ran to the end of the input, or it was longer than
   * the 1023 bytes Redis reads as one line and was cut there (the rest is parsed as the next
   * unit, as Redis does).
   */
  terminated: boolean;
}

/** Callbacks of the RESP decoder. Implement only what you need. */
export interface AofHandler {
  /** Every complete command, MULTI and EXEC included. */
  command?(cmd: AofCommand): void;
  /**
   * True: `command` gets the arguments as Latin-1 text in {@link AofCommand.argvLatin1} instead
   * of byte views (for a consumer that keeps bytes as such strings: the replay's dataset).
   */
  readonly argsLatin1?: boolean;
  /**
   * A part of an argument longer than `limits.maxInlineValueBytes`, in file order, as the
   * bytes arrive. The command itself follows once it is complete (and may never come if the
   * input is damaged further on).
   */
  argPart?(part: Uint8Array, where: AofArgPart): void;
  /** A `#` annotation line. */
  annotation?(a: AofAnnotation): void;
  /** A MULTI was read (called right after its `command`). */
  multi?(offset: number, line: number): void;
  /** The EXEC closing a MULTI was read (called right after its `command`); `commands` excludes MULTI and EXEC. */
  exec?(offset: number, line: number, commands: number): void;
}

/**
 * The decoder's judgement on the RESP section, with redis-check-aof's rules (FORMATS.md §5.8):
 * - `ok`: every byte belongs to a complete command or annotation and no MULTI is left open;
 * - `empty`: the input (starting at offset 0) had no bytes at all;
 * - `truncated`: the input ended inside a command, or inside a MULTI block;
 * - `corrupt`: a byte that can never be valid was found (or a declared size was refused).
 */
export type AofStatus = 'ok' | 'empty' | 'truncated' | 'corrupt';

/** The first problem found, located. */
export interface AofProblem {
  /** `RESP_SYNTAX`, `UNBALANCED_MULTI` and `LIMIT_EXCEEDED` (corrupt), or `TRUNCATED`. */
  code: 'RESP_SYNTAX' | 'UNBALANCED_MULTI' | 'LIMIT_EXCEEDED' | 'TRUNCATED';
  /** The problem in words, without location. */
  reason: string;
  /** Absolute offset of the first bad byte; for truncation, the end of the input. */
  offset: number;
  /** Physical line of `offset`. */
  line: number;
  /** Absolute offset where the unit holding the problem starts (a command's `*`, an open MULTI). */
  unitOffset: number;
  expected?: string;
  found?: string;
}

/** What the decoder concluded (see {@link AofStatus}). */
export interface AofVerdict {
  status: AofStatus;
  /**
   * The offset after the last complete command or annotation outside MULTI: what
   * `redis-check-aof --fix` would truncate the file to. Equals `endOffset` when `ok`.
   */
  okUpTo: number;
  /** Physical line of `okUpTo` (1-based). */
  okUpToLine: number;
  /** Complete commands before `okUpTo`. */
  okCommands: number;
  /** Offset of the first bad byte (corrupt) or of the end of the input (truncated). */
  firstBadOffset?: number;
  /** Physical line of `firstBadOffset`. */
  firstBadLine?: number;
  /** The problem, for `truncated` and `corrupt`. */
  problem?: AofProblem;
  /** True when decoding stopped inside a MULTI block (its offset in `multiOffset`). */
  pendingMulti: boolean;
  /** Offset of the open MULTI when `pendingMulti`. */
  multiOffset?: number;
  /** Complete commands delivered (MULTI/EXEC included, and commands of an unclosed MULTI). */
  commands: number;
  /** Annotation lines delivered. */
  annotations: number;
  /** Bytes of the RESP section received (`endOffset - startOffset`). */
  bytes: number;
  /** Absolute offset where the RESP section starts. */
  startOffset: number;
  /** Absolute offset of the end of the input received. */
  endOffset: number;
  /** Database selected at the point decoding stopped. */
  db: number;
  /**
   * The `ok_up_to_line` redis-check-aof would print: 1 plus the protocol CRLFs it consumed
   * before stopping (headers and argument terminators; not annotation lines, not `\n`s inside
   * arguments). Exact for files in canonical syntax; see the decoder's notes.
   */
  redisCheckAofLine: number;
  /**
   * The offset just after the last complete command, inside a MULTI block or not; 0 when no
   * command was complete (not the RESP section's start). This is where Redis's loader cuts a
   * truncated last file with `aof-load-truncated yes` (its `valid_up_to`), which differs from
   * `okUpTo`: annotations do not move it, and a command cut short inside MULTI keeps the
   * complete commands of the open block.
   */
  lastCommandEnd: number;
  /**
   * `lastCommandEnd` as it was when the last MULTI was read: where Redis's loader cuts a file
   * that ends at a command boundary inside an open MULTI block.
   */
  lastCommandEndBeforeMulti: number;
}
