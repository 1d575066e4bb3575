/**
 * Sorted-set scores stored as text: the type-3 length-prefixed doubles (FORMATS.md §1.7) and
 * the decimal strings inside ziplists/listpacks (§2.11, §2.13).
 */
import type { RdbCursor } from '../primitives.js';

const RESULT = { v: 0 };

/**
 * Parses a score written as text (`1.5`, `-3`, `inf`, `-inf`, `1e+21`). Returns NaN when the
 * text is not a number Redis would accept.
 */
export function parseScore(bytes: Uint8Array): number {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan' || t.length === 0) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) && !/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/.test(t)) return NaN;
  if (t.includes('0x')) return parseHexFloat(t);
  return Number(t);
}

function parseHexFloat(t: string): number {
  const m = /^([+-]?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(t);
  if (!m) return NaN;
  const frac = m[3] ?? '';
  let v = parseInt(m[2] + frac, 16) / 16 ** frac.length;
  v *= 2 ** Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

/**
 * Reads a type-3 text double: one length byte (253 NaN, 254 +inf, 255 -inf) then that many
 * ASCII bytes. Returns null when more bytes are needed. The result object is reused.
 */
export function readTextDouble(c: RdbCursor): { v: number } | null {
  const r = c.r;
  const p = r.pos;
  if (p >= r.end) return (r.wanted = 1), null;
  const len = r.buf[p];
  if (len === 253) RESULT.v = NaN;
  else if (len === 254) RESULT.v = Infinity;
  else if (len === 255) RESULT.v = -Infinity;
  else {
    if (p + 1 + len > r.end) return (r.wanted = 1 + len), null;
    r.pos = p + 1 + len;
    RESULT.v = parseScore(r.buf.subarray(p + 1, p + 1 + len));
    return RESULT;
  }
  r.pos = p + 1;
  return RESULT;
}
