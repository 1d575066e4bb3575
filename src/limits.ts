/**
 * Limits applied to sizes read from untrusted input. Every length a decoder reads is checked
 * against these before it waits for or allocates that many bytes; exceeding one throws a
 * `LimitError` that names the option raising it.
 */
export interface Limits {
  /** Largest string (key, value, element, blob) accepted, in bytes. Default 1 GiB (Redis: 512 MB bulk, 1 GiB listpack). */
  maxStringBytes: number;
  /** Largest decompressed LZF string, in bytes. Default 1 GiB. */
  maxLzfBytes: number;
  /** Largest element count of one collection. Default 2^32. */
  maxCollectionLength: number;
  /** Strings above this size are delivered in parts instead of one piece. Default 8 MiB. */
  maxInlineValueBytes: number;
  /** Largest RESP argument count of one command. Default 2^31. */
  maxArgs: number;
  /**
   * Longest NDJSON line (or element of a JSON array) read as a record, in bytes. Default
   * 256 MiB; it cannot go past 2^29 − 24, the longest string the JavaScript engine holds.
   */
  maxLineBytes: number;
}

/** The default limits: generous (about Redis's own) but finite. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxStringBytes: 1024 * 1024 * 1024,
  maxLzfBytes: 1024 * 1024 * 1024,
  maxCollectionLength: 2 ** 32,
  maxInlineValueBytes: 8 * 1024 * 1024,
  maxArgs: 2 ** 31,
  maxLineBytes: 256 * 1024 * 1024,
});

/** The CLI option that raises each limit (named in LimitError messages). */
export const LIMIT_OPTION: Readonly<Record<keyof Limits, string>> = Object.freeze({
  maxStringBytes: '--max-string-bytes',
  maxLzfBytes: '--max-lzf-bytes',
  maxCollectionLength: '--max-collection-length',
  maxInlineValueBytes: '--max-inline-value-bytes',
  maxArgs: '--max-args',
  maxLineBytes: '--max-line-bytes',
});

/** Merges user limits over the defaults. */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...(partial ?? {}) };
}
