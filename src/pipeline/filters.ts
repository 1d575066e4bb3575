/**
 * Key predicates (`--db`, `--type`, `--match`, `--drop-expired`) applied at `keyStart`: a key that does not
 * pass is skipped by the decoder without its value being decoded.
 *
 * `--match` follows Redis's glob (`stringmatchlen` in Redis's util.c, what `KEYS` and
 * `SCAN MATCH` use), reimplemented here over bytes:
 * - `*` any run of bytes, `?` any one byte;
 * - `[abc]` one of the listed bytes, `[^abc]` any other byte, `[a-z]` a range (a reversed
 *   range such as `[z-a]` means the same as `[a-z]`), `\x` inside brackets a literal `x`;
 * - `\x` outside brackets a literal `x`; a `\` at the very end matches a `\`;
 * - an unterminated `[` class runs to the end of the pattern (so `[abc` matches `a`, `b` or
 *   `c`, and a lone `[` matches nothing);
 * - a string is only matched as a whole: `*` does not match the empty string except as the
 *   whole pattern (Redis treats a pattern of exactly `*` as "all keys" before matching).
 * Bytes are compared as C `char`s of an x86-64 build, i.e. signed: in a range, bytes 0x80–0xFF
 * sort before 0x00 (Redis on x86-64 behaves so; an ARM build, where `char` is unsigned,
 * differs only for ranges with such bytes).
 */
import type { KeyInfo } from '../model/events.js';
import type { ValueType } from '../model/redis-types.js';
import { UsageError } from '../errors.js';

/** Every value type name accepted by `--type`, as Redis's `TYPE` names them. */
export const VALUE_TYPES: readonly ValueType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module', 'array', 'gcra'];

/** What to keep. Unset fields keep everything. */
export interface KeyFilterOptions {
  /** Databases to keep (`--db`, repeatable). */
  dbs?: readonly number[];
  /** Value types to keep (`--type`, repeatable). */
  types?: readonly ValueType[];
  /** Glob over the key bytes (`--match`); a string is taken as UTF-8. */
  match?: string | Uint8Array;
  /**
   * Leave out keys that have expired at this Unix time in ms (`--drop-expired`): an expiry
   * before it, as Redis's `keyIsExpired` compares. Hash fields are not looked at here.
   */
  expiredAt?: number;
}

/** A key predicate: true keeps the key. */
export type KeyPredicate = (k: Readonly<KeyInfo>) => boolean;

/**
 * Builds the predicate for `opts`, or null when nothing is filtered (callers can then skip
 * the call entirely).
 * @throws UsageError for a negative or non-integer db number.
 */
export function createKeyFilter(opts: KeyFilterOptions): KeyPredicate | null {
  const dbs = opts.dbs && opts.dbs.length > 0 ? new Set(opts.dbs) : null;
  if (dbs) for (const d of dbs) if (!Number.isInteger(d) || d < 0) throw new UsageError(`invalid database number ${d}: expected an integer >= 0`);
  const types = opts.types && opts.types.length > 0 ? new Set<string>(opts.types) : null;
  const raw = opts.match === undefined ? null : typeof opts.match === 'string' ? Buffer.from(opts.match, 'utf8') : opts.match;
  // Exactly "*" selects all keys without matching (as KEYS and SCAN do), which also keeps
  // the empty key that stringmatchlen itself would reject.
  const pattern = raw && !(raw.length === 1 && raw[0] === 0x2a) ? Uint8Array.from(raw) : null;
  const at = opts.expiredAt ?? null;
  if (!dbs && !types && !pattern && at === null) return null;
  return (k) =>
    (dbs === null || dbs.has(k.db)) && (types === null || types.has(k.valueType)) && (pattern === null || globMatch(pattern, k.key)) && (at === null || k.expireAtMs === null || k.expireAtMs >= at);
}

/**
 * Parses `--type` values.
 * @throws UsageError naming the valid types for an unknown one.
 */
export function parseValueTypes(names: readonly string[]): ValueType[] {
  return names.map((n) => {
    const t = n.toLowerCase();
    if (!(VALUE_TYPES as readonly string[]).includes(t)) throw new UsageError(`unknown type "${n}": expected one of ${VALUE_TYPES.join(', ')}`);
    return t as ValueType;
  });
}

/** Redis's glob over bytes (see the module comment). `nocase` folds ASCII letters. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  const state = { skipLonger: false };
  return matchFrom(pattern, 0, subject, 0, nocase, state, 0);
}

/** Byte as a C `char` on x86-64 (signed). */
function schar(b: number): number {
  return b >= 0x80 ? b - 0x100 : b;
}

/** C `tolower` on a signed char value (ASCII letters only, as in the C locale). */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

function sameByte(a: number, b: number, nocase: boolean): boolean {
  return nocase ? lower(a) === lower(b) : a === b;
}

/**
 * One level of `stringmatchlen_impl`. `p`/`s` index the pattern and subject; reading past
 * the end yields `undefined` where C reads the terminating NUL, which compares the same way.
 */
function matchFrom(pat: Uint8Array, p: number, str: Uint8Array, s: number, nocase: boolean, state: { skipLonger: boolean }, nesting: number): boolean {
  // Protection against abusive patterns, as in Redis.
  if (nesting > 1000) return false;
  const plen = pat.length;
  const slen = str.length;
  while (p < plen && s < slen) {
    switch (pat[p]) {
      case 0x2a: /* '*' */ {
        while (p + 1 < plen && pat[p + 1] === 0x2a) p++;
        if (p + 1 === plen) return true;
        while (s < slen) {
          if (matchFrom(pat, p + 1, str, s, nocase, state, nesting + 1)) return true;
          // The rest of the pattern matched nowhere later in the string: no longer match for
          // an earlier star can help either.
          if (state.skipLonger) return false;
          s++;
        }
        state.skipLonger = true;
        return false;
      }
      case 0x3f: /* '?' */
        s++;
        break;
      case 0x5b: /* '[' */ {
        p++;
        const not = pat[p] === 0x5e; /* '^' */
        if (not) p++;
        let match = false;
        const c = str[s];
        for (;;) {
          if (pat[p] === 0x5c /* '\\' */ && plen - p >= 2) {
            p++;
            if (pat[p] === c) match = true;
          } else if (pat[p] === 0x5d /* ']' */) {
            break;
          } else if (p >= plen) {
            // Unterminated class: step back onto the last pattern byte so the outer loop's
            // advance lands exactly on the end.
            p--;
            break;
          } else if (plen - p >= 3 && pat[p + 1] === 0x2d /* '-' */) {
            let start = schar(pat[p]);
            let end = schar(pat[p + 2]);
            let cc = schar(c);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              cc = lower(cc);
            }
            p += 2;
            if (cc >= start && cc <= end) match = true;
          } else if (sameByte(pat[p], c, nocase)) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        break;
      }
      case 0x5c: /* '\\' */
        if (plen - p >= 2) p++;
        if (!sameByte(pat[p], str[s], nocase)) return false;
        s++;
        break;
      default:
        if (!sameByte(pat[p], str[s], nocase)) return false;
        s++;
        break;
    }
    p++;
    if (s === slen) {
      while (p < plen && pat[p] === 0x2a) p++;
      break;
    }
  }
  return p === plen && s === slen;
}
