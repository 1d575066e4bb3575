/**
 * Redis's glob matching (`stringmatchlen` in util.c), used by KEYS: `*` any run of bytes,
 * `?` one byte, `[abc]`, `[^abc]`, `[a-z]` (ends in either order) one byte of a class, `\x`
 * the byte x itself. Malformed patterns match as Redis matches them: an unclosed `[` takes
 * the rest of the pattern as its class, a trailing `\` stands for itself.
 *
 * Patterns and subjects are byte strings; past their end a pattern reads as a NUL byte, as
 * the C code reads an sds string's terminator. Once a `*` has failed to match the rest of the
 * pattern anywhere in the rest of the subject, earlier `*`s are not retried with longer
 * runs (they could not succeed either), which keeps the match from going exponential.
 */
import type { ByteString } from '../dataset/byte-string.js';

const STAR = 42; // '*'
const QUESTION = 63; // '?'
const OPEN = 91; // '['
const CLOSE = 93; // ']'
const CARET = 94; // '^'
const BACKSLASH = 92; // '\'
const DASH = 45; // '-'

/** True when `subject` matches the glob `pattern` (bytes compared exactly, or ASCII-case-folded with `nocase`). */
export function stringMatch(pattern: ByteString, subject: ByteString, nocase = false): boolean {
  const state = { giveUp: false };
  return matchFrom(pattern, 0, subject, 0, nocase, state);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchFrom(pattern: ByteString, p: number, s: ByteString, i: number, nocase: boolean, state: { giveUp: boolean }): boolean {
  const pl = pattern.length;
  const sl = s.length;
  // The pattern's byte at q, or 0 past its end (the terminator the C code reads there).
  const at = (q: number) => (q < pl ? pattern.charCodeAt(q) : 0);
  while (p < pl && i < sl) {
    const pc = pattern.charCodeAt(p);
    if (pc === STAR) {
      while (p + 1 < pl && pattern.charCodeAt(p + 1) === STAR) p++;
      if (p + 1 === pl) return true;
      for (; i < sl; i++) {
        if (matchFrom(pattern, p + 1, s, i, nocase, state)) return true;
        if (state.giveUp) return false;
      }
      state.giveUp = true;
      return false;
    } else if (pc === QUESTION) {
      i++;
    } else if (pc === OPEN) {
      p++;
      const not = at(p) === CARET;
      if (not) p++;
      const sc = s.charCodeAt(i);
      let match = false;
      for (;;) {
        const c = at(p);
        if (c === BACKSLASH && pl - p >= 2) {
          p++;
          if (at(p) === sc) match = true;
        } else if (c === CLOSE) {
          break;
        } else if (p >= pl) {
          // Unclosed class: step back so the advance below lands on the pattern's end.
          p--;
          break;
        } else if (pl - p >= 3 && at(p + 1) === DASH) {
          let start = c;
          let end = at(p + 2);
          let x = sc;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            x = lower(x);
          }
          p += 2;
          if (x >= start && x <= end) match = true;
        } else if (nocase ? lower(c) === lower(sc) : c === sc) {
          match = true;
        }
        p++;
      }
      if (not) match = !match;
      if (!match) return false;
      i++;
    } else {
      let c = pc;
      if (c === BACKSLASH && pl - p >= 2) c = pattern.charCodeAt(++p);
      const sc = s.charCodeAt(i);
      if (nocase ? lower(c) !== lower(sc) : c !== sc) return false;
      i++;
    }
    p++;
    if (i === sl) {
      while (at(p) === STAR) p++;
      break;
    }
  }
  return p >= pl && i === sl;
}
